/* The pow kernel's arithmetic: the vector pow against its own scalar build
 * (bit for bit) and against glibc's pow (ulps), results independent of where
 * a range starts and ends, the checksum, the list text and the memory bound. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "hybench/error.h"
#include "hybench/pow.h"

#define N 200000 /* a multiple of HB_POW_BLOCK */

static double xs[N], ys[N], rv[N], rm[N];

static void test_vector_matches_scalar_and_glibc(void) {
    hb_pow_generate(1, 0, N, xs, ys);
    hb_pow_block(xs, ys, rv, N / HB_POW_BLOCK);
    size_t scalar_diff = 0, out_of_range = 0;
    uint64_t worst = 0;
    for (size_t i = 0; i < N; i++) {
        if (!(xs[i] >= HB_POW_BASE_MIN && xs[i] <= HB_POW_BASE_MAX &&
              fabs(ys[i]) <= HB_POW_EXP_MAX))
            out_of_range++;
        double s = hb_pow_scalar(xs[i], ys[i]);
        if (memcmp(&s, &rv[i], sizeof s) != 0)
            scalar_diff++;
        uint64_t u = hb_pow_ulps(rv[i], pow(xs[i], ys[i]));
        worst = u > worst ? u : worst;
    }
    CHECK_INT(out_of_range, 0);
    CHECK_INT(scalar_diff, 0);
    CHECK(worst <= 1);
}

/* The whole domain of hb_pow_block, not only the generated one: x from
 * 2^-1000 to 2^1000 (every exponent and table entry) and y with
 * |y ln x| < 700, so |y| reaches 10^4 and more near x = 1 (where y times the
 * log's low part stretches exp's reduced argument most). Same bits as the
 * scalar build, and within 2 ulp of glibc (pow_math.c). */
static void test_whole_domain(void) {
    enum { W = 40000 };
    static double m[W], e[W], u[W], t[W], x[W], y[W], r[W];
    hb_pow_generate(5, 0, W, m, e); /* m in [0.5, 100), e and t in [-100, 100) */
    hb_pow_generate(6, 0, W, u, t);
    for (size_t i = 0; i < W; i++) {
        x[i] = ldexp(m[i], (int)(e[i] * 10));
        /* one element in 8 has x within 0.05 of 1, for large |y| */
        if (i % 8 == 0)
            x[i] = 1 + (u[i] - 50) * 0x1p-10;
        y[i] = 6.99 * t[i] / log(x[i]); /* y ln x in [-699, 699) */
        if (!(fabs(y[i] * log(x[i])) < 700))
            y[i] = 0.5; /* x == 1 */
    }
    hb_pow_block(x, y, r, W / HB_POW_BLOCK);
    size_t scalar_diff = 0;
    uint64_t worst = 0;
    for (size_t i = 0; i < W; i++) {
        double s = hb_pow_scalar(x[i], y[i]);
        if (memcmp(&s, &r[i], sizeof s) != 0)
            scalar_diff++;
        uint64_t d = hb_pow_ulps(r[i], pow(x[i], y[i]));
        worst = d > worst ? d : worst;
    }
    CHECK_INT(scalar_diff, 0);
    /* 1 here; 2 ulp occurs (6 in 10^6 elements near 1) where |y| > 10^4 */
    CHECK(worst <= 2);
}

static void test_edges_of_the_domain(void) {
    double x[8] = {1, 2, 3, 4, HB_POW_BASE_MIN, HB_POW_BASE_MAX, HB_POW_BASE_MAX, 1.0000001};
    double y[8] = {5, 4, 3, 2, -HB_POW_EXP_MAX, HB_POW_EXP_MAX, -HB_POW_EXP_MAX, 1e3};
    double r[8];
    hb_pow_block(x, y, r, 1);
    CHECK(r[0] == 1 && r[1] == 16 && r[2] == 27 && r[3] == 16);
    for (int l = 0; l < 8; l++)
        CHECK(hb_pow_ulps(r[l], pow(x[l], y[l])) <= 1);
}

/* Ranges cut anywhere give the same bits as one range. */
static void test_map_ranges(void) {
    const size_t n = 1003, cuts[] = {1, 3, 7, 8, 9, 1000};
    hb_pow_map(xs, ys, rv, 0, n);
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        for (size_t i = 0; i < n + 8; i++)
            rm[i] = -1;
        for (size_t b = 0; b < n; b += cuts[c])
            hb_pow_map(xs, ys, rm, b, b + cuts[c] < n ? b + cuts[c] : n);
        CHECK(memcmp(rv, rm, n * sizeof *rv) == 0);
        CHECK(rm[n] == -1); /* nothing written past the end */
    }
    hb_pow_map(xs, ys, rm, 5, 5); /* empty range */
    CHECK(hb_pow_checksum(rv, 0, n) == hb_pow_checksum(rm, 0, n));
}

static void test_checksum(void) {
    uint64_t whole = hb_pow_checksum(rv, 0, 1000);
    CHECK(whole == hb_pow_checksum(rv, 0, 400) + hb_pow_checksum(rv + 400, 400, 600));
    double t = rv[10];
    rv[10] = rv[11];
    rv[11] = t;
    CHECK(whole != hb_pow_checksum(rv, 0, 1000)); /* position-bound */
    rv[11] = rv[10];
    rv[10] = t;
    CHECK(whole == hb_pow_checksum(rv, 0, 1000));
    double g1[4], g2[4], h1[4], h2[4];
    hb_pow_generate(7, 100, 4, g1, h1);
    hb_pow_generate(7, 0, 104, xs, ys);
    memcpy(g2, xs + 100, sizeof g2);
    memcpy(h2, ys + 100, sizeof h2);
    CHECK(memcmp(g1, g2, sizeof g1) == 0 && memcmp(h1, h2, sizeof h1) == 0);
}

static void test_list_text(void) {
    double r[] = {1, 16, 27, 16};
    char *s = hb_pow_format_list(r, 4);
    CHECK_STR(s, "[1, 16, 27, 16]");
    free(s);
    double q[] = {0.5, 1e16, 1e300, NAN};
    s = hb_pow_format_list(q, 4);
    CHECK_STR(s, "[0.5, 1e+16, 1e+300, nan]");
    free(s);
    s = hb_pow_format_list(q, 0);
    CHECK_STR(s, "[]");
    free(s);
}

int main(void) {
    test_vector_matches_scalar_and_glibc();
    test_whole_domain();
    test_edges_of_the_domain();
    test_map_ranges();
    test_checksum();
    test_list_text();
    return hb_check_summary();
}
