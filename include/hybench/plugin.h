/* hybench/plugin.h: your own C (or Fortran, through bind(C)) function as the
 * task of `hybench run --kernel plugin --plugin PATH.so`.
 *
 * hybench loads the shared object with dlopen, checks that it was built for
 * this interface (hybench_plugin_abi == HB_PLUGIN_ABI) and calls the task
 * function (hybench_task, or the name given with --function) once per
 * parameter point, concurrently from every worker thread of every rank:
 *
 *     #include <hybench/plugin.h>
 *     HB_PLUGIN_DEFINE_ABI;
 *     HB_PLUGIN_EXPORT int hybench_task(const hb_plugin_task *t, hb_plugin_result *r) {
 *         r->value[0] = 2 * hb_plugin_value(t, "x", 0.0);
 *         return 0;
 *     }
 *
 * Build it as a shared object (cc -shared -fPIC $(pkg-config --cflags
 * hybench) task.c -o task.so); it needs no library of hybench's, and this
 * header needs no MPI. The contract:
 *   - the result may depend on the task (its index, point and seed) only,
 *     never on which thread or rank runs it or when: results are compared
 *     across layouts bit for bit;
 *   - the function must be safe to call from several threads at once (no
 *     unguarded globals; a random stream keyed by t->index and t->seed);
 *   - return 0, or non-zero to fail the task (the run then fails naming the
 *     task and its point).
 * Everything t points to is valid during the call only.
 *
 * HB_PLUGIN_ABI changes whenever a struct below changes shape; a plug-in
 * built for another value is refused when it is loaded. */
#ifndef HYBENCH_PLUGIN_H
#define HYBENCH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HB_PLUGIN_ABI 1

/* Numbers per task result. */
#define HB_PLUGIN_VALUES 4

/* One parameter of the task's point. */
typedef struct hb_plugin_param {
    const char *name;
    const char *text; /* the value as given ("0.50", "resnet") */
    double value;     /* the text as a number; NaN when it is not one */
} hb_plugin_param;

/* One task. */
typedef struct hb_plugin_task {
    uint64_t index; /* 0 .. tasks-1: the point's position in the scan */
    uint64_t seed;  /* --seed */
    int nparams;
    const hb_plugin_param *params;
} hb_plugin_task;

/* What a task gives back: compared bit for bit across layouts, summed in
 * task order for the report. Zeroed before the call. */
typedef struct hb_plugin_result {
    double value[HB_PLUGIN_VALUES];
} hb_plugin_result;

/* The task function's type. */
typedef int hb_plugin_fn(const hb_plugin_task *task, hb_plugin_result *result);

#if defined(__GNUC__) || defined(__clang__)
#define HB_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define HB_PLUGIN_EXPORT
#endif

/* Put this once in the plug-in, at file scope. */
#define HB_PLUGIN_DEFINE_ABI                                                                       \
    HB_PLUGIN_EXPORT extern const int hybench_plugin_abi;                                          \
    const int hybench_plugin_abi = HB_PLUGIN_ABI

/* The value of parameter name, or fallback when the point has none. */
static inline double hb_plugin_value(const hb_plugin_task *t, const char *name, double fallback) {
    for (int i = 0; i < t->nparams; i++)
        if (strcmp(t->params[i].name, name) == 0)
            return t->params[i].value;
    return fallback;
}

#ifdef __cplusplus
}
#endif

#endif
