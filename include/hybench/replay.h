/* The replay behind `hybench predict`: measured task times run through the
 * schedules of sched.h on a virtual machine of W workers, with what a
 * hand-out costs there, by discrete-event simulation.
 *
 * Static and cyclic ranges are computed by hb_sched_static_range and
 * hb_sched_cyclic_range and cost nothing to hand out (a worker computes its
 * own). Dynamic grabs go to counters that serve one grab at a time, first
 * come first served: a grab that arrives at time t is served at
 * s = max(t, when the counter is free), keeps the counter busy for `service`
 * and gives its worker the answer at s + latency (when the same worker made
 * the counter's last grab: latency_same, and busy no longer than that). The flat counter's answer
 * is hb_sched_chunk_range; under two levels each node has its counter and
 * hb_sched_block_take, hb_sched_block_len and hb_sched_block_make decide
 * what a grab gets, when a worker fetches the node's next block (a read and
 * a grab on the global counter) and when the node's other workers wait for
 * it, exactly as sched.c does.
 *
 * Left out (docs/predict.md): the reduction after the map, launch and
 * barrier times, a task that runs slower because of what runs beside it
 * (shared memory bandwidth, caches) unless the task times were recorded that
 * way, and network contention beyond the counters' service times. Pure: no
 * I/O, no MPI. */
#ifndef HYBENCH_REPLAY_H
#define HYBENCH_REPLAY_H

#include <stddef.h>

#include "hybench/sched.h"

/* Where a counter is, as seen from the workers that grab on it. */
typedef enum hb_level {
    HB_LEVEL_THREAD, /* shared by the threads of one rank (an atomic in the process) */
    HB_LEVEL_RANK,   /* shared by the ranks of one node (an MPI shared-memory window) */
    HB_LEVEL_NODE,   /* across nodes (MPI_Fetch_and_op on rank 0) */
    HB_NLEVELS
} hb_level;

/* What one grab costs on a counter (seconds). */
typedef struct hb_counter_cost {
    double latency;      /* from asking to having the answer, nobody else asking */
    double latency_same; /* the same, when the same worker made the counter's last grab
                            (its cache line is still there) */
    double service;      /* the counter is busy this long per grab: at most
                            1 / service grabs per second */
} hb_counter_cost;

typedef struct hb_costs {
    hb_counter_cost level[HB_NLEVELS];
    char source[256]; /* where the figures come from, for the output */
} hb_costs;

/* "thread", "rank", "node"; NULL for another value. */
const char *hb_level_name(hb_level l);

/* The costs measured on the development machine (docs/predict.md says how). */
void hb_costs_default(hb_costs *c);

/* Costs from a CSV with columns level,latency_s,latency_same_s,service_s
 * (bench/handout_bench.sh writes one); levels it leaves out keep their
 * defaults. HB_EUSAGE naming the file and line for a malformed one. */
int hb_costs_read(const char *path, hb_costs *c);

/* One configuration to replay. */
typedef struct hb_replay_cfg {
    const double *dur; /* task durations, n of them */
    size_t n;
    const double *prefix; /* their prefix sums (hb_replay_prefix), or NULL to compute them */
    long workers;         /* W */
    int node_workers;     /* workers of a full node; the last node may have fewer */
    int ranks_per_node;   /* ranks of a full node */
    hb_sched_kind kind;
    size_t chunk;       /* tasks per hand-out (cyclic, dynamic) */
    hb_handout handout; /* dynamic: auto is two levels on more than one node */
    const hb_costs *costs;
} hb_replay_cfg;

typedef struct hb_replay_out {
    double makespan;     /* from the start to the last worker's return */
    double work;         /* sum of the task durations */
    double handout;      /* worker time spent grabbing: latency, queueing, waiting for blocks */
    double tail;         /* worker time after a worker's return until the makespan */
    long idle_workers;   /* workers with nothing left to do when the last task starts */
    double counter_busy; /* the busiest counter's busy time / makespan */
    long nodes;
    int two_level;
    size_t tasks_run; /* tasks handed out: n, or the replay is wrong */
} hb_replay_out;
/* work + handout + tail == workers * makespan, up to rounding. */

/* Scratch memory kept from one replay to the next (one per thread): a
 * replay of 10^5 workers otherwise spends much of its time getting fresh
 * pages. */
typedef struct hb_replay_ws hb_replay_ws;
hb_replay_ws *hb_replay_ws_new(void); /* NULL when out of memory */
void hb_replay_ws_free(hb_replay_ws *ws);

/* pre[0..n]: pre[0] = 0, pre[i + 1] = pre[i] + dur[i]. */
void hb_replay_prefix(const double *dur, size_t n, double *pre);

/* Replay one configuration, in ws (NULL: a fresh one for this call).
 * HB_EUSAGE for workers < 1, chunk < 1 or node_workers < 1; HB_ENOMEM. */
int hb_replay(const hb_replay_cfg *c, hb_replay_ws *ws, hb_replay_out *out);

#endif
