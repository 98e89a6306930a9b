/* π streams: stream s draws M points in the unit square from Philox4x32-10
 * keyed by the seed, with counter (sample pair j, stream s); the stream's hit
 * count is its task result. Counts are summed exactly and π is estimated once
 * at the end with its binomial standard error.
 *
 * A point is two 32-bit words x, y read as the fractions x/2^32, y/2^32; it
 * hits when x^2 + y^2 < 2^64, tested in exact integer arithmetic, so the count
 * cannot depend on the compiler, the vector width or who ran the stream. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/error.h"
#include "hybench/kernel.h"
#include "hybench/parse.h"
#include "hybench/philox_batch.h"

#define HB_PI 3.14159265358979323846

typedef struct pi_state {
    size_t streams;
    uint64_t samples; /* per stream */
    uint64_t seed;
    uint64_t *hits; /* per stream; only the tasks this rank ran are non-zero */
    uint64_t total; /* on rank 0 after reduce */
} pi_state;

static const hb_option pi_options[] = {
    {"streams", "S", "independent streams, one task each (default 64)"},
    {"samples", "M", "points per stream (default 1000000)"},
    {NULL, NULL, NULL},
};

/* Per sample, one core: an upper bound (bench/pi_bench.sh measures about
 * 1.3e9 samples per CPU second with AVX-512, 6e8 was the rate before);
 * the up-front size check only needs the order of magnitude. */
#define PI_SECONDS_PER_SAMPLE 1.7e-9

static int pi_options_read(const hb_args *args, size_t *streams, size_t *samples) {
    const char *s;
    int rc;
    *streams = 64;
    *samples = 1000000;
    if ((s = hb_args_get(args, "streams")) &&
        (rc = hb_parse_size("--streams", s, 1, (size_t)1 << 32, streams)))
        return rc;
    if ((s = hb_args_get(args, "samples")) &&
        (rc = hb_parse_size("--samples", s, 1, (size_t)1 << 40, samples)))
        return rc;
    return 0;
}

static int pi_plan(const hb_args *args, const hb_kernel_cfg *cfg, hb_kernel_plan *out) {
    size_t streams, samples;
    int rc = pi_options_read(args, &streams, &samples);
    if (rc)
        return rc;
    char params[128];
    snprintf(params, sizeof params, "streams=%zu samples=%zu seed=%" PRIu64, streams, samples,
             cfg->seed);
    if (!(out->params = strdup(params)))
        return hb_fail(HB_ENOMEM, "out of memory");
    out->ntasks = streams;
    out->work_s = (double)streams * (double)samples * PI_SECONDS_PER_SAMPLE;
    return 0;
}

static int pi_create(const hb_args *args, const hb_kernel_cfg *cfg, void **out) {
    size_t streams, samples;
    int rc = pi_options_read(args, &streams, &samples);
    if (rc)
        return rc;
    pi_state *st = calloc(1, sizeof *st);
    if (!st)
        return hb_fail(HB_ENOMEM, "out of memory");
    st->hits = calloc(streams, sizeof *st->hits);
    if (!st->hits) {
        free(st);
        return hb_fail(HB_ENOMEM, "--streams: no memory for %zu counts", streams);
    }
    st->streams = streams;
    st->samples = samples;
    st->seed = cfg->seed;
    *out = st;
    return 0;
}

static int pi_begin(void *state) {
    pi_state *st = state;
    memset(st->hits, 0, st->streams * sizeof *st->hits);
    st->total = 0;
    return 0;
}

#ifdef __AVX512F__
/* Hits among the two points of each of 8 lanes' random words (w0, w1) and
 * (w2, w3): x^2 + y^2 < 2^64 exactly when the 64-bit sum does not wrap, i.e.
 * is not below x^2. valid0 and valid1 say which lanes' first and second
 * points count; each hit adds one to its lane of *acc. */
static inline void hits_x8(__m512i w0, __m512i w1, __m512i w2, __m512i w3, __mmask8 valid0,
                           __mmask8 valid1, __m512i *acc) {
    const __m512i one = _mm512_set1_epi64(1);
    __m512i x0 = _mm512_mul_epu32(w0, w0), s0 = _mm512_add_epi64(x0, _mm512_mul_epu32(w1, w1));
    __m512i x1 = _mm512_mul_epu32(w2, w2), s1 = _mm512_add_epi64(x1, _mm512_mul_epu32(w3, w3));
    __mmask8 h0 = _mm512_mask_cmpge_epu64_mask(valid0, s0, x0);
    __mmask8 h1 = _mm512_mask_cmpge_epu64_mask(valid1, s1, x1);
    *acc = _mm512_mask_add_epi64(*acc, h0, *acc, one);
    *acc = _mm512_mask_add_epi64(*acc, h1, *acc, one);
}

/* Pairs j = 0 .. ceil(M/2) - 1 of stream s, 8 lanes at a time and all in
 * registers: counter (j low, j high, s low, s high). Full groups of 16 pairs
 * first (two independent chains of rounds keep both vector ports busy),
 * then the last pairs under lane masks (an odd M uses only the first point
 * of its last pair). */
static uint64_t count_stream(uint64_t samples, uint64_t s, uint32_t k0, uint32_t k1) {
    hb_philox_x8_key key;
    hb_philox_x8_key_init(&key, k0, k1);
    const uint64_t pairs = (samples + 1) / 2, whole = samples / 2; /* pairs with two points */
    const __m512i s_lo = _mm512_set1_epi64((uint32_t)s), s_hi = _mm512_set1_epi64(s >> 32);
    const __m512i eight = _mm512_set1_epi64(8), sixteen = _mm512_set1_epi64(16);
    __m512i j = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), acc = _mm512_setzero_si512();
    uint64_t j0 = 0;
    for (; j0 + 16 <= whole; j0 += 16) {
        __m512i j2 = _mm512_add_epi64(j, eight);
        __m512i a0 = j, b0 = _mm512_srli_epi64(j, 32), c0 = s_lo, d0 = s_hi;
        __m512i a1 = j2, b1 = _mm512_srli_epi64(j2, 32), c1 = s_lo, d1 = s_hi;
        hb_philox4x32_x8(&a0, &b0, &c0, &d0, &key);
        hb_philox4x32_x8(&a1, &b1, &c1, &d1, &key);
        hits_x8(a0, b0, c0, d0, 0xff, 0xff, &acc);
        hits_x8(a1, b1, c1, d1, 0xff, 0xff, &acc);
        j = _mm512_add_epi64(j, sixteen);
    }
    const __m512i vpairs = _mm512_set1_epi64(pairs), vwhole = _mm512_set1_epi64(whole);
    for (; j0 < pairs; j0 += 8) {
        __m512i a = j, b = _mm512_srli_epi64(j, 32), c = s_lo, d = s_hi;
        hb_philox4x32_x8(&a, &b, &c, &d, &key);
        hits_x8(a, b, c, d, _mm512_cmplt_epu64_mask(j, vpairs), _mm512_cmplt_epu64_mask(j, vwhole),
                &acc);
        j = _mm512_add_epi64(j, eight);
    }
    return (uint64_t)_mm512_reduce_add_epi64(acc);
}
#else
/* Hits among the 2 points of each of the lanes' random words; pairs at or past
 * `pairs_end` do not count (the last batch of a stream may be partial, and an
 * odd M uses only the first point of its last pair). */
static uint64_t count_batch(uint64_t j0, uint64_t samples, uint32_t s_lo, uint32_t s_hi,
                            uint32_t k0, uint32_t k1) {
    uint32_t c0[HB_PHILOX_LANES], c1[HB_PHILOX_LANES], c2[HB_PHILOX_LANES], c3[HB_PHILOX_LANES];
    for (int l = 0; l < HB_PHILOX_LANES; l++) {
        uint64_t j = j0 + (uint64_t)l;
        c0[l] = (uint32_t)j;
        c1[l] = (uint32_t)(j >> 32);
        c2[l] = s_lo;
        c3[l] = s_hi;
    }
    hb_philox4x32_batch(c0, c1, c2, c3, k0, k1);
    uint64_t hits = 0;
#pragma omp simd reduction(+ : hits)
    for (int l = 0; l < HB_PHILOX_LANES; l++) {
        uint64_t j = j0 + (uint64_t)l;
        uint64_t x0 = (uint64_t)c0[l] * c0[l], y0 = (uint64_t)c1[l] * c1[l];
        uint64_t x1 = (uint64_t)c2[l] * c2[l], y1 = (uint64_t)c3[l] * c3[l];
        /* x^2 + y^2 < 2^64  <=>  y^2 <= UINT64_MAX - x^2 (no carry out). */
        uint64_t h0 = (2 * j < samples) & (y0 <= UINT64_MAX - x0);
        uint64_t h1 = (2 * j + 1 < samples) & (y1 <= UINT64_MAX - x1);
        hits += h0 + h1;
    }
    return hits;
}

static uint64_t count_stream(uint64_t samples, uint64_t s, uint32_t k0, uint32_t k1) {
    uint64_t pairs = (samples + 1) / 2, hits = 0;
    for (uint64_t j = 0; j < pairs; j += HB_PHILOX_LANES)
        hits += count_batch(j, samples, (uint32_t)s, (uint32_t)(s >> 32), k0, k1);
    return hits;
}
#endif

static int pi_task(void *state, size_t task, const hb_worker *w) {
    (void)w;
    pi_state *st = state;
    st->hits[task] =
        count_stream(st->samples, (uint64_t)task, (uint32_t)st->seed, (uint32_t)(st->seed >> 32));
    return 0;
}

static int pi_reduce(void *state, MPI_Comm comm) {
    pi_state *st = state;
    uint64_t local = 0;
    for (size_t s = 0; s < st->streams; s++)
        local += st->hits[s];
    if (comm == MPI_COMM_NULL) {
        st->total = local;
        return 0;
    }
    if (MPI_Reduce(&local, &st->total, 1, MPI_UINT64_T, MPI_SUM, 0, comm) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Reduce of the π hit counts failed");
    return 0;
}

static int pi_verify(void *state, hb_verdict *v) {
    pi_state *st = state;
    double n = (double)st->streams * (double)st->samples;
    double p = (double)st->total / n;
    double est = 4 * p, se = 4 * sqrt(p * (1 - p) / n);
    double dev = se > 0 ? fabs(est - HB_PI) / se : INFINITY;
    snprintf(v->result, sizeof v->result, "%.12f", est);
    v->status = dev <= 5 ? HB_VERIFIED : HB_FAILED;
    if (v->status == HB_FAILED)
        snprintf(v->why, sizeof v->why, "pi estimate %.10f is %.1f standard errors from pi", est,
                 dev);
    char *r = malloc(256);
    if (r)
        snprintf(r, 256, "pi ~ %.10f +- %.2e (%.2f se from pi); hits %" PRIu64 " of %.0f samples",
                 est, se, dev, st->total, n);
    v->report = r;
    return 0;
}

static void pi_destroy(void *state) {
    pi_state *st = state;
    if (st)
        free(st->hits);
    free(st);
}

const hb_kernel hb_kernel_pi = {
    .name = "pi",
    .summary = "π streams: S Philox streams of M points, exact hit totals",
    .options = pi_options,
    .plan = pi_plan,
    .create = pi_create,
    .begin = pi_begin,
    .task = pi_task,
    .reduce = pi_reduce,
    .verify = pi_verify,
    .destroy = pi_destroy,
};
