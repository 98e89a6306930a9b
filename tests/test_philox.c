/* hb_philox4x32_batch (philox_batch.h) must equal Random123's philox4x32
 * bit for bit: known-answer vectors, then many counters and keys, including
 * the all-zero and all-one words. The π kernel's hit count for a stream is
 * then checked against a scalar count built on Random123 directly. */
#include <Random123/philox.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "hybench/args.h"
#include "hybench/kernel.h"
#include "kernel_util.h"
#include "hybench/philox_batch.h"

/* Random123's kat_vectors for philox4x32, 10 rounds: counter, key, result. */
static const uint32_t kat[][10] = {
    {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
    {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d, 0x41c83b0e,
     0xa20bc7c6, 0x6d5451fd},
    {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb,
     0x5001e420, 0x24126ea1},
};

static philox4x32_ctr_t reference(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                                  uint32_t k1) {
    philox4x32_ctr_t c = {{c0, c1, c2, c3}};
    philox4x32_key_t k = {{k0, k1}};
    return philox4x32(c, k);
}

static void test_kat(void) {
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        const uint32_t *v = kat[i];
        philox4x32_ctr_t r = reference(v[0], v[1], v[2], v[3], v[4], v[5]);
        for (int j = 0; j < 4; j++)
            CHECK_INT(r.v[j], v[6 + j]);
        uint32_t c0[HB_PHILOX_LANES], c1[HB_PHILOX_LANES], c2[HB_PHILOX_LANES], c3[HB_PHILOX_LANES];
        for (int l = 0; l < HB_PHILOX_LANES; l++) {
            c0[l] = v[0];
            c1[l] = v[1];
            c2[l] = v[2];
            c3[l] = v[3];
        }
        hb_philox4x32_batch(c0, c1, c2, c3, v[4], v[5]);
        for (int l = 0; l < HB_PHILOX_LANES; l++) {
            CHECK_INT(c0[l], v[6]);
            CHECK_INT(c1[l], v[7]);
            CHECK_INT(c2[l], v[8]);
            CHECK_INT(c3[l], v[9]);
        }
    }
}

static uint64_t mix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A word that is often an edge value, otherwise random. */
static uint32_t word(uint64_t *s) {
    uint64_t r = mix(s);
    switch (r & 7) {
    case 0:
        return 0;
    case 1:
        return 0xffffffffu;
    case 2:
        return (uint32_t)(r >> 60); /* small */
    default:
        return (uint32_t)(r >> 32);
    }
}

static void test_many(void) {
    uint64_t seed = 12345;
    long mismatches = 0;
    for (int batch = 0; batch < 20000; batch++) {
        uint32_t k0 = word(&seed), k1 = word(&seed);
        uint32_t c0[HB_PHILOX_LANES], c1[HB_PHILOX_LANES], c2[HB_PHILOX_LANES], c3[HB_PHILOX_LANES],
            in[HB_PHILOX_LANES][4];
        for (int l = 0; l < HB_PHILOX_LANES; l++) {
            /* Half the batches are consecutive counters, as the π kernel uses them. */
            if (batch % 2 == 0 || l == 0) {
                in[l][0] = word(&seed);
                in[l][1] = word(&seed);
                in[l][2] = word(&seed);
                in[l][3] = word(&seed);
            } else {
                memcpy(in[l], in[l - 1], sizeof in[l]);
                in[l][0]++;
            }
            c0[l] = in[l][0];
            c1[l] = in[l][1];
            c2[l] = in[l][2];
            c3[l] = in[l][3];
        }
        hb_philox4x32_batch(c0, c1, c2, c3, k0, k1);
        for (int l = 0; l < HB_PHILOX_LANES; l++) {
            philox4x32_ctr_t r = reference(in[l][0], in[l][1], in[l][2], in[l][3], k0, k1);
            if (r.v[0] != c0[l] || r.v[1] != c1[l] || r.v[2] != c2[l] || r.v[3] != c3[l]) {
                if (mismatches++ < 3)
                    fprintf(stderr,
                            "ctr %08" PRIx32 " %08" PRIx32 " %08" PRIx32 " %08" PRIx32
                            " key %08" PRIx32 " %08" PRIx32 ": batch differs\n",
                            in[l][0], in[l][1], in[l][2], in[l][3], k0, k1);
            }
        }
    }
    CHECK_INT(mismatches, 0);
}

/* Hits of stream s of the π kernel, sample by sample with Random123: sample i
 * is word pair (0,1) of counter {i/2, s} when i is even, pair (2,3) when odd;
 * it hits when x^2 + y^2 < 2^64. */
static uint64_t reference_hits(uint64_t seed, uint64_t s, uint64_t samples) {
    uint64_t hits = 0;
    __extension__ typedef unsigned __int128 u128;
    for (uint64_t i = 0; i < samples; i++) {
        uint64_t j = i / 2;
        philox4x32_ctr_t r = reference((uint32_t)j, (uint32_t)(j >> 32), (uint32_t)s,
                                       (uint32_t)(s >> 32), (uint32_t)seed, (uint32_t)(seed >> 32));
        uint32_t x = i % 2 ? r.v[2] : r.v[0], y = i % 2 ? r.v[3] : r.v[1];
        u128 d = (u128)x * x + (u128)y * y;
        hits += d < ((u128)1 << 64);
    }
    return hits;
}

/* Run the π kernel in one process and read "hits N of" from its report. */
static int kernel_hits(const char *streams, const char *samples, uint64_t seed, uint64_t *hits) {
    const hb_kernel *k = hb_kernel_find("pi");
    CHECK(k != NULL);
    if (!k)
        return -1;
    char *argv[] = {"--streams", (char *)streams, "--samples", (char *)samples};
    const hb_option *const tables[] = {k->options, NULL};
    hb_args args;
    int rc = hb_args_parse(4, argv, tables, &args);
    CHECK_INT(rc, 0);
    if (rc)
        return rc;
    hb_kernel_cfg cfg = {.seed = seed, .chunk = 1, .nodes = 1, .ranks = 1, .threads = 1};
    void *st = NULL;
    hb_kernel_plan plan;
    rc = hb_test_create(k, &args, cfg, &plan, &st);
    CHECK_INT(rc, 0);
    if (!rc) {
        hb_worker w = {0, 0, 0, -1, "test"};
        size_t n = plan.ntasks;
        if (k->begin)
            CHECK_INT(k->begin(st), 0);
        for (size_t t = n; t-- > 0;) /* any order: the result depends on the index alone */
            CHECK_INT(k->task(st, t, &w), 0);
        CHECK_INT(k->reduce(st, MPI_COMM_NULL), 0);
        hb_verdict v = {0};
        CHECK_INT(k->verify(st, &v), 0);
        const char *p = v.report ? strstr(v.report, "hits ") : NULL;
        CHECK(p != NULL);
        rc = p && sscanf(p, "hits %" SCNu64, hits) == 1 ? 0 : -1;
        free(v.report);
        k->destroy(st);
        hb_kernel_plan_free(&plan);
    }
    hb_args_free(&args);
    return rc;
}

static void test_pi_streams(void) {
    /* Odd sample counts and counts that are not a multiple of the lane batch
     * exercise the partial last batch. */
    static const struct {
        const char *streams, *samples;
        uint64_t seed;
    } cases[] = {
        {"1", "1", 1},     {"1", "2", 1},
        {"3", "31", 7},    {"2", "32", 0},
        {"5", "33", 42},   {"4", "1001", 1},
        {"2", "4096", 3},  {"3", "5000", 0xffffffffffull},
        {"1", "20001", 1}, {"2", "777", 1ull << 40},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t got = 0, want = 0;
        size_t streams = (size_t)strtoul(cases[c].streams, NULL, 10);
        uint64_t samples = strtoull(cases[c].samples, NULL, 10);
        for (size_t s = 0; s < streams; s++)
            want += reference_hits(cases[c].seed, s, samples);
        if (kernel_hits(cases[c].streams, cases[c].samples, cases[c].seed, &got) == 0) {
            if (got != want)
                fprintf(stderr,
                        "pi streams=%s samples=%s seed=%" PRIu64 ": kernel %" PRIu64
                        " hits, reference %" PRIu64 "\n",
                        cases[c].streams, cases[c].samples, cases[c].seed, got, want);
            CHECK(got == want);
        }
    }
}

int main(void) {
    test_kat();
    test_many();
    test_pi_streams();
    return hb_check_summary();
}
