/* The kernel contract: a kernel is a parallel map, a pure function of the
 * task index plus a reduction and a self-check.
 *
 * The harness calls, on every rank with identical arguments:
 *   create  -> (begin -> task* -> reduce -> verify[rank 0]) per repeat -> destroy
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
     * of a node (create is then collective over it); NULL when there is none:
     * --serial, the matrix's option check, unit tests without MPI. A pointer,
     * so a zeroed cfg means "no MPI". */
    const MPI_Comm *comm;
} hb_kernel_cfg;

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
} hb_verdict;

enum {
    HB_KF_GRAIN = 1u << 0,     /* --chunk is the kernel's grain (elements per task), and
                                  the schedule hands out one task at a time */
    HB_KF_PLACEMENT = 1u << 1, /* print the placement report (the host kernel) */
};

typedef struct hb_kernel {
    const char *name;
    const char *summary;      /* one line for --list */
    const hb_option *options; /* kernel options, NULL-name terminated */
    unsigned flags;           /* HB_KF_... */
    /* Validate the kernel options in args and set up the tasks. Identical on
     * every rank. Bad input: HB_EUSAGE naming the option and value. */
    int (*create)(const hb_args *args, const hb_kernel_cfg *cfg, void **state);
    size_t (*ntasks)(const void *state);
    /* Canonical parameter text for the CSV `params` column: same for the same
     * work, whatever the layout ("streams=64 samples=1000000 seed=1"). */
    const char *(*params)(const void *state);
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

#endif
