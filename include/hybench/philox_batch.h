/* Philox4x32-10 for a batch of counters at once.
 *
 * Random123's philox4x32() takes one counter at a time through small structs;
 * GCC 12 does not vectorise calls to it well, and when it vectorises the
 * plain round it uses a 64x64-bit multiply (vpmullq, 3 uops) where Philox
 * needs only 32x32->64 (vpmuludq, 1 uop). So with AVX-512 the rounds are
 * written with intrinsics over 64-bit lanes holding the 32-bit words:
 * vpmuludq reads only the low 32 bits of each lane, so garbage in the high
 * halves never needs masking until the end. A round on 8 counters is then 6
 * instructions (2 vpmuludq, 2 vpsrlq, 2 vpternlogq): the least the round
 * allows, since the two high halves must be moved down for the next round's
 * multiply and xor. Without AVX-512 each lane calls Random123 itself.
 * tests/test_philox.c checks the batch bit for bit against Random123. */
#ifndef HYBENCH_PHILOX_BATCH_H
#define HYBENCH_PHILOX_BATCH_H

#include <Random123/philox.h>
#include <stdint.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

#define HB_PHILOX_LANES 16

#ifdef __AVX512F__
/* The ten round keys of one Philox key, each broadcast to 8 lanes: built
 * once per key, so a loop over many counters reads them as loop constants. */
typedef struct hb_philox_x8_key {
    __m512i k0[10], k1[10];
} hb_philox_x8_key;

static inline void hb_philox_x8_key_init(hb_philox_x8_key *key, uint32_t k0, uint32_t k1) {
    for (int r = 0; r < 10; r++) {
        key->k0[r] = _mm512_set1_epi64(k0);
        key->k1[r] = _mm512_set1_epi64(k1);
        k0 += PHILOX_W32_0;
        k1 += PHILOX_W32_1;
    }
}

/* Ten rounds on n groups of 8 counters held as 64-bit lanes, w[g] = {a, b,
 * c, d} of group g (word in the low half; the high halves may hold
 * anything). The groups go round by round side by side, so that their
 * independent chains (70 cycles of latency each) are interleaved in program
 * order and the out-of-order core overlaps them. On exit the low halves hold
 * the random words and the high halves garbage. n is a constant after
 * inlining. */
static inline __attribute__((always_inline)) void hb_philox4x32_x8n(__m512i (*w)[4], int n,
                                                                    const hb_philox_x8_key *key) {
    const __m512i m0 = _mm512_set1_epi64(PHILOX_M4x32_0), m1 = _mm512_set1_epi64(PHILOX_M4x32_1);
#pragma GCC unroll 10
    for (int r = 0; r < 10; r++) {
#pragma GCC unroll 4
        for (int g = 0; g < n; g++) {
            __m512i p0 = _mm512_mul_epu32(w[g][0], m0), p1 = _mm512_mul_epu32(w[g][2], m1);
            /* 0x96 = a ^ b ^ c */
            w[g][0] =
                _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), w[g][1], key->k0[r], 0x96);
            w[g][2] =
                _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), w[g][3], key->k1[r], 0x96);
            w[g][1] = p1;
            w[g][3] = p0;
        }
    }
}

/* One group of 8 counters: hb_philox4x32_x8n with n = 1. */
static inline void hb_philox4x32_x8(__m512i *w0, __m512i *w1, __m512i *w2, __m512i *w3,
                                    const hb_philox_x8_key *key) {
    __m512i w[1][4] = {{*w0, *w1, *w2, *w3}};
    hb_philox4x32_x8n(w, 1, key);
    *w0 = w[0][0];
    *w1 = w[0][1];
    *w2 = w[0][2];
    *w3 = w[0][3];
}
#endif

/* In place: c0..c3[l] are lane l's counter words on entry and its random
 * words on exit; k0, k1 the key (the same for every lane). */
static inline void hb_philox4x32_batch(uint32_t c0[HB_PHILOX_LANES], uint32_t c1[HB_PHILOX_LANES],
                                       uint32_t c2[HB_PHILOX_LANES], uint32_t c3[HB_PHILOX_LANES],
                                       uint32_t k0, uint32_t k1) {
#ifdef __AVX512F__
    hb_philox_x8_key key;
    hb_philox_x8_key_init(&key, k0, k1);
    uint32_t *w[4] = {c0, c1, c2, c3};
    for (int half = 0; half < HB_PHILOX_LANES; half += 8) {
        __m512i v[4];
        for (int i = 0; i < 4; i++)
            v[i] = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(w[i] + half)));
        hb_philox4x32_x8(&v[0], &v[1], &v[2], &v[3], &key);
        for (int i = 0; i < 4; i++)
            _mm256_storeu_si256((__m256i *)(w[i] + half), _mm512_cvtepi64_epi32(v[i]));
    }
#else
    philox4x32_key_t key = {{k0, k1}};
    for (int l = 0; l < HB_PHILOX_LANES; l++) {
        philox4x32_ctr_t ctr = {{c0[l], c1[l], c2[l], c3[l]}};
        philox4x32_ctr_t r = philox4x32(ctr, key);
        c0[l] = r.v[0];
        c1[l] = r.v[1];
        c2[l] = r.v[2];
        c3[l] = r.v[3];
    }
#endif
}

#endif
