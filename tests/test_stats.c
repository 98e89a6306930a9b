/* Unit tests of the efficiency arithmetic (stats.h): the ideal bound and idle
 * workers of N equal tasks on W workers, Karp-Flatt worked by hand, the
 * median and median absolute deviation over repeats, the coefficient of
 * variation, and the bootstrap interval of a ratio of medians: intervals
 * worked out by hand from the resampling distribution, the pairing of the
 * two sides by round, the scale of the interval against the median's
 * asymptotic standard error, and seeded determinism. */
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

static void test_cv(void) {
    /* {1,2,3}: mean 2, sample sd 1. */
    CHECK_NEAR(hb_cv((const double[]){1, 2, 3}, 3), 0.5, 1e-15);
    CHECK_NEAR(hb_cv((const double[]){4, 4, 4, 4}, 4), 0.0, 0);
    CHECK(isnan(hb_cv((const double[]){4}, 1)));
    CHECK(isnan(hb_cv((const double[]){-1, 1}, 2)));
}

static void boot(const double *num, const long *rn, size_t nn, const double *den, const long *rd,
                 size_t nd, uint64_t seed, double *lo, double *hi) {
    CHECK_INT(hb_boot_ratio((hb_boot_side){num, rn, nn}, (hb_boot_side){den, rd, nd}, seed, 2000,
                            0.95, lo, hi),
              0);
}

static void test_boot_exact(void) {
    double lo, hi;
    /* num {3,3}, den {1,2}: a resample of den has median 1 (p 1/4), 1.5
     * (p 1/2) or 2 (p 1/4), so the ratio is 3, 2 or 1.5; the 2.5% and 97.5%
     * quantiles are 1.5 and 3. */
    boot((const double[]){3, 3}, NULL, 2, (const double[]){1, 2}, NULL, 2, 7, &lo, &hi);
    CHECK_NEAR(lo, 1.5, 1e-12);
    CHECK_NEAR(hi, 3.0, 1e-12);
    /* den {1,1,1,1,1.25}: the median of 5 draws is 1.25 when 3 or more are
     * 1.25, p = 10(.2^3)(.8^2) + 5(.2^4)(.8) + .2^5 = 0.05792 > 2.5%, so the
     * interval of 2 / median is [1.6, 2]. */
    boot((const double[]){2, 2, 2, 2}, NULL, 4, (const double[]){1, 1, 1, 1, 1.25}, NULL, 5, 7, &lo,
         &hi);
    CHECK_NEAR(lo, 1.6, 1e-12);
    CHECK_NEAR(hi, 2.0, 1e-12);
    /* Identical repeats: no spread, a zero-width interval. */
    boot((const double[]){2, 2, 2}, NULL, 3, (const double[]){1, 1, 1}, NULL, 3, 7, &lo, &hi);
    CHECK_NEAR(lo, 2.0, 0);
    CHECK_NEAR(hi, 2.0, 0);
}

/* Rounds keep the two sides together: drift that slows both sides alike in
 * round 2 cancels in the ratio, drift that hits one side does not. */
static void test_boot_rounds(void) {
    const double num[] = {2, 2, 2, 3, 3, 3}, den[] = {1, 1, 1, 1.5, 1.5, 1.5},
                 flat[] = {1, 1, 1, 1, 1, 1};
    const long rounds[] = {1, 1, 1, 2, 2, 2};
    double lo, hi;
    /* Every draw of rounds gives 2: pooled medians 2.5 / 1.25, or 2/1, 3/1.5. */
    boot(num, rounds, 6, den, rounds, 6, 11, &lo, &hi);
    CHECK_NEAR(lo, 2.0, 1e-12);
    CHECK_NEAR(hi, 2.0, 1e-12);
    /* The same values without rounds resample apart: num's median is 2, 2.5
     * or 3 and den's 1, 1.25 or 1.5, each end with p 22/64, so the ends of
     * the interval are 2 / 1.5 and 3 / 1. */
    boot(num, NULL, 6, den, NULL, 6, 11, &lo, &hi);
    CHECK_NEAR(lo, 2.0 / 1.5, 1e-12);
    CHECK_NEAR(hi, 3.0, 1e-12);
    /* Drift in num alone: rounds {1,1} give 2, {2,2} give 3 (p 1/4 each),
     * mixed draws 2.5. */
    boot(num, rounds, 6, flat, rounds, 6, 11, &lo, &hi);
    CHECK_NEAR(lo, 2.0, 1e-12);
    CHECK_NEAR(hi, 3.0, 1e-12);
    /* Sides with no round in common still get an interval (each side then
     * draws from its own rounds when a joint draw leaves one empty). */
    const long r1[] = {1, 1, 1}, r2[] = {2, 2, 2};
    boot((const double[]){2, 2.1, 1.9}, r1, 3, (const double[]){1, 1.05, 0.95}, r2, 3, 11, &lo,
         &hi);
    CHECK(lo <= 2 && hi >= 2 && lo >= 1.9 / 1.05 - 1e-12 && hi <= 2.1 / 0.95 + 1e-12);
}

/* With many repeats the interval has the width normal theory gives the
 * median: den evenly spread over [0.99, 1.01] (density 50), n = 401, so
 * the median's standard error is 1 / (2 * 50 * sqrt(401)) and the 95%
 * interval of 2 / median has a half-width near 2 * 1.96 * that. The
 * bootstrap estimates the median's spread with an error of order
 * n^(-1/4), so this checks the scale to 30%. */
static void test_boot_scale(void) {
    enum { N = 401 };
    double num[N], den[N], lo, hi;
    for (int i = 0; i < N; i++) {
        num[i] = 2;
        den[i] = 0.99 + 0.02 * (i + 0.5) / N;
    }
    boot(num, NULL, N, den, NULL, N, 5, &lo, &hi);
    double want = 2 * 1.96 / (2 * 50 * sqrt((double)N));
    CHECK(lo < 2 && hi > 2);
    CHECK_NEAR(0.5 * (hi - lo), want, 0.3 * want);
    fprintf(stderr, "bootstrap half-width %.4g, normal theory %.4g\n", 0.5 * (hi - lo), want);
}

/* Seeded: the same values in any order and the same seed give the same
 * interval, bit for bit. */
static void test_boot_determinism(void) {
    const double a[] = {1.00, 1.07, 0.98, 1.12, 1.03, 0.95, 1.01},
                 b[] = {0.52, 0.55, 0.50, 0.58, 0.51, 0.53};
    const double a2[] = {1.12, 0.95, 1.00, 1.01, 1.07, 1.03, 0.98},
                 b2[] = {0.58, 0.50, 0.53, 0.52, 0.51, 0.55};
    const long ra[] = {1, 2, 3, 1, 2, 3, 1}, rb[] = {1, 2, 3, 1, 2, 3};
    const long ra2[] = {1, 3, 1, 1, 2, 2, 3}, rb2[] = {1, 3, 3, 1, 2, 2};
    double lo1, hi1, lo2, hi2, lo3, hi3;
    boot(a, ra, 7, b, rb, 6, 42, &lo1, &hi1);
    boot(a, ra, 7, b, rb, 6, 42, &lo2, &hi2);
    CHECK(lo1 == lo2 && hi1 == hi2);
    /* a2/b2 are a/b shuffled with their rounds: a[3] = 1.12 was round 1 in
     * ra and is round 1 in ra2, and so on. */
    boot(a2, ra2, 7, b2, rb2, 6, 42, &lo3, &hi3);
    CHECK(lo1 == lo3 && hi1 == hi3);
    CHECK(lo1 < 1.01 / 0.525 && 1.01 / 0.525 < hi1); /* around the ratio of medians */
    /* Too few values or a non-positive median: no interval. */
    boot(a, NULL, 1, b, NULL, 6, 42, &lo1, &hi1);
    CHECK(isnan(lo1) && isnan(hi1));
    boot(a, NULL, 7, (const double[]){0, 0, 0}, NULL, 3, 42, &lo1, &hi1);
    CHECK(isnan(lo1) && isnan(hi1));
    /* A zero wall among the den values: some resamples have median 0, an
     * infinite ratio, so there is no interval (not one end of it). */
    boot(a, NULL, 7, (const double[]){0, 2.0}, NULL, 2, 42, &lo1, &hi1);
    CHECK(isnan(lo1) && isnan(hi1));
    /* The seeds come from text: different texts, different hashes. */
    uint64_t h1 = hb_hash_text(hb_hash_text(HB_HASH_INIT, "ab"), "c");
    uint64_t h2 = hb_hash_text(hb_hash_text(HB_HASH_INIT, "a"), "bc");
    CHECK(h1 != h2);
    CHECK(hb_hash_text(HB_HASH_INIT, "x") == hb_hash_text(HB_HASH_INIT, "x"));
}

int main(void) {
    test_ideal();
    test_karp_flatt();
    test_median_mad();
    test_cv();
    test_boot_exact();
    test_boot_rounds();
    test_boot_scale();
    test_boot_determinism();
    return hb_check_summary();
}
