/* Unit tests of the efficiency arithmetic (stats.h): the ideal bound and idle
 * workers of N equal tasks on W workers, Karp-Flatt worked by hand, and the
 * median and median absolute deviation over repeats. */
#include <stdlib.h>

#include "check.h"
#include "hybench/stats.h"

static void test_ideal(void) {
    /* The lesson's example: 7 equal tasks on 10 cores leave 3 idle, 70% at best. */
    CHECK_NEAR(hb_ideal_efficiency(7, 10), 0.70, 1e-15);
    CHECK_INT(hb_idle_workers(7, 10), 3);
    /* 7 streams on 2 workers: 4 rounds, 8 slots, 1 idle. */
    CHECK_NEAR(hb_ideal_efficiency(7, 2), 0.875, 1e-15);
    CHECK_INT(hb_idle_workers(7, 2), 1);
    CHECK_NEAR(hb_ideal_efficiency(7, 4), 0.875, 1e-15);
    CHECK_INT(hb_idle_workers(7, 4), 1);
    CHECK_NEAR(hb_ideal_efficiency(64, 2), 1.0, 0);
    CHECK_INT(hb_idle_workers(64, 2), 0);
    CHECK_NEAR(hb_ideal_efficiency(10, 10), 1.0, 0);
    CHECK_INT(hb_idle_workers(10, 10), 0);
    CHECK_NEAR(hb_ideal_efficiency(11, 10), 11.0 / 20.0, 1e-15);
    CHECK_INT(hb_idle_workers(11, 10), 9);
    CHECK_NEAR(hb_ideal_efficiency(1, 17), 1.0 / 17.0, 1e-15);
    CHECK_INT(hb_idle_workers(1, 17), 16);
    CHECK_NEAR(hb_ideal_efficiency(1001, 17), 1001.0 / (17.0 * 59.0), 1e-15);
    CHECK_INT(hb_idle_workers(1001, 17), 17 * 59 - 1001);
    CHECK_NEAR(hb_ideal_efficiency(5, 1), 1.0, 0);
    CHECK_INT(hb_idle_workers(5, 1), 0);
    /* Degenerate layouts. */
    CHECK_NEAR(hb_ideal_efficiency(0, 10), 0.0, 0);
    CHECK_NEAR(hb_ideal_efficiency(10, 0), 0.0, 0);
    CHECK_INT(hb_idle_workers(10, 0), 0);
    CHECK_INT(hb_idle_workers(0, 10), 0);

    /* Definition check over a grid: ideal = n / (w * rounds), idle = w * rounds - n,
     * and the two agree: ideal = n / (n + idle). */
    for (size_t n = 1; n <= 60; n++)
        for (size_t w = 1; w <= 24; w++) {
            size_t rounds = (n + w - 1) / w;
            size_t idle = hb_idle_workers(n, w);
            double ideal = hb_ideal_efficiency(n, w);
            CHECK_INT(idle, w * rounds - n);
            CHECK(idle < w);
            CHECK_NEAR(ideal, (double)n / (double)(n + idle), 1e-15);
            CHECK(ideal > 0 && ideal <= 1);
        }
}

static void test_karp_flatt(void) {
    /* e = (1/s - 1/p) / (1 - 1/p). s = 3 on p = 4: (1/3 - 1/4) / (3/4) = (1/12)(4/3) = 1/9. */
    CHECK_NEAR(hb_karp_flatt(3, 4), 1.0 / 9.0, 1e-15);
    /* Perfect speedup: no serial fraction. */
    CHECK_NEAR(hb_karp_flatt(8, 8), 0.0, 1e-15);
    /* No speedup at all: everything is serial. */
    CHECK_NEAR(hb_karp_flatt(1, 2), 1.0, 1e-15);
    CHECK_NEAR(hb_karp_flatt(1, 16), 1.0, 1e-15);
    /* s = 1.6 on p = 2: (0.625 - 0.5) / 0.5 = 0.25. */
    CHECK_NEAR(hb_karp_flatt(1.6, 2), 0.25, 1e-15);
    /* s = 10 on p = 16: (0.1 - 0.0625) / 0.9375 = 0.04. */
    CHECK_NEAR(hb_karp_flatt(10, 16), 0.04, 1e-15);
    /* Superlinear speedup gives a negative fraction, not a clamp. */
    CHECK(hb_karp_flatt(5, 4) < 0);
    /* Undefined on one worker, or without a speedup. */
    CHECK(isnan(hb_karp_flatt(1, 1)));
    CHECK(isnan(hb_karp_flatt(2, 0.5)));
    CHECK(isnan(hb_karp_flatt(0, 4)));
    CHECK(isnan(hb_karp_flatt(NAN, 4)));
}

static void test_median_mad(void) {
    const double odd[] = {3, 1, 2};
    double copy[3];
    memcpy(copy, odd, sizeof odd);
    CHECK_NEAR(hb_median(copy, 3), 2, 0);
    CHECK(memcmp(copy, odd, sizeof odd) == 0); /* sorts a copy, not the input */
    CHECK_NEAR(hb_median((const double[]){4, 1, 3, 2}, 4), 2.5, 0);
    CHECK_NEAR(hb_median((const double[]){5}, 1), 5, 0);
    CHECK_NEAR(hb_median((const double[]){2, 1}, 2), 1.5, 0);
    CHECK_NEAR(hb_median((const double[]){0.3, 0.1, 0.2, 100}, 4), 0.25, 1e-15);
    CHECK_NEAR(hb_median((const double[]){-1, -5, 7, 7, 7}, 5), 7, 0);
    CHECK(isnan(hb_median(copy, 0)));

    /* MAD of {1,1,2,2,4,6,9}: median 2, deviations {1,1,0,0,2,4,7}, their median 1. */
    CHECK_NEAR(hb_mad((const double[]){1, 1, 2, 2, 4, 6, 9}, 7), 1, 0);
    /* {1,2,3,4}: median 2.5, deviations {1.5,0.5,0.5,1.5}, median 1. */
    CHECK_NEAR(hb_mad((const double[]){4, 3, 2, 1}, 4), 1, 0);
    CHECK_NEAR(hb_mad((const double[]){5, 5, 5}, 3), 0, 0);
    CHECK_NEAR(hb_mad((const double[]){7}, 1), 0, 0);
    /* One outlier moves neither. */
    CHECK_NEAR(hb_median((const double[]){1.0, 1.1, 0.9, 1000}, 4), 1.05, 1e-12);
    CHECK_NEAR(hb_mad((const double[]){1.0, 1.1, 0.9, 1000}, 4), 0.1, 1e-12);
    CHECK(isnan(hb_mad(copy, 0)));
}

int main(void) {
    test_ideal();
    test_karp_flatt();
    test_median_mad();
    return hb_check_summary();
}
