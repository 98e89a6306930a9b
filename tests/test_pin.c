/* Placement plans on hwloc synthetic topologies (so the expectations hold on
 * any machine), the refusals, overlap flags, and one real bind-and-observe of
 * the calling thread on this machine. */
#include "check.h"

#include "hybench/error.h"
#include "hybench/pin.h"

#include <stdlib.h>
#include <string.h>

#define A_TOPO "pack:2 core:4 pu:2" /* cores 0-3 in package 0; core c holds PUs 2c, 2c+1 */
#define B_TOPO "pack:1 core:2 pu:1"
#define C_TOPO "pack:2 numa:2 core:3 pu:1" /* 3 cores per NUMA node, 6 per package */

static hb_topo *load(const char *spec) {
    hb_topo *t = NULL;
    int rc = hb_topo_load(&t, spec);
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "cannot load '%s': %s\n", spec ? spec : "(this machine)", hb_errmsg(rc));
        exit(1);
    }
    return t;
}

static hb_pin_req req(hb_bind b, hb_dist d, int ranks, int threads, bool over) {
    hb_pin_req r = {
        .bind = b, .dist = d, .local_ranks = ranks, .threads = threads, .oversubscribe = over};
    return r;
}

/* Plan every worker; cores[k] and sets[k] (up to 64 workers). */
static int plan(const hb_topo *t, hb_pin_req r, int *cores, char sets[][64]) {
    for (int k = 0; k < r.local_ranks * r.threads; k++) {
        int rc = hb_pin_plan(t, &r, k, sets[k], 64, &cores[k]);
        if (rc)
            return rc;
    }
    return 0;
}

static void expect_cores(const hb_topo *t, hb_pin_req r, const int *want) {
    int cores[64];
    char sets[64][64];
    CHECK_INT(plan(t, r, cores, sets), 0);
    for (int k = 0; k < r.local_ranks * r.threads; k++) {
        if (cores[k] != want[k])
            fprintf(stderr, "  bind %s, %s, %dx%d: worker %d\n", hb_bind_name(r.bind),
                    hb_dist_name(r.dist), r.local_ranks, r.threads, k);
        CHECK_INT(cores[k], want[k]);
    }
}

static void test_describe(void) {
    char buf[160];
    hb_topo *a = load(A_TOPO), *c = load(C_TOPO);
    CHECK_INT(hb_topo_cores(a), 8);
    CHECK_INT(hb_topo_pus(a), 16);
    CHECK_INT(hb_topo_packages(a), 2);
    CHECK_STR(hb_topo_describe(a, buf, sizeof buf), "2 packages, 8 cores, 16 PUs (synthetic)");
    CHECK_STR(hb_topo_describe(c, buf, sizeof buf),
              "2 packages, 4 NUMA nodes, 12 cores, 12 PUs (synthetic)");
    CHECK_STR(hb_topo_cpu_model(a), "unknown");
    hb_topo_free(a);
    hb_topo_free(c);

    hb_topo *t = NULL;
    CHECK_INT(hb_topo_load(&t, "pack:2 banana:4"), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--synthetic") != NULL);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "banana") != NULL);
}

static void test_names(void) {
    hb_bind b;
    hb_dist d;
    CHECK_INT(hb_bind_parse("pu", &b), 0);
    CHECK_INT(b, HB_BIND_PU);
    CHECK_INT(hb_bind_parse("none", &b), 0);
    CHECK_INT(b, HB_BIND_NONE);
    CHECK_INT(hb_bind_parse("socket", &b), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--bind: 'socket'") != NULL);
    CHECK_INT(hb_dist_parse("spread", &d), 0);
    CHECK_INT(d, HB_DIST_SPREAD);
    CHECK_INT(hb_dist_parse("scatter", &d), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--distribute: 'scatter'") != NULL);
    CHECK_STR(hb_bind_name(HB_BIND_CORE), "core");
    CHECK_STR(hb_dist_name(HB_DIST_COMPACT), "compact");
}

static void test_compact(void) {
    hb_topo *a = load(A_TOPO);
    int cores[64];
    char sets[64][64];

    expect_cores(a, req(HB_BIND_CORE, HB_DIST_COMPACT, 2, 2, false), (int[]){0, 1, 2, 3});
    CHECK_INT(plan(a, req(HB_BIND_CORE, HB_DIST_COMPACT, 1, 2, false), cores, sets), 0);
    CHECK_STR(sets[0], "0-1"); /* a core binding holds both hyperthreads */
    CHECK_STR(sets[1], "2-3");

    /* bind pu: the first PU of each core, never a sibling while cores are free */
    CHECK_INT(plan(a, req(HB_BIND_PU, HB_DIST_COMPACT, 1, 8, false), cores, sets), 0);
    for (int k = 0; k < 8; k++) {
        char want[8];
        snprintf(want, sizeof want, "%d", 2 * k);
        CHECK_STR(sets[k], want);
        CHECK_INT(cores[k], k);
    }
    /* oversubscribed: wraps to the sibling PUs, then around again */
    CHECK_INT(plan(a, req(HB_BIND_PU, HB_DIST_COMPACT, 2, 9, true), cores, sets), 0);
    CHECK_STR(sets[8], "1");
    CHECK_INT(cores[8], 0);
    CHECK_STR(sets[15], "15");
    CHECK_STR(sets[16], "0");
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_COMPACT, 1, 10, true),
                 (int[]){0, 1, 2, 3, 4, 5, 6, 7, 0, 1});

    /* bind none: the whole machine, no core */
    CHECK_INT(plan(a, req(HB_BIND_NONE, HB_DIST_COMPACT, 2, 1, false), cores, sets), 0);
    CHECK_STR(sets[1], "0-15");
    CHECK_INT(cores[1], -1);
    hb_topo_free(a);

    hb_topo *b = load(B_TOPO);
    expect_cores(b, req(HB_BIND_CORE, HB_DIST_COMPACT, 1, 2, false), (int[]){0, 1});
    expect_cores(b, req(HB_BIND_PU, HB_DIST_COMPACT, 1, 3, true), (int[]){0, 1, 0});
    hb_topo_free(b);
}

static void test_spread(void) {
    hb_topo *a = load(A_TOPO);
    /* 2 ranks x 1 thread: one per package */
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_SPREAD, 2, 1, false), (int[]){0, 4});
    /* 2 ranks x 2 threads: each rank's threads in its own package, apart inside it */
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_SPREAD, 2, 2, false), (int[]){0, 2, 4, 6});
    /* one rank of 2 threads: the threads spread over both packages */
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_SPREAD, 1, 2, false), (int[]){0, 4});
    /* 3 ranks x 2 threads do not divide over 2 packages, yet no rank is split:
     * package 0 holds ranks 0 and 1 (cores 0-1, 2-3), package 1 rank 2 */
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_SPREAD, 3, 2, false), (int[]){0, 1, 2, 3, 4, 6});
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_SPREAD, 4, 2, false),
                 (int[]){0, 1, 2, 3, 4, 5, 6, 7});

    /* bind pu spread: first PUs of the spread cores */
    int cores[64];
    char sets[64][64];
    CHECK_INT(plan(a, req(HB_BIND_PU, HB_DIST_SPREAD, 2, 1, false), cores, sets), 0);
    CHECK_STR(sets[0], "0");
    CHECK_STR(sets[1], "8");
    hb_topo_free(a);

    /* NUMA nodes are spread over before cores: 4 ranks, one per NUMA node */
    hb_topo *c = load(C_TOPO);
    expect_cores(c, req(HB_BIND_CORE, HB_DIST_SPREAD, 4, 1, false), (int[]){0, 3, 6, 9});
    CHECK_INT(plan(c, req(HB_BIND_CORE, HB_DIST_SPREAD, 2, 3, false), cores, sets), 0);
    for (int k = 0; k < 6; k++)
        CHECK_INT(cores[k] / 6, k / 3); /* rank r's threads all in package r */
    hb_topo_free(c);
}

/* For every layout that fits, on every topology, both distributions and both
 * bindings: no two workers share a core, and bind pu uses each core's first PU. */
static void test_never_share(void) {
    const char *topos[] = {A_TOPO, B_TOPO, C_TOPO, "pack:1 l3:2 core:3 pu:4", "pack:3 core:5 pu:2"};
    for (size_t i = 0; i < sizeof topos / sizeof topos[0]; i++) {
        hb_topo *t = load(topos[i]);
        int ncores = hb_topo_cores(t), pus_per_core = hb_topo_pus(t) / ncores;
        for (int ranks = 1; ranks <= ncores; ranks++)
            for (int threads = 1; ranks * threads <= ncores && ranks * threads <= 64; threads++)
                for (int b = HB_BIND_CORE; b <= HB_BIND_PU; b++)
                    for (int d = HB_DIST_COMPACT; d <= HB_DIST_SPREAD; d++) {
                        hb_pin_req r = req((hb_bind)b, (hb_dist)d, ranks, threads, false);
                        int cores[64], seen[64] = {0}, shared = 0, sibling = 0;
                        char sets[64][64];
                        CHECK_INT(plan(t, r, cores, sets), 0);
                        for (int k = 0; k < ranks * threads; k++) {
                            shared += cores[k] < 0 || cores[k] >= 64 || seen[cores[k]]++;
                            if (b == HB_BIND_PU)
                                sibling += atoi(sets[k]) % pus_per_core != 0;
                        }
                        if (shared || sibling)
                            fprintf(stderr, "  %s: bind %s, %s, %dx%d\n", topos[i],
                                    hb_bind_name(r.bind), hb_dist_name(r.dist), ranks, threads);
                        CHECK_INT(shared, 0);
                        CHECK_INT(sibling, 0);
                    }
        hb_topo_free(t);
    }
}

static void test_refusals(void) {
    hb_topo *a = load(A_TOPO), *b = load(B_TOPO);
    char set[64];
    int core;
    hb_pin_req r = req(HB_BIND_CORE, HB_DIST_COMPACT, 3, 3, false);
    CHECK_INT(hb_pin_check(a, &r), HB_ELAYOUT);
    CHECK_INT(hb_pin_plan(a, &r, 0, set, sizeof set, &core), HB_ELAYOUT);
    const char *msg = hb_errmsg(HB_ELAYOUT);
    CHECK(strstr(msg, "9 workers") && strstr(msg, "8 cores") && strstr(msg, "16 PUs"));
    CHECK(strstr(msg, "--oversubscribe") != NULL);
    CHECK(strchr(msg, '\n') == NULL);
    r.oversubscribe = true;
    CHECK_INT(hb_pin_check(a, &r), 0);

    /* bind pu does not make hyperthreads count as cores */
    r = req(HB_BIND_PU, HB_DIST_SPREAD, 1, 9, false);
    CHECK_INT(hb_pin_check(a, &r), HB_ELAYOUT);
    r = req(HB_BIND_NONE, HB_DIST_COMPACT, 3, 1, false);
    CHECK_INT(hb_pin_check(b, &r), HB_ELAYOUT);
    r.oversubscribe = true;
    CHECK_INT(hb_pin_check(b, &r), 0);

    r = req(HB_BIND_CORE, HB_DIST_COMPACT, 1, 0, false);
    CHECK_INT(hb_pin_check(a, &r), HB_EUSAGE);
    r = req(HB_BIND_CORE, HB_DIST_COMPACT, 0, 1, false);
    CHECK_INT(hb_pin_check(a, &r), HB_EUSAGE);
    r = req(HB_BIND_CORE, HB_DIST_COMPACT, -2, 1, true);
    CHECK_INT(hb_pin_check(a, &r), HB_EUSAGE);
    r = req(HB_BIND_CORE, HB_DIST_COMPACT, 1 << 16, 1 << 16, true);
    CHECK_INT(hb_pin_check(a, &r), HB_EUSAGE);

    /* binding needs a real topology */
    r = req(HB_BIND_CORE, HB_DIST_COMPACT, 1, 1, false);
    CHECK_INT(hb_pin_bind_self(a, &r, 0), HB_EHWLOC);
    hb_topo_free(a);
    hb_topo_free(b);
}

static hb_place place(const char *host, const char *mask) {
    hb_place p = {0};
    snprintf(p.host, sizeof p.host, "%s", host);
    snprintf(p.mask, sizeof p.mask, "%s", mask);
    p.overlap = true; /* must be recomputed */
    return p;
}

static void test_overlaps(void) {
    hb_topo *a = load(A_TOPO);
    /* PUs 0 and 1 are one core; PU 2 is the next core; hosts are compared apart */
    hb_place p[4] = {place("n1", "0"), place("n1", "1"), place("n1", "2"), place("n2", "0")};
    hb_pin_flag_overlaps(a, p, 4);
    CHECK(p[0].overlap && p[1].overlap);
    CHECK(!p[2].overlap && !p[3].overlap);

    /* unbound workers are fine until there are more of them than cores */
    hb_place u[10];
    for (int i = 0; i < 10; i++)
        u[i] = place("n1", "0-15");
    u[9] = place("n1", "3");
    hb_pin_flag_overlaps(a, u, 8);
    CHECK(!u[0].overlap && !u[7].overlap);
    hb_pin_flag_overlaps(a, u, 10);
    CHECK(u[0].overlap && u[8].overlap); /* 9 unbound on 8 cores */
    CHECK(!u[9].overlap);
    hb_pin_flag_overlaps(a, u + 7, 3);
    CHECK(!u[7].overlap && !u[9].overlap);
    hb_topo_free(a);
}

/* The CPUs a launcher or scheduler gave: plans stay inside them, each rank's
 * workers on its own mask first, and a layout that does not fit is refused. */
static void test_given(void) {
    char buf[64];
    hb_cpus_from from;
    hb_topo *a = load(A_TOPO); /* core c holds PUs 2c, 2c+1 */
    CHECK_INT(hb_topo_given(a, buf, sizeof buf, &from), 0);
    CHECK_STR(buf, "0-15");
    CHECK_INT(from, HB_CPUS_MACHINE);

    char *one[] = {"4-7"};
    CHECK_INT(hb_topo_restrict(a, one, 1, 0), 0);
    CHECK_INT(hb_topo_given(a, buf, sizeof buf, &from), 0);
    CHECK_STR(buf, "4-7");
    CHECK_INT(from, HB_CPUS_PROCESS);
    CHECK_STR(hb_cpus_from_name(from), "process");
    CHECK_INT(hb_topo_cores(a), 2);
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_COMPACT, 1, 2, false), (int[]){2, 3});
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_SPREAD, 1, 2, false), (int[]){2, 3});
    hb_pin_req r = req(HB_BIND_CORE, HB_DIST_COMPACT, 1, 3, false);
    CHECK_INT(hb_pin_check(a, &r), HB_ELAYOUT);
    CHECK(strstr(hb_errmsg(HB_ELAYOUT), "given 2 cores (CPUs 4-7") != NULL);
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_COMPACT, 1, 3, true), (int[]){2, 3, 2});
    int cores[64];
    char sets[64][64];
    CHECK_INT(plan(a, req(HB_BIND_NONE, HB_DIST_COMPACT, 1, 2, false), cores, sets), 0);
    CHECK_STR(sets[1], "4-7");

    /* Each rank its own mask: rank 0 on cores 4-5, rank 1 on 0-1, as given,
     * not the union's first cores for rank 0. */
    char *two[] = {"8-11", "0-3"};
    CHECK_INT(hb_topo_restrict(a, two, 2, 1), 0);
    CHECK_INT(hb_topo_given(a, buf, sizeof buf, &from), 0);
    CHECK_STR(buf, "0-3,8-11");
    CHECK_INT(from, HB_CPUS_NODE);
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_COMPACT, 2, 2, false), (int[]){4, 5, 0, 1});
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_SPREAD, 2, 2, false), (int[]){4, 5, 0, 1});
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_COMPACT, 2, 1, false), (int[]){4, 0});

    /* Unequal masks: rank 1's second worker spills onto the free core of the union. */
    char *uneven[] = {"0-5", "6-7"};
    CHECK_INT(hb_topo_restrict(a, uneven, 2, 0), 0);
    expect_cores(a, req(HB_BIND_CORE, HB_DIST_COMPACT, 2, 2, false), (int[]){0, 1, 3, 2});

    /* A core only partly given (one PU of each): bound to the given PU alone. */
    char *half[] = {"1,3"};
    CHECK_INT(hb_topo_restrict(a, half, 1, 0), 0);
    CHECK_INT(hb_topo_cores(a), 2);
    CHECK_INT(plan(a, req(HB_BIND_CORE, HB_DIST_COMPACT, 1, 2, false), cores, sets), 0);
    CHECK_STR(sets[0], "1");
    CHECK_STR(sets[1], "3");

    char *all[] = {"0-15", "0-15"};
    CHECK_INT(hb_topo_restrict(a, all, 2, 0), 0);
    CHECK_INT(hb_topo_given(a, buf, sizeof buf, &from), 0);
    CHECK_INT(from, HB_CPUS_MACHINE);
    CHECK_INT(hb_topo_cores(a), 8);

    char *bad[] = {"0-3", "three"}, *none[] = {"64-70"};
    CHECK_INT(hb_topo_restrict(a, bad, 2, 0), HB_EUSAGE);
    CHECK_INT(hb_topo_restrict(a, none, 1, 0), HB_ELAYOUT);
    CHECK_INT(hb_topo_cores(a), 8); /* a refused restriction leaves the plan as it was */
    hb_topo_free(a);
}

/* This machine: bind the calling thread to the last core and see it there. */
static void test_real_bind(void) {
    hb_topo *t = load(NULL);
    char buf[160];
    fprintf(stderr, "this machine: %s\n", hb_topo_describe(t, buf, sizeof buf));
    CHECK(hb_topo_cores(t) >= 1);
    CHECK(hb_topo_pus(t) >= hb_topo_cores(t));

    int n = hb_topo_cores(t);
    hb_pin_req r = req(HB_BIND_CORE, HB_DIST_COMPACT, 1, n, false);
    char set[64];
    int core;
    CHECK_INT(hb_pin_plan(t, &r, n - 1, set, sizeof set, &core), 0);
    int rc = hb_pin_bind_self(t, &r, n - 1);
    CHECK_INT(rc, 0);
    if (rc)
        fprintf(stderr, "bind: %s\n", hb_errmsg(rc));
    hb_place p = {0};
    CHECK_INT(hb_pin_observe(t, &p), 0);
    fprintf(stderr, "planned cpuset %s core %d; observed mask %s pu %d core %d\n", set, core,
            p.mask, p.pu, p.core);
    CHECK_STR(p.mask, set);
    CHECK_INT(p.core, core);
    CHECK(p.pu >= 0);

    /* bind pu: the mask is exactly the PU the thread runs on */
    r.bind = HB_BIND_PU;
    CHECK_INT(hb_pin_bind_self(t, &r, 0), 0);
    CHECK_INT(hb_pin_plan(t, &r, 0, set, sizeof set, &core), 0);
    CHECK_INT(hb_pin_observe(t, &p), 0);
    CHECK_STR(p.mask, set);
    CHECK_INT(p.pu, atoi(set));
    CHECK_INT(p.core, core);
    hb_topo_free(t);
}

int main(void) {
    test_describe();
    test_names();
    test_compact();
    test_spread();
    test_never_share();
    test_given();
    test_refusals();
    test_overlaps();
    test_real_bind();
    return hb_check_summary();
}
