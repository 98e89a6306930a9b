/* Pinning: which cores the workers of one node get, and binding to them with
 * hwloc.
 *
 * A node runs `local_ranks` ranks of `threads` threads each; node worker k is
 * local rank k / threads, thread k % threads. The plan gives every node worker
 * one cpuset:
 *   bind core  one core each; bind pu  one PU each (the first PU of a core
 *              first, so workers do not share a core until every core has one);
 *   bind none  no binding (the cpuset is the whole allowed machine).
 *   distribute compact  node worker k gets the k-th core (or PU) in hwloc
 *              logical order; spread  hwloc_distrib() over the topology, so
 *              ranks land on different packages/NUMA nodes/caches first and a
 *              rank's threads stay close together.
 * Workers on one node never share a core unless oversubscribe is set; a plan
 * that needs more cores than the node has is refused with HB_ELAYOUT, and
 * with oversubscribe the plan wraps around the PUs.
 *
 * "The node" is the CPUs this process (and its node's ranks together) were
 * given: the mask a launcher or scheduler started it with (taskset, srun
 * --cpu-bind, mpirun --bind-to, a cpuset cgroup), never the whole machine
 * behind its back. Where the node's ranks were given different masks, each
 * rank's workers take the cores of its own mask first.
 *
 * Planning is pure (it reads the topology only), so tests check it on hwloc
 * synthetic topologies such as "pack:2 core:4 pu:2". */
#ifndef HYBENCH_PIN_H
#define HYBENCH_PIN_H

#include <stdbool.h>

#include "hybench/args.h"

typedef enum hb_bind { HB_BIND_CORE, HB_BIND_PU, HB_BIND_NONE } hb_bind;
typedef enum hb_dist { HB_DIST_COMPACT, HB_DIST_SPREAD } hb_dist;

typedef struct hb_topo hb_topo; /* an hwloc topology, loaded once */

/* Where one worker ran, as observed by that worker after binding. */
typedef struct hb_place {
    int rank, thread;
    int local_rank; /* rank within its node */
    char host[64];
    int pu;        /* OS index of the PU it was running on (hwloc_get_last_cpu_location) */
    int core;      /* logical index of the core holding that PU, -1 if unknown */
    char mask[64]; /* the binding obtained, as an hwloc list string ("2", "0-3") */
    bool overlap;  /* shares a core of its binding with another worker of its node */
} hb_place;

/* Where the CPUs a node's workers are placed inside came from (runs.csv's
 * cpus_from): the whole machine (what hwloc allows, cgroup included), this
 * process's own mask (every rank of the node had the same), or the union of
 * the node's ranks' masks where they differ (mpirun --bind-to core, srun
 * --cpu-bind with several tasks per node). */
typedef enum hb_cpus_from { HB_CPUS_MACHINE, HB_CPUS_PROCESS, HB_CPUS_NODE } hb_cpus_from;
const char *hb_cpus_from_name(hb_cpus_from f); /* "machine", "process", "node" */

/* Load this machine's topology (synthetic == NULL) or a synthetic one
 * ("pack:2 core:4 pu:2"). For this machine the given CPUs are the calling
 * thread's mask at this moment: call it before anything binds. HB_EHWLOC /
 * HB_EUSAGE on failure. */
int hb_topo_load(hb_topo **out, const char *synthetic);
void hb_topo_free(hb_topo *t);
int hb_topo_cores(const hb_topo *t); /* cores holding a given CPU */
int hb_topo_pus(const hb_topo *t);   /* given PUs */

/* The masks the node's n ranks were started with (hwloc list strings, in
 * local rank order; self is this rank): plans then work inside their union,
 * and where the masks differ each rank's workers take cores of its own mask
 * first. Every rank of a node must pass the same masks, so they agree on the
 * plan. HB_EUSAGE for a mask that does not parse, HB_ELAYOUT when they hold
 * no CPU of this machine. */
int hb_topo_restrict(hb_topo *t, char *const *masks, int n, int self);
/* The given CPUs as an hwloc list string into buf, and (from != NULL) where
 * they came from; the process's own mask as it was at load. 0 or HB_EHWLOC. */
int hb_topo_given(const hb_topo *t, char *buf, int len, hb_cpus_from *from);
int hb_topo_process_mask(const hb_topo *t, char *buf, int len);
int hb_topo_packages(const hb_topo *t);
/* Human one-liner: "1 package, 2 cores, 2 PUs (AMD EPYC)". Returns buf. */
const char *hb_topo_describe(const hb_topo *t, char *buf, int len);
/* CPU model string from hwloc's CPUModel info, or "unknown". */
const char *hb_topo_cpu_model(const hb_topo *t);

int hb_bind_parse(const char *s, hb_bind *out); /* --bind; HB_EUSAGE names it */
int hb_dist_parse(const char *s, hb_dist *out); /* --distribute */
const char *hb_bind_name(hb_bind b);
const char *hb_dist_name(hb_dist d);

typedef struct hb_pin_req {
    hb_bind bind;
    hb_dist dist;
    int local_ranks; /* ranks on this node */
    int threads;     /* threads per rank */
    bool oversubscribe;
} hb_pin_req;

/* The pinning options every subcommand that places workers shares: --bind,
 * --distribute, --oversubscribe (run, matrix, topo). */
extern const hb_option hb_pin_options[];

/* Read them from parsed args into req's bind, dist and oversubscribe (the
 * defaults core, compact, no when absent). HB_EUSAGE naming the option. */
int hb_pin_from_args(const hb_args *a, hb_pin_req *req);

/* Check a request against the topology without planning it: HB_ELAYOUT with
 * one line ("layout needs 4 workers on host vm but it has 2 cores (2 PUs);
 * use --oversubscribe to allow sharing") when it does not fit, HB_EUSAGE for
 * zero ranks or threads. */
int hb_pin_check(const hb_topo *t, const hb_pin_req *req);

/* Plan: the cpuset of node worker k (0 <= k < local_ranks*threads) as a list
 * string written to buf ("3", or every given CPU for bind none), and the
 * logical index of the core it maps to in *core (-1 for bind none). */
int hb_pin_plan(const hb_topo *t, const hb_pin_req *req, int k, char *buf, int len, int *core);

/* Bind the calling thread to node worker k's cpuset. Called by each worker
 * thread itself. No-op for bind none. */
int hb_pin_bind_self(const hb_topo *t, const hb_pin_req *req, int k);

/* Observe the calling thread: PU, core and binding mask into *p (rank,
 * thread, host are left to the caller). */
int hb_pin_observe(const hb_topo *t, hb_place *p);

/* Flag workers of the same host whose bindings share a core (sets overlap).
 * bind none workers are only flagged when the run oversubscribes. */
void hb_pin_flag_overlaps(const hb_topo *t, hb_place *places, int n);

#endif
