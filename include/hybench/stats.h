/* The arithmetic of efficiency: ideal bounds, idle workers, speedup,
 * Karp-Flatt, order statistics over repeats, and the bootstrap that gives
 * every ratio its interval. Pure functions. */
#ifndef HYBENCH_STATS_H
#define HYBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Ideal efficiency of n equal tasks on w workers: n / (w * ceil(n / w)).
 * 7 tasks on 10 workers -> 0.7. 0 when n or w is 0. */
double hb_ideal_efficiency(size_t n, size_t w);

/* Workers with nothing to do in the last round: w * ceil(n / w) - n. 7 on 10 -> 3. */
size_t hb_idle_workers(size_t n, size_t w);

/* Karp-Flatt experimentally determined serial fraction for speedup s on p
 * workers: (1/s - 1/p) / (1 - 1/p). NaN when p <= 1. */
double hb_karp_flatt(double speedup, double p);

/* Median of x[0..n) (mean of the middle two when n is even); sorts a copy.
 * NaN when n == 0. */
double hb_median(const double *x, size_t n);

/* Median absolute deviation from the median. */
double hb_mad(const double *x, size_t n);

/* Coefficient of variation: sample standard deviation (n - 1) over the mean.
 * NaN when n < 2 or the mean is not positive. */
double hb_cv(const double *x, size_t n);

/* One side of a ratio for the bootstrap: value x[i] was measured in round
 * round[i] (any integers; rows without a round share one value). */
typedef struct hb_boot_side {
    const double *x;
    const long *round;
    size_t n;
} hb_boot_side;

/* Percentile bootstrap interval, at `level` (0.95 for 95%), of
 * median(num) / median(den) over `reps` replicates. Rounds are resampled
 * with the two sides kept together: a replicate draws as many rounds as
 * there are, with replacement, from the rounds of either side, and each
 * drawn round brings a resample (with replacement, of its own size) of its
 * num values and of its den values. So drift from round to round that
 * slows both sides alike cancels in the ratio, drift that hits one side
 * widens the interval, and with one round this is the plain two-sample
 * bootstrap. A draw of rounds that leaves one side empty is drawn again.
 * Resampling both levels errs towards wide intervals (Davison & Hinkley
 * 1997, section 3.8), the safe side for a verdict.
 *
 * Deterministic: the draws come from Philox4x32-10 keyed by seed, over the
 * values sorted within each round, so the same values (in any order) and
 * seed give the same interval. *lo = *hi = NaN when either side has fewer
 * than 2 values (no spread to resample), or a median, of the values or of a
 * resample of den, is not positive (walls of 0).
 * Returns 0, or HB_ENOMEM. */
int hb_boot_ratio(hb_boot_side num, hb_boot_side den, uint64_t seed, size_t reps, double level,
                  double *lo, double *hi);

/* 64-bit FNV-1a of a string, continued from h (start with HB_HASH_INIT):
 * the seeds of the bootstrap come from the configuration's text. */
#define HB_HASH_INIT 0xcbf29ce484222325ULL
uint64_t hb_hash_text(uint64_t h, const char *s);

#endif
