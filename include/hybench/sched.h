/* Schedules: how tasks 0..N-1 go to the W workers of a run.
 *
 *   static   contiguous blocks, sizes differing by at most one task; worker w
 *            gets [w*N/W, (w+1)*N/W) computed without communication
 *   cyclic   blocks of `chunk` tasks dealt round robin: worker w gets blocks
 *            w, w+W, w+2W, ...
 *   dynamic  self-scheduling: a free worker takes the next `chunk` tasks.
 *            On one node every worker takes them from one counter, an atomic
 *            in an MPI shared-memory window (flat). Across nodes the hand-out
 *            has two levels: each node takes blocks of tasks from the global
 *            counter on rank 0 (MPI_Fetch_and_op, with a progress thread on
 *            rank 0 so remote grabs need not wait for rank 0's workers to
 *            enter MPI), in guided sizes that shrink as the work runs out so
 *            the nodes finish together, and the node's workers take chunks
 *            from a node-local counter in shared memory. --handout flat keeps
 *            the one global counter across nodes (the hand-out before two
 *            levels, for comparison); --handout two-level uses two levels on
 *            one node too (for tests).
 *            No rank is reserved as a master.
 *
 * Worker ids are global: rank * threads + thread.
 *
 * The hand-out decisions themselves (which range a worker gets from a
 * counter value, how long a node's block is, what a worker does with an
 * offset in a block) are the pure functions at the end of this header: the
 * live schedule and the replay of `hybench predict` both call them, so a
 * prediction replays exactly the policy a run uses. */
#ifndef HYBENCH_SCHED_H
#define HYBENCH_SCHED_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

typedef enum hb_sched_kind {
    HB_SCHED_STATIC,
    HB_SCHED_CYCLIC,
    HB_SCHED_DYNAMIC,
} hb_sched_kind;

/* How dynamic hands tasks out (see above). */
typedef enum hb_handout {
    HB_HANDOUT_AUTO,      /* flat on one node, two levels across nodes */
    HB_HANDOUT_FLAT,      /* one global counter */
    HB_HANDOUT_TWO_LEVEL, /* node blocks from the global counter, chunks from the node's */
} hb_handout;

typedef struct hb_sched hb_sched;

/* Per-worker cursor; zero it (or call hb_sched_iter_init) before each repeat. */
typedef struct hb_sched_iter {
    int worker;
    size_t next; /* static/cyclic: next block index for this worker */
} hb_sched_iter;

/* Name <-> kind ("static", "cyclic", "dynamic"). parse returns HB_EUSAGE naming --schedule. */
int hb_sched_parse(const char *s, hb_sched_kind *kind);
const char *hb_sched_name(hb_sched_kind kind);

/* Name <-> hand-out ("auto", "flat", "two-level"). parse returns HB_EUSAGE naming --handout. */
int hb_handout_parse(const char *s, hb_handout *h);
const char *hb_handout_name(hb_handout h);

/* The MPI thread level a schedule needs with `threads` threads per rank:
 * dynamic calls MPI from every worker thread and, across nodes, from a
 * progress thread on rank 0 (MPI_THREAD_MULTIPLE, even with one thread per
 * rank); static and cyclic only call MPI outside parallel regions
 * (MPI_THREAD_FUNNELED). */
int hb_sched_thread_level(hb_sched_kind kind, int threads);

/* What to create. */
typedef struct hb_sched_spec {
    hb_sched_kind kind;
    size_t ntasks, chunk; /* chunk >= 1 */
    int nworkers;         /* >= 1, of global ids 0..nworkers-1 (rank * threads + thread);
                             a multiple of the ranks of comm */
    hb_handout handout;   /* dynamic only */
    /* comm == MPI_COMM_NULL only: split the workers into this many emulated
     * nodes of one process (consecutive worker ids), each with its own
     * node-local counter, so the two-level hand-out can be tested with
     * threads alone. 0 or 1: one node. */
    int local_nodes;
} hb_sched_spec;

/* Create a schedule. comm is the run's communicator, or MPI_COMM_NULL for
 * one process (serial mode and unit tests): then the counters are
 * process-local atomics. Collective over comm. HB_EUSAGE for chunk or
 * workers below 1. */
int hb_sched_create_spec(hb_sched **out, const hb_sched_spec *spec, MPI_Comm comm);

/* hb_sched_create_spec with the automatic hand-out and one node per process. */
int hb_sched_create(hb_sched **out, hb_sched_kind kind, size_t ntasks, size_t chunk, int nworkers,
                    MPI_Comm comm);

/* Rewind for another repeat. Collective over comm: a barrier before the reset
 * (no worker still takes tasks of the previous repeat) and one after it (no
 * worker takes a task of the new repeat before the counters are back at 0). */
int hb_sched_reset(hb_sched *s);

void hb_sched_iter_init(hb_sched_iter *it, int worker);

/* Next range [*begin, *end) for the iterator's worker; returns 1 when it got
 * one, 0 when there is no work left (or a stop was requested). Thread-safe
 * for distinct iterators. Under the two-level hand-out a worker that finds
 * its node's block used up while another worker of the node fetches the
 * next one waits for it here. */
int hb_sched_next(hb_sched *s, hb_sched_iter *it, size_t *begin, size_t *end);

/* Whether dynamic hands out in two levels in this schedule (0 for static,
 * cyclic and the flat counter). */
int hb_sched_two_level(const hb_sched *s);

/* Under two levels: operations on the global counter (block reads and
 * grabs) this process made since the last reset, what crosses nodes. 0
 * otherwise (under the flat counter every grab is global: the hot path
 * counts nothing). */
uint64_t hb_sched_global_ops(const hb_sched *s);

/* Collective; frees the windows of the dynamic counters. NULL is fine. */
void hb_sched_free(hb_sched *s);

/* ---- the hand-out decisions (pure; shared with the replay) ---------------- */

/* static: worker's block of n tasks over w workers; 1 when it is not empty. */
int hb_sched_static_range(size_t n, size_t w, size_t worker, size_t *begin, size_t *end);

/* cyclic: the k-th range (k = 0, 1, ...) of worker; 0 when it has no k-th. */
int hb_sched_cyclic_range(size_t n, size_t w, size_t chunk, size_t worker, size_t k, size_t *begin,
                          size_t *end);

/* The range a grab gets when the counter it advanced by chunk stood at
 * `counter`; 0 when counter >= n (no work left). */
int hb_sched_chunk_range(size_t n, size_t chunk, uint64_t counter, size_t *begin, size_t *end);

/* Two levels: the length of the block a node takes when the global counter
 * stands at `counter` (guided: half the remaining work's share of one of
 * `nodes` nodes, and at least one chunk for each of the node's workers, a
 * multiple of chunk). Always >= chunk. */
uint64_t hb_sched_block_len(uint64_t n, uint64_t counter, int nodes, size_t chunk,
                            int node_workers);

/* A node's block of tasks [start, start + len). len == 0 with start >= n:
 * the global counter is used up. */
typedef struct hb_block {
    uint64_t start, len;
} hb_block;

/* The block a grab of `len` tasks got when the global counter stood at
 * `start`: cut at n. */
hb_block hb_sched_block_make(uint64_t n, uint64_t start, uint64_t len);

/* What a worker does with offset `off` (its grab of chunk on the node's
 * counter) in block b. The one worker whose grab covers position b.len
 * (off <= b.len < off + chunk; offsets are multiples of chunk, so there is
 * exactly one) fetches the node's next block. */
typedef enum hb_take {
    HB_TAKE_RANGE,        /* run [begin, end) */
    HB_TAKE_RANGE_REFILL, /* run [begin, end), and fetch the node's next block first */
    HB_TAKE_REFILL,       /* nothing here: fetch the node's next block, then grab again */
    HB_TAKE_WAIT,         /* nothing here: wait for the next block, then grab again */
    HB_TAKE_DONE,         /* no work left anywhere */
} hb_take;

hb_take hb_sched_block_take(hb_block b, uint64_t n, uint64_t off, size_t chunk, size_t *begin,
                            size_t *end);

#endif
