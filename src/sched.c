/* Schedules: static blocks, cyclic chunks, and self-scheduling from a global
 * counter, flat or in two levels (see sched.h). The decisions are the pure
 * functions at the end; the rest moves counters. */
#define _GNU_SOURCE /* nanosleep, prctl, sched_yield */
#include "hybench/sched.h"

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/error.h"
#include "hybench/signals.h"

/* A node's counter under two levels, in memory its workers share (an MPI
 * shared-memory window, or plain memory for emulated nodes).
 *
 * pos holds a generation (low GEN_BITS) and an offset (the rest): a worker
 * grabs a chunk with one fetch_add of chunk << GEN_BITS, and the generation
 * it reads says which of the two block descriptors its offset is in. The
 * worker whose grab covers the end of the block fetches the next block from
 * the global counter into the other descriptor and installs it by swapping
 * pos to (generation + 1, offset 0); workers that grab past the end wait
 * for that (epoch counts installs). A descriptor is reused two generations
 * later, only once every grab of its generation has read it: readers[]
 * counts the reads and fetches[] the grabs (known when the generation is
 * retired; the swap returns its last offset). */
#define GEN_BITS 8
#define GEN_MASK ((UINT64_C(1) << GEN_BITS) - 1)
#define OFF_MAX (UINT64_MAX >> GEN_BITS)
#define LIVE UINT64_MAX /* fetches[] of a generation still being grabbed */

typedef struct node_ctr {
    _Alignas(64) uint64_t pos;
    _Alignas(64) uint64_t epoch;
    _Alignas(64) hb_block blk[2];
    uint64_t readers[2], fetches[2];
    int workers; /* workers of this node (the block's minimum size) */
} node_ctr;

struct hb_sched {
    hb_sched_kind kind;
    size_t ntasks, chunk;
    int nworkers;
    MPI_Comm comm;
    int rank;
    /* dynamic: the global counter */
    uint64_t *counter; /* shared-memory or local counter; NULL when remote RMA is used */
    uint64_t local;    /* the counter itself when comm == MPI_COMM_NULL */
    MPI_Win win;
    uint64_t global_ops;
    /* dynamic in two levels */
    int two_level, nodes;
    node_ctr *node;   /* this rank's node (MPI), or the emulated nodes (MPI_COMM_NULL) */
    int local_nodes;  /* emulated nodes; 0 under MPI */
    MPI_Win node_win; /* the node counter's window */
    int node_rank;
    /* rank 0 across nodes: the thread that makes MPI progress for remote grabs */
    pthread_t progress;
    int progress_running;
    volatile int progress_stop;
    /* across nodes: what the progress thread and waiting workers probe */
    MPI_Comm probe_comm;
};

/* Across nodes the counter is advanced with MPI_Fetch_and_op. Without
 * hardware atomics (TCP, shared memory emulating nodes) MPICH completes such
 * an operation only when the target rank enters the MPI progress engine, and
 * rank 0's workers may compute for a long time between grabs: a remote node
 * then waits a whole task per grab (measured: 46 of 64 tasks stayed on rank 0's
 * node). This thread polls MPI every 20 us while the schedule exists; it
 * sleeps in between, so it costs rank 0's core little. It probes a copy of
 * the run's communicator: MPICH answers a probe of a one-rank communicator
 * (a copy of MPI_COMM_SELF) without entering the progress engine, and with
 * two ranks on each of two emulated nodes 1000 grabs on rank 0 then waited
 * for rank 0's own next MPI call (3 s) beside a thread probing one. */
static void *progress_loop(void *arg) {
    hb_sched *s = arg;
    const struct timespec nap = {0, 20000};
    /* The default 50 us timer slack would stretch every nap fivefold. */
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    while (!s->progress_stop) {
        int flag;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, s->probe_comm, &flag, MPI_STATUS_IGNORE);
        nanosleep(&nap, NULL);
    }
    return NULL;
}

static const char *const names[] = {"static", "cyclic", "dynamic"};
static const char *const handout_names[] = {"auto", "flat", "two-level"};

int hb_sched_parse(const char *s, hb_sched_kind *kind) {
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *kind = (hb_sched_kind)i;
            return 0;
        }
    return hb_fail(HB_EUSAGE, "--schedule: '%s' is not one of static, cyclic, dynamic", s ? s : "");
}

const char *hb_sched_name(hb_sched_kind kind) {
    return names[kind];
}

int hb_handout_parse(const char *s, hb_handout *h) {
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, handout_names[i]) == 0) {
            *h = (hb_handout)i;
            return 0;
        }
    return hb_fail(HB_EUSAGE, "--handout: '%s' is not one of auto, flat, two-level", s ? s : "");
}

const char *hb_handout_name(hb_handout h) {
    return handout_names[h];
}

int hb_sched_thread_level(hb_sched_kind kind, int threads) {
    /* Dynamic across nodes also runs a progress thread on rank 0 (below),
     * which calls MPI beside the workers whatever the thread count. */
    (void)threads;
    return kind == HB_SCHED_DYNAMIC ? MPI_THREAD_MULTIPLE : MPI_THREAD_FUNNELED;
}

/* ---- the global counter ---------------------------------------------------- */

/* The dynamic counter lives on rank 0. When every rank shares one node it is
 * an atomic in an MPI shared-memory window (tens of ns per grab); otherwise
 * ranks advance it with MPI_Fetch_and_op under a lock_all epoch held for the
 * schedule's lifetime. */
static int create_counter(hb_sched *s, int one_node) {
    if (s->comm == MPI_COMM_NULL) {
        s->counter = &s->local;
        return 0;
    }
    MPI_Aint bytes = s->rank == 0 ? (MPI_Aint)sizeof(uint64_t) : 0;
    int rc;
    if (one_node) {
        void *base;
        rc = MPI_Win_allocate_shared(bytes, sizeof(uint64_t), MPI_INFO_NULL, s->comm, &base,
                                     &s->win);
        if (rc == MPI_SUCCESS) {
            MPI_Aint qsize;
            int disp;
            rc = MPI_Win_shared_query(s->win, 0, &qsize, &disp, &s->counter);
        }
    } else {
        void *base;
        rc = MPI_Win_allocate(bytes, sizeof(uint64_t), MPI_INFO_NULL, s->comm, &base, &s->win);
        if (rc == MPI_SUCCESS && s->rank == 0)
            *(uint64_t *)base = 0;
        if (rc == MPI_SUCCESS)
            rc = MPI_Comm_dup(s->comm, &s->probe_comm);
        if (rc == MPI_SUCCESS && s->rank == 0) {
            int level;
            MPI_Query_thread(&level);
            if (level == MPI_THREAD_MULTIPLE)
                s->progress_running = pthread_create(&s->progress, NULL, progress_loop, s) == 0;
        }
    }
    if (rc != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "could not create the dynamic schedule's counter window");
    if (MPI_Win_lock_all(MPI_MODE_NOCHECK, s->win) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Win_lock_all failed");
    return 0;
}

static uint64_t global_add(hb_sched *s, uint64_t inc) {
    if (s->counter)
        return __atomic_fetch_add(s->counter, inc, __ATOMIC_RELAXED);
    uint64_t old = 0;
    MPI_Fetch_and_op(&inc, &old, MPI_UINT64_T, 0, 0, MPI_SUM, s->win);
    MPI_Win_flush(0, s->win);
    return old;
}

static uint64_t global_read(hb_sched *s) {
    if (s->counter)
        return __atomic_load_n(s->counter, __ATOMIC_RELAXED);
    /* A fetch-and-add of 0, the operation every flat grab makes: MPI_NO_OP
     * is an RMA operation of its own in MPICH over UCX. */
    uint64_t old = 0, zero = 0;
    MPI_Fetch_and_op(&zero, &old, MPI_UINT64_T, 0, 0, MPI_SUM, s->win);
    MPI_Win_flush(0, s->win);
    return old;
}

/* ---- the node counters (two levels) ---------------------------------------- */

static void node_init(node_ctr *c) {
    __atomic_store_n(&c->pos, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&c->epoch, 0, __ATOMIC_RELAXED);
    /* Generation 0 starts with an empty block, so the first grab fetches one. */
    c->blk[0] = (hb_block){0, 0};
    c->blk[1] = (hb_block){0, 0};
    c->readers[0] = c->readers[1] = 0;
    c->fetches[0] = LIVE;
    c->fetches[1] = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* One counter per node in a shared-memory window of the node's ranks. */
static int create_node_counter(hb_sched *s, MPI_Comm node, int node_workers) {
    MPI_Comm_rank(node, &s->node_rank);
    /* The window's memory need not be aligned to a cache line (MPICH mallocs
     * it for a node of one rank: measured 16 bytes), and node_ctr's members
     * are: take the first aligned address inside. Every rank maps the
     * segment at the same offset within a page, so all find the same one. */
    MPI_Aint bytes = s->node_rank == 0 ? (MPI_Aint)(sizeof(node_ctr) + 64) : 0;
    void *base;
    char *at = NULL;
    int rc = MPI_Win_allocate_shared(bytes, 1, MPI_INFO_NULL, node, &base, &s->node_win);
    if (rc == MPI_SUCCESS) {
        MPI_Aint qsize;
        int disp;
        rc = MPI_Win_shared_query(s->node_win, 0, &qsize, &disp, &at);
    }
    if (rc == MPI_SUCCESS)
        s->node = (node_ctr *)(at + (64 - (uintptr_t)at % 64) % 64);
    if (rc != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "could not create the node counter's shared-memory window");
    if (MPI_Win_lock_all(MPI_MODE_NOCHECK, s->node_win) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Win_lock_all failed");
    if (s->node_rank == 0) {
        node_init(s->node);
        s->node->workers = node_workers;
    }
    return 0;
}

/* Emulated nodes in one process: node i holds workers [i*W/k, (i+1)*W/k). */
static int create_local_nodes(hb_sched *s, int k) {
    s->node = aligned_alloc(64, (size_t)k * sizeof *s->node);
    if (!s->node)
        return hb_fail(HB_ENOMEM, "out of memory for %d node counters", k);
    s->local_nodes = k;
    for (int i = 0; i < k; i++) {
        node_init(&s->node[i]);
        s->node[i].workers = (int)((size_t)(i + 1) * (size_t)s->nworkers / (size_t)k -
                                   (size_t)i * (size_t)s->nworkers / (size_t)k);
    }
    return 0;
}

static node_ctr *node_of(hb_sched *s, int worker) {
    if (!s->local_nodes)
        return s->node;
    return &s->node[(size_t)worker * (size_t)s->local_nodes / (size_t)s->nworkers];
}

/* A worker waiting for its node's next block. Across nodes it also probes
 * for MPI progress now and then: the block may be on its way through this
 * very rank (rank 0 holds the global counter), and a waiting worker need not
 * leave that to the progress thread's naps. */
static void relax(hb_sched *s, unsigned *spins) {
    if (++*spins % 64 == 0) {
        int flag;
        if (s->probe_comm != MPI_COMM_NULL)
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, s->probe_comm, &flag, MPI_STATUS_IGNORE);
        sched_yield(); /* the worker we wait for may share our core */
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Fetch the node's next block into the other descriptor and install it
 * (the grabber of generation g's last position does this). */
static void refill(hb_sched *s, node_ctr *c, uint64_t g) {
    int next = (int)((g + 1) & 1), cur = (int)(g & 1);
    unsigned spins = 0;
    /* The other descriptor held generation g - 1: wait until each of its
     * grabs has read it (at once, unless a grabber was descheduled between
     * its grab and its read). */
    while (__atomic_load_n(&c->readers[next], __ATOMIC_ACQUIRE) !=
           __atomic_load_n(&c->fetches[next], __ATOMIC_ACQUIRE))
        relax(s, &spins);
    uint64_t seen = global_read(s);
    uint64_t len = hb_sched_block_len(s->ntasks, seen, s->nodes, s->chunk, c->workers);
    uint64_t start = seen >= s->ntasks ? seen : global_add(s, len);
    __atomic_fetch_add(&s->global_ops, seen >= s->ntasks ? 1 : 2, __ATOMIC_RELAXED);
    c->blk[next] = hb_sched_block_make(s->ntasks, start, len);
    c->readers[next] = 0;
    c->fetches[next] = LIVE;
    uint64_t old = __atomic_exchange_n(&c->pos, (g + 1) & GEN_MASK, __ATOMIC_ACQ_REL);
    __atomic_store_n(&c->fetches[cur], (old >> GEN_BITS) / s->chunk, __ATOMIC_RELEASE);
    __atomic_add_fetch(&c->epoch, 1, __ATOMIC_RELEASE);
}

static int next_two_level(hb_sched *s, node_ctr *c, size_t *begin, size_t *end) {
    for (;;) {
        if (hb_interrupted())
            return 0;
        uint64_t p = __atomic_fetch_add(&c->pos, (uint64_t)s->chunk << GEN_BITS, __ATOMIC_ACQ_REL);
        uint64_t g = p & GEN_MASK, off = p >> GEN_BITS;
        hb_block b = c->blk[g & 1];
        /* At most one install (of g + 1) can happen before this grab counts
         * as read, so the epoch read now is generation g's or the next. */
        uint64_t epoch = __atomic_load_n(&c->epoch, __ATOMIC_ACQUIRE);
        __atomic_fetch_add(&c->readers[g & 1], 1, __ATOMIC_ACQ_REL);
        switch (hb_sched_block_take(b, s->ntasks, off, s->chunk, begin, end)) {
        case HB_TAKE_RANGE:
            return 1;
        case HB_TAKE_RANGE_REFILL:
            refill(s, c, g);
            return 1;
        case HB_TAKE_REFILL:
            refill(s, c, g);
            break;
        case HB_TAKE_WAIT:
            if ((epoch & GEN_MASK) == g) {
                unsigned spins = 0;
                while (__atomic_load_n(&c->epoch, __ATOMIC_ACQUIRE) == epoch) {
                    if (hb_interrupted())
                        return 0;
                    relax(s, &spins);
                }
            }
            break;
        case HB_TAKE_DONE:
            return 0;
        }
    }
}

/* ---- create, reset, next, free --------------------------------------------- */

static int create_dynamic(hb_sched *s, hb_handout handout, int local_nodes) {
    if (s->comm == MPI_COMM_NULL) {
        int k = local_nodes > 1 ? local_nodes : 1;
        if (k > s->nworkers)
            return hb_fail(HB_EUSAGE, "schedule: %d emulated nodes for %d workers", k, s->nworkers);
        s->nodes = k;
        s->two_level = handout == HB_HANDOUT_TWO_LEVEL || (handout == HB_HANDOUT_AUTO && k > 1);
        int rc = create_counter(s, 1);
        if (!rc && s->two_level)
            rc = create_local_nodes(s, k);
        return rc;
    }
    MPI_Comm node;
    int size, node_size, leader;
    if (MPI_Comm_split_type(s->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Comm_split_type failed");
    MPI_Comm_size(s->comm, &size);
    MPI_Comm_size(node, &node_size);
    MPI_Comm_rank(node, &leader);
    leader = leader == 0;
    int rc = MPI_Allreduce(&leader, &s->nodes, 1, MPI_INT, MPI_SUM, s->comm) == MPI_SUCCESS
                 ? 0
                 : hb_fail(HB_EMPI, "MPI_Allreduce failed counting nodes");
    s->two_level = handout == HB_HANDOUT_TWO_LEVEL || (handout == HB_HANDOUT_AUTO && s->nodes > 1);
    /* Offsets past a block's end grow by at most one chunk per worker of the
     * node; they must fit beside the generation bits. */
    if (s->two_level && s->ntasks + ((uint64_t)s->nworkers + 1) * s->chunk > OFF_MAX)
        s->two_level = 0;
    if (!rc)
        rc = create_counter(s, node_size == size);
    if (!rc && s->two_level)
        rc = create_node_counter(s, node, node_size * (s->nworkers / size));
    MPI_Comm_free(&node);
    return rc;
}

int hb_sched_create_spec(hb_sched **out, const hb_sched_spec *sp, MPI_Comm comm) {
    if (sp->chunk < 1 || sp->nworkers < 1)
        return hb_fail(HB_EUSAGE, "schedule needs chunk >= 1 and workers >= 1");
    hb_sched *s = calloc(1, sizeof *s);
    if (!s)
        return hb_fail(HB_ENOMEM, "out of memory creating a schedule");
    s->kind = sp->kind;
    s->ntasks = sp->ntasks;
    s->chunk = sp->chunk;
    s->nworkers = sp->nworkers;
    s->comm = comm;
    s->win = MPI_WIN_NULL;
    s->node_win = MPI_WIN_NULL;
    s->probe_comm = MPI_COMM_NULL;
    s->nodes = 1;
    if (comm != MPI_COMM_NULL)
        MPI_Comm_rank(comm, &s->rank);
    if (sp->kind == HB_SCHED_DYNAMIC) {
        int rc = create_dynamic(s, sp->handout, sp->local_nodes);
        if (rc) {
            hb_sched_free(s);
            return rc;
        }
    }
    *out = s;
    return hb_sched_reset(s);
}

int hb_sched_create(hb_sched **out, hb_sched_kind kind, size_t ntasks, size_t chunk, int nworkers,
                    MPI_Comm comm) {
    hb_sched_spec sp = {.kind = kind, .ntasks = ntasks, .chunk = chunk, .nworkers = nworkers};
    return hb_sched_create_spec(out, &sp, comm);
}

int hb_sched_reset(hb_sched *s) {
    if (s->kind != HB_SCHED_DYNAMIC)
        return 0;
    __atomic_store_n(&s->global_ops, 0, __ATOMIC_RELAXED);
    if (s->comm == MPI_COMM_NULL) {
        __atomic_store_n(s->counter, 0, __ATOMIC_SEQ_CST);
        for (int i = 0; i < s->local_nodes; i++)
            node_init(&s->node[i]);
        return 0;
    }
    /* Nobody may still be taking tasks of the previous repeat when the
     * counters go back to 0. */
    if (MPI_Barrier(s->comm) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Barrier failed resetting the schedule");
    if (s->rank == 0) {
        if (s->counter) {
            __atomic_store_n(s->counter, 0, __ATOMIC_SEQ_CST);
            MPI_Win_sync(s->win);
        } else {
            uint64_t zero = 0, old;
            MPI_Fetch_and_op(&zero, &old, MPI_UINT64_T, 0, 0, MPI_REPLACE, s->win);
            MPI_Win_flush(0, s->win);
        }
    }
    if (s->two_level && s->node_rank == 0) {
        node_init(s->node);
        MPI_Win_sync(s->node_win);
    }
    /* No worker may take a task of the new repeat before the reset is visible. */
    if (MPI_Barrier(s->comm) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Barrier failed resetting the schedule");
    if (s->counter)
        MPI_Win_sync(s->win);
    if (s->two_level)
        MPI_Win_sync(s->node_win);
    return 0;
}

void hb_sched_iter_init(hb_sched_iter *it, int worker) {
    it->worker = worker;
    it->next = 0;
}

int hb_sched_next(hb_sched *s, hb_sched_iter *it, size_t *begin, size_t *end) {
    if (hb_interrupted())
        return 0;
    size_t n = s->ntasks, w = (size_t)s->nworkers;
    switch (s->kind) {
    case HB_SCHED_STATIC:
        return it->next++ == 0 && hb_sched_static_range(n, w, (size_t)it->worker, begin, end);
    case HB_SCHED_CYCLIC:
        return hb_sched_cyclic_range(n, w, s->chunk, (size_t)it->worker, it->next++, begin, end);
    case HB_SCHED_DYNAMIC:
        if (s->two_level)
            return next_two_level(s, node_of(s, it->worker), begin, end);
        return hb_sched_chunk_range(n, s->chunk, global_add(s, s->chunk), begin, end);
    }
    return 0;
}

int hb_sched_two_level(const hb_sched *s) {
    return s && s->kind == HB_SCHED_DYNAMIC && s->two_level;
}

uint64_t hb_sched_global_ops(const hb_sched *s) {
    return s ? __atomic_load_n(&s->global_ops, __ATOMIC_RELAXED) : 0;
}

void hb_sched_free(hb_sched *s) {
    if (!s)
        return;
    if (s->progress_running) {
        s->progress_stop = 1;
        pthread_join(s->progress, NULL);
    }
    if (s->probe_comm != MPI_COMM_NULL)
        MPI_Comm_free(&s->probe_comm);
    if (s->node_win != MPI_WIN_NULL) {
        MPI_Win_unlock_all(s->node_win);
        MPI_Win_free(&s->node_win);
    } else if (s->local_nodes) {
        free(s->node);
    }
    if (s->win != MPI_WIN_NULL) {
        MPI_Win_unlock_all(s->win);
        MPI_Win_free(&s->win);
    }
    free(s);
}

/* ---- the hand-out decisions ------------------------------------------------ */

int hb_sched_static_range(size_t n, size_t w, size_t worker, size_t *begin, size_t *end) {
    *begin = worker * n / w;
    *end = (worker + 1) * n / w;
    return *begin < *end;
}

int hb_sched_cyclic_range(size_t n, size_t w, size_t chunk, size_t worker, size_t k, size_t *begin,
                          size_t *end) {
    size_t block = worker + k * w;
    if (block >= (n + chunk - 1) / chunk)
        return 0;
    *begin = block * chunk;
    *end = *begin + chunk < n ? *begin + chunk : n;
    return 1;
}

int hb_sched_chunk_range(size_t n, size_t chunk, uint64_t counter, size_t *begin, size_t *end) {
    if (counter >= n)
        return 0;
    *begin = (size_t)counter;
    *end = counter + chunk < n ? (size_t)counter + chunk : n;
    return 1;
}

/* Guided self-scheduling (Polychronopoulos & Kuck, 1987) over nodes, with
 * half of each node's share of the remaining work as in factoring (Hummel,
 * Schonberg & Flynn, 1992), so a node's first block leaves room to balance
 * and the last ones are small; at least one chunk per worker of the node,
 * so no worker of a fresh block waits for the next one at once. */
uint64_t hb_sched_block_len(uint64_t n, uint64_t counter, int nodes, size_t chunk,
                            int node_workers) {
    uint64_t remaining = n > counter ? n - counter : 0;
    uint64_t share = 2 * (uint64_t)(nodes > 0 ? nodes : 1);
    uint64_t len = (remaining + share - 1) / share;
    uint64_t least = (uint64_t)chunk * (uint64_t)(node_workers > 0 ? node_workers : 1);
    if (len < least)
        len = least;
    return (len + chunk - 1) / chunk * chunk;
}

hb_block hb_sched_block_make(uint64_t n, uint64_t start, uint64_t len) {
    if (start >= n)
        return (hb_block){start, 0};
    return (hb_block){start, len < n - start ? len : n - start};
}

hb_take hb_sched_block_take(hb_block b, uint64_t n, uint64_t off, size_t chunk, size_t *begin,
                            size_t *end) {
    if (b.len == 0 && b.start >= n)
        return HB_TAKE_DONE;
    int last = off <= b.len && b.len < off + chunk;
    if (off >= b.len)
        return last ? HB_TAKE_REFILL : HB_TAKE_WAIT;
    *begin = (size_t)(b.start + off);
    *end = (size_t)(b.start + (off + chunk < b.len ? off + chunk : b.len));
    return last ? HB_TAKE_RANGE_REFILL : HB_TAKE_RANGE;
}
