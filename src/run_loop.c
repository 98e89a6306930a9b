/* The timed part of `hybench run`: bind the workers, then for each --chunk
 * value run warm-up and timed repetitions of the kernel's map between
 * barriers, reduce, verify and append one CSV row per timed repetition.
 *
 * A worker's busy time runs from the moment it enters the map to the moment
 * it finishes its last task. Workers never wait in the middle of a map (every
 * schedule hands out work without blocking), so this is the time it had work
 * including its own hand-out cost, read with two clock calls per worker
 * rather than two per task. */
#define _GNU_SOURCE /* vasprintf, open_memstream */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hybench/csv.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/meta.h"
#include "hybench/noise.h"
#include "hybench/numfmt.h"
#include "hybench/runid.h"
#include "run_internal.h"
#include "hybench/signals.h"
#include "hybench/stats.h"
#include "hybench/task_times.h"
#include "hybench/timer.h"

typedef struct worker_stat {
    double busy;
    double cpu; /* thread CPU time over the same span as busy */
    uint64_t tasks;
    int err;
    char msg[1024]; /* hb_fail's own size: a task's message names its point */
} worker_stat;

typedef struct run_state {
    hb_run_cfg *c;
    int nworkers;
    hb_place *mine;   /* this rank's threads */
    hb_place *places; /* every worker, rank 0 only (serial: == mine) */
    char *hosts;      /* distinct hosts, ';'-separated (rank 0) */
    char *cpusets;    /* every worker's binding, ';'-separated (rank 0) */
    worker_stat *stat;
    double *busy_all;
    double *cpu_all;
    uint64_t *tasks_all;
    hb_noise_sample before, after; /* rank 0's host around the repetition */
    bool placement_shown, meta_written;
    FILE *out; /* the text for people: stdout, or stderr when the CSV goes to stdout */
    /* --task-times: each thread's log of task starts and durations in the
     * recording repetition (NULL in the timed ones), and what one clock
     * read costs */
    hb_task_log *rec;
    double clock_cost;
} run_state;

/* Agree on a failure across ranks: the lowest failing rank prints its message
 * (prefixed with its rank when it is not rank 0) and every rank returns the
 * same code. */
int hb_run_agree(const hb_run_cfg *c, int rc) {
    if (c->comm == MPI_COMM_NULL) {
        if (rc)
            fprintf(stderr, "hybench: %s\n", hb_errmsg(rc));
        return rc;
    }
    int mine = rc ? c->rank : c->size, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, c->comm);
    if (first == c->size)
        return 0;
    if (c->rank == first) {
        if (first == 0)
            fprintf(stderr, "hybench: %s\n", hb_errmsg(rc));
        else
            fprintf(stderr, "[rank %d] hybench: %s\n", first, hb_errmsg(rc));
    }
    MPI_Bcast(&rc, 1, MPI_INT, first, c->comm);
    return rc;
}

/* --- set-up ------------------------------------------------------------ */

static int bind_workers(run_state *r) {
    hb_run_cfg *c = r->c;
    int T = c->threads, rc = 0;
    if (c->serial) {
        rc = hb_pin_bind_self(c->topo, &c->pin, 0);
        if (!rc)
            rc = hb_pin_observe(c->topo, &r->mine[0]);
    } else {
#pragma omp parallel num_threads(T) reduction(min : rc)
        {
            int t = omp_get_thread_num();
            if (omp_get_num_threads() != T)
                rc = hb_fail(HB_EINTERNAL, "OpenMP gave %d threads, not %d", omp_get_num_threads(),
                             T);
            else if (!(rc = hb_pin_bind_self(c->topo, &c->pin, c->local_rank * T + t)))
                rc = hb_pin_observe(c->topo, &r->mine[t]);
        }
    }
    for (int t = 0; t < T; t++) {
        r->mine[t].rank = c->rank;
        r->mine[t].thread = t;
        r->mine[t].local_rank = c->local_rank;
        snprintf(r->mine[t].host, sizeof r->mine[t].host, "%.63s", c->host);
    }
    return rc;
}

static char *join_places(const hb_place *p, int n, int hosts_only) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    for (int i = 0, written = 0; i < n; i++) {
        if (hosts_only) {
            int seen = 0;
            for (int j = 0; j < i && !seen; j++)
                seen = strcmp(p[j].host, p[i].host) == 0;
            if (!seen)
                fprintf(f, "%s%s", written++ ? ";" : "", p[i].host);
        } else {
            fprintf(f, "%s%s", i ? ";" : "", p[i].mask);
        }
    }
    fclose(f);
    return buf;
}

static int gather_places(run_state *r) {
    hb_run_cfg *c = r->c;
    int T = c->threads;
    if (c->comm == MPI_COMM_NULL) {
        r->places = r->mine;
    } else {
        if (c->rank == 0 && !(r->places = malloc((size_t)r->nworkers * sizeof *r->places)))
            return hb_fail(HB_ENOMEM, "out of memory for %d placements", r->nworkers);
        int bytes = T * (int)sizeof(hb_place);
        if (MPI_Gather(r->mine, bytes, MPI_BYTE, r->places, bytes, MPI_BYTE, 0, c->comm) !=
            MPI_SUCCESS)
            return hb_fail(HB_EMPI, "MPI_Gather of the placements failed");
    }
    if (c->rank != 0)
        return 0;
    hb_pin_flag_overlaps(c->topo, r->places, r->nworkers);
    r->hosts = join_places(r->places, r->nworkers, 1);
    r->cpusets = join_places(r->places, r->nworkers, 0);
    if (!r->hosts || !r->cpusets)
        return hb_fail(HB_ENOMEM, "out of memory");
    return 0;
}

static void print_placement(const run_state *r) {
    const hb_run_cfg *c = r->c;
    int overlaps = 0;
    fprintf(r->out, "placement: %d worker%s on %d node%s (bind %s, distribute %s)\n", r->nworkers,
            r->nworkers == 1 ? "" : "s", c->nodes, c->nodes == 1 ? "" : "s",
            hb_bind_name(c->pin.bind), hb_dist_name(c->pin.dist));
    char cpus[256];
    hb_cpus_from from;
    static const char *const why[] = {[HB_CPUS_MACHINE] = "the whole machine",
                                      [HB_CPUS_PROCESS] =
                                          "the mask the launch started the process with",
                                      [HB_CPUS_NODE] = "the node's ranks' masks together"};
    if (hb_topo_given(c->topo, cpus, sizeof cpus, &from) == 0)
        fprintf(r->out, "placement: inside CPUs %s on %s (%s: %s)\n", cpus, c->host,
                hb_cpus_from_name(from), why[from]);
    fprintf(r->out, "%5s %6s  %-20s %4s %5s  %s\n", "rank", "thread", "host", "pu", "core", "mask");
    for (int i = 0; i < r->nworkers; i++) {
        const hb_place *p = &r->places[i];
        fprintf(r->out, "%5d %6d  %-20s %4d %5d  %s%s\n", p->rank, p->thread, p->host, p->pu,
                p->core, p->mask, p->overlap ? "  OVERLAP: shares a core with another worker" : "");
        overlaps += p->overlap;
    }
    if (overlaps)
        fprintf(r->out, "placement: %d worker%s share a core\n", overlaps,
                overlaps == 1 ? "" : "s");
}

/* --- one repetition ------------------------------------------------------ */

static hb_worker worker_of(const run_state *r, int t) {
    const hb_run_cfg *c = r->c;
    int id = c->serial ? 0 : c->rank * c->threads + t;
    return (hb_worker){c->serial ? 0 : c->rank, t, id, r->mine[t].pu, c->host};
}

/* Run task i; the first failure of a worker is kept with its message. With
 * HB_KF_KEEP_GOING the worker goes on after it, else it stops. */
static bool run_task(const hb_kernel *k, void *state, size_t i, const hb_worker *w,
                     worker_stat *ws) {
    int rc = k->task(state, i, w);
    if (rc && !ws->err) {
        ws->err = rc;
        snprintf(ws->msg, sizeof ws->msg, "%s", hb_errmsg(rc));
    }
    return !ws->err || (k->flags & HB_KF_KEEP_GOING);
}

/* Tasks [b, e) of a recording repetition. The clock is read after each run
 * of consecutive tasks: a run grows until it lasts HB_REC_RUN_S, so a task
 * of a microsecond or more is timed alone, and shorter ones (a 1-element
 * pow task is tens of ns) are timed in runs and each gets its run's mean.
 * Reading the clock after every tiny task would disturb it: measured here,
 * 1-element pow tasks took 2.5-3 times as long timed one by one as in the
 * plain loop (the read stops successive tasks overlapping in the core).
 * A duration holds the tasks and the loop, less one clock read's measured
 * cost. Only this repetition reads the clock; the timed ones run the plain
 * loop. Returns the tasks run; *go as run_task leaves it. */
#define HB_REC_RUN_S 1e-6
static size_t run_recorded(run_state *r, void *state, const hb_worker *w, worker_stat *ws,
                           double t0, size_t b, size_t e, size_t *runlen, bool *go) {
    hb_task_log *log = &r->rec[w->thread];
    size_t i = b;
    while (i < e && *go && !hb_interrupted()) {
        /* Read again after the stores below, so they are in no run's time. */
        double t = hb_time_now();
        size_t first = i, stop = e - i < *runlen ? e : i + *runlen;
        for (; i < stop && *go; i++)
            *go = run_task(r->c->kernel, state, i, w, ws);
        double t1 = hb_time_now(), each = (t1 - t) / (double)(i - first);
        double d = (t1 - t - r->clock_cost) / (double)(i - first);
        for (size_t j = first; j < i; j++)
            hb_task_log_push(log, j, t - t0 + (double)(j - first) * each, d > 0 ? d : 0);
        if (t1 - t < HB_REC_RUN_S && *runlen < ((size_t)1 << 20))
            *runlen *= 2;
        else if (t1 - t > 4 * HB_REC_RUN_S && *runlen > 1)
            *runlen /= 2;
    }
    return i - b;
}

static void map_parallel(run_state *r, void *state, hb_sched *s) {
    hb_run_cfg *c = r->c;
    const hb_kernel *k = c->kernel;
#pragma omp parallel num_threads(c->threads)
    {
        int t = omp_get_thread_num();
        hb_worker w = worker_of(r, t);
        worker_stat *ws = &r->stat[t];
        hb_sched_iter it;
        size_t b, e;
        uint64_t done = 0;
        bool go = true;
        size_t runlen = 1;
        ws->err = 0;
        hb_sched_iter_init(&it, w.id);
        double t0 = hb_time_now(), cpu0 = hb_noise_thread_cpu();
        while (go && hb_sched_next(s, &it, &b, &e)) {
            if (r->rec) {
                done += run_recorded(r, state, &w, ws, t0, b, e, &runlen, &go);
                continue;
            }
            /* A stop request is honoured between tasks, not only between
             * hand-outs: a static block can be a whole scan. */
            size_t i = b;
            for (; i < e && go && !hb_interrupted(); i++)
                go = run_task(k, state, i, &w, ws);
            done += i - b;
        }
        ws->busy = hb_time_now() - t0;
        ws->cpu = hb_noise_thread_cpu() - cpu0;
        ws->tasks = done;
    }
}

/* The serial baseline: a plain loop, no MPI or OpenMP call. */
static void map_serial(run_state *r, void *state, size_t ntasks) {
    hb_worker w = worker_of(r, 0);
    bool go = true;
    size_t i = 0;
    size_t runlen = 1;
    r->stat[0].err = 0;
    double t0 = hb_time_now(), cpu0 = hb_noise_thread_cpu();
    if (r->rec)
        i = run_recorded(r, state, &w, &r->stat[0], t0, 0, ntasks, &runlen, &go);
    else
        for (; i < ntasks && go && !hb_interrupted(); i++)
            go = run_task(r->c->kernel, state, i, &w, &r->stat[0]);
    r->stat[0].busy = hb_time_now() - t0;
    r->stat[0].cpu = hb_noise_thread_cpu() - cpu0;
    r->stat[0].tasks = i;
}

/* The kernel's worker_start on every worker's own bound thread (libgomp
 * keeps the same threads from region to region, which the binding relies on
 * too); untimed. */
static int start_workers(run_state *r, void *state) {
    hb_run_cfg *c = r->c;
    const hb_kernel *k = c->kernel;
    int T = c->threads;
    for (int t = 0; t < T; t++)
        r->stat[t].err = 0;
    if (c->serial) {
        hb_worker w = worker_of(r, 0);
        return k->worker_start(state, &w, r->mine[0].mask);
    }
#pragma omp parallel num_threads(T)
    {
        int t = omp_get_thread_num();
        hb_worker w = worker_of(r, t);
        int rc = k->worker_start(state, &w, r->mine[t].mask);
        r->stat[t].err = rc;
        if (rc)
            snprintf(r->stat[t].msg, sizeof r->stat[t].msg, "%s", hb_errmsg(rc));
    }
    for (int t = 0; t < T; t++)
        if (r->stat[t].err)
            return hb_fail(r->stat[t].err, "%s", r->stat[t].msg);
    return 0;
}

static int first_error(run_state *r) {
    for (int t = 0; t < r->c->threads; t++)
        if (r->stat[t].err)
            return hb_fail(r->stat[t].err, "%s", r->stat[t].msg);
    return 0;
}

/* Per-worker busy times and task counts onto rank 0. */
static int gather_stats(run_state *r) {
    hb_run_cfg *c = r->c;
    int T = c->threads;
    double busy[T], cpu[T];
    uint64_t tasks[T];
    for (int t = 0; t < T; t++) {
        busy[t] = r->stat[t].busy;
        cpu[t] = r->stat[t].cpu;
        tasks[t] = r->stat[t].tasks;
    }
    if (c->comm == MPI_COMM_NULL) {
        memcpy(r->busy_all, busy, sizeof busy);
        memcpy(r->cpu_all, cpu, sizeof cpu);
        memcpy(r->tasks_all, tasks, sizeof tasks);
        return 0;
    }
    if (MPI_Gather(busy, T, MPI_DOUBLE, r->busy_all, T, MPI_DOUBLE, 0, c->comm) != MPI_SUCCESS ||
        MPI_Gather(cpu, T, MPI_DOUBLE, r->cpu_all, T, MPI_DOUBLE, 0, c->comm) != MPI_SUCCESS ||
        MPI_Gather(tasks, T, MPI_UINT64_T, r->tasks_all, T, MPI_UINT64_T, 0, c->comm) !=
            MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Gather of the worker statistics failed");
    return 0;
}

static const char *verdict_text(hb_verdict_status s) {
    return s == HB_VERIFIED ? "yes" : s == HB_FAILED ? "no" : "unverified";
}

/* The identity of this run's rows for one --chunk value. */
static hb_runid run_id(const run_state *r, const char *params, size_t chunk) {
    const hb_run_cfg *c = r->c;
    return (hb_runid){.kernel = c->kernel->name,
                      .params = params,
                      .serial = c->serial,
                      .nodes = c->nodes,
                      .ranks = c->size,
                      .threads = c->threads,
                      .bind = hb_bind_name(c->pin.bind),
                      .distribute = hb_dist_name(c->pin.dist),
                      .schedule = c->serial ? "serial" : hb_sched_name(c->sched),
                      .chunk = chunk};
}

/* Build and append the CSV row of one timed repetition (rank 0). */
static int write_row(run_state *r, const char *params, size_t chunk, size_t ntasks, int rep,
                     double wall, const hb_verdict *v, const char *status) {
    hb_run_cfg *c = r->c;
    int W = r->nworkers;
    double bmin = r->busy_all[0], bmax = r->busy_all[0], bsum = 0, csum = 0;
    hb_str wt = {0}, wb = {0}, wc = {0};
    for (int i = 0; i < W; i++) {
        double b = r->busy_all[i];
        bmin = b < bmin ? b : bmin;
        bmax = b > bmax ? b : bmax;
        bsum += b;
        csum += r->cpu_all[i];
        hb_str_addf(&wt, "%s%" PRIu64, i ? ";" : "", r->tasks_all[i]);
        hb_str_addf(&wb, "%s%.9f", i ? ";" : "", b);
        hb_str_addf(&wc, "%s%.9f", i ? ";" : "", r->cpu_all[i]);
    }
    double bmean = bsum / W;
    hb_runid id = run_id(r, params, chunk);
    hb_row row;
    hb_row_init(&row, &id);
    hb_row_set(&row, HB_COL_host, c->host);
    hb_row_set(&row, HB_COL_hosts, r->hosts);
    hb_row_setf(&row, HB_COL_workers, "%d", W);
    hb_row_setf(&row, HB_COL_tasks, "%zu", ntasks);
    hb_row_setf(&row, HB_COL_repeat, "%d", rep);
    hb_row_setf(&row, HB_COL_wall_s, "%.9f", wall);
    hb_row_setf(&row, HB_COL_busy_min_s, "%.9f", bmin);
    hb_row_setf(&row, HB_COL_busy_mean_s, "%.9f", bmean);
    hb_row_setf(&row, HB_COL_busy_max_s, "%.9f", bmax);
    hb_row_setf(&row, HB_COL_imbalance, "%.6f", bmean > 0 ? bmax / bmean : 1.0);
    hb_row_setf(&row, HB_COL_ideal_efficiency, "%.6f", hb_ideal_efficiency(ntasks, (size_t)W));
    hb_row_setf(&row, HB_COL_idle_workers, "%zu", hb_idle_workers(ntasks, (size_t)W));
    hb_row_set(&row, HB_COL_result, v->result);
    hb_row_set(&row, HB_COL_verified, verdict_text(v->status));
    hb_row_set(&row, HB_COL_status, status);
    hb_row_set(&row, HB_COL_cpusets, r->cpusets);
    if (c->round)
        hb_row_setf(&row, HB_COL_round, "%d", c->round);
    hb_row_set(&row, HB_COL_launch, c->launch_id);
    hb_row_set(&row, HB_COL_worker_tasks, wt.failed ? NULL : wt.p);
    hb_row_set(&row, HB_COL_worker_busy_s, wb.failed ? NULL : wb.p);
    /* NaN (a clock or file that could not be read) leaves the field empty. */
    if (!isnan(csum)) {
        hb_row_setf(&row, HB_COL_cpu_s, "%.9f", csum);
        hb_row_set(&row, HB_COL_worker_cpu_s, wc.failed ? NULL : wc.p);
    }
    if (!isnan(r->before.load1))
        hb_row_setf(&row, HB_COL_load_before, "%.2f", r->before.load1);
    if (!isnan(r->after.load1))
        hb_row_setf(&row, HB_COL_load_after, "%.2f", r->after.load1);
    if (!isnan(r->after.steal_s - r->before.steal_s))
        hb_row_setf(&row, HB_COL_steal_s, "%.2f", r->after.steal_s - r->before.steal_s);
    char cpus[4096];
    hb_cpus_from from;
    if (hb_topo_given(c->topo, cpus, sizeof cpus, &from) == 0) {
        hb_row_set(&row, HB_COL_cpus_allowed, cpus);
        hb_row_set(&row, HB_COL_cpus_from, hb_cpus_from_name(from));
    }
    row.failed |= wt.failed || wb.failed || wc.failed;
    hb_str_free(&wt);
    hb_str_free(&wb);
    hb_str_free(&wc);
    hb_csv_row out;
    int rc = hb_row_finish(&row, &out);
    /* The sidecar goes out with the first row, so a run refused for bad
     * input writes nothing at all; only beside a regular file (never
     * /dev/null.meta). */
    if (!rc && c->csv && !r->meta_written && strcmp(c->csv, "-") != 0) {
        char meta[PATH_MAX];
        rc = hb_path(meta, sizeof meta, "--csv", "%s.meta", c->csv);
        if (!rc && (hb_is_regular(c->csv) || access(c->csv, F_OK) != 0))
            rc = hb_meta_write_file(meta, c->topo, NULL);
        r->meta_written = !rc;
    }
    if (!rc && c->csv)
        rc = hb_csv_append(c->csv, &out, 1);
    hb_row_free(&row);
    return rc;
}

/* --- task times ------------------------------------------------------------ */

/* One more repetition after the timed ones, untimed and writing no row, in
 * which every task's start and duration are read (run_recorded); rank 0
 * appends them to --task-times. Interrupted, it writes nothing: a recording
 * is every task or none. */
static int record_task_times(run_state *r, void *state, hb_sched *s, const hb_kernel_plan *plan,
                             size_t chunk) {
    hb_run_cfg *c = r->c;
    const hb_kernel *k = c->kernel;
    hb_task_times tt;
    hb_task_log *logs = calloc((size_t)c->threads, sizeof *logs);
    int rc = hb_run_agree(c, logs ? hb_task_times_alloc(&tt, plan->ntasks)
                                  : hb_fail(HB_ENOMEM, "out of memory"));
    if (rc) {
        free(logs);
        return rc;
    }
    for (int t = 0; t < c->threads; t++)
        logs[t].worker = c->rank * c->threads + t;
    if (k->begin && (rc = hb_run_agree(c, k->begin(state))))
        goto out;
    if (!c->serial) {
        if ((rc = hb_run_agree(c, hb_sched_reset(s))))
            goto out;
        MPI_Barrier(c->comm);
    }
    r->clock_cost = hb_time_cost();
    r->rec = logs;
    if (c->serial)
        map_serial(r, state, plan->ntasks);
    else
        map_parallel(r, state, s);
    r->rec = NULL;
    int rc_map = first_error(r);
    int rc_red = rc_map ? 0 : k->reduce(state, c->comm);
    if (!rc_map && !rc_red)
        rc_red = hb_task_times_merge(&tt, logs, c->threads);
    if ((rc = hb_run_agree(c, rc_map ? rc_map : rc_red)))
        goto out;
    int stop = hb_interrupted(), any_stop = stop;
    if (c->comm != MPI_COMM_NULL)
        MPI_Allreduce(&stop, &any_stop, 1, MPI_INT, MPI_MAX, c->comm);
    if (any_stop) {
        rc = hb_fail(HB_EINTR,
                     "interrupted by signal %d while recording task times: the timed rows are "
                     "complete; no task times were written",
                     any_stop);
        goto out;
    }
    if ((rc = hb_run_agree(c, hb_task_times_gather(&tt, c->comm))))
        goto out;
    int rc_out = 0;
    if (c->rank == 0) {
        hb_runid id = run_id(r, plan->params, chunk);
        char round[16] = "";
        if (c->round)
            snprintf(round, sizeof round, "%d", c->round);
        rc_out = hb_task_times_append(c->task_times, &id, round, c->launch_id, &tt);
        if (!rc_out && !c->quiet)
            fprintf(r->out,
                    "%s chunk %zu: task times of %zu tasks appended to %s (one untimed "
                    "repetition; %.1f ns per clock read taken off each)\n",
                    k->name, chunk, plan->ntasks, c->task_times, 1e9 * r->clock_cost);
        fflush(r->out);
    }
    rc = hb_run_agree(c, rc_out);
out:
    r->rec = NULL;
    for (int t = 0; t < c->threads; t++)
        hb_task_log_free(&logs[t]);
    free(logs);
    hb_task_times_free(&tt);
    return rc;
}

/* --- one --chunk value ---------------------------------------------------- */

static int run_chunk(run_state *r, size_t chunk, double *walls, int *nwalls, hb_verdict *last) {
    hb_run_cfg *c = r->c;
    const hb_kernel *k = c->kernel;
    hb_kernel_cfg kcfg = {.seed = c->seed,
                          .chunk = chunk,
                          .nodes = c->nodes,
                          .ranks = c->size,
                          .threads = c->threads,
                          .serial = c->serial,
                          .resume = c->resume,
                          .rank = c->rank,
                          .comm = c->comm};
    void *state = NULL;
    hb_sched *s = NULL;
    hb_kernel_plan plan = {0};
    int rc = hb_run_agree(c, k->plan(&c->args, &kcfg, &plan));
    if (!rc && plan.work_s > HB_WORK_LIMIT_S && !c->force)
        rc = hb_run_agree(c, hb_fail(HB_EUSAGE,
                                     "--kernel %s: about %.3g s of work per repeat on one core "
                                     "(estimated), beyond the %.0f s size check; --force runs it",
                                     k->name, plan.work_s, HB_WORK_LIMIT_S));
    if (!rc)
        rc = hb_run_agree(c, k->create(&c->args, &kcfg, &state));
    if (rc) {
        hb_kernel_plan_free(&plan);
        return rc;
    }
    /* Shown once the kernel has accepted its options: bad input prints nothing. */
    if (c->rank == 0 && (k->flags & HB_KF_PLACEMENT) && !r->placement_shown)
        print_placement(r);
    r->placement_shown = true;
    size_t ntasks = plan.ntasks;
    size_t sched_chunk = (k->flags & HB_KF_GRAIN) ? 1 : chunk;
    if (k->worker_start)
        rc = hb_run_agree(c, start_workers(r, state));
    hb_sched_spec spec = {.kind = c->sched,
                          .ntasks = ntasks,
                          .chunk = sched_chunk,
                          .nworkers = r->nworkers,
                          .handout = c->handout};
    if (!rc && !c->serial)
        rc = hb_run_agree(c, hb_sched_create_spec(&s, &spec, c->comm));
    /* Warm-ups are -warmup..-1; the timed repeats first_repeat..repeat-1. */
    for (int i = -c->warmup; !rc && i < c->repeat - c->first_repeat; i++) {
        int rep = i < 0 ? i : c->first_repeat + i;
        if (k->begin && (rc = hb_run_agree(c, k->begin(state))))
            break;
        /* Before the barrier, so outside the timed region. */
        if (c->rank == 0)
            hb_noise_sample_now(&r->before);
        if (!c->serial) {
            if ((rc = hb_run_agree(c, hb_sched_reset(s))))
                break;
            MPI_Barrier(c->comm);
        }
        double t0 = hb_time_now();
        if (c->serial)
            map_serial(r, state, ntasks);
        else
            map_parallel(r, state, s);
        int rc_map = first_error(r);
        int rc_red = rc_map ? 0 : k->reduce(state, c->comm);
        double wall = hb_time_now() - t0, wall_max = wall;
        if (c->rank == 0)
            hb_noise_sample_now(&r->after);

        /* Untimed from here: agree, gather, verify, write. */
        if ((rc = hb_run_agree(c, rc_map ? rc_map : rc_red)))
            break;
        if (c->comm != MPI_COMM_NULL)
            MPI_Reduce(&wall, &wall_max, 1, MPI_DOUBLE, MPI_MAX, 0, c->comm);
        if ((rc = hb_run_agree(c, gather_stats(r))))
            break;
        int stop = hb_interrupted(), any_stop = stop;
        if (c->comm != MPI_COMM_NULL)
            MPI_Allreduce(&stop, &any_stop, 1, MPI_INT, MPI_MAX, c->comm);
        int rc_out = 0;
        if (c->rank == 0) {
            free(last->report);
            memset(last, 0, sizeof *last);
            rc_out = k->verify(state, last);
            if (!rc_out && rep >= 0)
                rc_out = write_row(r, plan.params, chunk, ntasks, rep, wall_max, last,
                                   any_stop        ? "interrupted"
                                   : last->skipped ? "resumed"
                                                   : "ok");
            if (!rc_out && rep >= 0 && !c->quiet)
                fprintf(r->out, "%s chunk %zu repeat %d: wall %.6f s, result %s, verified %s\n",
                        k->name, chunk, rep, wall_max, last->result, verdict_text(last->status));
            if (rep >= 0)
                walls[(*nwalls)++] = wall_max;
            fflush(r->out);
        }
        if ((rc = hb_run_agree(c, rc_out)))
            break;
        if (any_stop)
            rc = hb_fail(HB_EINTR,
                         "interrupted by signal %d: stopped after repeat %d; the rows "
                         "and files already written are complete",
                         any_stop, rep);
    }
    if (!rc && c->task_times)
        rc = record_task_times(r, state, s, &plan, chunk);
    hb_sched_free(s);
    k->destroy(state);
    hb_kernel_plan_free(&plan);
    return rc;
}

static void print_summary(const run_state *r, const double *walls, int n, const hb_verdict *v) {
    const hb_run_cfg *c = r->c;
    double lo = walls[0], hi = walls[0];
    for (int i = 1; i < n; i++) {
        lo = walls[i] < lo ? walls[i] : lo;
        hi = walls[i] > hi ? walls[i] : hi;
    }
    if (v->report && v->report[0])
        fprintf(r->out, "%s\n", v->report);
    fprintf(r->out,
            "%s: %s %d:%dx%d (%d worker%s), wall median %.6f s (min %.6f, max %.6f) over %d "
            "repeat%s; result %s; verified %s%s%s\n",
            c->kernel->name, c->serial ? "serial" : hb_sched_name(c->sched), c->nodes,
            c->size / c->nodes, c->threads, r->nworkers, r->nworkers == 1 ? "" : "s",
            hb_median(walls, (size_t)n), lo, hi, n, n == 1 ? "" : "s", v->result,
            verdict_text(v->status), v->why[0] ? ": " : "", v->why);
}

int hb_run_execute(hb_run_cfg *c) {
    run_state r = {.c = c, .out = c->csv && strcmp(c->csv, "-") == 0 ? stderr : stdout};
    int T = c->threads;
    r.nworkers = c->serial ? 1 : c->size * T;
    r.mine = calloc((size_t)T, sizeof *r.mine);
    r.stat = calloc((size_t)T, sizeof *r.stat);
    int rc = r.mine && r.stat ? 0 : hb_fail(HB_ENOMEM, "out of memory");
    if (!rc && c->rank == 0) {
        r.busy_all = calloc((size_t)r.nworkers, sizeof *r.busy_all);
        r.cpu_all = calloc((size_t)r.nworkers, sizeof *r.cpu_all);
        r.tasks_all = calloc((size_t)r.nworkers, sizeof *r.tasks_all);
        if (!r.busy_all || !r.cpu_all || !r.tasks_all)
            rc = hb_fail(HB_ENOMEM, "out of memory");
    }
    rc = hb_run_agree(c, rc);
    if (!rc)
        rc = hb_run_agree(c, bind_workers(&r));
    if (!rc)
        rc = hb_run_agree(c, gather_places(&r));
    hb_verdict last = {0};
    int failed = 0;
    double *walls = malloc((size_t)c->repeat * sizeof *walls);
    if (!rc)
        rc = hb_run_agree(c, walls ? 0 : hb_fail(HB_ENOMEM, "out of memory"));
    for (size_t i = 0; !rc && i < c->nchunks; i++) {
        int n = 0;
        rc = run_chunk(&r, c->chunks[i], walls, &n, &last);
        if (c->rank == 0 && n > 0) {
            print_summary(&r, walls, n, &last);
            failed |= last.status == HB_FAILED;
        }
    }
    /* Every rank learns the verdict, so all return the same status. */
    if (!rc && c->comm != MPI_COMM_NULL)
        MPI_Bcast(&failed, 1, MPI_INT, 0, c->comm);
    if (!rc && failed)
        rc = hb_fail(HB_EVERIFY, "%s: result did not verify: %s", c->kernel->name, last.why);
    /* These two were reached by every rank alike and not printed yet. */
    if ((rc == HB_EVERIFY || rc == HB_EINTR) && c->rank == 0)
        fprintf(stderr, "hybench: %s\n", hb_errmsg(rc));
    free(walls);
    free(last.report);
    if (r.places != r.mine)
        free(r.places);
    free(r.mine);
    free(r.stat);
    free(r.busy_all);
    free(r.cpu_all);
    free(r.tasks_all);
    free(r.hosts);
    free(r.cpusets);
    return rc;
}
