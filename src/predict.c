/* `hybench predict SOURCE --workers LIST`: what efficiency the measured
 * tasks would get at other scales. The task times a run recorded
 * (tasks.csv) are replayed through the schedules (replay.h) at each worker
 * count, node shape, schedule and chunk; the interval comes from resampling
 * the task times (one of the recordings, over one repeat-to-repeat ratio of
 * the runs), seeded so it repeats; every
 * configuration runs.csv measured is predicted too, so each prediction's
 * error is shown beside it. This file parses the options and computes; the
 * inputs are read in predict_load.c and the output written in predict_out.c. */
#define _DEFAULT_SOURCE /* strdup */
#include "hybench/predict.h"

#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/kernel.h"
#include "hybench/layout.h"
#include "hybench/parse.h"
#include "hybench/pin.h"
#include "predict_internal.h"

#include <Random123/philox.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const hb_option hb_predict_options[] = {
    {"workers", "LIST", "worker counts to predict, e.g. 1,10,100,1e3,1e4,1e5 (required)"},
    {"layouts", "LIST",
     "the shape of one node, RxT (ranks x threads), e.g. 1x64,64x1 (default 1xC, C = this "
     "machine's cores)"},
    {"schedules", "LIST", "static, cyclic, dynamic, dynamic-flat (default static,cyclic,dynamic)"},
    {"chunk", "LIST", "tasks per hand-out for cyclic and dynamic (default 1,4,16,64)"},
    {"kernel", "K", "only the workloads of kernel K (default: every one in SOURCE)"},
    {"costs", "FILE", "hand-out costs, as bench/handout_bench.sh writes them (default: built in)"},
    {"runs", "FILE",
     "the runs to check the predictions against and take run-to-run noise from (default "
     "SOURCE/runs.csv for a matrix directory)"},
    {"from", "WHICH",
     "task times recorded with the nearest number of workers per node (nearest, default) or "
     "the serial ones only (serial)"},
    {"resamples", "N", "resamples for each interval (default 200)"},
    {"seed", "S", "seed of the resampling (default 1)"},
    {"out", "DIR", "write prediction.csv and the plots here (default: SOURCE's directory)"},
    {"help", NULL, "show this help"},
    {NULL, NULL, NULL},
};

static const char *const sched_names[] = {"static", "cyclic", "dynamic", "dynamic-flat", "serial"};

const char *hb_predict_sched_name(int sched) {
    return sched >= 0 && sched <= P_SERIAL ? sched_names[sched] : "?";
}

const char *hb_predict_layout(const pconf *c, char *buf, size_t len) {
    if (c->sched == P_SERIAL)
        snprintf(buf, len, "serial");
    else if (c->nodes > 1)
        snprintf(buf, len, "%ld:%dx%d", c->nodes, c->ranks, c->threads);
    else
        snprintf(buf, len, "%dx%d", c->ranks, c->threads);
    return buf;
}

/* ---- options ------------------------------------------------------------ */

static int parse_options(const hb_args *a, predict *p) {
    const char *s;
    int rc;
    if (!(s = hb_args_get(a, "workers")))
        return hb_fail(HB_EUSAGE, "--workers: missing (the worker counts to predict, e.g. "
                                  "1,10,100,1e3,1e4,1e5)");
    if ((rc = hb_parse_size_list("--workers", s, 1, 10000000, &p->workers, &p->nworkers)))
        return rc;
    s = hb_args_get(a, "layouts");
    char deflt[32];
    if (!s) {
        hb_topo *t;
        int cores = hb_topo_load(&t, NULL) == 0 ? hb_topo_cores(t) : 1;
        if (cores >= 1)
            hb_topo_free(t);
        snprintf(deflt, sizeof deflt, "1x%d", cores > 0 ? cores : 1);
        s = deflt;
    }
    char *copy = strdup(s);
    if (!copy)
        return hb_fail(HB_ENOMEM, "out of memory");
    p->shapes = calloc(strlen(s) + 1, sizeof *p->shapes);
    if (!p->shapes) {
        free(copy);
        return hb_fail(HB_ENOMEM, "out of memory");
    }
    char *save = NULL;
    rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        hb_layout l;
        if ((rc = hb_layout_parse("--layouts", tok, &l)))
            break;
        if (l.nodes != 1 || strchr(tok, ':'))
            rc = hb_fail(HB_EUSAGE,
                         "--layouts: '%s' is not the shape of one node (RxT; the "
                         "node count follows from --workers)",
                         tok);
        else
            p->shapes[p->nshapes++] = (pshape){l.ranks_per_node, l.threads};
    }
    if (!rc && (!*s || s[strlen(s) - 1] == ',' || strstr(s, ",,") || p->nshapes == 0))
        rc = hb_fail(HB_EUSAGE, "--layouts: '%s' has an empty item", s);
    free(copy);
    if (rc)
        return rc;
    s = hb_args_get(a, "schedules");
    if (!s)
        s = "static,cyclic,dynamic";
    size_t len = strlen(s), at = 0;
    while (at <= len) {
        size_t w = strcspn(s + at, ",");
        int k = 0;
        while (k < P_NSCHED &&
               !(strlen(sched_names[k]) == w && !strncmp(s + at, sched_names[k], w)))
            k++;
        if (k == P_NSCHED)
            return hb_fail(HB_EUSAGE,
                           "--schedules: '%.*s' is not one of static, cyclic, dynamic, "
                           "dynamic-flat",
                           (int)w, s + at);
        p->sched_on[k] = true;
        at += w + 1;
    }
    s = hb_args_get(a, "chunk");
    if ((rc = hb_parse_size_list("--chunk", s ? s : "1,4,16,64", 1, (size_t)1 << 40, &p->chunks,
                                 &p->nchunks)))
        return rc;
    long r = 200;
    if ((s = hb_args_get(a, "resamples")) && (rc = hb_parse_long("--resamples", s, 20, 100000, &r)))
        return rc;
    p->resamples = (size_t)r;
    p->seed = 1;
    if ((s = hb_args_get(a, "seed")) && (rc = hb_parse_u64("--seed", s, &p->seed)))
        return rc;
    s = hb_args_get(a, "from");
    if (s && strcmp(s, "nearest") != 0 && strcmp(s, "serial") != 0)
        return hb_fail(HB_EUSAGE, "--from: '%s' is not nearest or serial", s);
    p->from_serial = s && strcmp(s, "serial") == 0;
    hb_costs_default(&p->costs);
    if ((s = hb_args_get(a, "costs")) && (rc = hb_costs_read(s, &p->costs)))
        return rc;
    p->out = hb_args_get(a, "out");
    if (p->out && !*p->out)
        return hb_fail(HB_EUSAGE, "--out: empty directory name");
    p->kernel = hb_args_get(a, "kernel");
    if (p->kernel && !hb_kernel_find(p->kernel))
        return hb_fail(HB_EUSAGE, "--kernel: unknown kernel '%s' (hybench --list)", p->kernel);
    p->runs_path = hb_args_get(a, "runs");
    if (p->runs_path && !*p->runs_path)
        return hb_fail(HB_EUSAGE, "--runs: empty file name");
    return 0;
}

/* ---- configurations ---------------------------------------------------------- */

/* The task times for p workers per node: the group with the most workers
 * per node up to p, else the one with the fewest. */
static size_t pick_group(const pwork *w, int wpn) {
    size_t best = 0;
    for (size_t g = 1; g < w->ngroups; g++) {
        int a = w->groups[g].wpn, b = w->groups[best].wpn;
        if ((a <= wpn && (b > wpn || a > b)) || (a > wpn && b > wpn && a < b))
            best = g;
    }
    return best;
}

static int add_conf(predict *p, size_t *cap, pconf c) {
    if (p->nconfs == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        pconf *v = realloc(p->confs, nc * sizeof *v);
        if (!v)
            return hb_fail(HB_ENOMEM, "predict: out of memory");
        p->confs = v;
        *cap = nc;
    }
    int wpn = (int)(c.workers < (long)c.ranks * c.threads ? c.workers : (long)c.ranks * c.threads);
    c.group = pick_group(&p->works[c.work], c.sched == P_SERIAL ? 1 : wpn);
    p->confs[p->nconfs++] = c;
    return 0;
}

static int make_confs(predict *p) {
    size_t cap = 0;
    int rc = 0;
    for (size_t w = 0; w < p->nworks && !rc; w++) {
        /* What runs.csv measured of this workload. */
        for (size_t e = 0; p->have_runs && e < p->eff.n && !rc; e++) {
            const hb_eff *m = &p->eff.v[e];
            if (strcmp(m->kernel, p->works[w].kernel) || strcmp(m->params, p->works[w].params) ||
                m->repeats == 0)
                continue;
            pconf c = {.work = w,
                       .measured = m,
                       .workers = 1,
                       .ranks = 1,
                       .threads = 1,
                       .nodes = 1,
                       .sched = P_SERIAL};
            if (strcmp(m->mode, "serial") != 0) {
                int k = 0;
                while (k < P_NSCHED && strcmp(sched_names[k], m->schedule) != 0)
                    k++;
                if (k == P_NSCHED || m->nodes < 1 || m->ranks % m->nodes)
                    continue;
                c.sched = k;
                c.workers = m->workers;
                c.nodes = m->nodes;
                c.ranks = (int)(m->ranks / m->nodes);
                c.threads = (int)m->threads;
                c.chunk = k == P_STATIC ? 0 : p->works[w].grain ? 1 : strtoul(m->chunk, NULL, 10);
                if (k != P_STATIC && c.chunk < 1)
                    continue;
            }
            rc = add_conf(p, &cap, c);
        }
        for (size_t l = 0; l < p->nshapes && !rc; l++)
            for (size_t i = 0; i < p->nworkers && !rc; i++) {
                long W = (long)p->workers[i], per = (long)p->shapes[l].ranks * p->shapes[l].threads;
                pconf c = {.work = w,
                           .workers = W,
                           .ranks = p->shapes[l].ranks,
                           .threads = p->shapes[l].threads,
                           .nodes = (W + per - 1) / per};
                for (int k = 0; k < P_NSCHED && !rc; k++) {
                    if (!p->sched_on[k])
                        continue;
                    c.sched = k;
                    for (size_t j = 0; j < (k == P_STATIC ? 1 : p->nchunks) && !rc; j++) {
                        c.chunk = k == P_STATIC ? 0 : p->chunks[j];
                        rc = add_conf(p, &cap, c);
                    }
                }
            }
    }
    return rc;
}

/* ---- replays -------------------------------------------------------------- */

static int replay_conf(const predict *p, const pconf *c, const double *dur, const double *pre,
                       hb_replay_ws *ws, hb_replay_out *o) {
    const pwork *w = &p->works[c->work];
    hb_replay_cfg rc = {.dur = dur,
                        .n = w->n,
                        .prefix = pre,
                        .workers = c->workers,
                        .node_workers = c->ranks * c->threads,
                        .ranks_per_node = c->ranks,
                        .kind = c->sched == P_CYCLIC ? HB_SCHED_CYCLIC
                                : c->sched == P_DYNAMIC || c->sched == P_DYNAMIC_FLAT
                                    ? HB_SCHED_DYNAMIC
                                    : HB_SCHED_STATIC,
                        .chunk = c->chunk ? c->chunk : 1,
                        .handout = c->sched == P_DYNAMIC_FLAT ? HB_HANDOUT_FLAT : HB_HANDOUT_AUTO,
                        .costs = &p->costs};
    return hb_replay(&rc, ws, o);
}

/* The b-th resample of group g of workload w into d: one of the group's
 * recordings, whole (the order of long and short tasks stays, and so does
 * what the machine was doing during that recording), divided by one
 * repeat-to-repeat ratio of the runs: a recording is one repetition, a draw
 * from the spread of its configuration's repeats, and what is predicted is
 * the median a launch would give. Both draws come from Philox keyed by the
 * seed and counted by (w, g, b), so a resample is the same for every
 * configuration and every run. */
static void resample(const predict *p, size_t w, size_t g, size_t b, double *d) {
    const pwork *wk = &p->works[w];
    const pgroup *gr = &wk->groups[g];
    philox4x32_key_t key = {{(uint32_t)p->seed, (uint32_t)(p->seed >> 32)}};
    philox4x32_ctr_t ctr = {{(uint32_t)b, (uint32_t)(b >> 32), (uint32_t)g, (uint32_t)w}};
    philox4x32_ctr_t r = philox4x32(ctr, key);
    double f = p->nfactors ? p->factors[r.v[0] % p->nfactors] : 1.0;
    const double *rec = gr->recs[r.v[1] % gr->nrecs]->t.dur;
    for (size_t t = 0; t < wk->n; t++)
        d[t] = rec[t] / f;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(double *v, size_t n, double q) {
    qsort(v, n, sizeof *v, cmp_double);
    double x = q * (double)(n - 1);
    size_t i = (size_t)x;
    return i + 1 < n ? v[i] + (x - (double)i) * (v[i + 1] - v[i]) : v[n - 1];
}

/* Replays run on every core: each configuration's point, then each
 * resample (independent: each draws from its own Philox counters). A
 * thread's failure is kept as a code; its message stays in that thread, so
 * the main thread words it again. */
static int compute(predict *p) {
    int bad = 0;
#pragma omp parallel reduction(min : bad)
    {
        hb_replay_ws *ws = hb_replay_ws_new();
        bad = ws ? 0 : HB_ENOMEM;
#pragma omp for schedule(dynamic)
        for (size_t i = 0; i < p->nconfs; i++) {
            pconf *c = &p->confs[i];
            const pgroup *g = &p->works[c->work].groups[c->group];
            int r = ws ? replay_conf(p, c, g->median, g->prefix, ws, &c->point) : HB_ENOMEM;
            bad = r < bad ? r : bad;
            c->eff = c->point.work / ((double)c->workers * c->point.makespan);
            c->eff_lo = c->eff_hi = c->eff;
            c->s = c->s_lo = c->s_hi = c->point.makespan;
        }
        hb_replay_ws_free(ws);
    }
    if (bad)
        return hb_fail(bad, "predict: %s replaying", bad == HB_ENOMEM ? "out of memory" : "failed");
    size_t B = p->resamples;
    for (size_t w = 0; w < p->nworks; w++)
        for (size_t g = 0; g < p->works[w].ngroups; g++) {
            const pgroup *gr = &p->works[w].groups[g];
            if (gr->nrecs < 2 && p->nfactors == 0)
                continue; /* nothing to resample: the interval is the point */
            size_t nc = 0, n = p->works[w].n;
            for (size_t i = 0; i < p->nconfs; i++)
                nc += p->confs[i].work == w && p->confs[i].group == g;
            double *eff = malloc((nc * B + 1) * sizeof *eff);
            double *sec = malloc((nc * B + 1) * sizeof *sec);
            if (!eff || !sec) {
                free(eff);
                free(sec);
                return hb_fail(HB_ENOMEM, "predict: out of memory");
            }
#pragma omp parallel reduction(min : bad)
            {
                hb_replay_ws *ws = hb_replay_ws_new();
                double *d = malloc((n + 1) * sizeof *d), *pre = malloc((n + 1) * sizeof *pre);
                bad = ws && d && pre ? 0 : HB_ENOMEM;
#pragma omp for schedule(dynamic)
                for (size_t b = 0; b < B; b++) {
                    if (bad)
                        continue;
                    resample(p, w, g, b, d);
                    hb_replay_prefix(d, n, pre);
                    for (size_t i = 0, k = 0; i < p->nconfs; i++) {
                        const pconf *c = &p->confs[i];
                        if (c->work != w || c->group != g)
                            continue;
                        hb_replay_out o;
                        int r = replay_conf(p, c, d, pre, ws, &o);
                        bad = r < bad ? r : bad;
                        eff[k * B + b] = r ? NAN : o.work / ((double)c->workers * o.makespan);
                        sec[k * B + b] = r ? NAN : o.makespan;
                        k++;
                    }
                }
                hb_replay_ws_free(ws);
                free(d);
                free(pre);
            }
            for (size_t i = 0, k = 0; i < p->nconfs && !bad; i++) {
                pconf *c = &p->confs[i];
                if (c->work != w || c->group != g)
                    continue;
                /* The prediction is the median outcome: a run has noisy task
                 * times, and the slowest worker's sum of them is longer on
                 * average than the sum of typical ones. */
                c->eff_lo = quantile(eff + k * B, B, 0.025);
                c->eff = quantile(eff + k * B, B, 0.5);
                c->eff_hi = quantile(eff + k * B, B, 0.975);
                c->s_lo = quantile(sec + k * B, B, 0.025);
                c->s = quantile(sec + k * B, B, 0.5);
                c->s_hi = quantile(sec + k * B, B, 0.975);
                k++;
            }
            free(eff);
            free(sec);
            if (bad)
                return hb_fail(bad, "predict: %s resampling",
                               bad == HB_ENOMEM ? "out of memory" : "failed");
        }
    return 0;
}

/* ---- the command -------------------------------------------------------------- */

static void predict_free(predict *p) {
    for (size_t w = 0; w < p->nworks; w++) {
        for (size_t g = 0; g < p->works[w].ngroups; g++) {
            free(p->works[w].groups[g].recs);
            free(p->works[w].groups[g].median);
            free(p->works[w].groups[g].prefix);
        }
        free(p->works[w].groups);
    }
    free(p->works);
    hb_task_file_free(&p->tasks);
    hb_eff_free(&p->eff);
    if (p->have_runs)
        hb_csv_table_free(&p->runs);
    free(p->factors);
    free(p->confs);
    free(p->workers);
    free(p->shapes);
    free(p->chunks);
}

static void predict_usage(FILE *f) {
    fputs("usage: hybench predict SOURCE --workers LIST [--layouts LIST] [--schedules LIST]\n"
          "                       [--chunk LIST] [options]\n"
          "Replay the task times measured in SOURCE (a matrix directory, or a tasks.csv from\n"
          "hybench run --task-times) through the static, cyclic and dynamic schedules at other\n"
          "worker counts, and write prediction.csv, a table and plots (docs/predict.md).\n\n",
          f);
    hb_options_print(f, hb_predict_options);
}

int hb_predict_main(int argc, char **argv) {
    static const hb_option *const tables[] = {hb_predict_options, NULL};
    hb_args a;
    predict p;
    memset(&p, 0, sizeof p);
    int rc = hb_args_parse(argc, argv, tables, &a);
    if (rc)
        goto out_msg;
    if (hb_args_has(&a, "help")) {
        predict_usage(stdout);
        hb_args_free(&a);
        return 0;
    }
    if (a.npositional != 1)
        rc =
            hb_fail(HB_EUSAGE,
                    a.npositional ? "predict: one SOURCE only (got '%s' too)"
                                  : "predict: missing SOURCE (a matrix directory or a tasks.csv)%s",
                    a.npositional ? a.positional[1] : "");
    else
        p.source = a.positional[0];
    if (!rc)
        rc = parse_options(&a, &p);
    if (!rc)
        rc = hb_predict_load(&p);
    if (!rc)
        rc = make_confs(&p);
    if (!rc)
        rc = compute(&p);
    if (!rc)
        rc = hb_mkdir_p("--out", p.dir);
    if (!rc)
        rc = hb_predict_write(&p, stdout);
    predict_free(&p);
    hb_args_free(&a);
out_msg:
    if (rc)
        fprintf(stderr, "hybench predict: %s\n", hb_errmsg(rc));
    return rc;
}
