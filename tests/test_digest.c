/* Unit tests of digests and exact sums (digest.h): FNV-1a's published
 * values, order in folds, and sums that are exact whatever the order and
 * the split into accumulators. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "hybench/digest.h"

static double sum_of(const double *x, size_t n) {
    hb_xsum s = {0};
    for (size_t i = 0; i < n; i++)
        hb_xsum_add(&s, x[i]);
    return hb_xsum_value(&s);
}

int main(void) {
    /* FNV-1a 64 test vectors (the reference's "" and "a"). */
    CHECK(hb_digest(HB_DIGEST_INIT, "", 0) == 0xcbf29ce484222325u);
    CHECK(hb_digest(HB_DIGEST_INIT, "a", 1) == 0xaf63dc4c8601ec8cu);
    CHECK(hb_digest(HB_DIGEST_INIT, "foobar", 6) == 0x85944171f73967e8u);
    uint64_t a = hb_digest(HB_DIGEST_INIT, "x", 1), b = hb_digest(HB_DIGEST_INIT, "y", 1);
    CHECK(hb_digest_fold(hb_digest_fold(0, a), b) != hb_digest_fold(hb_digest_fold(0, b), a));
    uint64_t w1[2] = {0, 1}, w2[2] = {1, 0};
    CHECK(hb_digest_words(w1, 2) != hb_digest_words(w2, 2));

    /* Cancellation that plain doubles lose, in every order. */
    double c[3] = {1e16, 1.0, -1e16}, d[3] = {1.0, 1e16, -1e16}, e[3] = {1e16, -1e16, 1.0};
    CHECK(sum_of(c, 3) == 1.0);
    CHECK(sum_of(d, 3) == 1.0);
    CHECK(sum_of(e, 3) == 1.0);
    CHECK((1e16 + 1.0) - 1e16 != 1.0); /* what the exact sum is for */
    /* The extremes: the largest and the smallest doubles, signs. */
    double big[4] = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    CHECK(sum_of(big, 4) == 0.0);
    double tiny[3] = {4.9406564584124654e-324, 4.9406564584124654e-324, -DBL_MIN};
    CHECK(sum_of(tiny, 3) == 2 * 4.9406564584124654e-324 - DBL_MIN);
    double neg[3] = {-0.1, -0.2, 0.05};
    CHECK_NEAR(sum_of(neg, 3), -0.25, 1e-16);
    CHECK(sum_of(neg, 3) < 0);
    double one[1] = {-3.5};
    CHECK(sum_of(one, 1) == -3.5);
    double none[1] = {0.0};
    CHECK(sum_of(none, 0) == 0.0);
    double inf[2] = {INFINITY, 1}, nan2[2] = {INFINITY, -INFINITY}, nan1[2] = {NAN, 1};
    CHECK(isinf(sum_of(inf, 2)) && sum_of(inf, 2) > 0);
    CHECK(isnan(sum_of(nan2, 2)));
    CHECK(isnan(sum_of(nan1, 2)));

    /* Many terms: any split into accumulators merges to the same bits as
     * one pass, and close to a long double sum. */
    enum { N = 20000 };
    static double x[N];
    uint64_t r = 42;
    long double ref = 0;
    for (int i = 0; i < N; i++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        x[i] = ldexp((double)(int64_t)(r >> 11) - 0x1p52, (int)(r % 80) - 40);
        ref += x[i];
    }
    double whole = sum_of(x, N);
    hb_xsum parts[3] = {{{0}}};
    for (int i = N; i-- > 0;) /* backwards, dealt round robin */
        hb_xsum_add(&parts[i % 3], x[i]);
    hb_xsum_merge(&parts[0], &parts[1]);
    hb_xsum_merge(&parts[0], &parts[2]);
    double merged = hb_xsum_value(&parts[0]);
    CHECK(memcmp(&whole, &merged, sizeof whole) == 0);
    CHECK_NEAR(whole, (double)ref, fabs((double)ref) * 1e-15 + 1e-300);
    return hb_check_summary();
}
