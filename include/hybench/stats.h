/* The arithmetic of efficiency: ideal bounds, idle workers, speedup,
 * Karp-Flatt, and order statistics over repeats. Pure functions. */
#ifndef HYBENCH_STATS_H
#define HYBENCH_STATS_H

#include <stddef.h>

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

#endif
