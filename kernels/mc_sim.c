/* The mc kernel's physics: checkerboard Metropolis for the Euclidean path
 * integral of the harmonic oscillator (omega = 1) on a periodic lattice, the
 * error of <x^2> (Sokal's tau_int, then batch means over bins of ~10 tau_int)
 * and the exact lattice value to check it against.
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
/* No contraction of a * b + c into a fused multiply-add: every operation is
 * rounded as written, as GCC does in ISO C mode, so that clang builds (whose
 * default contracts within an expression) compute the same bits. GCC does not
 * know the pragma and warns about it. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <Random123/philox.h>

#include "hybench/error.h"
#include "hybench/mc.h"

#define MC_PI 3.14159265358979323846

/* Always fused: with FMA hardware the compiler emits the instruction, and
 * without it glibc's fma() (which uses the instruction when the CPU has it)
 * gives the same correctly rounded result, so every build of this file
 * computes the same bits. */
#define MC_FMA(a, b, c) fma((a), (b), (c))

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#define MC_AVX512 1
#include <immintrin.h>

#include "hybench/philox_batch.h"
#else
#define MC_AVX512 0
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
#if MC_AVX512
    hb_philox_x8_key vkey; /* the same round keys, broadcast */
#endif
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

#if MC_AVX512
/* mc_update on 8 lanes, with the same operations wherever they decide
 * anything, in fewer instructions and a shorter dependency chain (each
 * colour waits on the other, so at 64 slices the chain is what a sweep
 * costs):
 *   - exp_neg's clamp to y >= 0 is left out: it only acts where ds <= 0,
 *     and there the move is accepted whatever exp_neg says;
 *   - its clamp to y <= 64 becomes the condition ds < 64: at ds >= 64
 *     exp_neg gives exp(-64) < 2^-33 <= u, a rejection either way;
 *   - u < exp_neg(ds) is tested as u 2^32 < exp_neg(ds) 2^32, both sides
 *     scaled exactly (u 2^32 = wa + 1/2; 2^32 joins the power of two that
 *     ends exp_neg, whose product stays normal), which saves a multiply;
 *   - k comes as an integer from the low bits of y log2(e) + 1.5 2^52, the
 *     sum that rounds it, instead of a conversion of k;
 *   - the new x is a blend of x and x + d.
 * Lanes outside `live` change nothing and count nothing; wp and wa hold the
 * 32-bit words in the low halves (the high halves are ignored). */
static inline __attribute__((always_inline)) void mc_update_v(int nv, __m512d *x, const __m512d *nb,
                                                              __m512i (*w)[4],
                                                              const mc_ctx *restrict c,
                                                              const __mmask8 *live, __m512i *acc) {
    const __m512i low = _mm512_set1_epi64(0xffffffff);
    const __m512d shift = _mm512_set1_pd(0x1.8p52);
    const __m512d c1 = _mm512_set1_pd(c->c1), negc2 = _mm512_set1_pd(-c->c2);
    const __m512d hs = _mm512_set1_pd(c->hs);
    static const double coef[10] = {1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120,
                                    1.0 / 24,     1.0 / 6,     0.5,        1.0,       1.0};
    __m512d d[4], ds[4], u32[4], kb[4], r[4], p[4];
    __mmask8 below[4], ok[4];
    /* Statement by statement over the nv vectors, so that their chains
     * interleave in program order. */
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) {
        __m512i wp = w[v / 2][2 * (v % 2)], wa = w[v / 2][2 * (v % 2) + 1];
        d[v] = _mm512_mul_pd(hs, _mm512_sub_pd(_mm512_cvtepi64_pd(_mm512_and_si512(wp, low)),
                                               _mm512_set1_pd(2147483647.5)));
        u32[v] = _mm512_add_pd(_mm512_cvtepi64_pd(_mm512_and_si512(wa, low)), _mm512_set1_pd(0.5));
    }
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
        ds[v] =
            _mm512_mul_pd(d[v], _mm512_fmadd_pd(c1, _mm512_add_pd(_mm512_add_pd(x[v], x[v]), d[v]),
                                                _mm512_mul_pd(negc2, nb[v])));
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) {
        below[v] = _mm512_mask_cmp_pd_mask(live[v], ds[v], _mm512_set1_pd(64), _CMP_LT_OQ);
        /* exp_neg(ds) 2^32 for 0 < ds < 64 */
        kb[v] = _mm512_add_pd(_mm512_mul_pd(ds[v], _mm512_set1_pd(1.4426950408889634)), shift);
    }
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
        r[v] =
            _mm512_fmsub_pd(_mm512_sub_pd(kb[v], shift), _mm512_set1_pd(0.6931471803691238), ds[v]);
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
        r[v] = _mm512_fmadd_pd(_mm512_sub_pd(kb[v], shift), _mm512_set1_pd(1.9082149292705877e-10),
                               r[v]);
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
        p[v] = _mm512_set1_pd(1.0 / 3628800);
#pragma GCC unroll 10
    for (int t = 0; t < 10; t++) {
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            p[v] = _mm512_fmadd_pd(p[v], r[v], _mm512_set1_pd(coef[t]));
    }
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) {
        /* the low bits of kb are k: (1023 + 32 - k) << 52 is 2^(32 - k) */
        __m512i e = _mm512_slli_epi64(
            _mm512_sub_epi64(_mm512_set1_epi64(1023 + 32), _mm512_castpd_si512(kb[v])), 52);
        __mmask8 downhill =
            _mm512_mask_cmp_pd_mask(live[v], ds[v], _mm512_setzero_pd(), _CMP_LE_OQ);
        ok[v] = downhill | _mm512_mask_cmp_pd_mask(below[v], u32[v],
                                                   _mm512_mul_pd(p[v], _mm512_castsi512_pd(e)),
                                                   _CMP_LT_OQ);
        x[v] = _mm512_mask_blend_pd(ok[v], x[v], _mm512_add_pd(x[v], d[v]));
    }
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
        *acc = _mm512_mask_add_epi64(*acc, ok[v], *acc, _mm512_set1_epi64(1));
}

/* ng groups of 8 blocks from i (ng = 1 or 2; glive[g] the blocks of group g
 * that exist): the Philox calls and the 2 ng updates, side by side. */
static inline __attribute__((always_inline)) void
mc_blocks(int ng, double *restrict t0, double *restrict t1, const double *restrict l0,
          const double *restrict r0, const double *restrict l1, const double *restrict r1, size_t i,
          __m512i j, const __mmask8 *glive, const mc_ctx *restrict c, __m512i *acc) {
    __m512i w[2][4];
    __m512d x[4], nb[4];
    __mmask8 live[4];
    double *t[2] = {t0, t1};
    const double *l[2] = {l0, l1}, *r[2] = {r0, r1};
#pragma GCC unroll 2
    for (int g = 0; g < ng; g++) {
        w[g][0] = _mm512_add_epi64(j, _mm512_set1_epi64(8 * g));
        w[g][1] = _mm512_set1_epi64((long long)c->sweep);
        w[g][2] = _mm512_set1_epi64((long long)c->id_lo);
        w[g][3] = _mm512_set1_epi64((long long)c->id_hi);
    }
    hb_philox4x32_x8n(w, ng, &c->vkey);
#pragma GCC unroll 4
    for (int v = 0; v < 2 * ng; v++) {
        size_t o = i + 8 * (size_t)(v / 2);
        int h = v % 2;
        live[v] = glive[v / 2];
        if (live[v] == 0xff) { /* unmasked loads: a masked one costs a vector uop more */
            nb[v] = _mm512_add_pd(_mm512_loadu_pd(l[h] + o), _mm512_loadu_pd(r[h] + o));
            x[v] = _mm512_loadu_pd(t[h] + o);
        } else {
            nb[v] = _mm512_add_pd(_mm512_maskz_loadu_pd(live[v], l[h] + o),
                                  _mm512_maskz_loadu_pd(live[v], r[h] + o));
            x[v] = _mm512_maskz_loadu_pd(live[v], t[h] + o);
        }
    }
    mc_update_v(2 * ng, x, nb, w, c, live, acc);
#pragma GCC unroll 4
    for (int v = 0; v < 2 * ng; v++) {
        size_t o = i + 8 * (size_t)(v / 2);
        if (live[v] == 0xff)
            _mm512_storeu_pd(t[v % 2] + o, x[v]);
        else
            _mm512_mask_storeu_pd(t[v % 2] + o, live[v], x[v]);
    }
}

/* Blocks 0..n-1 of a colour: site j (t0) and site j + ceil(M/2) (t1), with
 * their left and right neighbours; 16 blocks at a time, the last few under
 * lane masks, with Philox on 64-bit lanes (philox_batch.h). Inlined into the
 * sweep loop, so its constants are built once per point. */
static inline __attribute__((always_inline)) uint64_t
mc_pairs(double *restrict t0, double *restrict t1, const double *restrict l0,
         const double *restrict r0, const double *restrict l1, const double *restrict r1, size_t n,
         uint64_t colour, const mc_ctx *restrict c) {
    __m512i j = _mm512_or_si512(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0),
                                _mm512_set1_epi64((long long)(colour << 30)));
    __m512i acc = _mm512_setzero_si512();
    const __mmask8 full[2] = {0xff, 0xff};
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        mc_blocks(2, t0, t1, l0, r0, l1, r1, i, j, full, c, &acc);
        j = _mm512_add_epi64(j, _mm512_set1_epi64(16));
    }
    if (i + 8 < n) {
        const __mmask8 part[2] = {0xff, (__mmask8)((1u << (n - i - 8)) - 1)};
        mc_blocks(2, t0, t1, l0, r0, l1, r1, i, j, part, c, &acc);
    } else if (i < n) {
        const __mmask8 part[1] = {n - i == 8 ? 0xff : (__mmask8)((1u << (n - i)) - 1)};
        mc_blocks(1, t0, t1, l0, r0, l1, r1, i, j, part, c, &acc);
    }
    return (uint64_t)_mm512_reduce_add_epi64(acc);
}

/* A sweep of a lattice of N = 16 V sites (V = 2 or 4: 32 or 64 slices) held
 * in registers: e[j] holds even sites x[2i], i = 8j..8j+7, o[j] the odd ones
 * x[2i+1]. Each colour is V/2 groups of 8 blocks (block i serves sites i and
 * i + 8 V/2), and a site's neighbours are the other colour's vector at the
 * same place and that vector shifted by one lane, with the periodic wrap
 * (valignq): the same sums as the arrays give, without the loads of one
 * colour's results right after the other's stores, which cannot be
 * forwarded when shifted by one element and then wait for the stores to
 * reach the cache. *q receives site_mean_x2's value, summed in dot4's
 * order. Returns the accepted updates. */
static inline __attribute__((always_inline)) double sumsq4_regs(double s, const __m512d *v,
                                                                int nv) {
    __m256d p = _mm256_setzero_pd();
#pragma GCC unroll 4
    for (int j = 0; j < nv; j++) {
        __m256d lo = _mm512_castpd512_pd256(v[j]), hi = _mm512_extractf64x4_pd(v[j], 1);
        p = _mm256_add_pd(p, _mm256_mul_pd(lo, lo));
        p = _mm256_add_pd(p, _mm256_mul_pd(hi, hi));
    }
    double l[4];
    _mm256_storeu_pd(l, p);
    return s + l[0] + l[1] + l[2] + l[3];
}

static inline __attribute__((always_inline)) uint64_t
mc_sweep_regs(int V, __m512d *e, __m512d *o, const mc_ctx *restrict c, double *q) {
    __m512i acc = _mm512_setzero_si512();
    const __mmask8 live[4] = {0xff, 0xff, 0xff, 0xff};
#pragma GCC unroll 2
    for (int colour = 0; colour < 2; colour++) {
        __m512d *t = colour ? o : e;
        __m512i w[2][4];
        __m512d x[4], nb[4];
#pragma GCC unroll 2
        for (int g = 0; g < V / 2; g++) {
            w[g][0] = _mm512_or_si512(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0),
                                      _mm512_set1_epi64((long long)(8 * g | colour << 30)));
            w[g][1] = _mm512_set1_epi64((long long)c->sweep);
            w[g][2] = _mm512_set1_epi64((long long)c->id_lo);
            w[g][3] = _mm512_set1_epi64((long long)c->id_hi);
        }
        hb_philox4x32_x8n(w, V / 2, &c->vkey);
#pragma GCC unroll 4
        for (int v = 0; v < V; v++) {
            int j = v / 2 + (v % 2) * (V / 2); /* group v / 2, half v % 2 */
            x[v] = t[j];
            if (colour == 0) /* x[2i]: x[2i-1] + x[2i+1], o shifted up by one */
                nb[v] = _mm512_add_pd(
                    _mm512_castsi512_pd(_mm512_alignr_epi64(
                        _mm512_castpd_si512(o[j]), _mm512_castpd_si512(o[(j + V - 1) % V]), 7)),
                    o[j]);
            else /* x[2i+1]: x[2i] + x[2i+2], e shifted down by one */
                nb[v] = _mm512_add_pd(
                    e[j], _mm512_castsi512_pd(_mm512_alignr_epi64(
                              _mm512_castpd_si512(e[(j + 1) % V]), _mm512_castpd_si512(e[j]), 1)));
        }
        mc_update_v(V, x, nb, w, c, live, &acc);
#pragma GCC unroll 4
        for (int v = 0; v < V; v++)
            t[v / 2 + (v % 2) * (V / 2)] = x[v];
    }
    *q = sumsq4_regs(sumsq4_regs(0, e, V), o, V) / (double)(16 * V);
    return (uint64_t)_mm512_reduce_add_epi64(acc);
}

/* dot4(s, x, x, M) for the M lanes of v, M = 2, 4 or 8: the first partial
 * sum takes both squares when M = 2 (the tail), each of the four one or two
 * squares otherwise; then s + p0 + p1 + p2 + p3 (adding the zero sums of
 * M = 2 changes nothing: all terms are >= 0). */
static inline __attribute__((always_inline)) double sumsq4_small(double s, __m512d v, int M) {
    if (M == 2) {
        double x0 = _mm512_cvtsd_f64(v);
        double x1 =
            _mm_cvtsd_f64(_mm_unpackhi_pd(_mm512_castpd512_pd128(v), _mm512_castpd512_pd128(v)));
        double p0 = 0 + x0 * x0;
        p0 += x1 * x1;
        return s + p0;
    }
    __m256d lo = _mm512_castpd512_pd256(v);
    __m256d p = _mm256_add_pd(_mm256_setzero_pd(), _mm256_mul_pd(lo, lo));
    if (M == 8) {
        __m256d hi = _mm512_extractf64x4_pd(v, 1);
        p = _mm256_add_pd(p, _mm256_mul_pd(hi, hi));
    }
    double l[4];
    _mm256_storeu_pd(l, p);
    return s + l[0] + l[1] + l[2] + l[3];
}

/* A sweep of a lattice of N = 2 M sites, M = 2, 4 or 8 (4, 8 or 16 slices),
 * one register per colour: e holds the even sites in lanes 0..M-1, o the odd
 * ones. Block i of a colour serves lanes i and i + M/2, so the second half
 * is moved down for its update and back up after it, and the neighbours are
 * the other colour and its one-lane rotation within M lanes. Lanes from M up
 * never reach a live lane. *q receives site_mean_x2's value, summed in
 * dot4's order. Returns the accepted updates. */
static inline __attribute__((always_inline)) uint64_t
mc_sweep_small(int M, __m512d *e, __m512d *o, const mc_ctx *restrict c, double *q) {
    const int B = M / 2;
    long long up[8], down[8], hdown[8], hup[8];
    for (int i = 0; i < 8; i++) {
        up[i] = i < M ? (i + M - 1) % M : i;  /* lane i takes lane i - 1, wrapped */
        down[i] = i < M ? (i + 1) % M : i;    /* lane i takes lane i + 1, wrapped */
        hdown[i] = i < B ? i + B : i;         /* the second half moved down */
        hup[i] = i >= B && i < M ? i - B : i; /* and back up */
    }
    const __m512i vup = _mm512_loadu_si512(up), vdown = _mm512_loadu_si512(down);
    const __m512i vhdown = _mm512_loadu_si512(hdown), vhup = _mm512_loadu_si512(hup);
    const __mmask8 live[2] = {(__mmask8)((1u << B) - 1), (__mmask8)((1u << B) - 1)};
    const __mmask8 second = (__mmask8)(((1u << M) - 1) & ~((1u << B) - 1));
    __m512i acc = _mm512_setzero_si512();
#pragma GCC unroll 2
    for (int colour = 0; colour < 2; colour++) {
        __m512d *t = colour ? o : e;
        __m512d nb = colour ? _mm512_add_pd(*e, _mm512_permutexvar_pd(vdown, *e))
                            : _mm512_add_pd(_mm512_permutexvar_pd(vup, *o), *o);
        __m512i w[1][4] = {{_mm512_or_si512(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0),
                                            _mm512_set1_epi64((long long)colour << 30)),
                            _mm512_set1_epi64((long long)c->sweep),
                            _mm512_set1_epi64((long long)c->id_lo),
                            _mm512_set1_epi64((long long)c->id_hi)}};
        hb_philox4x32_x8n(w, 1, &c->vkey);
        __m512d x[2] = {*t, _mm512_permutexvar_pd(vhdown, *t)};
        __m512d nbv[2] = {nb, _mm512_permutexvar_pd(vhdown, nb)};
        mc_update_v(2, x, nbv, w, c, live, &acc);
        *t = _mm512_mask_blend_pd(second, x[0], _mm512_permutexvar_pd(vhup, x[1]));
    }
    *q = sumsq4_small(sumsq4_small(0, *e, M), *o, M) / (double)(2 * M);
    return (uint64_t)_mm512_reduce_add_epi64(acc);
}
#else
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
#endif

/* Update the M sites t[i] with neighbours l[i], r[i]. */
static inline __attribute__((always_inline)) uint64_t
mc_pass(double *t, const double *l, const double *r, size_t M, uint64_t colour, const mc_ctx *c) {
    size_t B = (M + 1) / 2, pairs = M / 2;
    uint64_t accepted = mc_pairs(t, t + B, l, r, l + B, r + B, pairs, colour, c);
    if (M % 2) { /* the last block serves one site */
        mc_words w = mc_philox(pairs | colour << 30, c->sweep, c->id_lo, c->id_hi, c->key);
        t[pairs] =
            mc_update(t[pairs], l[pairs] + r[pairs], w.w0, w.w1, c->c1, c->c2, c->hs, &accepted);
    }
    return accepted;
}

/* s plus the sum of a[i] * b[i], in one fixed order: four partial sums
 * (element i to sum i % 4), the last n % 4 products to the first of them,
 * then s + sum 0 + sum 1 + sum 2 + sum 3. That is the order of the `omp simd`
 * reduction GCC 12 compiled for 4-lane vectors (the AVX2 and AVX-512 builds
 * that wrote .dat format 2); written out, it is the same in every build, with
 * 2-lane SSE2 or none. */
static double dot4(double s, const double *a, const double *b, size_t n) {
    double p[4] = {0, 0, 0, 0};
    size_t n4 = n - n % 4;
    for (size_t i = 0; i < n4; i += 4)
        for (int l = 0; l < 4; l++)
            p[l] += a[i + (size_t)l] * b[i + (size_t)l];
    for (size_t i = n4; i < n; i++)
        p[0] += a[i] * b[i];
    return s + p[0] + p[1] + p[2] + p[3];
}

static double site_mean_x2(const double *xe, size_t ne, const double *xo, size_t no) {
    return dot4(dot4(0, xe, xe, ne), xo, xo, no) / (double)(ne + no);
}

const char *hb_mc_mixing_text(hb_mc_mixing m) {
    /* The numbers are HB_MC_MIN_BINS and HB_MC_BIN_TAUS; the .dat reader
     * matches these exact texts. */
    switch (m) {
    case HB_MC_MIXED:
        return "well mixed";
    case HB_MC_FROZEN:
        return "no move accepted";
    case HB_MC_FEW_SWEEPS:
        return "fewer than 64 measured sweeps";
    case HB_MC_WINDOW:
        return "tau_int window not converged";
    case HB_MC_CORRELATED:
        return "fewer than 64 bins of 10 tau_int";
    }
    return "?";
}

/* The mixing verdict is derived from the stored numbers alone, so the .dat
 * reader can recompute it. The window converged exactly when tau_window >=
 * HB_MC_WINDOW_C * tau_int: both are the block-unit values scaled by the
 * same power of two, which is exact in floating point. */
void hb_mc_finish(const hb_mc_point *p, hb_mc_result *r) {
    uint64_t measured = p->iterations - p->thermalize;
    r->acceptance = (double)r->accepted / ((double)measured * (double)p->slices);
    r->exact = hb_mc_exact(p->beta, p->m, p->slices);
    r->deviation = r->x2_err > 0 ? (r->x2 - r->exact) / r->x2_err : 0;
    if (r->accepted == 0)
        r->mixing = HB_MC_FROZEN;
    else if (measured < HB_MC_MIN_BINS)
        r->mixing = HB_MC_FEW_SWEEPS;
    else if (!((double)r->tau_window >= HB_MC_WINDOW_C * r->tau_int))
        r->mixing = HB_MC_WINDOW;
    else if (r->bins < HB_MC_MIN_BINS)
        r->mixing = HB_MC_CORRELATED;
    else if (!(r->x2_err > 0))
        r->mixing = HB_MC_FROZEN;
    else
        r->mixing = HB_MC_MIXED;
}

/* A window of W values gives tau >= W / C at best convergence, bins of at
 * least HB_MC_BIN_TAUS W / C values and so fewer than HB_MC_MIN_BINS bins once
 * W > C n / (HB_MC_BIN_TAUS HB_MC_MIN_BINS): summing further cannot make the
 * point well mixed. */
static size_t window_max_blocks(uint64_t blocks) {
    if (blocks < 2)
        return 0;
    uint64_t den = HB_MC_BIN_TAUS * HB_MC_MIN_BINS;
    uint64_t w = (HB_MC_WINDOW_C * blocks + den - 1) / den;
    w = w < 1 ? 1 : w;
    return (size_t)(w < blocks - 1 ? w : blocks - 1);
}

uint64_t hb_mc_series_step(uint64_t measured) {
    uint64_t s = 1;
    while (measured / s > HB_MC_SERIES_MAX)
        s *= 2;
    return s;
}

uint64_t hb_mc_bin_length(uint64_t measured, double tau_int) {
    uint64_t s = hb_mc_series_step(measured), all = measured / s * s;
    double want = ceil(HB_MC_BIN_TAUS * tau_int);
    uint64_t len = !(want >= 1) ? 1 : want >= (double)all ? all : (uint64_t)want;
    return (len + s - 1) / s * s;
}

int hb_mc_tau_sokal(const double *y, size_t n, size_t wmax, double *tau, size_t *window) {
    *tau = 0;
    *window = 0;
    if (n < 2)
        return 0;
    double *z = malloc(n * sizeof *z);
    if (!z)
        return hb_fail(HB_ENOMEM, "mc: no memory for a series of %zu values", n);
    double mean = 0, c0 = 0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        z[i] = y[i] - mean;
        c0 += z[i] * z[i];
    }
    c0 /= (double)n;
    if (c0 > 0) {
        double t = 0.5;
        size_t w = 0;
        while (w < wmax) {
            w++;
            double c = dot4(0, z, z + w, n - w);
            t += c / (double)(n - w) / c0;
            if ((double)w >= HB_MC_WINDOW_C * t)
                break;
        }
        *tau = t;
        *window = w;
    }
    free(z);
    return 0;
}

/* tau_int of the series y of n values, each the mean of s sweeps: Sokal's
 * window over at most MC_LAGS lags; when that is not enough the series is
 * averaged in pairs and searched again, until the window converges or grows
 * past what a well-mixed point could need (window_max_blocks). Results in
 * sweeps: tau = s' tau(blocks of s'), window = s' W. Each level costs at most
 * MC_LAGS passes over a series half as long as the last, so the whole search
 * costs under 2 MC_LAGS n, whatever tau. Blocking only removes correlation
 * (the variance of block means falls by at least a factor 2 tau/s', never
 * more), so s' tau(blocks) >= tau: the estimate errs long, towards longer bins
 * and more flags; within 10% once s' < tau / 5, which holds after a switch. */
#define MC_LAGS 32
static int tau_levels(double *y, uint64_t n, uint64_t s, double *tau, uint64_t *window) {
    for (;;) {
        size_t lim = window_max_blocks(n), w;
        bool last = lim <= MC_LAGS || n < 4;
        int rc = hb_mc_tau_sokal(y, (size_t)n, last ? lim : MC_LAGS, tau, &w);
        if (rc)
            return rc;
        if (last || (double)w >= HB_MC_WINDOW_C * *tau) {
            *tau *= (double)s;
            *window = (uint64_t)w * s;
            return 0;
        }
        for (uint64_t i = 0; i < n / 2; i++) /* in place: y[i] reads y[2i], y[2i+1] */
            y[i] = 0.5 * (y[n - n / 2 * 2 + 2 * i] + y[n - n / 2 * 2 + 2 * i + 1]);
        n /= 2;
        s *= 2;
    }
}

/* The error bar of <x^2>. The measured sweeps' site averages form a series
 * y (in blocks of s sweeps when it is long, see hb_mc_series_step). Its
 * integrated autocorrelation time tau comes from the normalised
 * autocorrelation function with Sokal's automatic window (hb_mc_tau_sokal),
 * which is consistent once W spans several tau and costs O(n W). In sweeps,
 * tau_int = s tau_blocks: exact for s = 1 and an overestimate otherwise
 * (blocking only removes correlation). The series is then cut into bins of
 * hb_mc_bin_length() sweeps, about 10 tau_int, whose means are nearly
 * independent (the batch-means variance is then low by about tau / L, under
 * 10%), and the error is the spread of the bin means over sqrt(bins). The
 * leading surplus values are left out. */
static int series_result(const double *y, uint64_t blocks, uint64_t measured, hb_mc_result *r) {
    uint64_t s = hb_mc_series_step(measured);
    double *work = malloc((size_t)blocks * sizeof *work);
    if (!work)
        return hb_fail(HB_ENOMEM, "mc: no memory for a series of %" PRIu64 " values", blocks);
    memcpy(work, y, (size_t)blocks * sizeof *work);
    int rc = tau_levels(work, blocks, s, &r->tau_int, &r->tau_window);
    free(work);
    if (rc)
        return rc;
    r->bin_length = hb_mc_bin_length(measured, r->tau_int);
    uint64_t per = r->bin_length / s, nb = blocks / per, first = blocks - nb * per;
    double mean = 0, var = 0;
    for (uint64_t b = 0; b < nb; b++) {
        double sum = 0;
        for (uint64_t i = 0; i < per; i++)
            sum += y[first + b * per + i];
        mean += sum / (double)per;
    }
    mean /= (double)nb;
    for (uint64_t b = 0; b < nb; b++) {
        double sum = 0;
        for (uint64_t i = 0; i < per; i++)
            sum += y[first + b * per + i];
        double d = sum / (double)per - mean;
        var += d * d;
    }
    r->bins = nb;
    r->x2 = mean;
    r->x2_err = nb >= 2 ? sqrt(var / (double)(nb - 1) / (double)nb) : 0;
    return 0;
}

/* One sweep of the lattice in the arrays of hb_mc_simulate; *q receives the
 * site average of x^2. Returns the accepted updates. */
static inline uint64_t mc_sweep_arrays(double *xe, double *xo, size_t N, const mc_ctx *c,
                                       double *q) {
    size_t ne = (N + 1) / 2, no = N / 2;
    uint64_t acc = 0;
    if (N % 2 == 0) {
        xo[0] = xo[no];
        acc += mc_pass(xe, xo, xo + 1, ne, 0, c);
        xe[ne] = xe[0];
        acc += mc_pass(xo + 1, xe, xe + 1, no, 1, c);
    } else {
        xo[0] = xe[ne - 1];
        acc += mc_pass(xe, xo, xo + 1, ne - 1, 0, c);
        acc += mc_pass(xo + 1, xe, xe + 1, no, 1, c);
        acc += mc_pass(xe + ne - 1, xo + no, xe, 1, 2, c);
    }
    *q = site_mean_x2(xe, ne, xo + 1, no);
    return acc;
}

int hb_mc_simulate(const hb_mc_point *p, uint64_t seed, hb_mc_result *r, double *trace) {
    size_t N = (size_t)p->slices, ne = (N + 1) / 2, no = N / 2;
    uint64_t measured = p->iterations - p->thermalize, step = hb_mc_series_step(measured);
    uint64_t blocks = measured / step;
    /* xe[i] = x[2i] with xe[ne] a copy of x[0]; xo[1 + i] = x[2i+1] with xo[0]
     * the left neighbour of x[0], so every neighbour list is contiguous. */
    double *xe = calloc(ne + 1, sizeof *xe), *xo = calloc(no + 1, sizeof *xo);
    double *y = malloc((size_t)blocks * sizeof *y);
    if (!xe || !xo || !y) {
        free(xe);
        free(xo);
        free(y);
        return hb_fail(HB_ENOMEM, "mc: no memory for %zu slices", N);
    }
    double a = p->beta / (double)N;
    mc_ctx c = {.c1 = p->m / a + a * p->m / 2, .c2 = p->m / a, .hs = p->h * 0x1p-31};
    round_keys(c.key, seed);
#if MC_AVX512
    hb_philox_x8_key_init(&c.vkey, (uint32_t)seed, (uint32_t)(seed >> 32));
#endif
    uint64_t id = hb_mc_point_id(p);
    c.id_lo = id & 0xffffffffu;
    c.id_hi = id >> 32;

    uint64_t first = p->iterations - blocks * step; /* first sweep of the series */
    uint64_t accepted = 0, in_block = 0, nblock = 0;
    double block_sum = 0;
#if MC_AVX512
    __m512d e[4], o[4]; /* 4 to 64 slices: the lattice in registers, cold */
    for (int j = 0; j < 4; j++)
        e[j] = o[j] = _mm512_setzero_pd();
#endif
    for (uint64_t s = 0; s < p->iterations; s++) {
        c.sweep = s;
        uint64_t acc = 0;
        double q;
#if MC_AVX512
        if (N == 64)
            acc = mc_sweep_regs(4, e, o, &c, &q);
        else if (N == 32)
            acc = mc_sweep_regs(2, e, o, &c, &q);
        else if (N == 16)
            acc = mc_sweep_small(8, e, o, &c, &q);
        else if (N == 8)
            acc = mc_sweep_small(4, e, o, &c, &q);
        else if (N == 4)
            acc = mc_sweep_small(2, e, o, &c, &q);
        else
#endif
            acc = mc_sweep_arrays(xe, xo, N, &c, &q);
        if (trace)
            trace[s] = q;
        if (s >= p->thermalize)
            accepted += acc;
        if (s >= first) {
            block_sum += q;
            if (++in_block == step) {
                y[nblock++] = block_sum / (double)step;
                block_sum = 0;
                in_block = 0;
            }
        }
    }
    free(xe);
    free(xo);
    memset(r, 0, sizeof *r);
    r->accepted = accepted;
    int rc = series_result(y, blocks, measured, r);
    free(y);
    if (!rc)
        hb_mc_finish(p, r);
    return rc;
}
