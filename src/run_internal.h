/* The state of one `hybench run`, handed by its option/set-up part (run.c)
 * to its timed loop (run_loop.c), which defines the functions below: the
 * dependency runs one way. Not a public contract. */
#ifndef HYBENCH_RUN_INTERNAL_H
#define HYBENCH_RUN_INTERNAL_H

#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>

#include "hybench/args.h"
#include "hybench/kernel.h"
#include "hybench/pin.h"
#include "hybench/sched.h"

typedef struct hb_run_cfg {
    /* options */
    const hb_kernel *kernel;
    hb_args args;
    int threads, repeat, warmup, nodes_expected;
    bool threads_from_env; /* --threads absent, OMP_NUM_THREADS gave them */
    int first_repeat;      /* --first-repeat: timed repeats are first_repeat..repeat-1 */
    int round;             /* --round, 0 when not given */
    const char *launch_id; /* --launch-id, NULL when not given */
    bool force;            /* --force: past the size check */
    hb_pin_req pin;        /* bind, dist, oversubscribe, threads, local_ranks */
    hb_sched_kind sched;
    hb_handout handout;
    size_t *chunks;
    size_t nchunks;
    bool serial, resume, quiet;
    uint64_t seed;
    const char *csv;
    const char *task_times; /* --task-times FILE, or NULL */
    /* the launch */
    MPI_Comm comm; /* MPI_COMM_WORLD, or MPI_COMM_NULL in serial mode */
    int rank, size, local_rank, nodes;
    char host[MPI_MAX_PROCESSOR_NAME];
    hb_topo *topo;
} hb_run_cfg;

/* Agree on rc across the launch; the lowest failing rank prints. Collective
 * unless comm is MPI_COMM_NULL. */
int hb_run_agree(const hb_run_cfg *c, int rc);

/* Bind the workers, run every --chunk value's repetitions, write rows. */
int hb_run_execute(hb_run_cfg *c);

#endif
