/* The replay of task times (replay.h) on hand-made task sets whose
 * makespans are known: equal tasks (7 on 10 workers: 0.70 and 3 idle; 324
 * on 10: 324/330), one long task, sets where the order decides (what LPT
 * would fix), hand-out costs worked out by hand, a saturated counter, and
 * the two-level hand-out against the flat one. */
#include "check.h"

#include "hybench/replay.h"
#include "hybench/stats.h"

#include <stdlib.h>

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static hb_costs zero;

static hb_replay_out replay(const double *d, size_t n, long w, int node_workers, hb_sched_kind k,
                            size_t chunk, hb_handout h, const hb_costs *costs) {
    hb_replay_cfg c = {.dur = d,
                       .n = n,
                       .workers = w,
                       .node_workers = node_workers,
                       .ranks_per_node = 1,
                       .kind = k,
                       .chunk = chunk,
                       .handout = h,
                       .costs = costs};
    hb_replay_out o;
    int rc = hb_replay(&c, NULL, &o);
    CHECK_INT(rc, 0);
    CHECK_INT(o.tasks_run, n);
    /* Every worker's time is work, hand-out or tail. */
    CHECK_NEAR(o.work + o.handout + o.tail, (double)w * o.makespan, 1e-9 * (1 + o.work));
    return o;
}

static double eff(const hb_replay_out *o, long w) {
    return o->work / ((double)w * o->makespan);
}

static void test_equal(void) {
    double d[324];
    for (size_t i = 0; i < NELEMS(d); i++)
        d[i] = 1.0;
    for (int k = 0; k < 3; k++) {
        hb_sched_kind kind = (hb_sched_kind)k;
        hb_replay_out o = replay(d, 7, 10, 10, kind, 1, HB_HANDOUT_FLAT, &zero);
        CHECK_NEAR(o.makespan, 1.0, 1e-12);
        CHECK_NEAR(eff(&o, 10), 0.70, 1e-12);
        CHECK_NEAR(eff(&o, 10), hb_ideal_efficiency(7, 10), 1e-12);
        CHECK_INT(o.idle_workers, 3);
        o = replay(d, 324, 10, 10, kind, 1, HB_HANDOUT_FLAT, &zero);
        CHECK_NEAR(o.makespan, 33.0, 1e-9);
        CHECK_NEAR(eff(&o, 10), 324.0 / 330.0, 1e-12);
        CHECK_INT(o.idle_workers, 6);
    }
    /* Two levels over 2 nodes of 5: the first blocks are [0, 5) and [5, 7). */
    hb_replay_out o = replay(d, 7, 10, 5, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_AUTO, &zero);
    CHECK_INT(o.two_level, 1);
    CHECK_INT(o.nodes, 2);
    CHECK_NEAR(eff(&o, 10), 0.70, 1e-12);
    CHECK_INT(o.idle_workers, 3);
    /* Cyclic chunks of 4: 81 chunks, worker 0 has chunks 0, 10, ..., 80. */
    o = replay(d, 324, 10, 10, HB_SCHED_CYCLIC, 4, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 36.0, 1e-9);
    /* 324 on 10 in two levels: guided blocks leave the nodes at most one
     * task apart. */
    o = replay(d, 324, 10, 5, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_AUTO, &zero);
    CHECK_NEAR(o.makespan, 33.0, 1e-9);
    /* Far more workers than tasks. */
    o = replay(d, 324, 100000, 64, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_AUTO, &zero);
    CHECK_NEAR(o.makespan, 1.0, 1e-12);
    CHECK_INT(o.idle_workers, 100000 - 324);
    CHECK_NEAR(eff(&o, 100000), hb_ideal_efficiency(324, 100000), 1e-12);
}

static void test_long_task(void) {
    double d[10] = {10, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    /* Static: worker 0 has tasks 0-4 (14), worker 1 tasks 5-9 (5). */
    hb_replay_out o = replay(d, 10, 2, 2, HB_SCHED_STATIC, 1, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 14.0, 1e-12);
    CHECK_INT(o.idle_workers, 1);
    /* Dynamic: worker 1 runs the nine short ones while worker 0 runs the long one. */
    o = replay(d, 10, 2, 2, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 10.0, 1e-12);
    /* Cyclic 1: worker 0 has 0, 2, 4, 6, 8 (14). */
    o = replay(d, 10, 2, 2, HB_SCHED_CYCLIC, 1, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 14.0, 1e-12);
}

static void test_order(void) {
    /* The long task last: dynamic cannot balance it (6); first, it can (4),
     * which is what longest-processing-time-first ordering buys. */
    double last[5] = {1, 1, 1, 1, 4}, first[5] = {4, 1, 1, 1, 1};
    hb_replay_out o = replay(last, 5, 2, 2, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 6.0, 1e-12);
    o = replay(first, 5, 2, 2, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 4.0, 1e-12);
    o = replay(last, 5, 2, 2, HB_SCHED_STATIC, 1, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 6.0, 1e-12);
    o = replay(first, 5, 2, 2, HB_SCHED_STATIC, 1, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 5.0, 1e-12);
    /* {3,3,2,2,2}: the optimum is 6 (3+3 | 2+2+2); static's blocks find it,
     * dynamic and LPT give 7. */
    double lpt[5] = {3, 3, 2, 2, 2};
    o = replay(lpt, 5, 2, 2, HB_SCHED_STATIC, 1, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 6.0, 1e-12);
    o = replay(lpt, 5, 2, 2, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 7.0, 1e-12);
    /* Chunks of 2: worker 0 gets {3,3}, worker 1 {2,2} then {2}: 6. */
    o = replay(lpt, 5, 2, 2, HB_SCHED_DYNAMIC, 2, HB_HANDOUT_FLAT, &zero);
    CHECK_NEAR(o.makespan, 6.0, 1e-12);
}

static void test_costs(void) {
    hb_costs c = zero;
    c.level[HB_LEVEL_THREAD] = (hb_counter_cost){1.0, 0.5, 0.1};
    double d[3] = {2, 2, 2};
    /* One worker: the first grab 1, the other two and the last (empty) one 0.5. */
    hb_replay_out o = replay(d, 3, 1, 1, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_FLAT, &c);
    CHECK_NEAR(o.makespan, 1 + 2 + 0.5 + 2 + 0.5 + 2 + 0.5, 1e-12);
    CHECK_NEAR(o.handout, 2.5, 1e-12);
    /* Static and cyclic hand out for free. */
    o = replay(d, 3, 1, 1, HB_SCHED_CYCLIC, 1, HB_HANDOUT_FLAT, &c);
    CHECK_NEAR(o.makespan, 6.0, 1e-12);
    /* Zero-length tasks on a counter that serves one grab a second: 1000
     * grabs and 4 last empty ones back to back. */
    static double none[1000];
    c.level[HB_LEVEL_THREAD] = (hb_counter_cost){1.0, 1.0, 1.0};
    o = replay(none, 1000, 4, 4, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_FLAT, &c);
    CHECK_NEAR(o.makespan, 1004.0, 1e-9);
    CHECK_NEAR(o.counter_busy, 1.0, 1e-12);
    /* Chunks of 10: a tenth of the grabs. */
    o = replay(none, 1000, 4, 4, HB_SCHED_DYNAMIC, 10, HB_HANDOUT_FLAT, &c);
    CHECK_NEAR(o.makespan, 104.0, 1e-9);
}

/* Across nodes the flat counter is remote for every grab; two levels pay a
 * remote operation per block. */
static void test_two_level(void) {
    hb_costs c = zero;
    c.level[HB_LEVEL_THREAD] = (hb_counter_cost){1e-7, 1e-8, 5e-8};
    c.level[HB_LEVEL_NODE] = (hb_counter_cost){1e-5, 1e-5, 1e-6};
    size_t n = 20000;
    double *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = 1e-6 * (1 + (double)(i % 7));
    hb_replay_out flat = replay(d, n, 8, 4, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_FLAT, &c);
    hb_replay_out two = replay(d, n, 8, 4, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_AUTO, &c);
    CHECK_INT(flat.two_level, 0);
    CHECK_INT(two.two_level, 1);
    /* Flat: every grab waits 10 us for 1-7 us of work. */
    CHECK(flat.handout > flat.work);
    CHECK(two.handout < 0.1 * two.work);
    CHECK(two.makespan < 0.5 * flat.makespan);
    /* Saturation: 4096 workers on 1024 nodes, 0.5 us tasks: the flat
     * counter (1 us a grab) serves at most a million grabs a second, far
     * fewer than the workers ask for. */
    for (size_t i = 0; i < n; i++)
        d[i] = 5e-7;
    flat = replay(d, n, 4096, 4, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_FLAT, &c);
    CHECK(flat.counter_busy > 0.95);
    CHECK(flat.makespan >= (double)n * 1e-6);
    two = replay(d, n, 4096, 4, HB_SCHED_DYNAMIC, 1, HB_HANDOUT_AUTO, &c);
    CHECK(two.makespan < flat.makespan);
    free(d);
}

/* One scratch memory for many replays gives what fresh ones give. */
static void test_reuse(void) {
    hb_costs c = zero;
    c.level[HB_LEVEL_THREAD] = (hb_counter_cost){1.0, 0.5, 1.0};
    double d[50];
    for (size_t i = 0; i < 50; i++)
        d[i] = 1.0 + (double)(i % 3);
    hb_replay_ws *ws = hb_replay_ws_new();
    CHECK(ws != NULL);
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < 3; k++) {
            hb_replay_cfg cfg = {.dur = d,
                                 .n = 50,
                                 .workers = 8 + 4 * round,
                                 .node_workers = 4,
                                 .ranks_per_node = 1,
                                 .kind = (hb_sched_kind)k,
                                 .chunk = 2,
                                 .handout = HB_HANDOUT_AUTO,
                                 .costs = &c};
            hb_replay_out a, b;
            CHECK_INT(hb_replay(&cfg, ws, &a), 0);
            CHECK_INT(hb_replay(&cfg, NULL, &b), 0);
            CHECK(memcmp(&a, &b, sizeof a) == 0);
            if (k != HB_SCHED_DYNAMIC)
                CHECK_NEAR(a.counter_busy, 0, 0);
        }
    hb_replay_ws_free(ws);
}

int main(void) {
    hb_costs_default(&zero);
    for (int l = 0; l < HB_NLEVELS; l++)
        zero.level[l] = (hb_counter_cost){0, 0, 0};
    test_equal();
    test_long_task();
    test_order();
    test_costs();
    test_two_level();
    test_reuse();
    return hb_check_summary();
}
