/* The plugin kernel: the user's C function per parameter point, loaded from
 * a shared object through hybench/plugin.h (the installed, MPI-free
 * interface; its comment is the contract).
 *
 * plan loads the object to check it (it loads, holds hybench_plugin_abi
 * equal to HB_PLUGIN_ABI, and the task function) and unloads it; create
 * loads it for the run. Each task gets its point (names, texts, numbers
 * converted once at create) and the seed, and returns HB_PLUGIN_VALUES
 * doubles, which the worker folds into its own digest (a sum of per-task
 * digests of index and result bits) and exact sums (digest.h) at once: the
 * reduction sends a few hundred words whatever the task count, so a short
 * task costs its hand-out and little more. Both are the same for every
 * layout when the function keeps the contract. "verified yes" means the
 * results were the same in every repetition, which the matrix then compares
 * across layouts; results that changed, or a single repetition, are
 * unverified. */
#define _GNU_SOURCE /* strdup */
#include <dlfcn.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
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

/* One worker's share of a repeat: its own cache lines. */
typedef struct plugin_acc {
    hb_xsum sum[HB_PLUGIN_VALUES]; /* exact sums of the results */
    uint64_t digest;               /* sum of hb_digest_words(index, result bits) */
    uint64_t done;                 /* tasks run */
} __attribute__((aligned(64))) plugin_acc;

typedef struct plugin_state {
    hb_points pts;
    char *path;
    const char *function;
    void *handle;
    hb_plugin_fn *fn;
    uint64_t seed;
    size_t n;
    double **num; /* per parameter, its values as numbers */
    int nwk;
    plugin_acc *acc; /* one per worker of this rank; acc[0] holds the total after reduce */
    uint64_t first;  /* rank 0: the digest of the first repeat */
    int repeats;
    bool differ;
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
    free(st->acc);
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
    st->nwk = cfg->serial ? 1 : cfg->threads;
    if (!rc) {
        st->num = calloc(st->pts.nparams ? st->pts.nparams : 1, sizeof *st->num);
        st->acc = aligned_alloc(64, (size_t)st->nwk * sizeof *st->acc);
        if (!st->num || !st->acc)
            rc = hb_fail(HB_ENOMEM, "plugin: out of memory");
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
    memset(st->acc, 0, (size_t)st->nwk * sizeof *st->acc);
    return 0;
}

static int plugin_task(void *state, size_t i, const hb_worker *w) {
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
    /* The result is folded in here, by the worker that ran it (w->thread is
     * only where the sums go, never part of them): what reduce sends is a
     * few words, not a result per task. */
    plugin_acc *a = &st->acc[w->thread];
    uint64_t words[1 + HB_PLUGIN_VALUES] = {(uint64_t)i};
    memcpy(words + 1, r.value, sizeof r.value);
    a->digest += hb_digest_words(words, 1 + HB_PLUGIN_VALUES);
    for (int k = 0; k < HB_PLUGIN_VALUES; k++)
        hb_xsum_add(&a->sum[k], r.value[k]);
    a->done++;
    return 0;
}

/* The workers' shares into acc[0], then acc[0] of every rank onto rank 0:
 * sums of integers, exact in any order. */
static int plugin_reduce(void *state, MPI_Comm comm) {
    plugin_state *st = state;
    plugin_acc *a = &st->acc[0];
    for (int t = 1; t < st->nwk; t++) {
        for (int k = 0; k < HB_PLUGIN_VALUES; k++)
            hb_xsum_merge(&a->sum[k], &st->acc[t].sum[k]);
        a->digest += st->acc[t].digest;
        a->done += st->acc[t].done;
    }
    if (comm == MPI_COMM_NULL)
        return 0;
    int rank;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "plugin: MPI_Comm_rank failed");
    uint64_t u[2] = {a->digest, a->done};
    if (MPI_Reduce(rank ? a->sum : MPI_IN_PLACE, a->sum, HB_PLUGIN_VALUES * HB_XSUM_WORDS,
                   MPI_INT64_T, MPI_SUM, 0, comm) != MPI_SUCCESS ||
        MPI_Reduce(rank ? u : MPI_IN_PLACE, u, 2, MPI_UINT64_T, MPI_SUM, 0, comm) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "plugin: MPI_Reduce of the results failed");
    a->digest = u[0];
    a->done = u[1];
    return 0;
}

static int plugin_verify(void *state, hb_verdict *v) {
    plugin_state *st = state;
    const plugin_acc *a = &st->acc[0];
    if (a->done == st->n && st->repeats++ == 0)
        st->first = a->digest;
    else if (a->done == st->n && a->digest != st->first)
        st->differ = true;
    snprintf(v->result, sizeof v->result, "tasks=%zu digest=%016" PRIx64, st->n, a->digest);
    if (st->differ) {
        v->status = HB_UNVERIFIED;
        snprintf(v->why, sizeof v->why,
                 "not deterministic: the results changed between repetitions");
    } else if (a->done < st->n) {
        v->status = HB_UNVERIFIED;
        snprintf(v->why, sizeof v->why, "%zu of %zu tasks not run", st->n - (size_t)a->done, st->n);
    } else if (st->repeats < 2) {
        v->status = HB_UNVERIFIED;
        snprintf(v->why, sizeof v->why,
                 "determinism not checked: the tasks ran in one repetition only (--warmup 1 or "
                 "--repeat 2 runs each twice)");
    } else {
        v->status = HB_VERIFIED;
    }
    hb_str r = {0};
    hb_str_addf(&r, "plugin %s in %s: %zu task%s; sums of the results [", st->function, st->path,
                st->n, st->n == 1 ? "" : "s");
    for (int k = 0; k < HB_PLUGIN_VALUES; k++)
        hb_str_addf(&r, "%s%.17g", k ? ", " : "", hb_xsum_value(&a->sum[k]));
    hb_str_addf(&r, "]; digest %016" PRIx64, a->digest);
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
