/* The host kernel: a placement map, like the lesson's `ez_map(host, range(100))`
 * but for threads too. Each task records which worker ran it (rank, thread,
 * host) and the PU it found itself on; rank 0 gathers the records, checks that
 * every task ran exactly once on a valid worker and lists one line per task.
 * The harness prints the per-worker placement table itself. */
#define _GNU_SOURCE /* sched_getcpu */
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/kernel.h"
#include "hybench/parse.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_TASKS_DEFAULT 100
/* The per-task fields of every task must fit one MPI count. */
#define HOST_TASKS_MAX 1000000

/* Per task, as summed over the ranks by reduce: ranks that did not run a task
 * add zeros, so for a task run exactly once the sums are the runner's values. */
enum { F_RUNS, F_RANK, F_THREAD, F_WORKER, F_PU, NFIELDS };

typedef struct host_state {
    size_t ntasks;
    hb_kernel_cfg cfg;
    atomic_int *runs; /* per task: times it ran on this rank */
    int *field;       /* per task: runs, then rank/thread/worker/pu stored +1 so 0 is "not here" */
    char (*task_host)[64]; /* per task: the host its worker named */
    char (*hosts)[64];     /* after reduce, rank 0: the host of every rank */
    int nhosts, maxhosts;
} host_state;

static const hb_option host_options[] = {
    {"tasks", "N", "number of tasks to place (default 100)"},
    {NULL, NULL, NULL},
};

static void destroy(void *state) {
    host_state *s = state;
    if (!s)
        return;
    free(s->runs);
    free(s->field);
    free(s->task_host);
    free(s->hosts);
    free(s);
}

static int read_tasks(const hb_args *args, size_t *ntasks) {
    const char *v = hb_args_get(args, "tasks");
    *ntasks = HOST_TASKS_DEFAULT;
    return v ? hb_parse_size("--tasks", v, 1, HOST_TASKS_MAX, ntasks) : 0;
}

static int plan(const hb_args *args, const hb_kernel_cfg *cfg, hb_kernel_plan *out) {
    (void)cfg;
    int rc = read_tasks(args, &out->ntasks);
    if (rc)
        return rc;
    char params[48];
    snprintf(params, sizeof params, "tasks=%zu", out->ntasks);
    out->params = strdup(params);
    out->work_s = 0; /* a placement probe: microseconds */
    return out->params ? 0 : hb_fail(HB_ENOMEM, "host: out of memory");
}

static int create(const hb_args *args, const hb_kernel_cfg *cfg, void **state) {
    size_t ntasks;
    int rc = read_tasks(args, &ntasks);
    if (rc)
        return rc;
    host_state *s = calloc(1, sizeof *s);
    if (!s)
        return hb_fail(HB_ENOMEM, "host: out of memory");
    s->ntasks = ntasks;
    s->cfg = *cfg;
    s->maxhosts = cfg->ranks > 1 && !cfg->serial ? cfg->ranks : 1;
    s->runs = calloc(ntasks, sizeof *s->runs);
    s->field = calloc(ntasks * NFIELDS, sizeof *s->field);
    s->task_host = calloc(ntasks, sizeof *s->task_host);
    s->hosts = calloc((size_t)s->maxhosts, sizeof *s->hosts);
    if (!s->runs || !s->field || !s->task_host || !s->hosts) {
        destroy(s);
        return hb_fail(HB_ENOMEM, "host: out of memory for %zu tasks", ntasks);
    }
    *state = s;
    return 0;
}

static int begin(void *state) {
    host_state *s = state;
    for (size_t i = 0; i < s->ntasks; i++)
        atomic_store_explicit(&s->runs[i], 0, memory_order_relaxed);
    memset(s->field, 0, s->ntasks * NFIELDS * sizeof *s->field);
    s->nhosts = 0;
    return 0;
}

static int task(void *state, size_t i, const hb_worker *w) {
    host_state *s = state;
    int *f = &s->field[i * NFIELDS];
    /* Counted atomically so a schedule that hands a task out twice, even to
     * two threads at once, is seen as running it twice. */
    atomic_fetch_add_explicit(&s->runs[i], 1, memory_order_relaxed);
    f[F_RANK] = w->rank + 1;
    f[F_THREAD] = w->thread + 1;
    f[F_WORKER] = w->id + 1;
    f[F_PU] = sched_getcpu() + 1; /* -1 (unknown) becomes 0 */
    snprintf(s->task_host[i], sizeof s->task_host[i], "%s", w->host ? w->host : "?");
    return 0;
}

/* Sum the per-task fields onto rank 0 and collect each rank's host name. */
static int reduce(void *state, MPI_Comm comm) {
    host_state *s = state;
    char host[64] = "";
    for (size_t i = 0; i < s->ntasks; i++) {
        int runs = atomic_load_explicit(&s->runs[i], memory_order_relaxed);
        s->field[i * NFIELDS + F_RUNS] = runs;
        if (runs > 0 && !host[0])
            memcpy(host, s->task_host[i], sizeof host);
    }
    if (comm == MPI_COMM_NULL) {
        memcpy(s->hosts[0], host, sizeof host);
        s->nhosts = 1;
        return 0;
    }
    int rank, size;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS || MPI_Comm_size(comm, &size) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "host: MPI_Comm_rank/size failed");
    if (size > s->maxhosts)
        return hb_fail(HB_EINTERNAL, "host: %d ranks in the run, %d expected", size, s->maxhosts);
    /* HOST_TASKS_MAX keeps the count in an int. */
    int count = (int)(s->ntasks * NFIELDS);
    if (MPI_Reduce(rank == 0 ? MPI_IN_PLACE : s->field, s->field, count, MPI_INT, MPI_SUM, 0,
                   comm) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "host: MPI_Reduce of the task records failed");
    if (MPI_Gather(host, (int)sizeof host, MPI_CHAR, s->hosts, (int)sizeof host, MPI_CHAR, 0,
                   comm) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "host: MPI_Gather of the host names failed");
    s->nhosts = size;
    return 0;
}

/* A task's decoded record; rank/thread/worker/pu are -1 where unknown. */
typedef struct host_rec {
    int runs, rank, thread, worker, pu;
} host_rec;

static host_rec record(const host_state *s, size_t i) {
    const int *f = &s->field[i * NFIELDS];
    return (host_rec){f[F_RUNS], f[F_RANK] - 1, f[F_THREAD] - 1, f[F_WORKER] - 1, f[F_PU] - 1};
}

static bool valid_worker(const host_state *s, const host_rec *r) {
    int ranks = s->cfg.serial || s->cfg.ranks < 1 ? 1 : s->cfg.ranks;
    int threads = s->cfg.serial || s->cfg.threads < 1 ? 1 : s->cfg.threads;
    return r->rank >= 0 && r->rank < ranks && r->thread >= 0 && r->thread < threads &&
           r->worker == r->rank * threads + r->thread;
}

static int verify(void *state, hb_verdict *v) {
    host_state *s = state;
    hb_str text = {0};
    size_t bad = 0;

    v->status = HB_VERIFIED;
    v->why[0] = '\0';
    snprintf(v->result, sizeof v->result, "tasks=%zu", s->ntasks);
    for (size_t i = 0; i < s->ntasks; i++) {
        host_rec r = record(s, i);
        bool ok = r.runs == 1 && valid_worker(s, &r);
        if (r.runs == 0) {
            hb_str_addf(&text, "task %zu: never ran\n", i);
        } else if (r.runs > 1) {
            hb_str_addf(&text, "task %zu: ran %d times\n", i, r.runs);
        } else {
            const char *host = r.rank >= 0 && r.rank < s->nhosts ? s->hosts[r.rank] : "?";
            hb_str_addf(&text, "task %zu: rank %d thread %d host %s pu %d%s\n", i, r.rank, r.thread,
                        host, r.pu, ok ? "" : " (invalid worker)");
        }
        if (ok || bad++ > 0)
            continue;
        v->status = HB_FAILED;
        if (r.runs != 1)
            snprintf(v->why, sizeof v->why, "task %zu ran %d times, not once", i, r.runs);
        else
            snprintf(v->why, sizeof v->why,
                     "task %zu ran on an invalid worker (rank %d thread %d id %d)", i, r.rank,
                     r.thread, r.worker);
    }
    if (bad > 1) {
        size_t l = strlen(v->why);
        snprintf(v->why + l, sizeof v->why - l, "; %zu tasks wrong in all", bad);
    }
    if (text.failed) {
        hb_str_free(&text);
        return hb_fail(HB_ENOMEM, "host: out of memory for the placement report");
    }
    if (text.len > 0)
        text.p[text.len - 1] = '\0'; /* the caller ends the report's last line */
    v->report = text.p;
    return 0;
}

const hb_kernel hb_kernel_host = {
    .name = "host",
    .summary = "placement map: which rank, thread, host and PU ran each task",
    .options = host_options,
    .flags = HB_KF_PLACEMENT,
    .plan = plan,
    .create = create,
    .begin = begin,
    .task = task,
    .reduce = reduce,
    .verify = verify,
    .destroy = destroy,
};
