/* The plugin kernel: the user's C function per parameter point, loaded from
 * a shared object through hybench/plugin.h (the installed, MPI-free
 * interface; its comment is the contract).
 *
 * plan loads the object to check it (it loads, holds hybench_plugin_abi
 * equal to HB_PLUGIN_ABI, and the task function) and unloads it; create
 * loads it for the run. Each task gets its point (names, texts, numbers
 * converted once at create) and the seed, and returns HB_PLUGIN_VALUES
 * doubles. reduce gathers their bit patterns on rank 0; the result is a
 * digest of them in task order, and the report gives their sums in task
 * order, so both are the same for every layout when the function keeps the
 * contract. As for the cmd kernel, "verified yes" means every task gave the
 * same result in every repetition, which the matrix then compares across
 * layouts; a result that changed, or a single repetition, is unverified. */
#define _GNU_SOURCE /* strdup */
#include <dlfcn.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/digest.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/kernel.h"
#include "hybench/plugin.h"
#include "hybench/points.h"

#define PLUGIN_DEFAULT_FUNCTION "hybench_task"

static const hb_option plugin_options[] = {
    {"plugin", "PATH.so", "shared object with the task function (hybench/plugin.h)"},
    {"function", "NAME", "the task function in it (default " PLUGIN_DEFAULT_FUNCTION ")"},
    HB_POINTS_OPTION_PARAM,
    HB_POINTS_OPTION_ZIP,
    HB_POINTS_OPTION_FILE,
    {NULL, NULL, NULL},
};

typedef struct plugin_state {
    hb_points pts;
    char *path;
    const char *function;
    void *handle;
    hb_plugin_fn *fn;
    uint64_t seed;
    size_t n;
    double **num;  /* per parameter, its values as numbers */
    uint64_t *res; /* n * HB_PLUGIN_VALUES bit patterns, this rank's tasks */
    uint8_t *done;
    uint64_t *first; /* rank 0: each task's result digest in the first repeat */
    uint32_t *runs;
    size_t ndiffer, first_differ;
} plugin_state;

/* dlopen path (a name without '/' is a file here, not a library to search
 * for) and find the ABI and the function. HB_EUSAGE naming the option. */
static int load(const char *path, const char *function, void **handle, hb_plugin_fn **fn) {
    char full[PATH_MAX];
    int rc = hb_path(full, sizeof full, "--plugin", "%s%s", strchr(path, '/') ? "" : "./", path);
    if (rc)
        return rc;
    dlerror();
    void *h = dlopen(full, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        return hb_fail(HB_EUSAGE, "--plugin: cannot load '%s': %s", path, e ? e : "dlopen failed");
    }
    const int *abi = dlsym(h, "hybench_plugin_abi");
    void *f = abi ? dlsym(h, function) : NULL;
    if (!abi)
        rc = hb_fail(HB_EUSAGE,
                     "--plugin: '%s' has no symbol hybench_plugin_abi (put HB_PLUGIN_DEFINE_ABI "
                     "from hybench/plugin.h in it)",
                     path);
    else if (*abi != HB_PLUGIN_ABI)
        rc = hb_fail(HB_EUSAGE,
                     "--plugin: '%s' was built for plug-in ABI %d, this hybench has ABI %d "
                     "(rebuild it against this hybench's plugin.h)",
                     path, *abi, HB_PLUGIN_ABI);
    else if (!f)
        rc = hb_fail(HB_EUSAGE, "--function: '%s' has no function '%s'", path, function);
    if (rc) {
        dlclose(h);
        return rc;
    }
    *handle = h;
    /* POSIX: a function pointer from dlsym's void *. */
    memcpy(fn, &f, sizeof f);
    return 0;
}

static int read_options(const hb_args *a, plugin_state *st, bool keep) {
    const char *path = hb_args_get(a, "plugin");
    if (!path)
        return hb_fail(HB_EUSAGE, "--plugin: missing (the shared object with the task function)");
    if (!path[0])
        return hb_fail(HB_EUSAGE, "--plugin: empty file name");
    st->function = hb_args_get(a, "function");
    if (!st->function)
        st->function = PLUGIN_DEFAULT_FUNCTION;
    if (!st->function[0])
        return hb_fail(HB_EUSAGE, "--function: empty name");
    if (!(st->path = strdup(path)))
        return hb_fail(HB_ENOMEM, "plugin: out of memory");
    int rc = hb_points_from_args(a, &st->pts);
    if (!rc && st->pts.nparams > HB_PARAMS_MAX)
        rc = hb_fail(HB_EUSAGE, "plugin: more than %d parameters", HB_PARAMS_MAX);
    if (!rc)
        rc = load(path, st->function, &st->handle, &st->fn);
    if (!rc && !keep) {
        dlclose(st->handle);
        st->handle = NULL;
    }
    st->n = st->pts.n;
    return rc;
}

static void plugin_destroy(void *state) {
    plugin_state *st = state;
    if (!st)
        return;
    for (size_t j = 0; st->num && j < st->pts.nparams; j++)
        free(st->num[j]);
    free(st->num);
    free(st->res);
    free(st->done);
    free(st->first);
    free(st->runs);
    if (st->handle)
        dlclose(st->handle);
    hb_points_free(&st->pts);
    free(st->path);
    free(st);
}

static int plugin_plan(const hb_args *args, const hb_kernel_cfg *cfg, hb_kernel_plan *out) {
    plugin_state st = {0};
    int rc = read_options(args, &st, false);
    if (!rc) {
        char path[512];
        hb_str p = {0};
        hb_str_addf(&p, "plugin=%s function=%s points=%zu scan=%016" PRIx64 " seed=%" PRIu64,
                    hb_text_escape(st.path, path, sizeof path), st.function, st.pts.n,
                    hb_points_hash(&st.pts), cfg->seed);
        if (p.failed)
            rc = hb_fail(HB_ENOMEM, "plugin: out of memory");
        out->params = p.p;
        out->ntasks = st.pts.n;
        out->work_s = 0; /* the user's function: unknown */
    }
    hb_points_free(&st.pts);
    free(st.path);
    return rc;
}

static int plugin_create(const hb_args *args, const hb_kernel_cfg *cfg, void **out) {
    plugin_state *st = calloc(1, sizeof *st);
    if (!st)
        return hb_fail(HB_ENOMEM, "plugin: out of memory");
    int rc = read_options(args, st, true);
    st->seed = cfg->seed;
    if (!rc) {
        st->num = calloc(st->pts.nparams ? st->pts.nparams : 1, sizeof *st->num);
        st->res = calloc(st->n * HB_PLUGIN_VALUES, sizeof *st->res);
        st->done = calloc(st->n, sizeof *st->done);
        if (!st->num || !st->res || !st->done)
            rc = hb_fail(HB_ENOMEM, "plugin: out of memory for %zu tasks", st->n);
    }
    for (size_t j = 0; !rc && j < st->pts.nparams; j++) {
        const hb_param *q = &st->pts.param[j];
        if (!(st->num[j] = malloc((q->n ? q->n : 1) * sizeof *st->num[j]))) {
            rc = hb_fail(HB_ENOMEM, "plugin: out of memory");
            break;
        }
        for (size_t k = 0; k < q->n; k++) {
            char *end;
            double x = strtod(q->text[k], &end);
            st->num[j][k] = end != q->text[k] && *end == '\0' ? x : NAN;
        }
    }
    if (rc) {
        plugin_destroy(st);
        return rc;
    }
    *out = st;
    return 0;
}

static int plugin_begin(void *state) {
    plugin_state *st = state;
    memset(st->res, 0, st->n * HB_PLUGIN_VALUES * sizeof *st->res);
    memset(st->done, 0, st->n * sizeof *st->done);
    return 0;
}

static int plugin_task(void *state, size_t i, const hb_worker *w) {
    (void)w; /* the result must not depend on who runs it */
    plugin_state *st = state;
    hb_plugin_param params[HB_PARAMS_MAX];
    int np = (int)st->pts.nparams;
    for (int j = 0; j < np; j++) {
        size_t k = hb_points_index(&st->pts, i, (size_t)j);
        params[j] =
            (hb_plugin_param){st->pts.param[j].name, st->pts.param[j].text[k], st->num[j][k]};
    }
    hb_plugin_task t = {(uint64_t)i, st->seed, np, params};
    hb_plugin_result r;
    memset(&r, 0, sizeof r);
    int rc = st->fn(&t, &r);
    if (rc) {
        char pt[256];
        return hb_fail(HB_ETASK, "task %zu (%s): %s in %s returned %d", i,
                       hb_points_describe(&st->pts, i, pt, sizeof pt), st->function, st->path, rc);
    }
    memcpy(&st->res[i * HB_PLUGIN_VALUES], r.value, sizeof r.value);
    st->done[i] = 1;
    return 0;
}

/* Each task ran on one worker and is zero elsewhere: OR gives every bit. */
static int plugin_reduce(void *state, MPI_Comm comm) {
    plugin_state *st = state;
    if (comm == MPI_COMM_NULL)
        return 0;
    int rank;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "plugin: MPI_Comm_rank failed");
    const size_t step = (size_t)INT_MAX / 2;
    size_t nr = st->n * HB_PLUGIN_VALUES;
    for (size_t o = 0; o < nr; o += step) {
        int c = (int)(nr - o < step ? nr - o : step);
        if (MPI_Reduce(rank ? st->res + o : MPI_IN_PLACE, st->res + o, c, MPI_UINT64_T, MPI_BOR, 0,
                       comm) != MPI_SUCCESS)
            return hb_fail(HB_EMPI, "plugin: MPI_Reduce of the results failed");
    }
    for (size_t o = 0; o < st->n; o += step) {
        int c = (int)(st->n - o < step ? st->n - o : step);
        if (MPI_Reduce(rank ? st->done + o : MPI_IN_PLACE, st->done + o, c, MPI_UINT8_T, MPI_BOR, 0,
                       comm) != MPI_SUCCESS)
            return hb_fail(HB_EMPI, "plugin: MPI_Reduce of the results failed");
    }
    return 0;
}

static int plugin_verify(void *state, hb_verdict *v) {
    plugin_state *st = state;
    if (!st->first) {
        st->first = calloc(st->n ? st->n : 1, sizeof *st->first);
        st->runs = calloc(st->n ? st->n : 1, sizeof *st->runs);
        if (!st->first || !st->runs)
            return hb_fail(HB_ENOMEM, "plugin: out of memory");
    }
    double sum[HB_PLUGIN_VALUES] = {0};
    uint64_t total = HB_DIGEST_INIT;
    size_t missing = 0, once = 0;
    for (size_t i = 0; i < st->n; i++) {
        const uint64_t *bits = &st->res[i * HB_PLUGIN_VALUES];
        uint64_t d = hb_digest(HB_DIGEST_INIT, bits, HB_PLUGIN_VALUES * sizeof *bits);
        if (!st->done[i]) {
            missing++;
        } else if (st->runs[i]++ == 0) {
            st->first[i] = d;
        } else if (st->first[i] != d && st->ndiffer++ == 0) {
            st->first_differ = i;
        }
        once += st->runs[i] < 2;
        total = hb_digest_fold(total, d);
        for (int k = 0; k < HB_PLUGIN_VALUES; k++) {
            double x;
            memcpy(&x, &bits[k], sizeof x);
            sum[k] += x;
        }
    }
    snprintf(v->result, sizeof v->result, "tasks=%zu digest=%016" PRIx64, st->n, total);
    char pt[200];
    if (st->ndiffer) {
        v->status = HB_UNVERIFIED;
        snprintf(v->why, sizeof v->why,
                 "not deterministic: %zu task%s gave another result in another repetition "
                 "(first task %zu, %s)",
                 st->ndiffer, st->ndiffer == 1 ? "" : "s", st->first_differ,
                 hb_points_describe(&st->pts, st->first_differ, pt, sizeof pt));
    } else if (missing) {
        v->status = HB_UNVERIFIED;
        snprintf(v->why, sizeof v->why, "%zu task%s not run", missing, missing == 1 ? "" : "s");
    } else if (once) {
        v->status = HB_UNVERIFIED;
        snprintf(v->why, sizeof v->why,
                 "determinism not checked: the tasks ran in one repetition only (--warmup 1 or "
                 "--repeat 2 runs each twice)");
    } else {
        v->status = HB_VERIFIED;
    }
    hb_str r = {0};
    hb_str_addf(&r, "plugin %s in %s: %zu task%s; sums of the results in task order [",
                st->function, st->path, st->n, st->n == 1 ? "" : "s");
    for (int k = 0; k < HB_PLUGIN_VALUES; k++)
        hb_str_addf(&r, "%s%.17g", k ? ", " : "", sum[k]);
    hb_str_addf(&r, "]; digest %016" PRIx64, total);
    v->report = r.p;
    return 0;
}

const hb_kernel hb_kernel_plugin = {
    .name = "plugin",
    .summary = "your C function per point, from a shared object (hybench/plugin.h)",
    .options = plugin_options,
    .plan = plugin_plan,
    .create = plugin_create,
    .begin = plugin_begin,
    .task = plugin_task,
    .reduce = plugin_reduce,
    .verify = plugin_verify,
    .destroy = plugin_destroy,
};
