/* The host kernel on its own, without the harness: option checks, the verdict
 * for a correct map, a task run twice, a task never run and an invalid worker,
 * in serial mode (no MPI call) and reduced over MPI_COMM_WORLD (run it under
 * mpiexec -n 2; one process works too). */
#include "check.h"

#include "hybench/error.h"
#include "hybench/kernel.h"
#include "kernel_util.h"

#include <stdlib.h>

static const hb_kernel *host(void) {
    const hb_kernel *k = hb_kernel_find("host");
    CHECK(k != NULL);
    if (!k)
        exit(1);
    return k;
}

/* The plan of the kernel last made. */
static hb_kernel_plan plan;

static void *make(const char *tasks, hb_kernel_cfg cfg, int want_rc) {
    hb_arg arg = {"tasks", tasks};
    hb_args args = {.v = &arg, .n = tasks ? 1 : 0};
    void *state = NULL;
    hb_kernel_plan_free(&plan);
    int rc = hb_test_create(host(), &args, cfg, &plan, &state);
    CHECK_INT(rc, want_rc);
    return rc ? NULL : state;
}

static int count_lines(const char *s) {
    int n = s && *s ? 1 : 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

static void test_options(void) {
    hb_kernel_cfg cfg = {.ranks = 1, .threads = 1};
    make("0", cfg, HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--tasks") != NULL);
    make("ten", cfg, HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "ten") != NULL);
    make("-3", cfg, HB_EUSAGE);

    void *s = make(NULL, cfg, 0);
    CHECK_INT(plan.ntasks, 100);
    CHECK_STR(plan.params, "tasks=100");
    CHECK(host()->flags & HB_KF_PLACEMENT);
    host()->destroy(s);
}

/* Run tasks [0, n) on `threads` simulated workers of `rank` round robin,
 * skipping task `skip` and running task `twice` twice. */
static void run_map(void *s, size_t n, int rank, int threads, size_t skip, size_t twice,
                    int bad_thread) {
    for (size_t i = 0; i < n; i++) {
        int t = (int)(i % (size_t)threads);
        if (i == (size_t)bad_thread)
            t = threads; /* a thread number the layout does not have */
        hb_worker w = {
            .rank = rank, .thread = t, .id = rank * threads + t, .pu = -1, .host = "node-a"};
        if (i == skip)
            continue;
        host()->task(s, i, &w);
        if (i == twice)
            host()->task(s, i, &w);
    }
}

static hb_verdict serial_verdict(size_t skip, size_t twice, int bad_thread) {
    hb_kernel_cfg cfg = {.ranks = 1, .threads = 3};
    void *s = make("10", cfg, 0);
    hb_verdict v = {0};
    if (!s)
        return v;
    CHECK_INT(host()->begin(s), 0);
    run_map(s, 10, 0, 3, skip, twice, bad_thread);
    CHECK_INT(host()->reduce(s, MPI_COMM_NULL), 0);
    CHECK_INT(host()->verify(s, &v), 0);
    host()->destroy(s);
    return v;
}

static void test_serial(void) {
    const size_t none = (size_t)-1;
    hb_verdict v = serial_verdict(none, none, -1);
    CHECK_INT(v.status, HB_VERIFIED);
    CHECK_STR(v.result, "tasks=10");
    CHECK_INT(count_lines(v.report), 10);
    CHECK(v.report && strstr(v.report, "task 7: rank 0 thread 1 host node-a pu ") != NULL);
    free(v.report);

    v = serial_verdict(none, 4, -1);
    CHECK_INT(v.status, HB_FAILED);
    CHECK_STR(v.why, "task 4 ran 2 times, not once");
    CHECK_STR(v.result, "tasks=10"); /* the headline does not change; the verdict does */
    free(v.report);

    v = serial_verdict(3, none, -1);
    CHECK_INT(v.status, HB_FAILED);
    CHECK_STR(v.why, "task 3 ran 0 times, not once");
    CHECK(v.report && strstr(v.report, "task 3: never ran") != NULL);
    free(v.report);

    v = serial_verdict(none, none, 5);
    CHECK_INT(v.status, HB_FAILED);
    CHECK(strstr(v.why, "task 5 ran on an invalid worker") != NULL);
    free(v.report);

    v = serial_verdict(3, 4, -1);
    CHECK(strstr(v.why, "2 tasks wrong in all") != NULL);
    free(v.report);

    /* the same repeat twice: begin resets the counts */
    hb_kernel_cfg cfg = {.ranks = 1, .threads = 1};
    void *s = make("5", cfg, 0);
    for (int rep = 0; s && rep < 2; rep++) {
        hb_verdict r = {0};
        CHECK_INT(host()->begin(s), 0);
        run_map(s, 5, 0, 1, none, none, -1);
        CHECK_INT(host()->reduce(s, MPI_COMM_NULL), 0);
        CHECK_INT(host()->verify(s, &r), 0);
        CHECK_INT(r.status, HB_VERIFIED);
        free(r.report);
    }
    host()->destroy(s);
}

/* Every rank runs the tasks i with i % size == rank; rank 0 sees them all. */
static void test_mpi(void) {
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    hb_kernel_cfg cfg = {.ranks = size, .threads = 2, .rank = rank};
    void *s = make("9", cfg, 0);
    if (!s)
        MPI_Abort(MPI_COMM_WORLD, 1);
    char name[16];
    snprintf(name, sizeof name, "node-%d", rank);
    CHECK_INT(host()->begin(s), 0);
    for (size_t i = (size_t)rank; i < 9; i += (size_t)size) {
        hb_worker w = {
            .rank = rank, .thread = (int)(i % 2), .id = rank * 2 + (int)(i % 2), .host = name};
        host()->task(s, i, &w);
    }
    CHECK_INT(host()->reduce(s, MPI_COMM_WORLD), 0);
    if (rank == 0) {
        hb_verdict v = {0};
        CHECK_INT(host()->verify(s, &v), 0);
        CHECK_INT(v.status, HB_VERIFIED);
        CHECK_STR(v.result, "tasks=9");
        CHECK_INT(count_lines(v.report), 9);
        if (size > 1)
            CHECK(v.report && strstr(v.report, "task 1: rank 1 thread 1 host node-1 pu ") != NULL);
        fprintf(stderr, "%s\n", v.report ? v.report : "(no report)");
        free(v.report);
    }
    host()->destroy(s);
}

int main(int argc, char **argv) {
    int rank;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
        test_options();
        test_serial();
    }
    test_mpi();
    int failed = hb_check_failures;
    int any;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    int rc = hb_check_summary();
    MPI_Finalize();
    return any ? 1 : rc;
}
