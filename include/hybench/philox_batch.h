/* Philox4x32-10 for a batch of counters at once.
 *
 * Random123's philox4x32() takes one counter at a time through small structs,
 * which GCC does not vectorise. This is the same function (Random123's round
 * and key schedule constants from <Random123/philox.h>) written over arrays
 * of HB_PHILOX_LANES counters, so the loops compile to SIMD multiplies.
 * tests/test_philox.c checks it bit for bit against Random123's philox4x32. */
#ifndef HYBENCH_PHILOX_BATCH_H
#define HYBENCH_PHILOX_BATCH_H

#include <Random123/philox.h>
#include <stdint.h>

#define HB_PHILOX_LANES 16

/* In place: c0..c3[l] are lane l's counter words on entry and its random
 * words on exit; k0, k1 the key (the same for every lane). */
static inline void hb_philox4x32_batch(uint32_t c0[HB_PHILOX_LANES], uint32_t c1[HB_PHILOX_LANES],
                                       uint32_t c2[HB_PHILOX_LANES], uint32_t c3[HB_PHILOX_LANES],
                                       uint32_t k0, uint32_t k1) {
    for (int r = 0; r < 10; r++) {
#pragma omp simd
        for (int l = 0; l < HB_PHILOX_LANES; l++) {
            uint64_t p0 = (uint64_t)PHILOX_M4x32_0 * c0[l];
            uint64_t p1 = (uint64_t)PHILOX_M4x32_1 * c2[l];
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1[l] ^ k0;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3[l] ^ k1;
            c1[l] = (uint32_t)p1;
            c3[l] = (uint32_t)p0;
            c0[l] = n0;
            c2[l] = n2;
        }
        k0 += PHILOX_W32_0;
        k1 += PHILOX_W32_1;
    }
}

#endif
