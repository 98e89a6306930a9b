/* The kernel contract: a kernel is a parallel map, a pure function of the
 * task index plus a reduction and a self-check.
 *
 * The harness calls, on every rank with identical arguments:
 *   plan -> create -> worker_start[each worker] ->
 *   (begin -> task* -> reduce -> verify[rank 0]) per repeat -> destroy
 * `plan` alone is also how the matrix checks a configuration and learns what
 * its rows will say, without building it (a pow map of 32e6 elements would
 * allocate 0.75 GiB just to be checked). create must accept exactly the
 * options plan accepted and set up exactly plan's tasks: both parse the
 * options with the same kernel code.
 * `task` runs on many threads at once, each call with a distinct task index;
 * it must not depend on who runs it (random streams are keyed by the task or
 * stream index). Kernels compute, reduce and verify only: they never print
 * and never exit; text for people goes into hb_verdict. Errors are negative
 * HB_E... codes with a message recorded by hb_fail(). */
#ifndef HYBENCH_KERNEL_H
#define HYBENCH_KERNEL_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hybench/args.h"

/* Who runs a task; valid for the duration of a task() call. */
typedef struct hb_worker {
    int rank;   /* MPI rank in the run's communicator (0 in serial mode) */
    int thread; /* OpenMP thread number within the rank */
    int id;     /* global worker id: rank * threads + thread */
    int pu;     /* OS index of the PU the worker is bound to, -1 if unbound */
    const char *host;
} hb_worker;

/* What the harness tells a kernel about the run when it is created. */
typedef struct hb_kernel_cfg {
    uint64_t seed;    /* --seed */
    size_t chunk;     /* --chunk value of this run (the grain for HB_KF_GRAIN kernels) */
    int nodes, ranks; /* ranks is the size of the run's communicator */
    int threads;
    bool serial; /* --serial: one rank, one thread, no MPI in the timed region */
    bool resume; /* --resume: kernels with output files may skip finished tasks */
    int rank;    /* this process's rank */
    /* The run's communicator, for kernels that share memory between the ranks
     * of a node (create, reduce and destroy are then collective over it).
     * The one "no MPI" convention of this contract, here and in reduce():
     * MPI_COMM_NULL, and then no MPI call may be made (--serial, plan, unit
     * tests without MPI). Set it explicitly: a zeroed MPI_Comm is not
     * MPI_COMM_NULL in every MPI. */
    MPI_Comm comm;
} hb_kernel_cfg;

/* The size check: a run whose plan estimates more than this many seconds of
 * work per repeat on one core is refused unless --force (a run of hours is
 * a typo far more often than a benchmark). */
#define HB_WORK_LIMIT_S 3600.0

/* What a configuration will do, from its options alone (see plan). */
typedef struct hb_kernel_plan {
    char *params;  /* canonical parameter text for the CSV `params` column: the same
                      for the same work whatever the layout ("streams=64 samples=1000000
                      seed=1"); malloc'd, freed by hb_kernel_plan_free() */
    size_t ntasks; /* tasks 0..ntasks-1 */
    double work_s; /* estimated seconds of one repeat on one core, for the up-front
                      check of a run's size; 0 when the kernel cannot tell (a user's
                      command) */
} hb_kernel_plan;

void hb_kernel_plan_free(hb_kernel_plan *p);

typedef enum hb_verdict_status {
    HB_UNVERIFIED = 0, /* the kernel could not check this result: a verdict of its own */
    HB_VERIFIED = 1,
    HB_FAILED = 2,
} hb_verdict_status;

/* A verified result, filled by verify() on rank 0. */
typedef struct hb_verdict {
    hb_verdict_status status;
    char result[128]; /* the headline result as text, same for every layout: "3.14159..." */
    char *report;     /* malloc'd text for stdout (may be NULL); the harness frees it */
    char why[256];    /* one line: why it failed or could not be verified */
    size_t skipped;   /* tasks this repetition took from their finished output
                         (--resume) instead of computing: its row is then
                         "resumed", not a timing of the whole map */
} hb_verdict;

enum {
    HB_KF_GRAIN = 1u << 0,      /* --chunk is the kernel's grain (elements per task), and
                                   the schedule hands out one task at a time */
    HB_KF_PLACEMENT = 1u << 1,  /* print the placement report (the host kernel) */
    HB_KF_KEEP_GOING = 1u << 2, /* a failed task does not stop its worker: every task
                                   is tried and the run fails after the map with the
                                   first failure (a user's command: one bad point must
                                   not cost the others, and --resume redoes only it) */
};

typedef struct hb_kernel {
    const char *name;
    const char *summary;      /* one line for --list */
    const hb_option *options; /* kernel options, NULL-name terminated */
    unsigned flags;           /* HB_KF_... */
    /* Validate the kernel options in args and describe the work: cheap, no
     * MPI call, no allocation beyond the options' own size. Bad input:
     * HB_EUSAGE naming the option and value. */
    int (*plan)(const hb_args *args, const hb_kernel_cfg *cfg, hb_kernel_plan *out);
    /* Set the tasks up. Identical on every rank; collective over cfg->comm. */
    int (*create)(const hb_args *args, const hb_kernel_cfg *cfg, void **state);
    /* Called once per worker after create, untimed, on the worker's own bound
     * thread (concurrently for the threads of a rank), so that what it starts
     * there (a process) inherits the binding; cpus is that binding as an hwloc
     * list ("3", "0-3"; "" when unknown). No MPI call. May be NULL. */
    int (*worker_start)(void *state, const hb_worker *w, const char *cpus);
    /* Reset per-repeat results; untimed. May be NULL. */
    int (*begin)(void *state);
    /* Run one task. Called concurrently for distinct tasks. */
    int (*task)(void *state, size_t task, const hb_worker *w);
    /* Combine this rank's results onto rank 0. comm == MPI_COMM_NULL in serial
     * mode: no MPI call may be made then. Collective over comm otherwise. */
    int (*reduce)(void *state, MPI_Comm comm);
    /* Check the reduced result on rank 0 and describe it. */
    int (*verify)(void *state, hb_verdict *v);
    void (*destroy)(void *state);
} hb_kernel;

/* The registry: every kernel, in --list order. */
const hb_kernel *const *hb_kernels(size_t *count);
/* Look a kernel up by name; NULL if there is none. */
const hb_kernel *hb_kernel_find(const char *name);
/* The kernel names, comma-separated in --list order ("mc, pi, pow, host"),
 * for messages; a static buffer. */
const char *hb_kernel_names(void);

#endif
