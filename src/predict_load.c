/* `hybench predict`'s inputs: the recordings of tasks.csv grouped into
 * workloads and, within one, by the workers per node they were taken with;
 * runs.csv's configurations (to predict beside their measurements) and its
 * repeat-to-repeat ratios (for the intervals); where the output goes. */
#define _DEFAULT_SOURCE /* strdup */
#include "hybench/csv.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/kernel.h"
#include "hybench/stats.h"
#include "hybench/timer.h"
#include "predict_internal.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- inputs --------------------------------------------------------------- */

static int workers_per_node(const hb_task_rec *r) {
    if (strcmp(r->mode, "serial") == 0)
        return 1;
    return r->ranks / r->nodes * r->threads;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Group a workload's recordings by workers per node; per group the serial
 * and static ones when there are any. */
static int make_groups(predict *p, pwork *w, hb_task_rec **recs, size_t nrecs) {
    w->groups = calloc(nrecs, sizeof *w->groups);
    if (!w->groups)
        return HB_ENOMEM;
    for (size_t i = 0; i < nrecs; i++) {
        int wpn = workers_per_node(recs[i]);
        if (p->from_serial && strcmp(recs[i]->mode, "serial") != 0)
            continue;
        size_t g = 0;
        while (g < w->ngroups && w->groups[g].wpn != wpn)
            g++;
        if (g == w->ngroups) {
            w->groups[g].wpn = wpn;
            if (!(w->groups[g].recs = calloc(nrecs, sizeof *w->groups[g].recs)))
                return HB_ENOMEM;
            w->ngroups++;
        }
        w->groups[g].recs[w->groups[g].nrecs++] = recs[i];
    }
    double *col = malloc((nrecs + 1) * sizeof *col);
    if (!col)
        return HB_ENOMEM;
    for (size_t g = 0; g < w->ngroups; g++) {
        pgroup *gr = &w->groups[g];
        size_t keep = 0;
        for (size_t i = 0; i < gr->nrecs; i++)
            keep += !strcmp(gr->recs[i]->schedule, "static") ||
                    !strcmp(gr->recs[i]->schedule, "serial");
        if (keep) {
            size_t j = 0;
            for (size_t i = 0; i < gr->nrecs; i++)
                if (!strcmp(gr->recs[i]->schedule, "static") ||
                    !strcmp(gr->recs[i]->schedule, "serial"))
                    gr->recs[j++] = gr->recs[i];
            gr->nrecs = j;
        }
        gr->from = !keep                                                  ? "parallel"
                   : gr->wpn == 1 && !strcmp(gr->recs[0]->mode, "serial") ? "serial"
                                                                          : "static";
        if (!(gr->median = malloc((w->n ? w->n : 1) * sizeof *gr->median)) ||
            !(gr->prefix = malloc((w->n + 1) * sizeof *gr->prefix))) {
            free(col);
            return HB_ENOMEM;
        }
        for (size_t t = 0; t < w->n; t++) {
            for (size_t i = 0; i < gr->nrecs; i++)
                col[i] = gr->recs[i]->t.dur[t];
            qsort(col, gr->nrecs, sizeof *col, cmp_double);
            size_t m = gr->nrecs;
            gr->median[t] = m % 2 ? col[m / 2] : 0.5 * (col[m / 2 - 1] + col[m / 2]);
        }
        hb_replay_prefix(gr->median, w->n, gr->prefix);
    }
    free(col);
    return 0;
}

/* Workloads: the recordings of one kernel and params, all of one task count. */
static int make_works(predict *p) {
    hb_task_file *f = &p->tasks;
    p->works = calloc(f->n, sizeof *p->works);
    hb_task_rec **recs = calloc(f->n, sizeof *recs);
    int rc = p->works && recs ? 0 : HB_ENOMEM;
    for (size_t i = 0; i < f->n && !rc; i++) {
        if (p->kernel && strcmp(f->v[i].kernel, p->kernel) != 0)
            continue;
        size_t k = 0;
        while (k < p->nworks && !(strcmp(p->works[k].kernel, f->v[i].kernel) == 0 &&
                                  strcmp(p->works[k].params, f->v[i].params) == 0))
            k++;
        if (k < p->nworks)
            continue;
        pwork *w = &p->works[p->nworks++];
        w->kernel = f->v[i].kernel;
        w->params = f->v[i].params;
        w->n = f->v[i].t.n;
        const hb_kernel *kern = hb_kernel_find(w->kernel);
        w->grain = kern && (kern->flags & HB_KF_GRAIN);
        size_t nrecs = 0;
        for (size_t j = i; j < f->n; j++) {
            if (strcmp(f->v[j].kernel, w->kernel) || strcmp(f->v[j].params, w->params))
                continue;
            if (f->v[j].t.n != w->n) {
                rc = hb_fail(HB_EUSAGE,
                             "predict: %s: line %zu: %s %s has %zu tasks here and %zu at line %zu",
                             p->source, f->v[j].line, w->kernel, w->params, f->v[j].t.n, w->n,
                             f->v[i].line);
                break;
            }
            recs[nrecs++] = &f->v[j];
        }
        if (!rc && (rc = make_groups(p, w, recs, nrecs)) == HB_ENOMEM)
            break;
        if (!rc && w->ngroups == 0)
            rc = hb_fail(HB_EUSAGE, "--from serial: %s %s has no serial recording", w->kernel,
                         w->params);
    }
    free(recs);
    if (!rc && p->nworks == 0)
        rc = hb_fail(HB_EUSAGE, "--kernel: %s holds no task times of kernel '%s'", p->source,
                     p->kernel);
    return rc == HB_ENOMEM ? hb_fail(HB_ENOMEM, "predict: out of memory") : rc;
}

/* Repeat-to-repeat noise: each ok row's wall over the median of its
 * configuration's rows. Rows of one configuration from several launches (a
 * matrix's rounds) pool, so the spread between launches is in it too. */
static int make_factors(predict *p) {
    const hb_csv_table *t = &p->runs;
    static const char *const key[] = {"kernel", "params",     "mode",     "nodes",
                                      "ranks",  "threads",    "schedule", "chunk",
                                      "bind",   "distribute", "launch",   "round"};
    enum { NKEY = sizeof key / sizeof *key };
    int kc[NKEY], wc = hb_csv_col(t, "wall_s"), sc = hb_csv_col(t, "status");
    for (int i = 0; i < NKEY; i++)
        kc[i] = hb_csv_col(t, key[i]);
    if (wc < 0)
        return 0;
    p->factors = malloc((t->nrows + 1) * sizeof *p->factors);
    double *walls = malloc((t->nrows + 1) * sizeof *walls);
    char *used = calloc(t->nrows + 1, 1);
    if (!p->factors || !walls || !used) {
        free(walls);
        free(used);
        return hb_fail(HB_ENOMEM, "predict: out of memory");
    }
    for (size_t r = 0; r < t->nrows; r++) {
        if (used[r])
            continue;
        size_t m = 0;
        for (size_t q = r; q < t->nrows; q++) {
            bool same = true;
            for (int i = 0; i < NKEY && same; i++)
                same = kc[i] < 0 || strcmp(t->rows[r][kc[i]], t->rows[q][kc[i]]) == 0;
            if (!same)
                continue;
            used[q] = 1;
            char *end;
            double v = strtod(t->rows[q][wc], &end);
            if ((sc < 0 || strcmp(t->rows[q][sc], "ok") == 0) && *t->rows[q][wc] && !*end &&
                v > 0 && isfinite(v))
                walls[m++] = v;
        }
        if (m < 2)
            continue;
        double med = hb_median(walls, m);
        for (size_t i = 0; i < m; i++)
            p->factors[p->nfactors++] = walls[i] / med;
    }
    free(walls);
    free(used);
    return 0;
}

int hb_predict_load(predict *p) {
    struct stat st;
    char path[PATH_MAX];
    int rc;
    if (stat(p->source, &st) != 0)
        return hb_fail(HB_EUSAGE, "predict: cannot read '%s': %s", p->source, strerror(errno));
    bool dir = S_ISDIR(st.st_mode);
    if (dir) {
        if ((rc = hb_path(path, sizeof path, "predict", "%s/tasks.csv", p->source)))
            return rc;
        if (stat(path, &st) != 0)
            return hb_fail(HB_EUSAGE,
                           "predict: '%s' has no tasks.csv (a matrix records task times in "
                           "it; or give a file from hybench run --task-times)",
                           p->source);
    } else if ((rc = hb_path(path, sizeof path, "predict", "%s", p->source))) {
        return rc;
    }
    if ((rc = hb_task_times_read("predict", path, &p->tasks)) || (rc = make_works(p)))
        return rc;
    char runs[PATH_MAX];
    const char *rp = p->runs_path;
    if (!rp && dir && !hb_path(runs, sizeof runs, "predict", "%s/runs.csv", p->source) &&
        hb_is_regular(runs))
        rp = runs;
    if (rp) {
        if (access(rp, R_OK) != 0)
            return hb_fail(HB_EUSAGE, "--runs: cannot read '%s': %s", rp, strerror(errno));
        if ((rc = hb_csv_read(rp, &p->runs)))
            return rc;
        p->have_runs = true;
        if ((rc = hb_eff_compute(&p->runs, rp, hb_time_resolution(), &p->eff)) ||
            (rc = make_factors(p)))
            return rc;
    }
    const char *out = p->out;
    char *copy = NULL;
    if (!out) {
        if (dir)
            out = p->source;
        else if ((copy = strdup(p->source)))
            out = dirname(copy);
        else
            return hb_fail(HB_ENOMEM, "out of memory");
    }
    rc = hb_path(p->dir, sizeof p->dir, "--out", "%s", out);
    free(copy);
    return rc;
}
