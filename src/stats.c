/* Efficiency arithmetic and order statistics (see stats.h). */
#include "hybench/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double hb_ideal_efficiency(size_t n, size_t w) {
    if (n == 0 || w == 0)
        return 0;
    size_t rounds = (n + w - 1) / w;
    return (double)n / ((double)w * (double)rounds);
}

size_t hb_idle_workers(size_t n, size_t w) {
    if (w == 0)
        return 0;
    size_t rounds = (n + w - 1) / w;
    return w * rounds - n;
}

double hb_karp_flatt(double speedup, double p) {
    if (!(p > 1) || !(speedup > 0))
        return NAN;
    return (1 / speedup - 1 / p) / (1 - 1 / p);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hb_median(const double *x, size_t n) {
    if (n == 0)
        return NAN;
    double *c = malloc(n * sizeof *c);
    if (!c)
        return NAN;
    memcpy(c, x, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    double m = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
    free(c);
    return m;
}

double hb_mad(const double *x, size_t n) {
    if (n == 0)
        return NAN;
    double med = hb_median(x, n);
    double *d = malloc(n * sizeof *d);
    if (!d)
        return NAN;
    for (size_t i = 0; i < n; i++)
        d[i] = fabs(x[i] - med);
    double m = hb_median(d, n);
    free(d);
    return m;
}
