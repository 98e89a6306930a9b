/* Unit tests of numfmt.h: number text as Python's repr(float) writes it, and
 * hb_fmt_num's integer form. The expected strings were produced by CPython
 * 3 (repr(x)); inputs are hex literals so the doubles are exact. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "hybench/numfmt.h"

typedef struct {
    double x;
    const char *repr;
} repr_case;

static const repr_case repr_cases[] = {
    {0.1, "0.1"},
    {10.0, "10.0"},
    {1e-05, "1e-05"},
    {1e16, "1e+16"},
    {0.0001, "0.0001"},
    {123456789012345.0, "123456789012345.0"},
    {1.0 / 3.0, "0.3333333333333333"},
    {-0.0, "-0.0"},
    {0.0, "0.0"},
    {2.5, "2.5"},
    {100.0, "100.0"},
    {-1.5, "-1.5"},
    {1.0, "1.0"},
    {0.5, "0.5"},
    {1e22, "1e+22"},
    {0x1.421f5f40d8376p-23, "1.5e-07"},
    {1e15, "1000000000000000.0"},
    {0x1.1c37937e07fffp+53, "9999999999999998.0"},
    {0x1p+53, "9007199254740992.0"},
    {0x0.0000000000001p-1022, "5e-324"},
    {0x0.0000000000003p-1022, "1.5e-323"},
    {0x1.fffffffffffffp+1023, "1.7976931348623157e+308"},
    {0x1.3333333333334p-2, "0.30000000000000004"},
    {1e100, "1e+100"},
    {123456.789, "123456.789"},
    {0.001, "0.001"},
    {1234.5, "1234.5"},
    {-1e-05, "-1e-05"},
    {0x1.3a92a30553262p-13, "0.00015000000000000001"},
    {0x1.a36e2eb1c432cp-14, "9.999999999999999e-05"},
    {0x1.7af4c4a80aaabp+51, "3333333333333333.5"},
    {0x1.921fb54442d18p+1, "3.141592653589793"},
    {0x1p+63, "9.223372036854776e+18"},
    {-123456789.125, "-123456789.125"},
    {1e300, "1e+300"},
};

static void test_repr(void) {
    char buf[HB_NUMFMT_MAX];
    for (size_t i = 0; i < sizeof repr_cases / sizeof repr_cases[0]; i++) {
        memset(buf, 'Z', sizeof buf);
        char *r = hb_fmt_repr(buf, repr_cases[i].x);
        CHECK(r == buf);
        CHECK_STR(buf, repr_cases[i].repr);
    }
    CHECK_STR(hb_fmt_repr(buf, NAN), "nan");
    CHECK_STR(hb_fmt_repr(buf, -NAN), "nan"); /* Python prints no sign on NaN */
    CHECK_STR(hb_fmt_repr(buf, INFINITY), "inf");
    CHECK_STR(hb_fmt_repr(buf, -INFINITY), "-inf");
}

static void test_num(void) {
    char buf[HB_NUMFMT_MAX];
    CHECK_STR(hb_fmt_num(buf, 16), "16");
    CHECK_STR(hb_fmt_num(buf, 2.5), "2.5");
    CHECK_STR(hb_fmt_num(buf, 1), "1");
    CHECK_STR(hb_fmt_num(buf, 0), "0");
    CHECK_STR(hb_fmt_num(buf, -0.0), "0");
    CHECK_STR(hb_fmt_num(buf, -27), "-27");
    CHECK_STR(hb_fmt_num(buf, 1e15), "1000000000000000");
    CHECK_STR(hb_fmt_num(buf, 0x1p+53 - 1), "9007199254740991");
    /* From 2^53 on a double is not an exact integer any more: repr. */
    CHECK_STR(hb_fmt_num(buf, 0x1p+53), "9007199254740992.0");
    CHECK_STR(hb_fmt_num(buf, 1e20), "1e+20");
    CHECK_STR(hb_fmt_num(buf, 0.1), "0.1");
    CHECK_STR(hb_fmt_num(buf, 1e-05), "1e-05");
    CHECK_STR(hb_fmt_num(buf, -0.5), "-0.5");
    CHECK_STR(hb_fmt_num(buf, NAN), "nan");
    CHECK_STR(hb_fmt_num(buf, INFINITY), "inf");
}

/* splitmix64: a fixed, portable sequence of bit patterns. */
static uint64_t mix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Any finite double reads back exactly, in the shortest %e digits that do,
 * and fits the buffer. */
static void test_round_trip(void) {
    uint64_t seed = 2024;
    int bad = 0;
    for (int i = 0; i < 40000 && bad < 5; i++) {
        uint64_t bits = mix(&seed);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        char buf[HB_NUMFMT_MAX + 8];
        memset(buf, 0, sizeof buf);
        hb_fmt_repr(buf, x);
        size_t len = strlen(buf);
        char *end;
        double y = strtod(buf, &end);
        /* Shortest: no %e precision below the significant digits written reads back. */
        char sig[64];
        int nsig = 0;
        for (const char *p = buf; *p && *p != 'e' && nsig < 63; p++)
            if (*p >= '0' && *p <= '9' && (nsig > 0 || *p != '0'))
                sig[nsig++] = *p;
        while (nsig > 1 && sig[nsig - 1] == '0')
            nsig--;
        char shorter[64];
        int shorter_ok = 0;
        for (int prec = 0; prec < nsig - 1 && !shorter_ok; prec++) {
            snprintf(shorter, sizeof shorter, "%.*e", prec, x);
            shorter_ok = strtod(shorter, NULL) == x;
        }
        if (len >= HB_NUMFMT_MAX || *end != '\0' || memcmp(&x, &y, sizeof x) != 0) {
            fprintf(stderr, "repr of %a is '%s', which does not read back\n", x, buf);
            bad++;
        }
        CHECK(len < HB_NUMFMT_MAX);
        CHECK(*end == '\0');
        CHECK(memcmp(&x, &y, sizeof x) == 0);
        if (shorter_ok) {
            fprintf(stderr, "repr of %a is '%s' but '%s' is shorter\n", x, buf, shorter);
            bad++;
        }
        CHECK(!shorter_ok);
    }
}

int main(void) {
    test_repr();
    test_num();
    test_round_trip();
    return hb_check_summary();
}
