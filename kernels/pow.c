/* The power map: map(pow, bases, exponents), cut into tasks of --chunk
 * elements, so the cost of handing a task out can be measured grain by grain.
 *
 * Two inputs:
 *   --bases LIST --exponents LIST  explicit lists (the lesson's call); each
 *       element is glibc's pow(), which Python's float pow also calls; the
 *       result prints as Python prints the list: [1, 16, 27, 16].
 *   --elements N (default 1000000)  a generated map: element i's base and
 *       exponent come from Philox keyed by (seed, i) (ranges in pow.h) and its
 *       result from hb_pow_block, the vectorised pow, always evaluated in the
 *       aligned block of 8 holding i, whatever the chunk boundaries.
 *
 * Memory: one copy per node, as an HPC code keeps a read-mostly table. Under
 * MPI the ranks of a node (MPI_COMM_TYPE_SHARED) share one MPI shared-memory
 * window on the node's first rank holding the inputs, the results and a
 * counter per task; that rank generates the inputs and first-touches the
 * results at set-up (so the timed map never page-faults), and each task
 * writes its own elements of the node's result array (disjoint, no race) and
 * bumps its counter atomically. With the dynamic schedule no rank knows its
 * tasks in advance, which is why every rank must see all N inputs: sharing
 * them costs one copy per node instead of one per rank. reduce() moves
 * nothing within a node; across nodes each node leader sends its node's task
 * list to rank 0 (over a communicator of the leaders) and then its tasks'
 * elements straight into rank 0's node array with an hindexed datatype built
 * from that list, so rank 0 needs no staging copy. In serial mode (and when
 * MPI is not initialised, as in the unit tests) the same arrays are plain
 * private memory and no MPI call is made.
 *
 * How a run verifies itself (verify() on rank 0):
 *   - every task ran exactly once (the node's task counters, and the task
 *     lists of the other nodes);
 *   - explicit lists: an element with integral base and exponent whose exact
 *     power is below 2^53 must equal the exact integer power (what Python
 *     prints); any other element must equal pow() recomputed on rank 0 bit for
 *     bit (this checks the gather, pow() being the same function);
 *   - generated map: the checksum of the gathered results must equal the
 *     checksum of the whole map recomputed on rank 0 in one range (once per
 *     run, untimed, cached across repeats): so results do not depend on the
 *     layout, schedule or chunk; and 64 spread elements must lie within
 *     HB_POW_TOL_ULPS of glibc's pow, which catches a broken vector pow.
 * The checksum is the result text, so the matrix report can compare rows
 * across layouts against the serial baseline. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hybench/error.h"
#include "hybench/kernel.h"
#include "hybench/numfmt.h"
#include "hybench/parse.h"
#include "hybench/pow.h"
#include "hybench/timer.h"

/* Tolerance of the sampled accuracy check against glibc's pow: the measured
 * maximum over 10^7 generated elements is 1 ulp. */
#define HB_POW_TOL_ULPS 2
#define HB_POW_SAMPLES 64
#define HB_POW_DEFAULT_ELEMENTS 1000000

typedef struct pow_state {
    bool lists;           /* explicit --bases/--exponents */
    size_t n, npad;       /* elements; padded to a multiple of HB_POW_BLOCK */
    size_t chunk, ntasks; /* elements per task */
    uint64_t seed;
    int rank, ranks;
    double *x, *y, *r;  /* npad each, 64-byte aligned, in mem (shared by the node under MPI) */
    unsigned char *cnt; /* per task: how often a rank of this node ran it (rank 0 after
                           reduce: how often anyone did) */
    void *mem;          /* the private block (serial path); NULL with the window */
    bool shared;        /* x, y, r, cnt live in the node's shared window */
    bool locked;        /* the window's lock_all epoch is open */
    MPI_Comm node;      /* ranks sharing this node's memory (rank 0 of it: the leader) */
    MPI_Comm leaders;   /* node leaders, world order (MPI_COMM_NULL on other ranks) */
    MPI_Win win;
    int node_rank, node_size;
    int nodes, max_node; /* node count and most ranks on one node, the same on every rank */
    /* The gather across nodes, allocated at set-up so that reduce, where the
     * leaders are inside collectives, cannot fail on one of them alone:
     * ids   leaders of other nodes: their node's task list; rank 0: every
     *       other node's (at most ntasks in all)
     * tlen, tdisp  the blocks of a datatype over up to ntasks tasks
     * counts, displs  rank 0: per leader */
    uint64_t *ids;
    int *tlen, *counts, *displs;
    MPI_Aint *tdisp;
    size_t missing, dup; /* found by reduce on rank 0 */
    size_t first_bad;    /* a task missing or duplicated */
    bool ref_ready;
    uint64_t ref_sum;      /* checksum of the map recomputed on rank 0 */
    double gen_s, touch_s; /* set-up: generating inputs, first touch of the results */
} pow_state;

static const hb_option pow_options[] = {
    {"bases", "LIST...", "explicit bases, e.g. 1,2,3,4 (with --exponents; may repeat)"},
    {"exponents", "LIST...", "explicit exponents, e.g. 5,4,3,2 (same length as --bases)"},
    {"elements", "N",
     "generated map of N Philox (base, exponent) pairs (default 1000000; not with the lists)"},
    {NULL, NULL, NULL},
};

/* All occurrences of a list option, concatenated (like argparse's append). */
static int parse_lists(const hb_args *args, const char *name, const char *opt, hb_dlist *out,
                       char **text) {
    size_t count = hb_args_count(args, name), len = 0;
    for (size_t i = 0; i < count; i++)
        len += strlen(hb_args_nth(args, name, i)) + 1;
    *text = malloc(len + 1);
    if (!*text)
        return hb_fail(HB_ENOMEM, "%s: out of memory", opt);
    (*text)[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        const char *s = hb_args_nth(args, name, i);
        int rc = hb_parse_dlist(opt, s, out);
        if (rc)
            return rc;
        if (i)
            strcat(*text, ",");
        strcat(*text, s);
    }
    return 0;
}

static void pow_destroy(void *state) {
    pow_state *st = state;
    if (!st)
        return;
    /* Collective over the node, like create: the harness destroys on every rank. */
    if (st->win != MPI_WIN_NULL) {
        if (st->locked)
            MPI_Win_unlock_all(st->win);
        MPI_Win_free(&st->win);
    }
    if (st->leaders != MPI_COMM_NULL)
        MPI_Comm_free(&st->leaders);
    if (st->node != MPI_COMM_NULL)
        MPI_Comm_free(&st->node);
    free(st->mem);
    free(st->ids);
    free(st->tlen);
    free(st->tdisp);
    free(st->counts);
    free(st->displs);
    free(st);
}

static int make_params(const pow_state *st, const char *bases, const char *exps, char **out) {
    size_t len = 96 + (bases ? strlen(bases) + strlen(exps) : 0);
    char *p = malloc(len);
    if (!p)
        return hb_fail(HB_ENOMEM, "--bases: out of memory");
    if (bases)
        snprintf(p, len, "bases=%s exponents=%s chunk=%zu", bases, exps, st->chunk);
    else
        snprintf(p, len, "elements=%zu chunk=%zu seed=%" PRIu64, st->n, st->chunk, st->seed);
    *out = p;
    return 0;
}

/* Options -> sizes; nothing allocated but the explicit lists. */
static int read_options(pow_state *st, const hb_args *args, hb_dlist *xs, hb_dlist *ys,
                        char **btext, char **etext) {
    bool has_b = hb_args_has(args, "bases"), has_e = hb_args_has(args, "exponents");
    const char *el = hb_args_get(args, "elements");
    int rc;
    if (el && (has_b || has_e))
        return hb_fail(HB_EUSAGE,
                       "--elements: '%s' cannot be combined with --bases/--exponents (give "
                       "either explicit lists or a generated map)",
                       el);
    if (has_b != has_e)
        return hb_fail(HB_EUSAGE, "%s: given without %s (explicit lists come in pairs)",
                       has_b ? "--bases" : "--exponents", has_b ? "--exponents" : "--bases");
    if (has_b) {
        if ((rc = parse_lists(args, "bases", "--bases", xs, btext)) ||
            (rc = parse_lists(args, "exponents", "--exponents", ys, etext)))
            return rc;
        if (xs->n != ys->n)
            return hb_fail(HB_EUSAGE,
                           "--bases/--exponents: lists of unequal length (%zu bases, %zu "
                           "exponents)",
                           xs->n, ys->n);
        st->lists = true;
        st->n = xs->n;
    } else {
        st->n = HB_POW_DEFAULT_ELEMENTS;
        if (el && (rc = hb_parse_size("--elements", el, 1, (size_t)1 << 40, &st->n)))
            return rc;
    }
    st->npad = st->n + (HB_POW_BLOCK - st->n % HB_POW_BLOCK) % HB_POW_BLOCK;
    st->ntasks = st->n / st->chunk + (st->n % st->chunk != 0);
    return 0;
}

/* Bytes of the block holding x, y, r (npad doubles each) and the task
 * counters; 64 more in the window, whose base MPI does not align. */
static size_t block_bytes(const pow_state *st) {
    return 3 * st->npad * sizeof(double) + st->ntasks;
}

/* Bytes a node leader needs beyond the block for the gather across nodes: its
 * node's task list (8 per task) or, on rank 0, every other node's (8 per
 * task at most), plus the datatype's int and MPI_Aint per block (12). */
static size_t gather_bytes(const pow_state *st) {
    return st->nodes > 1 ? st->ntasks * (sizeof(uint64_t) + sizeof(int) + sizeof(MPI_Aint)) : 0;
}

/* Refuse, before allocating, a map that cannot fit in one node's memory: one
 * block per node plus the leader's gather lists (rank 0's node needs the
 * most; every node is sized like it). The same answer on every rank:
 * st->nodes and physical memory agree everywhere, so all ranks refuse alike
 * before the window is allocated. */
static int check_memory(const pow_state *st) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    size_t avail = pages > 0 && page > 0 ? (size_t)pages * (size_t)page : SIZE_MAX;
    /* st->n <= 2^40: none of these sums overflows a 64-bit size_t */
    size_t need = block_bytes(st) + 64 + gather_bytes(st);
    if (need > avail)
        return hb_fail(HB_EUSAGE,
                       "--elements: '%zu' needs %zu bytes on one node (one copy of inputs, "
                       "results and task counters shared by its ranks, plus the gather lists) "
                       "but it has %zu bytes of memory",
                       st->n, need, avail);
    return 0;
}

/* Join the run's node layout over the run's communicator (none in --serial,
 * the matrix's check and the unit tests: they keep the private path,
 * st->shared false). Collective; allocates nothing large. The split keys are
 * the run's ranks, so its rank 0 is rank 0 of its node and of the leaders. */
static int join_node(pow_state *st, const hb_kernel_cfg *cfg) {
    if (cfg->comm == MPI_COMM_NULL)
        return 0;
    MPI_Comm run = cfg->comm;
    st->shared = true;
    if (MPI_Comm_split_type(run, MPI_COMM_TYPE_SHARED, cfg->rank, MPI_INFO_NULL, &st->node) !=
            MPI_SUCCESS ||
        MPI_Comm_rank(st->node, &st->node_rank) != MPI_SUCCESS ||
        MPI_Comm_size(st->node, &st->node_size) != MPI_SUCCESS ||
        MPI_Comm_split(run, st->node_rank == 0 ? 0 : MPI_UNDEFINED, cfg->rank, &st->leaders) !=
            MPI_SUCCESS)
        return hb_fail(HB_EMPI, "pow: splitting the run's communicator into nodes failed");
    int lead = st->node_rank == 0;
    if (MPI_Allreduce(&st->node_size, &st->max_node, 1, MPI_INT, MPI_MAX, run) != MPI_SUCCESS ||
        MPI_Allreduce(&lead, &st->nodes, 1, MPI_INT, MPI_SUM, run) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "pow: MPI_Allreduce of the node layout failed");
    return 0;
}

/* The block: a window on the node's rank 0 that the node's other ranks map
 * (MPI_Win_allocate_shared, size 0 on them), or private memory. */
static int allocate(pow_state *st) {
    size_t bytes = block_bytes(st);
    unsigned char *base;
    if (!st->shared) {
        st->mem = aligned_alloc(64, (bytes + 63) / 64 * 64);
        base = st->mem;
        if (!base)
            return hb_fail(HB_ENOMEM, "--elements: no memory for %zu elements", st->n);
    } else {
        MPI_Aint size;
        int unit;
        void *mine;
        if (MPI_Win_allocate_shared(st->node_rank == 0 ? (MPI_Aint)(bytes + 64) : 0, 1,
                                    MPI_INFO_NULL, st->node, &mine, &st->win) != MPI_SUCCESS ||
            MPI_Win_shared_query(st->win, 0, &size, &unit, &base) != MPI_SUCCESS)
            return hb_fail(HB_ENOMEM,
                           "--elements: no shared memory window of %zu bytes for %zu elements",
                           bytes + 64, st->n);
        /* Passive epoch for the whole life of the window: MPI_Win_sync needs one. */
        if (MPI_Win_lock_all(MPI_MODE_NOCHECK, st->win) != MPI_SUCCESS)
            return hb_fail(HB_EMPI, "pow: MPI_Win_lock_all failed");
        st->locked = true;
        base += (64 - (uintptr_t)base % 64) % 64; /* hb_pow_block wants 64-byte rows */
    }
    st->x = (double *)(void *)base;
    st->y = st->x + st->npad;
    st->r = st->y + st->npad;
    st->cnt = (unsigned char *)(st->r + st->npad);
    if (st->shared && st->nodes > 1 && st->node_rank == 0) {
        size_t n = st->ntasks ? st->ntasks : 1, nl = (size_t)st->nodes;
        st->ids = malloc(n * sizeof *st->ids);
        st->tlen = malloc(n * sizeof *st->tlen);
        st->tdisp = malloc(n * sizeof *st->tdisp);
        if (st->rank == 0) {
            st->counts = calloc(nl, sizeof *st->counts);
            st->displs = calloc(nl, sizeof *st->displs);
        }
        if (!st->ids || !st->tlen || !st->tdisp || (st->rank == 0 && (!st->counts || !st->displs)))
            return hb_fail(HB_ENOMEM, "pow: no memory for the gather across nodes (%zu tasks)",
                           st->ntasks);
    }
    return 0;
}

/* The node's ranks after its leader wrote the block: make the stores visible
 * (MPI_Win_sync) on both sides of a barrier, as the shared-memory model asks. */
static int node_sync(pow_state *st) {
    if (!st->shared)
        return 0;
    if (MPI_Win_sync(st->win) != MPI_SUCCESS || MPI_Barrier(st->node) != MPI_SUCCESS ||
        MPI_Win_sync(st->win) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "pow: synchronising the node's shared window failed");
    return 0;
}

/* The state's fields that need no memory of the map: identical in plan and create. */
static void init_state(pow_state *st, const hb_kernel_cfg *cfg) {
    st->node = st->leaders = MPI_COMM_NULL;
    st->win = MPI_WIN_NULL;
    st->chunk = cfg->chunk ? cfg->chunk : 1;
    st->seed = cfg->seed;
    st->rank = cfg->rank;
    st->ranks = cfg->ranks > 0 ? cfg->ranks : 1;
    st->nodes = st->max_node = st->node_size = 1;
}

/* The sizes' limits, checked before anything is allocated (one node's
 * memory in plan; the node count is known in create, after join_node). */
static int check_sizes(const pow_state *st) {
    int rc;
    if (!st->lists && (rc = check_memory(st)))
        return rc;
    if (st->ntasks > INT_MAX)
        return hb_fail(
            HB_EUSAGE,
            "--chunk: '%zu' cuts %zu elements into %zu tasks, more than the %d one run can gather",
            st->chunk, st->n, st->ntasks, INT_MAX);
    return 0;
}

/* Per element, one core: the timed map (bench/pow_bench.sh: 1.7 ns) plus
 * generating the inputs once per launch (about as much again). */
#define POW_SECONDS_PER_ELEMENT 4e-9

static int pow_plan(const hb_args *args, const hb_kernel_cfg *cfg, hb_kernel_plan *out) {
    hb_dlist xs = {0}, ys = {0};
    char *btext = NULL, *etext = NULL;
    pow_state st = {0};
    init_state(&st, cfg);
    int rc = read_options(&st, args, &xs, &ys, &btext, &etext);
    if (!rc)
        rc = check_sizes(&st);
    if (!rc)
        rc = make_params(&st, btext, etext, &out->params);
    if (!rc) {
        out->ntasks = st.ntasks;
        out->work_s = (double)st.n * POW_SECONDS_PER_ELEMENT;
    }
    hb_dlist_free(&xs);
    hb_dlist_free(&ys);
    free(btext);
    free(etext);
    return rc;
}

static int pow_create(const hb_args *args, const hb_kernel_cfg *cfg, void **out) {
    hb_dlist xs = {0}, ys = {0};
    char *btext = NULL, *etext = NULL;
    pow_state *st = calloc(1, sizeof *st);
    int rc;
    if (!st)
        return hb_fail(HB_ENOMEM, "--kernel: out of memory for the pow kernel");
    init_state(st, cfg);
    if ((rc = read_options(st, args, &xs, &ys, &btext, &etext)))
        goto out_fail;
    if ((rc = join_node(st, cfg)))
        goto out_fail;
    /* Before any allocation (explicit lists are as small as their text). */
    if ((rc = check_sizes(st)))
        goto out_fail;
    hb_pow_init();
    if ((rc = allocate(st)))
        goto out_fail;
    if (st->node_rank == 0) {
        double t0 = hb_time_now();
        if (st->lists) {
            memcpy(st->x, xs.v, st->n * sizeof *st->x);
            memcpy(st->y, ys.v, st->n * sizeof *st->y);
            for (size_t i = st->n; i < st->npad; i++)
                st->x[i] = st->y[i] = 1.0;
        } else {
            hb_pow_generate(st->seed, 0, st->npad, st->x, st->y);
        }
        double t1 = hb_time_now();
        /* First touch by the leader: the node's pages live near it (with a
         * dynamic schedule there is no better owner). NaN until computed. */
        memset(st->r, 0xff, st->npad * sizeof *st->r);
        memset(st->cnt, 0, st->ntasks);
        st->gen_s = t1 - t0;
        st->touch_s = hb_time_now() - t1;
    }
    if ((rc = node_sync(st)))
        goto out_fail;
    hb_dlist_free(&xs);
    hb_dlist_free(&ys);
    free(btext);
    free(etext);
    *out = st;
    return 0;
out_fail:
    hb_dlist_free(&xs);
    hb_dlist_free(&ys);
    free(btext);
    free(etext);
    pow_destroy(st);
    return rc;
}

static int pow_begin(void *state) {
    pow_state *st = state;
    st->missing = st->dup = 0;
    if (st->node_rank == 0) {
        memset(st->cnt, 0, st->ntasks);
        /* Poison the results so an element that no task writes (or that is
         * never gathered) cannot pass with a value left from an earlier repeat. */
        if (st->ranks > 1)
            memset(st->r, 0xff, st->npad * sizeof *st->r);
    }
    /* No rank of the node may start tasks before the leader has reset. */
    return node_sync(st);
}

static int pow_task(void *state, size_t task, const hb_worker *w) {
    (void)w;
    pow_state *st = state;
    size_t begin = task * st->chunk;
    size_t end = begin + st->chunk < st->n ? begin + st->chunk : st->n;
    if (st->lists)
        for (size_t i = begin; i < end; i++)
            st->r[i] = pow(st->x[i], st->y[i]);
    else
        hb_pow_map(st->x, st->y, st->r, begin, end);
    /* Threads and the node's other ranks count into the same bytes; a GCC
     * builtin because the window is plain memory, not C11 _Atomic objects. */
    __atomic_fetch_add(&st->cnt[task], 1, __ATOMIC_RELAXED);
    return 0;
}

/* The datatype that places tasks ids[0..n) at their elements of r: one block
 * per run of consecutive tasks (a static schedule gives one per worker). */
static int task_type(const pow_state *st, const uint64_t *ids, size_t n, MPI_Datatype *type) {
    int *len = st->tlen, rc = 0, nb = 0;
    MPI_Aint *disp = st->tdisp;
    for (size_t k = 0; k < n; k++) {
        size_t b = ids[k] * st->chunk, e = b + st->chunk < st->n ? b + st->chunk : st->n;
        /* extend the previous block while tasks are consecutive and it stays an int */
        if (nb > 0 && (size_t)disp[nb - 1] / sizeof(double) + (size_t)len[nb - 1] == b &&
            (size_t)len[nb - 1] + (e - b) <= INT_MAX) {
            len[nb - 1] += (int)(e - b);
        } else {
            disp[nb] = (MPI_Aint)(b * sizeof(double));
            len[nb++] = (int)(e - b);
        }
    }
    if (MPI_Type_create_hindexed(nb, len, disp, MPI_DOUBLE, type) != MPI_SUCCESS ||
        MPI_Type_commit(type) != MPI_SUCCESS)
        rc = hb_fail(HB_EMPI, "pow: building the gather's datatype failed");
    return rc;
}

/* Rank 0: add another node's task list ids[0..n) to the counters, counting
 * repeats (within that node they were counted there). */
static void account(pow_state *st, const uint64_t *ids, size_t n) {
    for (size_t k = 0; k < n; k++) {
        if (ids[k] >= st->ntasks || st->cnt[ids[k]]) {
            if (!st->dup++)
                st->first_bad = ids[k];
        } else {
            st->cnt[ids[k]] = 1;
        }
    }
}

/* Rank 0, last: tasks nobody ran, and repeats within its own node. */
static void count_tasks(pow_state *st) {
    for (size_t t = st->ntasks; t-- > 0;) {
        if (!st->cnt[t]) {
            st->missing++;
            st->first_bad = t;
        } else if (st->cnt[t] > 1) {
            st->dup += st->cnt[t] - 1u;
            st->first_bad = t;
        }
    }
}

/* Across nodes, over the leaders' communicator: each leader's task list to
 * rank 0, then its tasks' elements straight into rank 0's node array. */
static int gather_nodes(pow_state *st) {
    MPI_Comm comm = st->leaders;
    int me, size, rc = 0;
    size_t mine = 0;
    uint64_t node_dup = 0, total_dup = 0;
    if (MPI_Comm_rank(comm, &me) != MPI_SUCCESS || MPI_Comm_size(comm, &size) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "pow: MPI_Comm_rank/size of the node leaders failed");
    if (me != 0) /* rank 0's own node is counted in place */
        for (size_t t = 0; t < st->ntasks; t++)
            if (st->cnt[t]) {
                st->ids[mine++] = t; /* ascending: few datatype blocks */
                node_dup += st->cnt[t] - 1u;
            }
    int count = (int)mine, *counts = st->counts, *displs = st->displs;
    uint64_t *all = st->ids; /* rank 0 sends none of its own */
    if (MPI_Reduce(&node_dup, &total_dup, 1, MPI_UINT64_T, MPI_SUM, 0, comm) != MPI_SUCCESS ||
        MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, comm) != MPI_SUCCESS) {
        rc = hb_fail(HB_EMPI, "pow: MPI_Gather of the nodes' task counts failed");
        goto out;
    }
    /* Each node lists a task once, so more ids than tasks means a task ran
     * on two nodes: every leader learns it and skips the rest (the verdict
     * fails on the duplicates), rather than rank 0 leaving the others
     * inside a collective. */
    size_t total = 0;
    int fits = 1;
    if (me == 0) {
        st->dup += total_dup;
        for (int q = 0; q < size; q++) {
            displs[q] = (int)total;
            total += (size_t)counts[q];
        }
        fits = total <= st->ntasks;
        if (!fits)
            st->dup += total - st->ntasks;
    }
    if (MPI_Bcast(&fits, 1, MPI_INT, 0, comm) != MPI_SUCCESS) {
        rc = hb_fail(HB_EMPI, "pow: MPI_Bcast among the node leaders failed");
        goto out;
    }
    if (!fits)
        goto out;
    if (MPI_Gatherv(me == 0 ? MPI_IN_PLACE : st->ids, count, MPI_UINT64_T, all, counts, displs,
                    MPI_UINT64_T, 0, comm) != MPI_SUCCESS) {
        rc = hb_fail(HB_EMPI, "pow: MPI_Gatherv of the nodes' task ids failed");
        goto out;
    }
    if (me != 0) {
        MPI_Datatype type;
        if ((rc = task_type(st, st->ids, mine, &type)))
            goto out;
        if (MPI_Send(st->r, 1, type, 0, 0, comm) != MPI_SUCCESS)
            rc = hb_fail(HB_EMPI, "pow: sending the node's results to rank 0 failed");
        MPI_Type_free(&type);
        goto out;
    }
    for (int q = 1; q < size && !rc; q++) {
        const uint64_t *ids = all + displs[q];
        MPI_Datatype type;
        account(st, ids, (size_t)counts[q]);
        if ((rc = task_type(st, ids, (size_t)counts[q], &type)))
            break;
        if (MPI_Recv(st->r, 1, type, q, 0, comm, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            rc = hb_fail(HB_EMPI, "pow: receiving results from node leader %d failed", q);
        MPI_Type_free(&type);
    }
out:
    return rc;
}

static int pow_reduce(void *state, MPI_Comm comm) {
    pow_state *st = state;
    int rc = 0;
    /* Within a node nothing moves: the results and counters are already in
     * the node's window; the sync makes every rank's stores visible to the
     * leader (which reads them to verify or to send them on). */
    if (comm != MPI_COMM_NULL && (rc = node_sync(st)))
        return rc;
    if (comm != MPI_COMM_NULL && st->shared && st->nodes > 1 && st->node_rank == 0)
        rc = gather_nodes(st);
    if (!rc && st->rank == 0)
        count_tasks(st);
    return rc;
}

/* x^y for integral x and y >= 0 when the exact value is below 2^53: *out
 * set and true; false when not exactly representable that way. */
static bool exact_int_pow(double x, double y, double *out) {
    const double lim = 9007199254740992.0; /* 2^53 */
    if (x != floor(x) || y != floor(y) || y < 0 || fabs(x) >= lim || y > 1100)
        return false;
    double acc = 1, base = x;
    for (long e = (long)y; e > 0; e >>= 1) {
        if (e & 1) {
            acc *= base;
            if (fabs(acc) >= lim)
                return false;
        }
        if (e > 1) {
            if (fabs(base) >= 94906266.0) /* base^2 would pass 2^53 */
                return false;
            base *= base;
        }
    }
    *out = acc;
    return true;
}

static int verify_lists(pow_state *st, hb_verdict *v) {
    char *list = hb_pow_format_list(st->r, st->n);
    if (!list)
        return hb_fail(HB_ENOMEM, "pow: no memory for the result list");
    size_t len = strlen(list);
    if (len < sizeof v->result) {
        memcpy(v->result, list, len + 1);
    } else {
        /* Too long for the result column: a prefix cut at an element, the
         * count and the checksum (so two different lists never compare equal). */
        int keep = (int)sizeof v->result - 48;
        while (keep > 1 && list[keep] != ',')
            keep--;
        snprintf(v->result, sizeof v->result, "%.*s, ...] n=%zu sum=%016" PRIx64, keep, list, st->n,
                 hb_pow_checksum(st->r, 0, st->n));
    }
    v->report = list;
    v->status = HB_VERIFIED;
    for (size_t i = 0; i < st->n; i++) {
        double want, got = st->r[i];
        bool exact = exact_int_pow(st->x[i], st->y[i], &want);
        if (!exact)
            want = pow(st->x[i], st->y[i]);
        if (memcmp(&want, &got, sizeof got) != 0 && !(isnan(want) && isnan(got))) {
            char a[HB_NUMFMT_MAX], b[HB_NUMFMT_MAX];
            v->status = HB_FAILED;
            snprintf(v->why, sizeof v->why, "element %zu: pow(%s, %s) gave %s, expected %s (%s)", i,
                     hb_fmt_repr(a, st->x[i]), hb_fmt_repr(b, st->y[i]),
                     hb_fmt_repr((char[HB_NUMFMT_MAX]){0}, got),
                     hb_fmt_repr((char[HB_NUMFMT_MAX]){0}, want),
                     exact ? "exact integer power" : "pow() on rank 0");
            break;
        }
    }
    return 0;
}

/* Checksum of the whole map computed on rank 0 in one range, block by block. */
static uint64_t reference_sum(const pow_state *st, size_t *first_diff) {
    enum { STEP = 4096 };
    double buf[STEP];
    uint64_t sum = 0;
    *first_diff = SIZE_MAX;
    for (size_t b = 0; b < st->n; b += STEP) {
        size_t m = st->n - b < STEP ? st->n - b : STEP;
        hb_pow_block(st->x + b, st->y + b, buf, (m + HB_POW_BLOCK - 1) / HB_POW_BLOCK);
        sum += hb_pow_checksum(buf, b, m);
        if (*first_diff == SIZE_MAX && memcmp(buf, st->r + b, m * sizeof *buf) != 0)
            for (size_t i = 0; i < m && *first_diff == SIZE_MAX; i++)
                if (memcmp(&buf[i], &st->r[b + i], sizeof *buf) != 0)
                    *first_diff = b + i;
    }
    return sum;
}

static int verify_map(pow_state *st, hb_verdict *v) {
    uint64_t sum = hb_pow_checksum(st->r, 0, st->n), worst = 0;
    size_t diff = SIZE_MAX;
    if (!st->ref_ready) {
        st->ref_sum = reference_sum(st, &diff);
        st->ref_ready = true;
    }
    if (sum != st->ref_sum && diff == SIZE_MAX)
        (void)reference_sum(st, &diff);
    for (size_t k = 0; k < HB_POW_SAMPLES && k < st->n; k++) {
        size_t i = k * (st->n / HB_POW_SAMPLES) + (st->n >= HB_POW_SAMPLES ? k % 7 : 0);
        i = i < st->n ? i : st->n - 1;
        uint64_t u = hb_pow_ulps(st->r[i], pow(st->x[i], st->y[i]));
        worst = u > worst ? u : worst;
    }
    snprintf(v->result, sizeof v->result, "%016" PRIx64, sum);
    if (sum != st->ref_sum) {
        v->status = HB_FAILED;
        snprintf(v->why, sizeof v->why,
                 "checksum %016" PRIx64 " differs from %016" PRIx64
                 " recomputed on rank 0; first differing element %zu",
                 sum, st->ref_sum, diff);
    } else if (worst > HB_POW_TOL_ULPS) {
        v->status = HB_FAILED;
        snprintf(v->why, sizeof v->why, "a sampled element is %" PRIu64 " ulps from glibc's pow",
                 worst);
    } else {
        v->status = HB_VERIFIED;
    }
    double mib = 1.0 / (1 << 20);
    /* One block per node (mapped by all its ranks, which hold no private
     * copy); the leaders' gather lists exist only across nodes. */
    size_t node = block_bytes(st) + (st->shared ? 64 : 0), lists = gather_bytes(st);
    char *rep = malloc(640);
    if (rep)
        snprintf(rep, 640,
                 "pow map: %zu elements in %zu tasks of %zu; checksum %016" PRIx64
                 " (recomputed on rank 0: %s); max error of %d sampled elements vs glibc pow: "
                 "%" PRIu64 " ulp\n"
                 "memory: %.1f MiB per node (inputs, results and task counters: one copy shared "
                 "by up to %d rank%s on each of %d node%s) + %.1f MiB of gather lists on each "
                 "node leader; rank 0 %.1f MiB in all\n"
                 "set-up on rank 0: inputs %.3f s, first touch of the results %.3f s "
                 "(%.2f ns per element)",
                 st->n, st->ntasks, st->chunk, sum, sum == st->ref_sum ? "equal" : "DIFFERENT",
                 HB_POW_SAMPLES, worst, node * mib, st->max_node, st->max_node == 1 ? "" : "s",
                 st->nodes, st->nodes == 1 ? "" : "s", lists * mib, (node + lists) * mib, st->gen_s,
                 st->touch_s, st->touch_s / (double)st->n * 1e9);
    v->report = rep;
    return 0;
}

static int pow_verify(void *state, hb_verdict *v) {
    pow_state *st = state;
    if (st->missing || st->dup) {
        v->status = HB_FAILED;
        snprintf(v->why, sizeof v->why,
                 "%zu tasks never gathered and %zu gathered twice (e.g. %zu)", st->missing, st->dup,
                 st->first_bad);
        snprintf(v->result, sizeof v->result, "incomplete");
        return 0;
    }
    return st->lists ? verify_lists(st, v) : verify_map(st, v);
}

const hb_kernel hb_kernel_pow = {
    .name = "pow",
    .summary = "power map: pow over explicit lists or N generated elements, --chunk per task",
    .options = pow_options,
    .flags = HB_KF_GRAIN,
    .plan = pow_plan,
    .create = pow_create,
    .begin = pow_begin,
    .task = pow_task,
    .reduce = pow_reduce,
    .verify = pow_verify,
    .destroy = pow_destroy,
};
