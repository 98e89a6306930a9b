/* Output digests (see digest.h). FNV-1a is written here: it is a few lines,
 * and hashing is not where a task's time goes (about 1 ns per byte, against
 * the microseconds to start a process or pass a line). */
#include "hybench/digest.h"

uint64_t hb_digest(uint64_t h, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

/* SplitMix64's finaliser over the sum, so that each step mixes every bit. */
uint64_t hb_digest_fold(uint64_t h, uint64_t task_digest) {
    uint64_t z = h + task_digest + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}
