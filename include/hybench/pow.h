/* Internals of the pow kernel, public so the unit tests can check them.
 *
 * The generated map computes r[i] = x[i]^y[i] with hb_pow_block(), a vector
 * pow (a log from a 16-entry table in double-double, then an exp from a
 * 16-entry table): AVX-512 intrinsics that read the tables with in-register
 * permutes where the compiler targets AVX-512, else plain C that GCC
 * vectorises under `#pragma omp simd`. Both perform the same correctly
 * rounded operations per element and call no library, so the vector code
 * and hb_pow_scalar() give the same bits (tests/test_pow_math.c checks
 * that), and the results are independent of how the map is cut into tasks.
 * Accuracy against glibc's scalar pow on the generated domain (max 1 ulp)
 * and speed: see kernels/pow_math.c.
 *
 * Domain of hb_pow_block: x positive and normal, |y * ln x| < 700 so the
 * result is a normal double. The generated elements stay well inside it:
 *   base     x in [HB_POW_BASE_MIN, HB_POW_BASE_MAX)
 *   exponent y in [-HB_POW_EXP_MAX, HB_POW_EXP_MAX)
 * so |y * log2 x| <= 100 * log2(100) < 665 and every result lies in
 * (2^-665, 2^665). Explicit --bases/--exponents lists may hold anything and
 * use glibc's scalar pow() instead, which is what Python's float pow calls. */
#ifndef HYBENCH_POW_H
#define HYBENCH_POW_H

#include <stddef.h>
#include <stdint.h>

/* Elements per vector block; every element is computed in the block
 * [8*floor(i/8), 8*floor(i/8) + 8), so arrays handed to hb_pow_map are padded
 * to a multiple of it. */
#define HB_POW_BLOCK 8

#define HB_POW_BASE_MIN 0.5
#define HB_POW_BASE_MAX 100.0
#define HB_POW_EXP_MAX 100.0

/* Build the lookup tables (idempotent, thread-safe). Every function below
 * calls it; call it before timing anything. */
void hb_pow_init(void);

/* r[j] = x[j]^y[j] for j < nblocks * HB_POW_BLOCK, vectorised. Domain above.
 * One compiled function for every element of every run. Thread-safe. */
void hb_pow_block(const double *x, const double *y, double *r, size_t nblocks);

/* The same function for one element, compiled as plain scalar code (no
 * vectorisation): the reference of the bit-for-bit test. */
double hb_pow_scalar(double x, double y);

/* The map over elements [begin, end) of padded arrays (length a multiple of
 * HB_POW_BLOCK covering end): writes r[begin..end) only, so threads working
 * on neighbouring ranges never write the same element. */
void hb_pow_map(const double *x, const double *y, double *r, size_t begin, size_t end);

/* Element i of the generated map: Philox4x32-10 keyed by the seed, counter
 * (i, 0); 53 random bits each for the base and the exponent, mapped onto the
 * ranges above. Fills x[0..n) and y[0..n) with elements first..first+n-1. */
void hb_pow_generate(uint64_t seed, size_t first, size_t n, double *x, double *y);

/* Checksum of results r[0..n) standing at element positions first..: the
 * 64-bit sum over i of mix(bits(r[i]) + i * golden ratio). Position-bound (a
 * swapped pair changes it), chainable (sum two ranges' values), and the same
 * for every layout because the bits are. */
uint64_t hb_pow_checksum(const double *r, size_t first, size_t n);

/* Distance in units in the last place between two finite doubles of the same
 * sign (0 when bitwise equal). */
uint64_t hb_pow_ulps(double a, double b);

/* Results as Python prints a list of them: "[1, 16, 27, 16]", each with
 * hb_fmt_num. Returns a malloc'd string (NULL when out of memory). */
char *hb_pow_format_list(const double *r, size_t n);

#endif
