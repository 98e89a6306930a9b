/* Efficiency arithmetic and order statistics (see stats.h). */
#include "hybench/stats.h"

#include "hybench/error.h"

#include <Random123/philox.h>
#include <math.h>
#include <stdint.h>
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

double hb_cv(const double *x, size_t n) {
    if (n < 2)
        return NAN;
    double mean = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        mean += x[i] / (double)n;
    if (!(mean > 0))
        return NAN;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    return sqrt(ss / (double)(n - 1)) / mean;
}

uint64_t hb_hash_text(uint64_t h, const char *s) {
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    /* A separator, so ("ab", "c") and ("a", "bc") differ. */
    h ^= 0xff;
    h *= 0x100000001b3ULL;
    return h;
}

/* ---- the bootstrap ---- */

/* A stream of uniform draws: Philox4x32-10 keyed by the seed, counting up. */
typedef struct draws {
    philox4x32_key_t key;
    philox4x32_ctr_t ctr, out;
    int left;
} draws;

static void draws_init(draws *d, uint64_t seed) {
    memset(d, 0, sizeof *d);
    d->key.v[0] = (uint32_t)seed;
    d->key.v[1] = (uint32_t)(seed >> 32);
}

/* Uniform in [0, m) for m < 2^32 by multiply-shift; the bias, under m / 2^32,
 * is far below the bootstrap's own Monte Carlo error. */
static size_t draw(draws *d, size_t m) {
    if (d->left == 0) {
        d->out = philox4x32(d->ctr, d->key);
        if (++d->ctr.v[0] == 0)
            d->ctr.v[1]++;
        d->left = 4;
    }
    uint32_t u = d->out.v[--d->left];
    return (size_t)(((uint64_t)u * (uint64_t)m) >> 32);
}

/* One side sorted by round, then value, with where each round begins. */
typedef struct side {
    double *v;
    size_t *start, *count; /* per round of the union */
} side;

typedef struct pair {
    long round;
    double x;
} pair;

static int cmp_pair(const void *a, const void *b) {
    const pair *p = a, *q = b;
    if (p->round != q->round)
        return (p->round > q->round) - (p->round < q->round);
    return (p->x > q->x) - (p->x < q->x);
}

static int cmp_long_asc(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static int side_build(hb_boot_side in, const long *rounds, size_t nr, side *s) {
    pair *p = malloc((in.n ? in.n : 1) * sizeof *p);
    s->v = malloc((in.n ? in.n : 1) * sizeof *s->v);
    s->start = calloc(nr, sizeof *s->start);
    s->count = calloc(nr, sizeof *s->count);
    if (!p || !s->v || !s->start || !s->count) {
        free(p);
        return HB_ENOMEM;
    }
    for (size_t i = 0; i < in.n; i++)
        p[i] = (pair){in.round ? in.round[i] : 0, in.x[i]};
    qsort(p, in.n, sizeof *p, cmp_pair);
    size_t k = 0;
    for (size_t i = 0; i < in.n; i++) {
        while (rounds[k] != p[i].round)
            k++;
        if (s->count[k]++ == 0)
            s->start[k] = i;
        s->v[i] = p[i].x;
    }
    free(p);
    return 0;
}

static void side_free(side *s) {
    free(s->v);
    free(s->start);
    free(s->count);
}

/* One side's resample from its own rounds alone (into buf, which holds nr
 * times its largest round); own is scratch for nr indices. Returns the
 * values drawn. */
static size_t side_apart(draws *d, const side *s, size_t nr, size_t *own, double *buf) {
    size_t m = 0, f = 0;
    for (size_t k = 0; k < nr; k++)
        if (s->count[k])
            own[m++] = k;
    for (size_t j = 0; j < m; j++) {
        size_t k = own[draw(d, m)];
        for (size_t i = 0; i < s->count[k]; i++)
            buf[f++] = s->v[s->start[k] + draw(d, s->count[k])];
    }
    return f;
}

/* The median of buf[0..n), which it reorders. */
static double median_inplace(double *buf, size_t n) {
    qsort(buf, n, sizeof *buf, cmp_double);
    return n % 2 ? buf[n / 2] : 0.5 * (buf[n / 2 - 1] + buf[n / 2]);
}

/* The p-quantile of sorted x[0..n), interpolating between order statistics. */
static double quantile(const double *x, size_t n, double p) {
    double pos = p * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n || x[i + 1] == x[i])
        return x[i + 1 >= n ? n - 1 : i];
    return x[i] + (pos - (double)i) * (x[i + 1] - x[i]);
}

int hb_boot_ratio(hb_boot_side num, hb_boot_side den, uint64_t seed, size_t reps, double level,
                  double *lo, double *hi) {
    *lo = *hi = NAN;
    if (num.n < 2 || den.n < 2 || reps < 2 || !(level > 0 && level < 1))
        return 0;
    double mn = hb_median(num.x, num.n), md = hb_median(den.x, den.n);
    if (!(mn > 0) || !(md > 0))
        return 0;
    int rc = 0;
    size_t nall = num.n + den.n, nr = 0;
    long *rounds = malloc(nall * sizeof *rounds);
    size_t *pick = malloc(nall * sizeof *pick);
    double *bn = NULL, *bd = NULL, *stat = malloc(reps * sizeof *stat);
    side sn = {0}, sd = {0};
    if (!rounds || !pick || !stat) {
        rc = HB_ENOMEM;
        goto out;
    }
    /* The rounds of either side, each once, in order. */
    for (size_t i = 0; i < num.n; i++)
        rounds[i] = num.round ? num.round[i] : 0;
    for (size_t i = 0; i < den.n; i++)
        rounds[num.n + i] = den.round ? den.round[i] : 0;
    qsort(rounds, nall, sizeof *rounds, cmp_long_asc);
    for (size_t i = 0; i < nall; i++)
        if (i == 0 || rounds[i] != rounds[nr - 1])
            rounds[nr++] = rounds[i];
    if ((rc = side_build(num, rounds, nr, &sn)) || (rc = side_build(den, rounds, nr, &sd)))
        goto out;
    /* A resample draws nr rounds with replacement: up to nr times the
     * largest round of a side. */
    size_t maxn = 1, maxd = 1;
    for (size_t k = 0; k < nr; k++) {
        maxn = sn.count[k] > maxn ? sn.count[k] : maxn;
        maxd = sd.count[k] > maxd ? sd.count[k] : maxd;
    }
    bn = malloc(nr * maxn * sizeof *bn);
    bd = malloc(nr * maxd * sizeof *bd);
    if (!bn || !bd) {
        rc = HB_ENOMEM;
        goto out;
    }

    draws d;
    draws_init(&d, seed);
    for (size_t b = 0; b < reps; b++) {
        /* Draw the rounds, again while a side got no value (rounds that
         * one side lacks); after 64 tries each side draws from its own
         * rounds, which cannot leave it empty. */
        size_t cn = 0, cd = 0, fn = 0, fd = 0;
        for (int attempt = 0; attempt < 64 && (cn == 0 || cd == 0); attempt++) {
            cn = cd = 0;
            for (size_t j = 0; j < nr; j++) {
                pick[j] = draw(&d, nr);
                cn += sn.count[pick[j]];
                cd += sd.count[pick[j]];
            }
        }
        if (cn && cd) {
            for (size_t j = 0; j < nr; j++) {
                size_t k = pick[j];
                for (size_t i = 0; i < sn.count[k]; i++)
                    bn[fn++] = sn.v[sn.start[k] + draw(&d, sn.count[k])];
                for (size_t i = 0; i < sd.count[k]; i++)
                    bd[fd++] = sd.v[sd.start[k] + draw(&d, sd.count[k])];
            }
        } else {
            fn = side_apart(&d, &sn, nr, pick, bn);
            fd = side_apart(&d, &sd, nr, pick, bd);
        }
        double md_b = median_inplace(bd, fd);
        /* A resample whose den median is 0 (zero walls among the values)
         * has no finite ratio: then there is no interval. */
        if (!(md_b > 0))
            goto out;
        stat[b] = median_inplace(bn, fn) / md_b;
    }
    qsort(stat, reps, sizeof *stat, cmp_double);
    *lo = quantile(stat, reps, 0.5 * (1 - level));
    *hi = quantile(stat, reps, 0.5 * (1 + level));
out:
    side_free(&sn);
    side_free(&sd);
    free(rounds);
    free(pick);
    free(bn);
    free(bd);
    free(stat);
    return rc ? hb_fail(rc, "out of memory in the bootstrap") : 0;
}
