/* The matrix's launches: the jobs of a round and their order, the argv of
 * one, what resume still has to run, running one so that it proves itself,
 * the rows the matrix writes for launches that died, and progress lines
 * (see matrix.h). */
#define _DEFAULT_SOURCE /* strdup */
#include "matrix.h"

#include "hybench/efficiency.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/timer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the jobs of a round ------------------------------------------------------ */

size_t hb_jobs_round(const hb_mplan *p, int round, hb_job *out) {
    size_t n = 0;
    /* Serial baselines first, one per serial identity (configurations that
     * share params share the baseline; a grain sweep has one per grain). */
    for (size_t k = 0; k < p->nkernels; k++) {
        const hb_kspec *s = &p->kernels[k];
        for (size_t c = 0; c < s->nchunks; c++) {
            hb_runid id = hb_kspec_id(p, s, c, NULL, NULL);
            bool dup = false;
            for (size_t k2 = 0; k2 <= k && !dup; k2++)
                for (size_t c2 = 0; c2 < (k2 == k ? c : p->kernels[k2].nchunks) && !dup; c2++) {
                    hb_runid other = hb_kspec_id(p, &p->kernels[k2], c2, NULL, NULL);
                    dup = hb_runid_same(&id, &other);
                }
            if (dup)
                continue;
            if (out)
                out[n] = (hb_job){s, NULL, "serial", c, 1, round, 0};
            n++;
        }
    }
    for (size_t k = 0; k < p->nkernels; k++)
        for (size_t l = 0; l < p->nlayouts; l++)
            for (size_t s = 0; s < p->kernels[k].nschedules; s++) {
                if (out)
                    out[n] = (hb_job){&p->kernels[k],
                                      &p->layouts[l],
                                      p->kernels[k].schedules[s],
                                      0,
                                      p->kernels[k].nchunks,
                                      round,
                                      0};
                n++;
            }
    return n;
}

/* splitmix64: a small, well-mixed generator; the order only needs to be
 * reproducible from its recorded seed, not cryptographic. */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void hb_jobs_shuffle(hb_job *jobs, size_t n, uint64_t order_seed, int round) {
    uint64_t state = order_seed ^ ((uint64_t)round * 0xd1b54a32d192ed03u);
    for (size_t i = n; i > 1; i--) {
        /* modulo bias is below n / 2^64: nothing a run order can show */
        size_t j = (size_t)(next_random(&state) % i);
        hb_job t = jobs[i - 1];
        jobs[i - 1] = jobs[j];
        jobs[j] = t;
    }
}

hb_runid hb_job_id(const hb_mplan *p, const hb_job *j, size_t c) {
    return hb_kspec_id(p, j->s, c, j->l, j->schedule);
}

const char *hb_job_describe(const hb_job *j, char *buf, size_t len) {
    char lay[HB_LAYOUT_NAME_MAX];
    int n = snprintf(buf, len, "%s %s", j->s->k->name, j->l ? hb_layout_name(j->l, lay) : "serial");
    if (j->l && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " %s", j->schedule);
    if (j->s->nchunks > 1 && n >= 0 && (size_t)n < len) {
        n += snprintf(buf + n, len - (size_t)n, " chunk%s ", j->nc > 1 ? "s" : "");
        for (size_t c = j->c0; c < j->c0 + j->nc && n >= 0 && (size_t)n < len; c++)
            n += snprintf(buf + n, len - (size_t)n, "%s%zu", c > j->c0 ? "," : "", j->s->chunks[c]);
    }
    if (n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " round %d", j->round);
    return buf;
}

/* ---- the launch command ------------------------------------------------------ */

/* The hosts of an n-node launch for a template's {hosts} ("a,b"), or for
 * the CSV's hosts column ("a;b", as `hybench run` writes it). Without a
 * host list: this machine. */
static void launch_hosts(const hb_mplan *p, int nodes, char sep, char *buf, size_t len) {
    if (p->hosts.n == 0 || hb_hosts_join(&p->hosts, (size_t)nodes, buf, len) != 0) {
        snprintf(buf, len, "%s", p->host);
        return;
    }
    for (char *c = buf; *c; c++)
        if (*c == ',')
            *c = sep;
}

/* The words after the program: `run` and its options. */
typedef struct words {
    char *v[256];
    size_t n;
    char num[8][32]; /* storage for numbers */
    size_t nnum;
    hb_str chunks;
    char tasks[PATH_MAX];
} words;

static void put(words *w, const char *s) {
    if (w->n < sizeof w->v / sizeof w->v[0])
        w->v[w->n++] = (char *)s;
}

static void put_num(words *w, const char *opt, long v) {
    put(w, opt);
    snprintf(w->num[w->nnum], sizeof w->num[0], "%ld", v);
    put(w, w->num[w->nnum++]);
}

int hb_job_argv(const hb_mplan *p, const hb_job *j, const char *launch_id, hb_launch_argv *out) {
    const hb_kspec *s = j->s;
    words w = {.n = 0};
    if ((size_t)s->nwords > 200)
        return hb_fail(HB_EUSAGE, "--kernel '%s': too many words", s->text);
    put(&w, "run");
    put(&w, "--kernel");
    put(&w, s->k->name);
    for (int i = 0; i < s->nwords; i++)
        put(&w, s->words[i]);
    for (size_t c = j->c0; c < j->c0 + j->nc; c++)
        hb_str_addf(&w.chunks, "%s%zu", c > j->c0 ? "," : "", s->chunks[c]);
    if (w.chunks.failed)
        return hb_fail(HB_ENOMEM, "out of memory");
    put(&w, "--chunk");
    put(&w, w.chunks.p);
    put_num(&w, "--repeat", p->repeat);
    if (j->first_repeat > 0)
        put_num(&w, "--first-repeat", j->first_repeat);
    put_num(&w, "--warmup", p->warmup);
    char seed[24];
    snprintf(seed, sizeof seed, "%" PRIu64, p->seed);
    put(&w, "--seed");
    put(&w, seed);
    put(&w, "--bind");
    put(&w, hb_bind_name(p->bind));
    put(&w, "--distribute");
    put(&w, hb_dist_name(p->dist));
    if (p->oversubscribe)
        put(&w, "--oversubscribe");
    if (p->force)
        put(&w, "--force");
    put(&w, "--csv");
    put(&w, p->runs);
    /* Every launch, serial baselines too, records its task times beside the
     * rows, for `hybench predict DIR`. */
    int rc = hb_path(w.tasks, sizeof w.tasks, "--out", "%s/tasks.csv", p->dir);
    if (rc)
        return rc;
    put(&w, "--task-times");
    put(&w, w.tasks);
    put(&w, "--quiet");
    put_num(&w, "--round", j->round);
    put(&w, "--launch-id");
    put(&w, launch_id);
    /* Explicit, so OMP_NUM_THREADS in the matrix's environment cannot
     * change a layout (the matrix says so once). */
    put_num(&w, "--threads", j->l ? j->l->threads : 1);
    hb_layout one = {1, 1, 1};
    const hb_layout *l = j->l ? j->l : &one;
    if (!j->l)
        put(&w, "--serial");
    else {
        put(&w, "--schedule");
        put(&w, j->schedule);
    }
    /* The run refuses a launch that spans another node count than the
     * layout's (e.g. hydra spreading a 1-node layout over an allocation). */
    put_num(&w, "--nodes", l->nodes);
    if (!j->l && p->hosts.n == 0) {
        /* The serial baseline runs where the matrix runs, without a launcher. */
        hb_launch_vars none = {.program = p->self};
        rc = hb_launch_expand("{program}", &none, w.v, w.n, out);
    } else {
        /* With hosts every launch, serial and 1-node ones too, runs on them:
         * the matrix may run on a login node unlike the hosts. */
        char lay[HB_LAYOUT_NAME_MAX], hosts[4096];
        launch_hosts(p, l->nodes, ',', hosts, sizeof hosts);
        hb_launch_vars v = {.nodes = l->nodes,
                            .ranks = l->nodes * l->ranks_per_node,
                            .ranks_per_node = l->ranks_per_node,
                            .threads = l->threads,
                            .hosts = hosts,
                            .layout = hb_layout_name(l, lay),
                            .program = p->self};
        rc = hb_launch_expand(hb_launch_template(p->launcher, p->hosts.n > 0), &v, w.v, w.n, out);
    }
    hb_str_free(&w.chunks);
    return rc;
}

/* ---- what runs.csv holds ----------------------------------------------------- */

void hb_done_free(hb_done *d) {
    if (d->loaded)
        hb_csv_table_free(&d->t);
    free(d->ids);
    free(d->round);
    free(d->repeat);
    free(d->ok);
    memset(d, 0, sizeof *d);
}

static int int_cell(const hb_csv_table *t, size_t r, int c, int *out) {
    const char *s = c >= 0 ? t->rows[r][c] : "";
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s) {
        *out = 0;
        return 0;
    }
    if (*end || errno || v < 0 || v > 100000000)
        return hb_fail(HB_EUSAGE, "runs.csv: row %zu: %s '%s' is not a count", r + 1, t->header[c],
                       s);
    *out = (int)v;
    return 0;
}

int hb_done_load(const char *runs, hb_done *d) {
    memset(d, 0, sizeof *d);
    if (access(runs, F_OK) != 0)
        return 0;
    int rc = hb_csv_read(runs, &d->t);
    if (rc)
        return rc;
    d->loaded = true;
    hb_runid_cols cols;
    size_t n = d->t.nrows;
    if ((rc = hb_runid_cols_find(&d->t, runs, &cols)))
        goto fail;
    int cr = hb_csv_col(&d->t, "round"), cp = hb_csv_col(&d->t, "repeat"),
        cs = hb_csv_col(&d->t, "status");
    d->launch = hb_csv_col(&d->t, "launch");
    d->ids = calloc(n + 1, sizeof *d->ids);
    d->round = calloc(n + 1, sizeof *d->round);
    d->repeat = calloc(n + 1, sizeof *d->repeat);
    d->ok = calloc(n + 1, sizeof *d->ok);
    if (!d->ids || !d->round || !d->repeat || !d->ok) {
        rc = hb_fail(HB_ENOMEM, "out of memory reading %s", runs);
        goto fail;
    }
    for (size_t r = 0; r < n; r++) {
        if ((rc = hb_runid_of_row(&d->t, &cols, runs, r, &d->ids[r])) ||
            (rc = int_cell(&d->t, r, cr, &d->round[r])) ||
            (rc = int_cell(&d->t, r, cp, &d->repeat[r])))
            goto fail;
        d->ok[r] = cs >= 0 && strcmp(d->t.rows[r][cs], "ok") == 0;
    }
    return 0;
fail:
    hb_done_free(d);
    return rc;
}

int hb_done_first_missing(const hb_done *d, const hb_runid *id, int round) {
    /* Repeat indices are small: mark them in a growing bit set. */
    size_t cap = 64;
    unsigned char *have = calloc(cap, 1);
    if (!have)
        return 0; /* out of memory: run everything again rather than skip */
    for (size_t r = 0; r < d->t.nrows && have; r++) {
        if (!d->ok[r] || d->round[r] != round || !hb_runid_same(&d->ids[r], id))
            continue;
        size_t k = (size_t)d->repeat[r];
        if (k >= cap) {
            size_t ncap = (k + 1) * 2;
            unsigned char *g = realloc(have, ncap);
            if (!g) {
                free(have);
                return 0;
            }
            memset(g + cap, 0, ncap - cap);
            have = g;
            cap = ncap;
        }
        have[k] = 1;
    }
    int n = 0;
    while ((size_t)n < cap && have[n])
        n++;
    free(have);
    return n;
}

size_t hb_done_rows_of(const hb_done *d, const hb_runid *id, const char *launch_id) {
    size_t n = 0;
    for (size_t r = 0; d->launch >= 0 && r < d->t.nrows; r++)
        n += d->ok[r] && strcmp(d->t.rows[r][d->launch], launch_id) == 0 &&
             hb_runid_same(&d->ids[r], id);
    return n;
}

void hb_job_remaining(const hb_mplan *p, const hb_done *d, const hb_job *j, hb_job *parts,
                      size_t *n) {
    *n = 0;
    for (size_t c = j->c0; c < j->c0 + j->nc; c++) {
        hb_runid id = hb_job_id(p, j, c);
        int first = hb_done_first_missing(d, &id, j->round);
        if (first >= p->repeat)
            continue;
        /* Consecutive chunk values missing the same repeats share a launch. */
        hb_job *last = *n ? &parts[*n - 1] : NULL;
        if (last && last->c0 + last->nc == c && last->first_repeat == first) {
            last->nc++;
            continue;
        }
        parts[(*n)++] = (hb_job){j->s, j->l, j->schedule, c, 1, j->round, first};
    }
}

/* ---- running a job ----------------------------------------------------------- */

int hb_job_status_row(const hb_mplan *p, const hb_job *j, size_t c, const char *status,
                      const char *launch_id) {
    char hosts[4096];
    hb_runid id = hb_job_id(p, j, c);
    hb_row row;
    hb_row_init(&row, &id);
    if (j->l)
        launch_hosts(p, j->l->nodes, ';', hosts, sizeof hosts);
    else
        snprintf(hosts, sizeof hosts, "%s", p->hosts.n ? p->hosts.v[0].name : p->host);
    hb_row_set(&row, HB_COL_host, p->host);
    hb_row_set(&row, HB_COL_hosts, hosts);
    hb_row_setf(&row, HB_COL_tasks, "%zu", j->s->tasks[c]);
    hb_row_set(&row, HB_COL_status, status);
    hb_row_setf(&row, HB_COL_round, "%d", j->round);
    hb_row_set(&row, HB_COL_launch, launch_id);
    hb_csv_row out;
    int rc = hb_row_finish(&row, &out);
    if (!rc)
        rc = hb_csv_append(p->runs, &out, 1);
    hb_row_free(&row);
    return rc;
}

static void log_command(const hb_mplan *p, const hb_launch_argv *av) {
    FILE *log = fopen(p->log, "a");
    if (!log)
        return; /* the launch's own output will say the log cannot be written */
    fputs("$", log);
    for (size_t i = 0; i < av->n; i++)
        fprintf(log, " %s", av->v[i]);
    fputc('\n', log);
    fclose(log);
}

int hb_job_run(const hb_mplan *p, const hb_job *j, const char *launch_id) {
    hb_launch_argv av;
    int rc = hb_job_argv(p, j, launch_id, &av);
    if (rc)
        return rc;
    log_command(p, &av);
    hb_launch_outcome o;
    int code = 0;
    char env[PATH_MAX + 32];
    snprintf(env, sizeof env, "%s=%s", HB_LAUNCH_ENV, p->dir_abs);
    const char *const extra_env[] = {env, NULL};
    rc = hb_launch_run(av.v, p->timeout, p->log, extra_env, &o, &code);
    hb_launch_argv_free(&av);
    if (rc)
        return rc;

    /* A launch proves itself by its rows: an exit status of 0 from a
     * wrapper, an srun step that never started the program, or a hydra
     * that forwarded a signal is not a run. */
    hb_done d;
    size_t *got = calloc(j->nc, sizeof *got);
    if (!got)
        return hb_fail(HB_ENOMEM, "out of memory");
    if ((rc = hb_done_load(p->runs, &d))) {
        free(got);
        return rc;
    }
    size_t want = (size_t)(p->repeat - j->first_repeat), complete = 0, any = 0;
    for (size_t c = 0; c < j->nc; c++) {
        hb_runid id = hb_job_id(p, j, j->c0 + c);
        got[c] = hb_done_rows_of(&d, &id, launch_id);
        complete += got[c] >= want;
        any += got[c] > 0;
    }
    hb_done_free(&d);
    if (o == HB_LAUNCH_OK && complete == j->nc) {
        free(got);
        return 0;
    }

    const char *status = hb_launch_status(o);
    char why[160], late[64];
    if (o == HB_LAUNCH_OK)
        snprintf(why, sizeof why, "exited 0 but wrote %s", any ? "too few rows" : "no rows");
    else if (o == HB_LAUNCH_FAILED || o == HB_LAUNCH_CRASHED)
        snprintf(why, sizeof why, "%s (%s %d)", status,
                 o == HB_LAUNCH_FAILED ? "exit status" : "signal", code);
    else
        snprintf(why, sizeof why, "%s", status);
    if (o == HB_LAUNCH_OK)
        status = "failed";
    snprintf(late, sizeof late, "%s%s", status, HB_EFF_AFTER_ROWS);
    /* Every chunk value gets a status row: beside its rows when they are all
     * there (a hang in MPI_Finalize after them: the timings stand), in place
     * of them otherwise. */
    for (size_t c = 0; c < j->nc && !rc; c++)
        rc = hb_job_status_row(p, j, j->c0 + c, got[c] >= want && o != HB_LAUNCH_OK ? late : status,
                               launch_id);
    free(got);
    char what[512];
    fprintf(stderr, "hybench matrix: %s: %s", hb_job_describe(j, what, sizeof what), why);
    if (complete == j->nc && o != HB_LAUNCH_OK)
        fputs(" after writing all its rows, which are kept", stderr);
    else if (any)
        fprintf(stderr, " after writing rows for %zu of %zu chunk values", complete, j->nc);
    fprintf(stderr, "; see %s\n", p->log);
    if (rc)
        return rc;
    return o == HB_LAUNCH_INTERRUPTED ? hb_fail(HB_EINTR, "interrupted")
                                      : hb_fail(HB_ELAUNCH, "a launch failed");
}

/* ---- progress ---------------------------------------------------------------- */

void hb_progress_show(hb_progress *g, const hb_job *j) {
    double now = hb_time_now(), el = now - g->t0;
    char what[512], eta[48] = "";
    if (g->quiet)
        return;
    if (g->done > 0)
        snprintf(eta, sizeof eta, "  ETA %.0fs",
                 el / (double)g->done * (double)(g->total - g->done));
    hb_job_describe(j, what, sizeof what);
    if (g->tty) {
        fprintf(stderr, "\r\033[K[%zu/%zu] %s  elapsed %.0fs%s", g->done + 1, g->total, what, el,
                eta);
        fflush(stderr);
    } else if (g->done == 0 || now - g->last >= HB_PROGRESS_EVERY) {
        /* Plain lines for logs (sbatch, nohup, CI), at most one per interval. */
        fprintf(stderr, "hybench matrix: [%zu/%zu] %s  elapsed %.0fs%s\n", g->done + 1, g->total,
                what, el, eta);
        g->last = now;
    }
}

void hb_progress_clear(hb_progress *g) {
    if (g->tty && !g->quiet)
        fputs("\r\033[K", stderr);
}
