/* The pow kernel through its function table, in serial mode (no MPI): the
 * lesson's call, bad input, and the checksum across chunk sizes, task orders
 * and threads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/kernel.h"
#include "kernel_util.h"

static const hb_kernel *pow_k;

/* The plan of the kernel last made (its task count and params). */
static hb_kernel_plan plan;

/* Plan and create from argv words; returns the first failing code. */
static int make(int argc, char **argv, size_t chunk, void **st) {
    const hb_option *tables[] = {pow_k->options, NULL};
    hb_args a = {0};
    hb_kernel_cfg cfg = {.seed = 1, .chunk = chunk, .nodes = 1, .ranks = 1, .threads = 1};
    hb_kernel_plan_free(&plan);
    int rc = hb_args_parse(argc, argv, tables, &a);
    if (rc == 0)
        rc = hb_test_create(pow_k, &a, cfg, &plan, st);
    hb_args_free(&a);
    return rc;
}

/* Task number k of n in one of several orders: 0 forward, 1 backward,
 * 2 odd tasks first then even. */
static size_t nth_task(int order, size_t k, size_t n) {
    if (order == 1)
        return n - 1 - k;
    if (order == 2)
        return k < n / 2 ? 2 * k + 1 : 2 * (k - n / 2);
    return k;
}

/* One repeat in a task order (3: two OpenMP threads taking tasks dynamically). */
static int run(void *st, int order, hb_verdict *v) {
    size_t n = plan.ntasks;
    hb_worker w = {0};
    int rc = pow_k->begin(st);
    if (order == 3) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(2)
        for (size_t t = 0; t < n; t++)
            pow_k->task(st, t, &w);
    } else {
        for (size_t k = 0; k < n && !rc; k++)
            rc = pow_k->task(st, nth_task(order, k, n), &w);
    }
    if (!rc)
        rc = pow_k->reduce(st, MPI_COMM_NULL);
    memset(v, 0, sizeof *v);
    if (!rc)
        rc = pow_k->verify(st, v);
    return rc;
}

static void test_lesson_call(void) {
    char *argv[] = {"--bases", "1,2,3,4", "--exponents", "5,4,3,2"};
    for (size_t chunk = 1; chunk <= 5; chunk += 2) {
        void *st = NULL;
        hb_verdict v;
        CHECK_INT(make(4, argv, chunk, &st), 0);
        if (!st)
            return;
        CHECK_INT(run(st, 1, &v), 0);
        CHECK_INT(v.status, HB_VERIFIED);
        CHECK_STR(v.result, "[1, 16, 27, 16]");
        CHECK_STR(v.report, "[1, 16, 27, 16]");
        CHECK(strstr(plan.params, "chunk=") != NULL);
        free(v.report);
        pow_k->destroy(st);
    }
    char *mixed[] = {"--bases", "2,0.5,-2", "--bases", "10", "--exponents", "0.5,-1,3,-3"};
    void *st = NULL;
    hb_verdict v;
    CHECK_INT(make(6, mixed, 1, &st), 0);
    if (st) {
        CHECK_INT(run(st, 0, &v), 0);
        CHECK_INT(v.status, HB_VERIFIED);
        CHECK_STR(v.result, "[1.4142135623730951, 2, -8, 0.001]");
        free(v.report);
        pow_k->destroy(st);
    }
}

static void test_bad_input(void) {
    void *st = NULL;
    char *unequal[] = {"--bases", "1,2,3", "--exponents", "5,4"};
    CHECK_INT(make(4, unequal, 1, &st), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "3 bases") && strstr(hb_errmsg(HB_EUSAGE), "2 exponents"));
    char *both[] = {"--bases", "1", "--exponents", "2", "--elements", "10"};
    CHECK_INT(make(6, both, 1, &st), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--elements") != NULL);
    char *half[] = {"--bases", "1"};
    CHECK_INT(make(2, half, 1, &st), HB_EUSAGE);
    char *junk[] = {"--bases", "1,x", "--exponents", "1,2"};
    CHECK_INT(make(4, junk, 1, &st), HB_EUSAGE);
    char *zero[] = {"--elements", "0"};
    CHECK_INT(make(2, zero, 1, &st), HB_EUSAGE);
    /* 2^40 elements need 24 TiB: refused before allocating anything */
    char *huge[] = {"--elements", "1099511627776"};
    CHECK_INT(make(2, huge, 1000000, &st), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "bytes") != NULL);
    CHECK(st == NULL);
}

/* The checksum is the same for every chunk size and task order. */
static void test_checksum_invariance(void) {
    char *argv[] = {"--elements", "10007"}; /* prime: no chunk below divides it */
    const size_t chunks[] = {1, 7, 1000, 4096, 10007};
    char first[128] = "";
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        for (int order = 0; order < 4; order++) {
            void *st = NULL;
            hb_verdict v;
            CHECK_INT(make(2, argv, chunks[c], &st), 0);
            if (!st)
                return;
            CHECK_INT(run(st, order, &v), 0);
            CHECK_INT(v.status, HB_VERIFIED);
            if (!first[0])
                strcpy(first, v.result);
            CHECK_STR(v.result, first);
            CHECK(v.report && strstr(v.report, "MiB per node") &&
                  strstr(v.report, "shared by up to 1 rank on each of 1 node)"));
            free(v.report);
            pow_k->destroy(st);
        }
    }
}

/* A task that never ran is caught, and so is a wrong element. */
static void test_verify_fails(void) {
    char *argv[] = {"--elements", "100"};
    void *st = NULL;
    hb_verdict v;
    hb_worker w = {0};
    CHECK_INT(make(2, argv, 10, &st), 0);
    if (!st)
        return;
    pow_k->begin(st);
    for (size_t t = 0; t < 9; t++)
        pow_k->task(st, t, &w);
    pow_k->reduce(st, MPI_COMM_NULL);
    memset(&v, 0, sizeof v);
    pow_k->verify(st, &v);
    CHECK_INT(v.status, HB_FAILED);
    CHECK(strstr(v.why, "never gathered") != NULL);
    free(v.report);
    pow_k->destroy(st);
}

int main(void) {
    pow_k = hb_kernel_find("pow");
    CHECK(pow_k != NULL && (pow_k->flags & HB_KF_GRAIN));
    if (!pow_k)
        return hb_check_summary();
    test_lesson_call();
    test_bad_input();
    test_checksum_invariance();
    test_verify_fails();
    hb_kernel_plan_free(&plan);
    return hb_check_summary();
}
