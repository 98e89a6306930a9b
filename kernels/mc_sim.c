/* The mc kernel's physics: checkerboard Metropolis for the Euclidean path
 * integral of the harmonic oscillator (omega = 1) on a periodic lattice, the
 * batch-means error of <x^2>, and the exact lattice value to check it against.
 *
 * Action S = sum_i [ m (x_{i+1} - x_i)^2 / (2a) + a m x_i^2 / 2 ], a = beta / N.
 * Moving site i by d changes it by dS = d [ c1 (2 x_i + d) - c2 (x_{i-1} + x_{i+1}) ]
 * with c1 = m/a + a m/2 and c2 = m/a, so an update only reads its neighbours.
 *
 * One sweep updates the even sites, then the odd ones (and, for odd N, site
 * N-1 last, since it neighbours site 0). Sites of one colour only read the
 * other colour, so each colour is updated in a vectorised loop and the result
 * is exactly that of visiting them one by one. Each Philox4x32-10 call gives
 * the proposal and the accept draw of two sites of one colour: block j of a
 * colour with M sites serves sites j and j + ceil(M/2). The counter is
 * (j | colour << 30, sweep, point id low, point id high) and the key the seed,
 * so every random number is fixed by (seed, point, sweep, site). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <Random123/philox.h>

#include "hybench/error.h"
#include "hybench/mc.h"

#define MC_PI 3.14159265358979323846

/* Fused where the machine has it (and then vectorised); plain otherwise. */
#if defined(FP_FAST_FMA)
#define MC_FMA(a, b, c) fma((a), (b), (c))
#else
#define MC_FMA(a, b, c) ((a) * (b) + (c))
#endif

double hb_mc_exact(double beta, double m, uint64_t slices) {
    double a = beta / (double)slices, sum = 0;
    for (uint64_t k = 0; k < slices; k++) {
        double s = sin(MC_PI * (double)k / (double)slices);
        sum += a / (m * (4 * s * s + a * a));
    }
    return sum / (double)slices;
}

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t bits_of(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

uint64_t hb_mc_point_id(const hb_mc_point *p) {
    uint64_t z = mix64(0x9e3779b97f4a7c15u ^ bits_of(p->beta));
    z = mix64(z ^ bits_of(p->m));
    return mix64(z ^ bits_of(p->h));
}

/* exp(-y) for the accept test, in plain arithmetic so it vectorises (libm's
 * exp is a call). y is clamped to [0, 64]: exp(-64) is below every accept
 * draw (>= 2^-33), so clamping changes no decision. Degree-10 Taylor on
 * |r| <= ln2/2 after y = k ln2 - r: relative error below 3e-13, far finer
 * than the 2^-32 grid of the accept draw. */
static inline double exp_neg(double y) {
    y = y > 0 ? y : 0;
    y = y < 64 ? y : 64;
    double k = (y * 1.4426950408889634 + 0x1.8p52) - 0x1.8p52; /* round to nearest */
    double r = MC_FMA(k, 0.6931471803691238, -y);
    r = MC_FMA(k, 1.9082149292705877e-10, r); /* r = k ln2 - y, in two parts */
    double p = 1.0 / 3628800;
    p = MC_FMA(p, r, 1.0 / 362880);
    p = MC_FMA(p, r, 1.0 / 40320);
    p = MC_FMA(p, r, 1.0 / 5040);
    p = MC_FMA(p, r, 1.0 / 720);
    p = MC_FMA(p, r, 1.0 / 120);
    p = MC_FMA(p, r, 1.0 / 24);
    p = MC_FMA(p, r, 1.0 / 6);
    p = MC_FMA(p, r, 0.5);
    p = MC_FMA(p, r, 1.0);
    p = MC_FMA(p, r, 1.0);
    uint64_t e = (uint64_t)(1023 - (int64_t)k) << 52; /* 2^-k, k in [0, 93] */
    double s;
    memcpy(&s, &e, sizeof s);
    return p * s;
}

/* What one pass needs, copied into locals by the loop. */
typedef struct mc_ctx {
    uint64_t key[20]; /* the ten round keys, two words each */
    uint64_t sweep, id_lo, id_hi;
    double c1, c2, hs; /* action coefficients; hs = h / 2^31 */
} mc_ctx;

typedef struct mc_words {
    uint64_t w0, w1, w2, w3;
} mc_words;

/* Philox4x32-10 (Random123's rounds and constants) with each 32-bit word in
 * a 64-bit lane, so one vector type carries the whole loop. */
static inline mc_words mc_philox(uint64_t c0, uint64_t c1, uint64_t c2, uint64_t c3,
                                 const uint64_t *key) {
#pragma GCC unroll 10
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (c0 & 0xffffffffu) * PHILOX_M4x32_0;
        uint64_t p1 = (c2 & 0xffffffffu) * PHILOX_M4x32_1;
        uint64_t n0 = (p1 >> 32) ^ c1 ^ key[2 * r];
        uint64_t n2 = (p0 >> 32) ^ c3 ^ key[2 * r + 1];
        c1 = p1 & 0xffffffffu;
        c3 = p0 & 0xffffffffu;
        c0 = n0;
        c2 = n2;
    }
    return (mc_words){c0, c1, c2, c3};
}

static void round_keys(uint64_t key[20], uint64_t seed) {
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int i = 0; i < 10; i++) {
        key[2 * i] = k0;
        key[2 * i + 1] = k1;
        k0 += PHILOX_W32_0;
        k1 += PHILOX_W32_1;
    }
}

void hb_mc_philox(const uint32_t ctr[4], uint64_t seed, uint32_t out[4]) {
    uint64_t key[20];
    round_keys(key, seed);
    mc_words w = mc_philox(ctr[0], ctr[1], ctr[2], ctr[3], key);
    out[0] = (uint32_t)w.w0;
    out[1] = (uint32_t)w.w1;
    out[2] = (uint32_t)w.w2;
    out[3] = (uint32_t)w.w3;
}

/* One Metropolis update of x with neighbour sum nb; wp and wa are 32-bit
 * words for the proposal (symmetric: odd multiples of h/2^32 in (-h, h)) and
 * the accept draw u in (0, 1). */
static inline double mc_update(double x, double nb, uint64_t wp, uint64_t wa, double c1, double c2,
                               double hs, uint64_t *accepted) {
    double d = hs * ((double)(int64_t)wp - 2147483647.5);
    double ds = d * MC_FMA(c1, 2 * x + d, -c2 * nb);
    double u = ((double)(int64_t)wa + 0.5) * 0x1p-32;
    int ok = (ds <= 0) | (u < exp_neg(ds));
    *accepted += (uint64_t)ok;
    return ok ? x + d : x;
}

/* Blocks 0..n-1 of a colour: site j (t0) and site j + ceil(M/2) (t1), with
 * their left and right neighbours. Kept out of line so GCC keeps the restrict
 * promises: inlined into the sweep loop it lost them and stayed scalar. */
__attribute__((noinline)) static uint64_t
mc_pairs(double *restrict t0, double *restrict t1, const double *restrict l0,
         const double *restrict r0, const double *restrict l1, const double *restrict r1, size_t n,
         uint64_t colour, const mc_ctx *restrict c) {
    const uint64_t sweep = c->sweep, id_lo = c->id_lo, id_hi = c->id_hi;
    const double c1 = c->c1, c2 = c->c2, hs = c->hs;
    uint64_t key[20];
    memcpy(key, c->key, sizeof key);
    uint64_t accepted = 0;
#pragma omp simd reduction(+ : accepted)
    for (size_t j = 0; j < n; j++) {
        mc_words w = mc_philox((uint64_t)j | colour << 30, sweep, id_lo, id_hi, key);
        t0[j] = mc_update(t0[j], l0[j] + r0[j], w.w0, w.w1, c1, c2, hs, &accepted);
        t1[j] = mc_update(t1[j], l1[j] + r1[j], w.w2, w.w3, c1, c2, hs, &accepted);
    }
    return accepted;
}

/* Update the M sites t[i] with neighbours l[i], r[i]. */
static uint64_t mc_pass(double *t, const double *l, const double *r, size_t M, uint64_t colour,
                        const mc_ctx *c) {
    size_t B = (M + 1) / 2, pairs = M / 2;
    uint64_t accepted = mc_pairs(t, t + B, l, r, l + B, r + B, pairs, colour, c);
    if (M % 2) { /* the last block serves one site */
        mc_words w = mc_philox(pairs | colour << 30, c->sweep, c->id_lo, c->id_hi, c->key);
        t[pairs] =
            mc_update(t[pairs], l[pairs] + r[pairs], w.w0, w.w1, c->c1, c->c2, c->hs, &accepted);
    }
    return accepted;
}

static double site_mean_x2(const double *xe, size_t ne, const double *xo, size_t no) {
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (size_t i = 0; i < ne; i++)
        s += xe[i] * xe[i];
#pragma omp simd reduction(+ : s)
    for (size_t i = 0; i < no; i++)
        s += xo[i] * xo[i];
    return s / (double)(ne + no);
}

const char *hb_mc_mixing_text(hb_mc_mixing m) {
    switch (m) {
    case HB_MC_MIXED:
        return "well mixed";
    case HB_MC_FROZEN:
        return "no move accepted";
    case HB_MC_FEW_SWEEPS:
        return "too few measured sweeps for the bins";
    case HB_MC_CORRELATED:
        return "bins shorter than 8 tau_int";
    }
    return "?";
}

void hb_mc_finish(const hb_mc_point *p, hb_mc_result *r) {
    uint64_t measured = p->iterations - p->thermalize;
    r->acceptance = (double)r->accepted / ((double)measured * (double)p->slices);
    r->exact = hb_mc_exact(p->beta, p->m, p->slices);
    r->deviation = r->x2_err > 0 ? (r->x2 - r->exact) / r->x2_err : 0;
    if (r->bins < 2 || r->bin_length < 4)
        r->mixing = HB_MC_FEW_SWEEPS;
    else if (r->accepted == 0 || !(r->x2_err > 0))
        r->mixing = HB_MC_FROZEN;
    else if (HB_MC_BIN_TAUS * r->tau_int > (double)r->bin_length)
        r->mixing = HB_MC_CORRELATED;
    else
        r->mixing = HB_MC_MIXED;
}

/* Batch means. The measured sweeps are cut into HB_MC_BINS equal bins (the
 * surplus n mod bins sweeps at the start are left out); the error is the
 * standard deviation of the bin means over sqrt(bins). Bin means are nearly
 * independent once a bin spans many integrated autocorrelation times; tau_int
 * is estimated from the same numbers, 2 tau_int = L var(bin means) / var(x2),
 * and hb_mc_finish() calls a point well mixed only when L >= 8 tau_int (the
 * error is then low by about tau_int / L, under 13%). A point whose bins are
 * shorter reads as tau_int ~ L/2 and is flagged. */
typedef struct mc_bins {
    uint64_t length, count, filled, in_bin;
    double sum, mean[HB_MC_BINS];
    uint64_t n; /* Welford's running variance of the series */
    double wmean, m2;
} mc_bins;

static void bins_add(mc_bins *b, double q) {
    b->n++;
    double delta = q - b->wmean;
    b->wmean += delta / (double)b->n;
    b->m2 += delta * (q - b->wmean);
    b->sum += q;
    if (++b->in_bin == b->length) {
        b->mean[b->filled++] = b->sum / (double)b->length;
        b->sum = 0;
        b->in_bin = 0;
    }
}

static void bins_result(const mc_bins *b, hb_mc_result *r) {
    double mean = 0, var = 0;
    for (uint64_t i = 0; i < b->filled; i++)
        mean += b->mean[i];
    mean /= (double)b->filled;
    for (uint64_t i = 0; i < b->filled; i++)
        var += (b->mean[i] - mean) * (b->mean[i] - mean);
    r->bins = b->filled;
    r->bin_length = b->length;
    r->x2 = mean;
    r->x2_err = 0;
    r->tau_int = 0;
    if (b->filled >= 2) {
        var /= (double)(b->filled - 1);
        r->x2_err = sqrt(var / (double)b->filled);
        double var0 = b->n > 1 ? b->m2 / (double)(b->n - 1) : 0;
        r->tau_int = var0 > 0 ? (double)b->length * var / (2 * var0) : 0;
    }
}

int hb_mc_simulate(const hb_mc_point *p, uint64_t seed, hb_mc_result *r, double *trace) {
    size_t N = (size_t)p->slices, ne = (N + 1) / 2, no = N / 2;
    /* xe[i] = x[2i] with xe[ne] a copy of x[0]; xo[1 + i] = x[2i+1] with xo[0]
     * the left neighbour of x[0], so every neighbour list is contiguous. */
    double *xe = calloc(ne + 1, sizeof *xe), *xo = calloc(no + 1, sizeof *xo);
    if (!xe || !xo) {
        free(xe);
        free(xo);
        return hb_fail(HB_ENOMEM, "mc: no memory for %zu slices", N);
    }
    double a = p->beta / (double)N;
    mc_ctx c = {.c1 = p->m / a + a * p->m / 2, .c2 = p->m / a, .hs = p->h * 0x1p-31};
    round_keys(c.key, seed);
    uint64_t id = hb_mc_point_id(p);
    c.id_lo = id & 0xffffffffu;
    c.id_hi = id >> 32;

    uint64_t measured = p->iterations - p->thermalize;
    mc_bins b = {.count = measured >= HB_MC_BINS ? HB_MC_BINS : measured};
    b.length = measured / b.count;
    uint64_t first = p->iterations - b.count * b.length; /* first sweep in a bin */
    uint64_t accepted = 0;
    for (uint64_t s = 0; s < p->iterations; s++) {
        c.sweep = s;
        uint64_t acc = 0;
        if (N % 2 == 0) {
            xo[0] = xo[no];
            acc += mc_pass(xe, xo, xo + 1, ne, 0, &c);
            xe[ne] = xe[0];
            acc += mc_pass(xo + 1, xe, xe + 1, no, 1, &c);
        } else {
            xo[0] = xe[ne - 1];
            acc += mc_pass(xe, xo, xo + 1, ne - 1, 0, &c);
            acc += mc_pass(xo + 1, xe, xe + 1, no, 1, &c);
            acc += mc_pass(xe + ne - 1, xo + no, xe, 1, 2, &c);
        }
        double q = site_mean_x2(xe, ne, xo + 1, no);
        if (trace)
            trace[s] = q;
        if (s >= p->thermalize)
            accepted += acc;
        if (s >= first)
            bins_add(&b, q);
    }
    free(xe);
    free(xo);
    memset(r, 0, sizeof *r);
    r->accepted = accepted;
    bins_result(&b, r);
    hb_mc_finish(p, r);
    return 0;
}
