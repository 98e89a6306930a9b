/* Output digests and exact sums (see digest.h). Written here: FNV-1a and a
 * fixed-point accumulator are a few lines each, and neither is where a
 * task's time goes. */
#include "hybench/digest.h"

#include <math.h>

uint64_t hb_digest(uint64_t h, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* SplitMix64's finaliser over the sum, so that each step mixes every bit. */
uint64_t hb_digest_fold(uint64_t h, uint64_t task_digest) {
    return mix(h + task_digest + 0x9e3779b97f4a7c15u);
}

uint64_t hb_digest_words(const uint64_t *w, size_t n) {
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++)
        h = mix(h ^ w[i]) + 0x9e3779b97f4a7c15u;
    return h;
}

enum { X_NAN = HB_XSUM_DIGITS, X_PINF, X_NINF };
#define LSB_EXP (-1074) /* the weight of digit 0's lowest bit: 2^-1074 */

void hb_xsum_add(hb_xsum *s, double x) {
    if (isnan(x)) {
        s->w[X_NAN]++;
        return;
    }
    if (isinf(x)) {
        s->w[x > 0 ? X_PINF : X_NINF]++;
        return;
    }
    if (x == 0)
        return;
    int e;
    double f = frexp(fabs(x), &e); /* |x| = f 2^e, 0.5 <= f < 1 */
    uint64_t mag = (uint64_t)ldexp(f, 53);
    int lsb = e - 53;    /* |x| = mag 2^lsb */
    if (lsb < LSB_EXP) { /* a subnormal: the bits below 2^-1074 are zero */
        mag >>= LSB_EXP - lsb;
        lsb = LSB_EXP;
    }
    int off = lsb - LSB_EXP, k = off / 32, sh = off % 32;
    uint64_t lo = (mag & 0xffffffffu) << sh, hi = (mag >> 32) << sh;
    int64_t d0 = (int64_t)(lo & 0xffffffffu), d1 = (int64_t)((lo >> 32) + (hi & 0xffffffffu)),
            d2 = (int64_t)(hi >> 32);
    int64_t sign = x < 0 ? -1 : 1;
    s->w[k] += sign * d0;
    s->w[k + 1] += sign * d1;
    s->w[k + 2] += sign * d2;
}

void hb_xsum_merge(hb_xsum *into, const hb_xsum *from) {
    for (int i = 0; i < HB_XSUM_WORDS; i++)
        into->w[i] += from->w[i];
}

double hb_xsum_value(const hb_xsum *s) {
    if (s->w[X_NAN] || (s->w[X_PINF] && s->w[X_NINF]))
        return NAN;
    if (s->w[X_PINF] || s->w[X_NINF])
        return s->w[X_PINF] ? INFINITY : -INFINITY;
    /* Carry so that every digit but the top one lies in [0, 2^32). */
    int64_t d[HB_XSUM_DIGITS];
    for (int i = 0; i < HB_XSUM_DIGITS; i++)
        d[i] = s->w[i];
    for (int i = 0; i + 1 < HB_XSUM_DIGITS; i++) {
        int64_t carry = d[i] >= 0 ? d[i] / 4294967296 : -((-d[i] + 4294967295) / 4294967296);
        d[i] -= carry * 4294967296;
        d[i + 1] += carry;
    }
    double sign = 1;
    if (d[HB_XSUM_DIGITS - 1] < 0) { /* negate: the magnitude in the same digits */
        sign = -1;
        int64_t borrow = 0;
        for (int i = 0; i < HB_XSUM_DIGITS; i++) {
            int64_t v = -d[i] - borrow;
            borrow = 0;
            if (i + 1 < HB_XSUM_DIGITS && v < 0) {
                v += 4294967296;
                borrow = 1;
            }
            d[i] = v;
        }
    }
    int top = HB_XSUM_DIGITS - 1;
    while (top > 0 && d[top] == 0)
        top--;
    /* The three top digits hold 64 or more significant bits: the sum to
     * within about an ulp, and the same digits always give the same double. */
    double v = 0;
    for (int i = top; i >= 0 && i > top - 3; i--)
        v += ldexp((double)d[i], 32 * i + LSB_EXP);
    return sign * v;
}
