/* The arithmetic of the pow kernel: a vector pow, the generated inputs, the
 * result checksum and the memory bound (contracts in include/hybench/pow.h).
 *
 * Why not glibc's libmvec: _ZGVeN8vv_pow (reached through `#pragma omp
 * declare simd` on pow) differs from scalar pow in a quarter of the
 * elements (by 1 ulp), so a scalar and a vector path could never agree. The
 * pow below is a sequence of correctly rounded IEEE operations per element,
 * written twice: pow_elem in plain C (the scalar reference, and the vector
 * code where AVX-512 is missing: GCC vectorises it under `#pragma omp simd`
 * with gathers) and pow_blocks_avx512, the same operations in the same
 * order in intrinsics, whose 16-entry tables sit in registers and are read
 * with vpermt2pd instead of gathers (five gathers cost 2 of the 3.5 ns an
 * element took with 128-entry tables). Same bits either way: tests check.
 * Speed, one core, elements already touched, thread CPU time, median of 9:
 * 1.3 ns per element at 4*10^5 elements with four blocks interleaved
 * (build/bench/hb_probe pow 400000 9; 64 vector operations per block, 4.0
 * cycles per element on the two 512-bit ports, is the limit: 1.09 ns at 3.7
 * GHz, bench/pow_bench.sh); at 10^6 elements one block at a time took
 * 1.7 ns, the 128-entry gather version 3.5 ns, libmvec's _ZGVeN8vv_pow
 * 3.9 ns, glibc's scalar pow 10 ns.
 *
 * Method, for x = 2^k z with z in [0.6979, 1.3958):
 *   log x = k ln2 + log c + log1p(r), c the centre of z's table interval
 *   (16 intervals; 1/c rounded to a double, log c in double-double from
 *   logl), |r| = |z/c - 1| < 0.0297; r is held exactly as (z*invc - 1) + fma
 *   residual, log1p by its Taylor series to r^12, r - r^2/2 kept exactly.
 *   The sum is kept as hi + lo (about 2^-64 absolute), multiplied by y
 *   exactly (fma), and exp(t) = 2^(m/16) * 2^(j/16) * exp(er), |er| < 0.022,
 *   with 2^(j/16) = s (1 + tail) from exp2l (the tail joins er) and
 *   exp(er) - 1 by its series to er^7. Error before the last rounding, summed
 *   bound: under 2^-56 relative (an eighth of an ulp) on the generated
 *   domain, where |y| <= 100.
 * Measured against glibc's pow on 10^8 generated elements (seed 42) and 10^7
 * (seeds 1-3): max 1 ulp, 0.47% of results 1 ulp apart (the 128-entry
 * version: 0.2%). Over the whole domain of pow.h (8*10^6 elements, x from
 * 2^-1000 to 2^1000, |y ln x| < 700) max 1 ulp, but 2 ulp for x near 1 and
 * |y| > 10^4 (6 in 10^6 elements with x in [0.95, 1.05]), where y magnifies
 * the log's absolute error; the 128-entry version was off by up to 10^14 ulp
 * there. tests/test_pow_math.c checks both on fewer elements. */
#define _POSIX_C_SOURCE 200809L
/* No contraction of a * b + c into a fused multiply-add: every operation is
 * rounded as written, as GCC does in ISO C mode, so that clang builds (whose
 * default contracts within an expression) compute the same bits. GCC does not
 * know the pragma and warns about it. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#include "hybench/pow.h"

#include <Random123/philox.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/numfmt.h"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#define HB_POW_AVX512 1
#include <immintrin.h>
#else
#define HB_POW_AVX512 0
#endif

_Static_assert(LDBL_MANT_DIG >= 64, "the pow tables need a long double of at least 64 bits");

/* 16-entry tables: each fits two zmm registers, so the AVX-512 path reads
 * them with one vpermt2pd (whose index uses only its low 4 bits) instead of
 * a gather. */
#define LOG_BITS 4
#define LOG_N (1 << LOG_BITS)
#define EXP_BITS 4
#define EXP_N (1 << EXP_BITS)
/* Bits of 0x1.65555p-1: x's mantissa is reduced to z in [OFF, 2 OFF). It
 * puts 1 two thirds into its interval, [0.979, 1.021), so that |r| is at most
 * 0.021 there (where c = 1) and 0.0297 elsewhere. */
#define LOG_OFF 0x3fe6555500000000ULL
#define EXP_SHIFT 0x1.8p52 /* adding it rounds to an integer, held in the low bits */

static struct {
    _Alignas(64) double invc[LOG_N]; /* 1/c rounded to double */
    double logc_hi[LOG_N];           /* -log(invc): a multiple of 2^-40, */
    double logc_lo[LOG_N];           /* and the rest */
    uint64_t exp_bits[EXP_N];        /* bits of 2^(j/16) rounded, minus j << 48 */
    double exp_tail[EXP_N];          /* (2^(j/16) - that double) / that double */
} tab;

/* ln 2 split so k * ln2_hi is exact for |k| < 2^11 and n * ln2n_hi (ln 2 / 16)
 * for |n| < 2^18. */
static double ln2_hi, ln2_lo, ln2n_hi, ln2n_lo;
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

/* Coefficients of log1p(r) = r - r^2/2 + (-r^3/2) P(r), P(r) = sum C_k r^k
 * with C_k = -2 (-1)^k / (k + 3): the Taylor series to r^12 (the next term is
 * below 2^-69 for |r| < 0.0297). */
#define C0 (-2.0 / 3)
#define C1 (1.0 / 2)
#define C2 (-2.0 / 5)
#define C3 (1.0 / 3)
#define C4 (-2.0 / 7)
#define C5 (1.0 / 4)
#define C6 (-2.0 / 9)
#define C7 (1.0 / 5)
#define C8 (-2.0 / 11)
#define C9 (1.0 / 6)
/* exp(r) - 1 to r^7 (the next term is below 2^-59 for |r| < 0.022) */
#define E2 (1.0 / 2)
#define E3 (1.0 / 6)
#define E4 (1.0 / 24)
#define E5 (1.0 / 120)
#define E6 (1.0 / 720)
#define E7 (1.0 / 5040)
#define INV_LN2N (EXP_N / 0x1.62e42fefa39efp-1)

static double trunc_bits(long double v, int bits) {
    int e;
    long double m = frexpl(v, &e);
    return (double)ldexpl(truncl(ldexpl(m, bits)), e - bits);
}

static void build_tables(void) {
    const long double ln2 = 0.693147180559945309417232121458176568L;
    ln2_hi = trunc_bits(ln2, 40);
    ln2_lo = (double)(ln2 - ln2_hi);
    ln2n_hi = trunc_bits(ln2 / EXP_N, 34);
    ln2n_lo = (double)(ln2 / EXP_N - ln2n_hi);
    for (int i = 0; i < LOG_N; i++) {
        uint64_t lo_bits = LOG_OFF + ((uint64_t)i << (52 - LOG_BITS));
        uint64_t hi_bits = lo_bits + ((uint64_t)1 << (52 - LOG_BITS));
        double zlo, zhi;
        memcpy(&zlo, &lo_bits, 8);
        memcpy(&zhi, &hi_bits, 8);
        /* The interval holding 1 uses c = 1 (log c = 0), so that for k = 0
         * either log c = 0 or |log c| > |r|: the fast two-sums below are exact. */
        double invc = zlo <= 1.0 && 1.0 < zhi ? 1.0 : 2.0 / (zlo + zhi);
        long double lc = -logl((long double)invc);
        /* log c rounded to a multiple of 2^-40 like k * ln2_hi, so their sum is exact */
        double lc_hi = (double)(roundl(ldexpl(lc, 40)) / 0x1p40L);
        tab.invc[i] = invc;
        tab.logc_hi[i] = lc_hi;
        tab.logc_lo[i] = (double)(lc - lc_hi);
    }
    for (int j = 0; j < EXP_N; j++) {
        long double t = exp2l((long double)j / EXP_N);
        double hi = (double)t;
        uint64_t bits;
        memcpy(&bits, &hi, 8);
        /* less j << 48: adding n << 48 (n = 16 m + j) then adds m to the exponent */
        tab.exp_bits[j] = bits - ((uint64_t)j << (52 - EXP_BITS));
        tab.exp_tail[j] = (double)((t - hi) / hi);
    }
}

void hb_pow_init(void) {
    pthread_once(&tab_once, build_tables);
}

static inline uint64_t as_u64(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static inline double as_f64(uint64_t u) {
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* One element; every operation is a correctly rounded IEEE operation. The
 * AVX-512 path below performs the same operations in the same order, so the
 * two give the same bits (tests/test_pow_math.c checks). */
static inline double pow_elem(double x, double y) {
    /* log x = k ln2 + log c + log1p(r + rlo), as hi + lo */
    uint64_t ix = as_u64(x);
    uint64_t tmp = ix - LOG_OFF;
    int64_t k = (int64_t)tmp >> 52;
    uint64_t i = (tmp >> (52 - LOG_BITS)) & (LOG_N - 1);
    double z = as_f64(ix - (tmp & (0xfffULL << 52)));
    double kd = (double)k;
    double invc = tab.invc[i];
    double p = z * invc;
    double rlo = fma(z, invc, -p);               /* z*invc == p + rlo exactly */
    double r = p - 1.0;                          /* exact: |p - 1| < 0.03 */
    double t1 = fma(kd, ln2_hi, tab.logc_hi[i]); /* exact: both multiples of 2^-40 */
    double t2 = t1 + r;                          /* fast two-sum: t1 == 0 or |t1| > |r| */
    double lo1 = fma(kd, ln2_lo, tab.logc_lo[i]);
    double lo2 = (t1 - t2) + r;
    double r2 = r * r;
    double ar = -0.5 * r;
    double ar2 = -0.5 * r2; /* == r * ar */
    double hi = t2 + ar2;   /* -r^2/2 goes into hi, so lo stays below 2^-15 */
    double lo3 = fma(ar, r, -ar2);
    double lo4 = (t2 - hi) + ar2;
    double ar3 = r * ar2;
    double rl = fma(rlo, fma(r, r, -r), rlo); /* log1p(r + rlo) - log1p(r), to r^3 rlo */
    double q = fma(r2, fma(r, C9, C8), fma(r, C7, C6));
    q = fma(r2, fma(r2, q, fma(r, C5, C4)), fma(r, C3, C2));
    q = ar3 * fma(r2, q, fma(r, C1, C0));
    double lo = (((lo1 + lo2) + (lo3 + lo4)) + rl) + q; /* q last: it is ready last */

    /* t = y log x as thi + tlo; |tlo| < 2^-9 here, more for large |y| */
    double thi = y * hi;
    double tlo = fma(y, lo, fma(y, hi, -thi));

    /* exp(t) = 2^(n/16) exp(er), n = round((thi + tlo) * 16 / ln2), so |er| < 0.022 */
    double nd = fma(thi + tlo, INV_LN2N, EXP_SHIFT);
    uint64_t ni = as_u64(nd);
    nd -= EXP_SHIFT;
    uint64_t j = ni & (EXP_N - 1);
    double scale = as_f64(tab.exp_bits[j] + (ni << (52 - EXP_BITS)));
    /* 2^(j/16) == scale (1 + tail) == scale exp(tail) to 2^-106: tail joins er */
    double er = fma(-nd, ln2n_hi, thi); /* exact */
    er = er + (fma(-nd, ln2n_lo, tlo) + tab.exp_tail[j]);
    double e2 = er * er;
    double pa = fma(er, E3, E2);
    double pb = fma(e2, fma(er, E7, E6), fma(er, E5, E4));
    double pe = fma(e2, fma(e2, pb, pa), er);
    return fma(scale, pe, scale);
}

#if HB_POW_AVX512
#define V_SET(c) _mm512_set1_pd(c)

/* The tables and masks, loaded into registers once per call. */
typedef struct pow_vtab {
    __m512d invc0, invc1, lch0, lch1, lcl0, lcl1, eb0, eb1, et0, et1;
    __m512i off, expmask;
} pow_vtab;

/* pow_elem on n blocks of 8 lanes from block b (n = 1 or 4, a constant once
 * inlined), operation for operation, statement by statement over the blocks
 * (EACH) so that their long dependency chains interleave in program order;
 * the tables are read with vpermt2pd. */
#define EACH(stmt) _Pragma("GCC unroll 4") for (int v = 0; v < n; v++) stmt
static inline __attribute__((always_inline)) void
pow_x8n(const pow_vtab *t, const double *x, const double *y, double *r, size_t b, int n) {
    __m512i idx[4], ix[4], ni[4], sbits[4], tmp[4];
    __m512d ar2[4], ar3[4], ar[4], e2[4], er[4], hi[4], invc[4], kd[4], lo1[4], lo2[4], lo3[4],
        lo4[4], lo[4], nd[4], p[4], pa[4], pb[4], pe[4], q[4], r2[4], rl[4], rlo[4], rr[4],
        scale[4], t1[4], t2[4], tail[4], thi[4], tlo[4], vy[4], z[4];
    EACH(ix[v] = _mm512_castpd_si512(_mm512_loadu_pd(x + (b + v) * HB_POW_BLOCK)));
    EACH(vy[v] = _mm512_loadu_pd(y + (b + v) * HB_POW_BLOCK));
    EACH(tmp[v] = _mm512_sub_epi64(ix[v], t->off));
    EACH(idx[v] = _mm512_srli_epi64(tmp[v], 52 - LOG_BITS));
    EACH(kd[v] = _mm512_cvtepi64_pd(_mm512_srai_epi64(tmp[v], 52)));
    EACH(z[v] = _mm512_castsi512_pd(_mm512_sub_epi64(ix[v], _mm512_and_si512(tmp[v], t->expmask))));
    EACH(invc[v] = _mm512_permutex2var_pd(t->invc0, idx[v], t->invc1));
    EACH(p[v] = _mm512_mul_pd(z[v], invc[v]));
    EACH(rlo[v] = _mm512_fmsub_pd(z[v], invc[v], p[v]));
    EACH(rr[v] = _mm512_sub_pd(p[v], V_SET(1.0)));
    EACH(t1[v] = _mm512_fmadd_pd(kd[v], V_SET(ln2_hi),
                                 _mm512_permutex2var_pd(t->lch0, idx[v], t->lch1)));
    EACH(t2[v] = _mm512_add_pd(t1[v], rr[v]));
    EACH(lo1[v] = _mm512_fmadd_pd(kd[v], V_SET(ln2_lo),
                                  _mm512_permutex2var_pd(t->lcl0, idx[v], t->lcl1)));
    EACH(lo2[v] = _mm512_add_pd(_mm512_sub_pd(t1[v], t2[v]), rr[v]));
    EACH(r2[v] = _mm512_mul_pd(rr[v], rr[v]));
    EACH(ar[v] = _mm512_mul_pd(V_SET(-0.5), rr[v]));
    EACH(ar2[v] = _mm512_mul_pd(V_SET(-0.5), r2[v]));
    EACH(hi[v] = _mm512_add_pd(t2[v], ar2[v]));
    EACH(lo3[v] = _mm512_fmsub_pd(ar[v], rr[v], ar2[v]));
    EACH(lo4[v] = _mm512_add_pd(_mm512_sub_pd(t2[v], hi[v]), ar2[v]));
    EACH(ar3[v] = _mm512_mul_pd(rr[v], ar2[v]));
    EACH(rl[v] = _mm512_fmadd_pd(rlo[v], _mm512_fmsub_pd(rr[v], rr[v], rr[v]), rlo[v]));
    EACH(q[v] = _mm512_fmadd_pd(r2[v], _mm512_fmadd_pd(rr[v], V_SET(C9), V_SET(C8)),
                                _mm512_fmadd_pd(rr[v], V_SET(C7), V_SET(C6))));
    EACH(q[v] = _mm512_fmadd_pd(r2[v], q[v], _mm512_fmadd_pd(rr[v], V_SET(C5), V_SET(C4))));
    EACH(q[v] = _mm512_fmadd_pd(r2[v], q[v], _mm512_fmadd_pd(rr[v], V_SET(C3), V_SET(C2))));
    EACH(q[v] = _mm512_mul_pd(
             ar3[v], _mm512_fmadd_pd(r2[v], q[v], _mm512_fmadd_pd(rr[v], V_SET(C1), V_SET(C0)))));
    EACH(lo[v] = _mm512_add_pd(_mm512_add_pd(lo1[v], lo2[v]), _mm512_add_pd(lo3[v], lo4[v])));
    EACH(lo[v] = _mm512_add_pd(_mm512_add_pd(lo[v], rl[v]), q[v]));
    EACH(thi[v] = _mm512_mul_pd(vy[v], hi[v]));
    EACH(tlo[v] = _mm512_fmadd_pd(vy[v], lo[v], _mm512_fmsub_pd(vy[v], hi[v], thi[v])));
    EACH(nd[v] = _mm512_fmadd_pd(_mm512_add_pd(thi[v], tlo[v]), V_SET(INV_LN2N), V_SET(EXP_SHIFT)));
    EACH(ni[v] = _mm512_castpd_si512(nd[v]));
    EACH(nd[v] = _mm512_sub_pd(nd[v], V_SET(EXP_SHIFT)));
    EACH(tail[v] = _mm512_permutex2var_pd(t->et0, ni[v], t->et1));
    EACH(er[v] = _mm512_fnmadd_pd(nd[v], V_SET(ln2n_hi), thi[v]));
    EACH(er[v] = _mm512_add_pd(
             er[v], _mm512_add_pd(_mm512_fnmadd_pd(nd[v], V_SET(ln2n_lo), tlo[v]), tail[v])));
    EACH(sbits[v] = _mm512_castpd_si512(_mm512_permutex2var_pd(t->eb0, ni[v], t->eb1)));
    EACH(scale[v] = _mm512_castsi512_pd(
             _mm512_add_epi64(sbits[v], _mm512_slli_epi64(ni[v], 52 - EXP_BITS))));
    EACH(e2[v] = _mm512_mul_pd(er[v], er[v]));
    EACH(pa[v] = _mm512_fmadd_pd(er[v], V_SET(E3), V_SET(E2)));
    EACH(pb[v] = _mm512_fmadd_pd(e2[v], _mm512_fmadd_pd(er[v], V_SET(E7), V_SET(E6)),
                                 _mm512_fmadd_pd(er[v], V_SET(E5), V_SET(E4))));
    EACH(pe[v] = _mm512_fmadd_pd(e2[v], _mm512_fmadd_pd(e2[v], pb[v], pa[v]), er[v]));
    EACH(_mm512_storeu_pd(r + (b + v) * HB_POW_BLOCK, _mm512_fmadd_pd(scale[v], pe[v], scale[v])));
}
#undef EACH

static void pow_blocks_avx512(const double *x, const double *y, double *r, size_t nblocks) {
    pow_vtab t;
    t.invc0 = _mm512_load_pd(tab.invc), t.invc1 = _mm512_load_pd(tab.invc + 8);
    t.lch0 = _mm512_load_pd(tab.logc_hi), t.lch1 = _mm512_load_pd(tab.logc_hi + 8);
    t.lcl0 = _mm512_load_pd(tab.logc_lo), t.lcl1 = _mm512_load_pd(tab.logc_lo + 8);
    t.eb0 = _mm512_castsi512_pd(_mm512_load_si512(tab.exp_bits));
    t.eb1 = _mm512_castsi512_pd(_mm512_load_si512(tab.exp_bits + 8));
    t.et0 = _mm512_load_pd(tab.exp_tail), t.et1 = _mm512_load_pd(tab.exp_tail + 8);
    t.off = _mm512_set1_epi64((long long)LOG_OFF);
    t.expmask = _mm512_set1_epi64((long long)(0xfffULL << 52));
    size_t b = 0;
    for (; b + 4 <= nblocks; b += 4)
        pow_x8n(&t, x, y, r, b, 4);
    for (; b < nblocks; b++)
        pow_x8n(&t, x, y, r, b, 1);
}
#endif

__attribute__((noinline)) void hb_pow_block(const double *x, const double *y, double *r,
                                            size_t nblocks) {
    hb_pow_init();
#if HB_POW_AVX512
    pow_blocks_avx512(x, y, r, nblocks);
#else
    /* Without AVX-512 the compiler vectorises pow_elem itself (table reads
     * become gathers with AVX2): the same operations, so the same bits. */
    for (size_t b = 0; b < nblocks; b++) {
        const double *xb = x + b * HB_POW_BLOCK, *yb = y + b * HB_POW_BLOCK;
        double *rb = r + b * HB_POW_BLOCK;
#pragma omp simd simdlen(HB_POW_BLOCK)
        for (int l = 0; l < HB_POW_BLOCK; l++)
            rb[l] = pow_elem(xb[l], yb[l]);
    }
#endif
}

__attribute__((noinline)) double hb_pow_scalar(double x, double y) {
    hb_pow_init();
    return pow_elem(x, y);
}

void hb_pow_map(const double *x, const double *y, double *r, size_t begin, size_t end) {
    double t[HB_POW_BLOCK];
    size_t b = begin - begin % HB_POW_BLOCK;
    /* A range that starts or ends inside a block still evaluates the whole
     * block (the padded inputs exist), then keeps only its own elements. */
    if (begin < end && b < begin) {
        size_t stop = end < b + HB_POW_BLOCK ? end : b + HB_POW_BLOCK;
        hb_pow_block(x + b, y + b, t, 1);
        memcpy(r + begin, t + (begin - b), (stop - begin) * sizeof *r);
        b += HB_POW_BLOCK;
    }
    if (b >= end)
        return;
    size_t full = (end - b) / HB_POW_BLOCK;
    hb_pow_block(x + b, y + b, r + b, full);
    b += full * HB_POW_BLOCK;
    if (b < end) {
        hb_pow_block(x + b, y + b, t, 1);
        memcpy(r + b, t, (end - b) * sizeof *r);
    }
}

void hb_pow_generate(uint64_t seed, size_t first, size_t n, double *x, double *y) {
    philox4x32_key_t key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    for (size_t i = 0; i < n; i++) {
        uint64_t e = (uint64_t)(first + i);
        philox4x32_ctr_t c = {{(uint32_t)e, (uint32_t)(e >> 32), 0, 0}};
        philox4x32_ctr_t v = philox4x32(c, key);
        uint64_t u1 = (((uint64_t)v.v[0] << 32) | v.v[1]) >> 11;
        uint64_t u2 = (((uint64_t)v.v[2] << 32) | v.v[3]) >> 11;
        x[i] = HB_POW_BASE_MIN + (HB_POW_BASE_MAX - HB_POW_BASE_MIN) * ((double)u1 * 0x1p-53);
        y[i] = -HB_POW_EXP_MAX + 2 * HB_POW_EXP_MAX * ((double)u2 * 0x1p-53);
    }
}

uint64_t hb_pow_checksum(const double *r, size_t first, size_t n) {
    uint64_t sum = 0;
#pragma omp simd reduction(+ : sum)
    for (size_t i = 0; i < n; i++) {
        uint64_t h = as_u64(r[i]) + (uint64_t)(first + i) * 0x9e3779b97f4a7c15ULL;
        h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
        h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
        sum += h ^ (h >> 31);
    }
    return sum;
}

uint64_t hb_pow_ulps(double a, double b) {
    int64_t ia = (int64_t)as_u64(a), ib = (int64_t)as_u64(b);
    return ia > ib ? (uint64_t)ia - (uint64_t)ib : (uint64_t)ib - (uint64_t)ia;
}

char *hb_pow_format_list(const double *r, size_t n) {
    size_t cap = 3 + n * (HB_NUMFMT_MAX + 2), len = 0; /* "[" "]" NUL, ", " between */
    char *s = malloc(cap);
    if (!s)
        return NULL;
    s[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        char buf[HB_NUMFMT_MAX];
        size_t m = strlen(hb_fmt_num(buf, r[i]));
        if (i) {
            memcpy(s + len, ", ", 2);
            len += 2;
        }
        memcpy(s + len, buf, m);
        len += m;
    }
    s[len++] = ']';
    s[len] = '\0';
    return s;
}
