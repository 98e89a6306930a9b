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

/* Per sample, one core, measured by bench/pi_bench.sh (6.1e8 samples/s):
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

static int pi_task(void *state, size_t task, const hb_worker *w) {
    (void)w;
    pi_state *st = state;
    uint64_t pairs = (st->samples + 1) / 2, hits = 0;
    uint32_t k0 = (uint32_t)st->seed, k1 = (uint32_t)(st->seed >> 32);
    uint32_t s_lo = (uint32_t)task, s_hi = (uint32_t)((uint64_t)task >> 32);
    for (uint64_t j = 0; j < pairs; j += HB_PHILOX_LANES)
        hits += count_batch(j, st->samples, s_lo, s_hi, k0, k1);
    st->hits[task] = hits;
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
