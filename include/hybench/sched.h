/* Schedules: how tasks 0..N-1 go to the W workers of a run.
 *
 *   static   contiguous blocks, sizes differing by at most one task; worker w
 *            gets [w*N/W, (w+1)*N/W) computed without communication
 *   cyclic   blocks of `chunk` tasks dealt round robin: worker w gets blocks
 *            w, w+W, w+2W, ...
 *   dynamic  self-scheduling: a free worker takes the next `chunk` tasks from
 *            one global counter shared by every thread of every rank. On one
 *            node the counter is an atomic in an MPI shared-memory window; across
 *            nodes it lives on rank 0 and is advanced with MPI_Fetch_and_op,
 *            with a progress thread on rank 0 so remote grabs need not wait
 *            for rank 0's workers to enter MPI.
 *            No rank is reserved as a master.
 *
 * Worker ids are global: rank * threads + thread. */
#ifndef HYBENCH_SCHED_H
#define HYBENCH_SCHED_H

#include <mpi.h>
#include <stddef.h>

typedef enum hb_sched_kind {
    HB_SCHED_STATIC,
    HB_SCHED_CYCLIC,
    HB_SCHED_DYNAMIC,
} hb_sched_kind;

typedef struct hb_sched hb_sched;

/* Per-worker cursor; zero it (or call hb_sched_iter_init) before each repeat. */
typedef struct hb_sched_iter {
    int worker;
    size_t next; /* static/cyclic: next block index for this worker */
} hb_sched_iter;

/* Name <-> kind ("static", "cyclic", "dynamic"). parse returns HB_EUSAGE naming --schedule. */
int hb_sched_parse(const char *s, hb_sched_kind *kind);
const char *hb_sched_name(hb_sched_kind kind);

/* The MPI thread level a schedule needs with `threads` threads per rank:
 * dynamic calls MPI from every worker thread and, across nodes, from a
 * progress thread on rank 0 (MPI_THREAD_MULTIPLE, even with one thread per
 * rank); static and cyclic only call MPI outside parallel regions
 * (MPI_THREAD_FUNNELED). */
int hb_sched_thread_level(hb_sched_kind kind, int threads);

/* Create a schedule for ntasks tasks over nworkers workers of global ids
 * 0..nworkers-1 (rank * threads + thread). comm is the run's communicator, or
 * MPI_COMM_NULL for one process (serial mode and unit tests): then the dynamic
 * counter is a process-local atomic. Collective over comm. chunk >= 1. */
int hb_sched_create(hb_sched **out, hb_sched_kind kind, size_t ntasks, size_t chunk, int nworkers,
                    MPI_Comm comm);

/* Rewind for another repeat. Collective over comm: a barrier before the reset
 * (no worker still takes tasks of the previous repeat) and one after it (no
 * worker takes a task of the new repeat before the counter is back at 0). */
int hb_sched_reset(hb_sched *s);

void hb_sched_iter_init(hb_sched_iter *it, int worker);

/* Next range [*begin, *end) for the iterator's worker; returns 1 when it got
 * one, 0 when there is no work left. Thread-safe for distinct iterators. */
int hb_sched_next(hb_sched *s, hb_sched_iter *it, size_t *begin, size_t *end);

/* Collective; frees the window of the dynamic counter. NULL is fine. */
void hb_sched_free(hb_sched *s);

#endif
