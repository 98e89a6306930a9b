/* Digests and exact sums of task outputs.
 *
 * hb_digest is 64-bit FNV-1a over bytes, hb_digest_fold combines per-task
 * digests in task order, hb_digest_words mixes a few words (a task's index
 * and its result) into one digest; summing those mod 2^64 gives a digest of
 * a whole map that does not depend on which worker added which task. They
 * detect a changed output (a command that is not deterministic, a layout
 * that changes a result), not an adversary: two given outputs collide with
 * probability about 2^-64.
 *
 * hb_xsum is an exact sum of doubles: every finite double is a multiple of
 * 2^-1074 below 2^1024, so a fixed-point accumulator of 32-bit digits held in
 * int64 words adds any of them without rounding, in any order, and two
 * accumulators add word by word (MPI_SUM on MPI_INT64_T). The total becomes
 * a double only when it is read, so the same terms give the same bits
 * whatever the order or the split between threads and ranks. Up to 2^30
 * terms in all.
 *
 * Pure functions, thread-safe for distinct arguments. */
#ifndef HYBENCH_DIGEST_H
#define HYBENCH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define HB_DIGEST_INIT 0xcbf29ce484222325u /* FNV-1a's offset basis */

/* FNV-1a of len bytes, continuing from h (HB_DIGEST_INIT to start). */
uint64_t hb_digest(uint64_t h, const void *data, size_t len);

/* Fold the digest of the next task into the running digest h of the tasks
 * before it: order matters, so swapped outputs give another digest. */
uint64_t hb_digest_fold(uint64_t h, uint64_t task_digest);

/* A digest of n words (SplitMix64's finaliser after each). */
uint64_t hb_digest_words(const uint64_t *w, size_t n);

/* Words of an exact sum: the digits, then the counts of NaN, +inf, -inf. */
#define HB_XSUM_DIGITS 67
#define HB_XSUM_WORDS (HB_XSUM_DIGITS + 3)

typedef struct hb_xsum {
    int64_t w[HB_XSUM_WORDS]; /* zero-initialise */
} hb_xsum;

void hb_xsum_add(hb_xsum *s, double x);
/* into += from, word by word (what MPI_SUM does across ranks). */
void hb_xsum_merge(hb_xsum *into, const hb_xsum *from);
/* The sum as a double, within about an ulp of the exact sum and the same
 * bits for the same terms (NaN if a term was NaN or both infinities
 * occurred, else +-inf if one did). */
double hb_xsum_value(const hb_xsum *s);

#endif
