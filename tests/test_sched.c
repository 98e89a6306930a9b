/* Tests of the schedules (sched.h): every task is run exactly once, for
 * awkward task counts, worker counts and chunks.
 *
 *   test_sched                 static and cyclic by iterating every worker's
 *                              iterator; dynamic with OpenMP threads on
 *                              MPI_COMM_NULL (the process-local counter),
 *                              flat and in two levels over 1-3 emulated
 *                              nodes; the hand-out decisions on their own
 *   test_sched --mpi           under mpiexec -n 2: every schedule across the
 *                              ranks x 2 threads with MPI_THREAD_MULTIPLE,
 *                              dynamic with each hand-out (two levels with
 *                              both ranks on one node's counter, too);
 *                              which tasks each worker ran is gathered on rank 0
 *   test_sched --mpi-reset [H] under mpiexec -n 2: hb_sched_reset called right
 *                              after a map, with a slower rank still working
 *                              (H: the dynamic hand-out, default auto)
 *
 * With MPIR_CVAR_NOLOCAL=1 MPICH treats every rank as its own node, so the
 * dynamic counter takes its cross-node MPI_Fetch_and_op path (and the
 * automatic hand-out its two levels, one node counter per rank);
 * --expect-rma checks that it did. */
#define _POSIX_C_SOURCE 200809L
#include <mpi.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "hybench/error.h"
#include "hybench/sched.h"

static const size_t task_counts[] = {0, 1, 7, 100, 1001};
static const int worker_counts[] = {1, 2, 3, 10, 17};
static const size_t chunks[] = {1, 3, 64, 5000};
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const hb_sched_kind kinds[] = {HB_SCHED_STATIC, HB_SCHED_CYCLIC, HB_SCHED_DYNAMIC};
static const hb_handout handouts[] = {HB_HANDOUT_AUTO, HB_HANDOUT_FLAT, HB_HANDOUT_TWO_LEVEL};

/* Tasks that were run other than exactly once; prints the first few. */
static int count_misses(const int *count, size_t n, const char *what) {
    int misses = 0;
    for (size_t i = 0; i < n; i++)
        if (count[i] != 1 && misses++ < 3)
            fprintf(stderr, "%s: task %zu ran %d times\n", what, i, count[i]);
    return misses;
}

/* --- one process ---------------------------------------------------------- */

static void test_names(void) {
    hb_sched_kind k = HB_SCHED_DYNAMIC;
    CHECK_INT(hb_sched_parse("static", &k), 0);
    CHECK_INT(k, HB_SCHED_STATIC);
    CHECK_INT(hb_sched_parse("cyclic", &k), 0);
    CHECK_INT(k, HB_SCHED_CYCLIC);
    CHECK_INT(hb_sched_parse("dynamic", &k), 0);
    CHECK_INT(k, HB_SCHED_DYNAMIC);
    for (size_t i = 0; i < NELEMS(kinds); i++) {
        CHECK_INT(hb_sched_parse(hb_sched_name(kinds[i]), &k), 0);
        CHECK_INT(k, kinds[i]);
    }
    static const char *const bad[] = {"foo", "", "Static", "static ", "dyn", "guided"};
    for (size_t i = 0; i < NELEMS(bad); i++) {
        k = HB_SCHED_CYCLIC;
        int rc = hb_sched_parse(bad[i], &k);
        CHECK_INT(rc, HB_EUSAGE);
        CHECK_INT(k, HB_SCHED_CYCLIC);
        CHECK(strstr(hb_errmsg(rc), "--schedule") != NULL);
    }
    CHECK_INT(hb_sched_parse(NULL, &k), HB_EUSAGE);
    for (size_t i = 0; i < NELEMS(handouts); i++) {
        hb_handout h = HB_HANDOUT_AUTO;
        CHECK_INT(hb_handout_parse(hb_handout_name(handouts[i]), &h), 0);
        CHECK_INT(h, handouts[i]);
    }
    hb_handout h = HB_HANDOUT_FLAT;
    CHECK_INT(hb_handout_parse("twolevel", &h), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--handout") != NULL);
    CHECK_INT(h, HB_HANDOUT_FLAT);
    CHECK_INT(hb_handout_parse(NULL, &h), HB_EUSAGE);
    CHECK_INT(hb_sched_thread_level(HB_SCHED_DYNAMIC, 2), MPI_THREAD_MULTIPLE);
    CHECK_INT(hb_sched_thread_level(HB_SCHED_DYNAMIC, 1), MPI_THREAD_MULTIPLE);
    CHECK_INT(hb_sched_thread_level(HB_SCHED_STATIC, 8), MPI_THREAD_FUNNELED);
    CHECK_INT(hb_sched_thread_level(HB_SCHED_CYCLIC, 8), MPI_THREAD_FUNNELED);

    hb_sched *s = NULL;
    CHECK_INT(hb_sched_create(&s, HB_SCHED_CYCLIC, 10, 0, 2, MPI_COMM_NULL), HB_EUSAGE);
    CHECK_INT(hb_sched_create(&s, HB_SCHED_STATIC, 10, 1, 0, MPI_COMM_NULL), HB_EUSAGE);
    CHECK(s == NULL);
    hb_sched_free(NULL);
}

/* Static and cyclic, one worker iterator after another. */
static void check_iterated(hb_sched_kind kind, size_t n, size_t chunk, int w) {
    char what[96];
    snprintf(what, sizeof what, "%s N=%zu W=%d chunk=%zu", hb_sched_name(kind), n, w, chunk);
    hb_sched *s = NULL;
    int rc = hb_sched_create(&s, kind, n, chunk, w, MPI_COMM_NULL);
    CHECK_INT(rc, 0);
    if (rc)
        return;
    int *count = calloc(n + 1, sizeof *count);
    size_t *sizes = calloc((size_t)w, sizeof *sizes);
    size_t prev_end = 0;
    for (int repeat = 0; repeat < 2; repeat++) {
        memset(count, 0, (n + 1) * sizeof *count);
        memset(sizes, 0, (size_t)w * sizeof *sizes);
        prev_end = 0;
        CHECK_INT(hb_sched_reset(s), 0);
        for (int wk = 0; wk < w; wk++) {
            hb_sched_iter it;
            hb_sched_iter_init(&it, wk);
            size_t b, e, k = 0;
            while (hb_sched_next(s, &it, &b, &e)) {
                if (!(b < e && e <= n) || k > n) {
                    fprintf(stderr, "%s: worker %d got [%zu, %zu)\n", what, wk, b, e);
                    CHECK(0);
                    break;
                }
                if (kind == HB_SCHED_STATIC) {
                    /* One contiguous block per worker, in worker order. */
                    CHECK_INT(k, 0);
                    CHECK_INT(b, prev_end);
                    prev_end = e;
                } else {
                    /* Worker wk's k-th block is block wk + k*W, chunk tasks long. */
                    size_t block = (size_t)wk + k * (size_t)w;
                    CHECK_INT(b, block * chunk);
                    CHECK_INT(e, block * chunk + chunk < n ? block * chunk + chunk : n);
                }
                for (size_t i = b; i < e; i++)
                    count[i]++;
                sizes[wk] += e - b;
                k++;
            }
            /* Exhausted stays exhausted. */
            CHECK_INT(hb_sched_next(s, &it, &b, &e), 0);
        }
        int misses = count_misses(count, n, what);
        CHECK_INT(misses, 0);
        if (kind == HB_SCHED_STATIC) {
            CHECK_INT(prev_end, n);
            size_t lo = sizes[0], hi = sizes[0];
            for (int wk = 1; wk < w; wk++) {
                lo = sizes[wk] < lo ? sizes[wk] : lo;
                hi = sizes[wk] > hi ? sizes[wk] : hi;
            }
            if (hi - lo > 1)
                fprintf(stderr, "%s: static block sizes from %zu to %zu\n", what, lo, hi);
            CHECK(hi - lo <= 1);
        }
    }
    free(sizes);
    free(count);
    hb_sched_free(s);
}

/* Dynamic on MPI_COMM_NULL: w OpenMP threads share the process-local counter,
 * flat or in two levels over `nodes` emulated nodes. */
static void check_dynamic_local(size_t n, size_t chunk, int w, hb_handout handout, int nodes) {
    char what[128];
    snprintf(what, sizeof what, "dynamic local %s nodes=%d N=%zu W=%d chunk=%zu",
             hb_handout_name(handout), nodes, n, w, chunk);
    hb_sched *s = NULL;
    hb_sched_spec sp = {.kind = HB_SCHED_DYNAMIC,
                        .ntasks = n,
                        .chunk = chunk,
                        .nworkers = w,
                        .handout = handout,
                        .local_nodes = nodes};
    int rc = hb_sched_create_spec(&s, &sp, MPI_COMM_NULL);
    CHECK_INT(rc, 0);
    if (rc)
        return;
    CHECK_INT(hb_sched_two_level(s),
              handout == HB_HANDOUT_TWO_LEVEL || (handout == HB_HANDOUT_AUTO && nodes > 1));
    int *count = calloc(n + 1, sizeof *count);
    for (int repeat = 0; repeat < 3; repeat++) {
        memset(count, 0, (n + 1) * sizeof *count);
        if (repeat > 0)
            CHECK_INT(hb_sched_reset(s), 0);
        int bad_ranges = 0;
#pragma omp parallel num_threads(w) reduction(+ : bad_ranges)
        {
            hb_sched_iter it;
            hb_sched_iter_init(&it, omp_get_thread_num());
            size_t b, e;
            while (hb_sched_next(s, &it, &b, &e)) {
                size_t want_end = b + chunk < n ? b + chunk : n;
                if (!(b < e && e <= n) || b % chunk != 0 || e != want_end) {
                    bad_ranges++;
                    break;
                }
                for (size_t i = b; i < e; i++)
                    __atomic_fetch_add(&count[i], 1, __ATOMIC_RELAXED);
            }
            if (hb_sched_next(s, &it, &b, &e))
                bad_ranges++;
        }
        CHECK_INT(bad_ranges, 0);
        int misses = count_misses(count, n, what);
        CHECK_INT(misses, 0);
        /* Two levels: far fewer global operations than chunks once there are
         * many chunks per node (guided blocks: a few per node per doubling). */
        if (hb_sched_two_level(s) && n / chunk >= 1000)
            CHECK(hb_sched_global_ops(s) < n / chunk / 4);
    }
    free(count);
    hb_sched_free(s);
}

/* The decisions on their own: block lengths and what a grab in a block gets. */
static void test_decisions(void) {
    size_t b = 0, e = 0;
    /* 7 tasks on 10 workers: 3 get nothing. */
    int got = 0;
    for (size_t wk = 0; wk < 10; wk++)
        got += hb_sched_static_range(7, 10, wk, &b, &e);
    CHECK_INT(got, 7);
    CHECK_INT(hb_sched_chunk_range(10, 4, 8, &b, &e), 1);
    CHECK_INT(b, 8);
    CHECK_INT(e, 10);
    CHECK_INT(hb_sched_chunk_range(10, 4, 12, &b, &e), 0);
    /* Chunks of 3 of 10 tasks dealt to 2 workers: worker 1 has blocks 1 and 3. */
    CHECK_INT(hb_sched_cyclic_range(10, 2, 3, 1, 1, &b, &e), 1);
    CHECK_INT(b, 9);
    CHECK_INT(e, 10);
    CHECK_INT(hb_sched_cyclic_range(10, 2, 3, 1, 2, &b, &e), 0);
    CHECK_INT(hb_sched_cyclic_range(10, 2, 3, 1, 0, &b, &e), 1);
    CHECK_INT(b, 3);
    CHECK_INT(e, 6);
    /* Guided: half of one node's share of what remains, rounded up to the
     * chunk, at least a chunk per worker. */
    CHECK_INT(hb_sched_block_len(1000, 0, 2, 1, 4), 250);
    CHECK_INT(hb_sched_block_len(1000, 500, 2, 1, 4), 125);
    CHECK_INT(hb_sched_block_len(1000, 990, 2, 1, 4), 4);
    CHECK_INT(hb_sched_block_len(1000, 2000, 2, 1, 4), 4);
    CHECK_INT(hb_sched_block_len(1000, 0, 2, 16, 4), 256);
    CHECK_INT(hb_sched_block_len(7, 0, 1, 3, 1), 6);
    hb_block blk = hb_sched_block_make(100, 90, 20);
    CHECK_INT(blk.start, 90);
    CHECK_INT(blk.len, 10);
    blk = hb_sched_block_make(100, 120, 20);
    CHECK_INT(blk.len, 0);
    CHECK_INT(hb_sched_block_take(blk, 100, 0, 4, &b, &e), HB_TAKE_DONE);
    /* The empty first block: the first grab fetches, the others wait. */
    hb_block empty = {0, 0};
    CHECK_INT(hb_sched_block_take(empty, 100, 0, 4, &b, &e), HB_TAKE_REFILL);
    CHECK_INT(hb_sched_block_take(empty, 100, 4, 4, &b, &e), HB_TAKE_WAIT);
    CHECK_INT(hb_sched_block_take(empty, 0, 0, 4, &b, &e), HB_TAKE_DONE);
    /* A block of 10 at 90 in chunks of 4: 0 and 4 run, 8 runs 98..100 and
     * fetches (it covers position 10), 12 waits. */
    blk = (hb_block){90, 10};
    CHECK_INT(hb_sched_block_take(blk, 100, 0, 4, &b, &e), HB_TAKE_RANGE);
    CHECK_INT(b, 90);
    CHECK_INT(e, 94);
    CHECK_INT(hb_sched_block_take(blk, 100, 8, 4, &b, &e), HB_TAKE_RANGE_REFILL);
    CHECK_INT(b, 98);
    CHECK_INT(e, 100);
    CHECK_INT(hb_sched_block_take(blk, 100, 12, 4, &b, &e), HB_TAKE_WAIT);
    /* A block of whole chunks: the first grab past its end fetches. */
    blk = (hb_block){0, 8};
    CHECK_INT(hb_sched_block_take(blk, 100, 4, 4, &b, &e), HB_TAKE_RANGE);
    CHECK_INT(hb_sched_block_take(blk, 100, 8, 4, &b, &e), HB_TAKE_REFILL);
    CHECK_INT(hb_sched_block_take(blk, 100, 12, 4, &b, &e), HB_TAKE_WAIT);
}

static int run_local(void) {
    test_names();
    test_decisions();
    for (size_t a = 0; a < NELEMS(task_counts); a++)
        for (size_t b = 0; b < NELEMS(worker_counts); b++)
            for (size_t c = 0; c < NELEMS(chunks); c++) {
                size_t n = task_counts[a], chunk = chunks[c];
                int w = worker_counts[b];
                check_iterated(HB_SCHED_STATIC, n, chunk, w);
                check_iterated(HB_SCHED_CYCLIC, n, chunk, w);
                check_dynamic_local(n, chunk, w, HB_HANDOUT_FLAT, 1);
                for (int nodes = 1; nodes <= 3 && nodes <= w; nodes++)
                    check_dynamic_local(n, chunk, w, HB_HANDOUT_TWO_LEVEL, nodes);
            }
    /* Many chunks per node: the global counter is touched per block. */
    check_dynamic_local(100000, 1, 4, HB_HANDOUT_AUTO, 2);
    check_dynamic_local(100003, 7, 5, HB_HANDOUT_TWO_LEVEL, 2);
    return hb_check_summary();
}

/* --- under mpiexec -n 2 ------------------------------------------------------ */

#define THREADS 2

/* Ranks whose node (shared-memory communicator) holds every rank: 1 when the
 * dynamic counter is a shared-memory atomic, 0 when it is remote RMA. */
static int all_on_one_node(void) {
    MPI_Comm node;
    int size, node_size;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_size(node, &node_size);
    MPI_Comm_free(&node);
    return node_size == size;
}

static void sleep_us(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* One repeat of the map: every thread of this rank takes ranges until none is
 * left, marking owner[i] = its global worker id and count[i]++. */
/* slow_us: sleep in every task; first_us: sleep in each thread's first task only. */
static void map_mpi(hb_sched *s, int rank, size_t n, int *count, int *owner, long slow_us,
                    long first_us, int *bad_ranges) {
    int bad = 0;
#pragma omp parallel num_threads(THREADS) reduction(+ : bad)
    {
        int id = rank * THREADS + omp_get_thread_num();
        hb_sched_iter it;
        hb_sched_iter_init(&it, id);
        size_t b, e;
        int first = 1;
        while (hb_sched_next(s, &it, &b, &e)) {
            if (!(b < e && e <= n)) {
                bad++;
                break;
            }
            for (size_t i = b; i < e; i++) {
                __atomic_fetch_add(&count[i], 1, __ATOMIC_RELAXED);
                __atomic_store_n(&owner[i], id, __ATOMIC_RELAXED);
                if (slow_us || (first && first_us))
                    sleep_us(first ? slow_us + first_us : slow_us);
                first = 0;
            }
        }
    }
    *bad_ranges += bad;
}

/* Sum the per-rank counts and owners on rank 0 and check them there. */
static void check_gathered(const int *count, const int *owner, size_t n, int w, int rank,
                           hb_sched_kind kind, size_t chunk, const char *what) {
    int *sum = rank == 0 ? calloc(n + 1, sizeof *sum) : NULL;
    int *who = rank == 0 ? calloc(n + 1, sizeof *who) : NULL;
    MPI_Reduce(count, sum, (int)n, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(owner, who, (int)n, MPI_INT, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        int misses = count_misses(sum, n, what);
        CHECK_INT(misses, 0);
        int wrong_owner = 0;
        for (size_t i = 0; i < n; i++) {
            int want = who[i];
            if (kind == HB_SCHED_STATIC) /* the first worker whose block reaches past i */
                for (want = 0; (size_t)(want + 1) * n / (size_t)w <= i; want++)
                    ;
            else if (kind == HB_SCHED_CYCLIC)
                want = (int)((i / chunk) % (size_t)w);
            if (who[i] < 0 || who[i] >= w || who[i] != want) {
                if (wrong_owner++ < 3)
                    fprintf(stderr, "%s: task %zu ran on worker %d, want %d\n", what, i, who[i],
                            want);
            }
        }
        CHECK_INT(wrong_owner, 0);
    }
    free(sum);
    free(who);
}

static int run_mpi(int expect_rma) {
    int provided, rank, size;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK_INT(provided, MPI_THREAD_MULTIPLE);
    CHECK_INT(size, 2);
    int one_node = all_on_one_node();
    CHECK_INT(one_node, !expect_rma);
    if (rank == 0)
        fprintf(stderr, "dynamic counter: %s\n", one_node ? "shared-memory window" : "remote RMA");
    int w = size * THREADS;
    for (size_t k = 0; k < NELEMS(kinds) + NELEMS(handouts) - 1; k++)
        for (size_t a = 0; a < NELEMS(task_counts); a++)
            for (size_t c = 0; c < NELEMS(chunks); c++) {
                size_t n = task_counts[a], chunk = chunks[c];
                /* The last kinds are dynamic with each hand-out. */
                hb_sched_kind kind = k < NELEMS(kinds) ? kinds[k] : HB_SCHED_DYNAMIC;
                hb_handout handout =
                    k < NELEMS(kinds) - 1 ? HB_HANDOUT_AUTO : handouts[k - (NELEMS(kinds) - 1)];
                char what[128];
                snprintf(what, sizeof what, "%s (%s) %dx%d N=%zu chunk=%zu", hb_sched_name(kind),
                         hb_handout_name(handout), size, THREADS, n, chunk);
                hb_sched *s = NULL;
                hb_sched_spec sp = {
                    .kind = kind, .ntasks = n, .chunk = chunk, .nworkers = w, .handout = handout};
                int rc = hb_sched_create_spec(&s, &sp, MPI_COMM_WORLD);
                CHECK_INT(rc, 0);
                if (rc)
                    continue;
                if (kind == HB_SCHED_DYNAMIC)
                    CHECK_INT(hb_sched_two_level(s), handout == HB_HANDOUT_TWO_LEVEL ||
                                                         (handout == HB_HANDOUT_AUTO && !one_node));
                int *count = calloc(n + 1, sizeof *count);
                int *owner = malloc((n + 1) * sizeof *owner);
                for (int repeat = 0; repeat < 2; repeat++) {
                    memset(count, 0, (n + 1) * sizeof *count);
                    for (size_t i = 0; i < n; i++)
                        owner[i] = -1;
                    if (repeat > 0)
                        CHECK_INT(hb_sched_reset(s), 0);
                    int bad = 0;
                    map_mpi(s, rank, n, count, owner, 0, 0, &bad);
                    CHECK_INT(bad, 0);
                    check_gathered(count, owner, n, w, rank, kind, chunk, what);
                }
                free(count);
                free(owner);
                hb_sched_free(s);
            }
    MPI_Finalize();
    return hb_check_summary();
}

/* hb_sched_reset promises that no worker takes a task of the new repeat early.
 * Here rank 1 is slow (it sleeps in its first tasks) and nothing but the reset
 * separates two repeats: rank 0 reaches the reset while rank 1's threads still
 * take tasks of the old repeat. Each repeat must still run every task once. */
static int run_mpi_reset(hb_handout handout) {
    int provided, rank, size;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK_INT(provided, MPI_THREAD_MULTIPLE);
    const size_t n = 100;
    const int repeats = 3;
    hb_sched *s = NULL;
    hb_sched_spec sp = {.kind = HB_SCHED_DYNAMIC,
                        .ntasks = n,
                        .chunk = 1,
                        .nworkers = size * THREADS,
                        .handout = handout};
    int rc = hb_sched_create_spec(&s, &sp, MPI_COMM_WORLD);
    CHECK_INT(rc, 0);
    if (rc) {
        MPI_Finalize();
        return hb_check_summary();
    }
    int *count = calloc((size_t)repeats * n, sizeof *count);
    int *owner = malloc((size_t)repeats * n * sizeof *owner);
    for (size_t i = 0; i < (size_t)repeats * n; i++)
        owner[i] = -1;
    int bad = 0;
    for (int r = 0; r < repeats; r++) {
        if (r > 0)
            CHECK_INT(hb_sched_reset(s), 0);
        /* Rank 0 takes a task every 0.5 ms and runs out after ~25 ms; rank 1's
         * threads each hold their first task for 200 ms, so they still hand
         * out tasks long after rank 0 has gone on to the reset. */
        map_mpi(s, rank, n, count + (size_t)r * n, owner + (size_t)r * n, rank == 0 ? 500 : 0,
                rank == 1 ? 200000 : 0, &bad);
    }
    CHECK_INT(bad, 0);
    for (int r = 0; r < repeats; r++) {
        char what[64];
        snprintf(what, sizeof what, "dynamic reset, repeat %d", r);
        check_gathered(count + (size_t)r * n, owner + (size_t)r * n, n, size * THREADS, rank,
                       HB_SCHED_DYNAMIC, 1, what);
    }
    free(count);
    free(owner);
    hb_sched_free(s);
    MPI_Finalize();
    return hb_check_summary();
}

int main(int argc, char **argv) {
    int expect_rma = argc > 2 && strcmp(argv[2], "--expect-rma") == 0;
    if (argc > 1 && strcmp(argv[1], "--mpi") == 0)
        return run_mpi(expect_rma);
    if (argc > 1 && strcmp(argv[1], "--mpi-reset") == 0) {
        hb_handout h = HB_HANDOUT_AUTO;
        if (argc > 2 && hb_handout_parse(argv[2], &h) != 0)
            return 2;
        return run_mpi_reset(h);
    }
    return run_local();
}
