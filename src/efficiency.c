/* Efficiency of every configuration in a runs table (see efficiency.h). */
#include "hybench/efficiency.h"

#include "hybench/error.h"
#include "hybench/runid.h"
#include "hybench/stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    C_KERNEL,
    C_PARAMS,
    C_MODE,
    C_NODES,
    C_RANKS,
    C_THREADS,
    C_WORKERS,
    C_SCHEDULE,
    C_CHUNK,
    C_TASKS,
    C_REPEAT,
    C_WALL,
    C_STATUS,
    C_VERIFIED,
    C_RESULT,
    C_NREQ
};
static const char *const required[C_NREQ] = {
    "kernel", "params", "mode",   "nodes",  "ranks",  "threads",  "workers", "schedule",
    "chunk",  "tasks",  "repeat", "wall_s", "status", "verified", "result"};

/* Columns that must hold a number >= 0 where not empty: times and loads. */
static const char *const nonneg[] = {"wall_s",      "busy_min_s", "busy_mean_s",
                                     "busy_max_s",  "imbalance",  "cpu_s",
                                     "load_before", "load_after", "steal_s"};
#define N_NONNEG (sizeof nonneg / sizeof nonneg[0])

typedef struct cols {
    int req[C_NREQ];
    int bind, distribute, imbalance, busy_mean, busy_max, host;
    int round, cpu, load_before, load_after, steal, cpus_allowed;
} cols;

static const char *cell(const hb_csv_table *t, size_t r, int c) {
    return c >= 0 ? t->rows[r][c] : "";
}

/* A number, NaN when empty; text that is not a finite number is refused
 * ("nan" and "inf" included: no time or count is either). */
static int num(const hb_csv_table *t, const char *what, size_t r, int c, double *out) {
    const char *s = cell(t, r, c);
    char *end;
    if (!*s) {
        *out = NAN;
        return 0;
    }
    errno = 0;
    *out = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(*out))
        return hb_fail(HB_EUSAGE, "%s: row %zu: %s '%s' is not a number", what, r + 1, t->header[c],
                       s);
    return 0;
}

static int whole(const hb_csv_table *t, const char *what, size_t r, int c, long *out) {
    double x;
    int rc = num(t, what, r, c, &x);
    if (rc)
        return rc;
    if (isnan(x)) {
        *out = 0;
        return 0;
    }
    if (x < 0 || x > 1e15 || x != floor(x))
        return hb_fail(HB_EUSAGE, "%s: row %zu: %s '%s' is not a count", what, r + 1, t->header[c],
                       cell(t, r, c));
    *out = (long)x;
    return 0;
}

/* Every row's times, loads and round, before anything is computed: a bad
 * value is refused wherever it is, naming its row and column. */
static int check_values(const hb_csv_table *t, const char *what, const cols *k) {
    int c[N_NONNEG];
    for (size_t j = 0; j < N_NONNEG; j++)
        c[j] = hb_csv_col(t, nonneg[j]);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t j = 0; j < N_NONNEG; j++) {
            double x;
            int rc = c[j] >= 0 ? num(t, what, r, c[j], &x) : 0;
            if (rc)
                return rc;
            if (c[j] >= 0 && x < 0)
                return hb_fail(HB_EUSAGE, "%s: row %zu: %s '%s' is negative", what, r + 1,
                               nonneg[j], cell(t, r, c[j]));
        }
        long round;
        int rc = k->round >= 0 ? whole(t, what, r, k->round, &round) : 0;
        if (rc)
            return rc;
        if (k->round >= 0 && *cell(t, r, k->round) && round < 1)
            return hb_fail(HB_EUSAGE, "%s: row %zu: round '%s' is not a round number (1, 2, ...)",
                           what, r + 1, cell(t, r, k->round));
    }
    return 0;
}

/* "timeout-after-rows": the matrix's row for a launch that failed after
 * writing its ok rows (the MPI_Finalize hang). */
static bool after_rows(const char *status) {
    size_t n = strlen(status), s = strlen(HB_EFF_AFTER_ROWS);
    return n > s && strcmp(status + n - s, HB_EFF_AFTER_ROWS) == 0;
}

static bool is_ok(const hb_csv_table *t, const cols *k, size_t r) {
    return strcmp(cell(t, r, k->req[C_STATUS]), "ok") == 0;
}

static bool is_serial(const hb_eff *e) {
    return strcmp(e->mode, "serial") == 0;
}

/* CPUs in an hwloc list ("0-3,8,10-11"); 0 when empty or not a list. */
static long count_cpus(const char *s) {
    long n = 0;
    while (*s) {
        char *end;
        errno = 0;
        long a = strtol(s, &end, 10), b = a;
        if (end == s || a < 0 || errno)
            return 0;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            if (end == s + 1 || b < a || errno)
                return 0;
            s = end;
        }
        n += b - a + 1;
        if (*s == ',')
            s++;
        else if (*s)
            return 0;
    }
    return n;
}

/* The noise readings of ok row r into the group's sums. */
static void add_noise(const hb_csv_table *t, const cols *k, size_t r, double wall, double *cpu,
                      double *busy, hb_eff *e) {
    double x, mean = NAN, lb = NAN, la = NAN, st = NAN;
    long workers = e->workers > 0 ? e->workers : 1;
    /* Checked already by check_values. */
    if (k->cpu >= 0 && num(t, "", r, k->cpu, &x) == 0 && !isnan(x)) {
        if (k->busy_mean < 0 || num(t, "", r, k->busy_mean, &mean) != 0 || isnan(mean))
            mean = wall;
        *cpu += x;
        *busy += mean * (double)workers;
    }
    if (k->load_before >= 0 && num(t, "", r, k->load_before, &lb) == 0 && !isnan(lb))
        e->load_max = isnan(e->load_max) ? lb : fmax(e->load_max, lb);
    if (k->load_after >= 0 && num(t, "", r, k->load_after, &la) == 0 && !isnan(la))
        e->load_max = isnan(e->load_max) ? la : fmax(e->load_max, la);
    if (k->steal >= 0 && num(t, "", r, k->steal, &st) == 0 && !isnan(st)) {
        e->steal_s += st;
        e->timed_s += wall;
    }
    long cpus = count_cpus(cell(t, r, k->cpus_allowed));
    if (cpus > e->cpus)
        e->cpus = cpus;
}

/* Summarise the rows of one group (indices idx[0..n)). */
static int summarise(const hb_csv_table *t, const char *what, const cols *k, const size_t *idx,
                     size_t n, double res, hb_eff *e) {
    size_t r0 = idx[0];
    int rc;
    double *wall = malloc(n * sizeof *wall), *imb = malloc(n * sizeof *imb);
    long *rep = malloc(n * sizeof *rep), *round = malloc(n * sizeof *round);
    if (!wall || !imb || !rep || !round) {
        rc = hb_fail(HB_ENOMEM, "out of memory summarising %s", what);
        goto out;
    }
    e->kernel = cell(t, r0, k->req[C_KERNEL]);
    e->params = cell(t, r0, k->req[C_PARAMS]);
    e->mode = cell(t, r0, k->req[C_MODE]);
    e->bind = cell(t, r0, k->bind);
    e->distribute = cell(t, r0, k->distribute);
    e->schedule = cell(t, r0, k->req[C_SCHEDULE]);
    e->chunk = cell(t, r0, k->req[C_CHUNK]);
    e->host = cell(t, r0, k->host);
    e->result = "";
    e->status = "ok";
    e->load_max = NAN;
    if ((rc = whole(t, what, r0, k->req[C_NODES], &e->nodes)) ||
        (rc = whole(t, what, r0, k->req[C_RANKS], &e->ranks)) ||
        (rc = whole(t, what, r0, k->req[C_THREADS], &e->threads)) ||
        (rc = whole(t, what, r0, k->req[C_WORKERS], &e->workers)))
        goto out;
    e->tasks = 0;
    bool verified_no = false, unverified = false, result_differs = false;
    const char *first_failure = NULL;
    double cpu = 0, busy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = idx[i];
        long tasks;
        if ((rc = whole(t, what, r, k->req[C_TASKS], &tasks)))
            goto out;
        if (tasks > 0)
            e->tasks = tasks;
        /* A repetition that took tasks from finished output (--resume) timed
         * part of the map: neither a timing nor a failure. */
        if (strcmp(cell(t, r, k->req[C_STATUS]), "resumed") == 0) {
            e->resumed++;
            continue;
        }
        if (!is_ok(t, k, r)) {
            const char *st = cell(t, r, k->req[C_STATUS]);
            e->failed++;
            if (after_rows(st) && !e->late)
                e->late = st;
            else if (!after_rows(st) && !first_failure)
                first_failure = st;
            continue;
        }
        double w, im;
        long repeat, rd = 0;
        if ((rc = num(t, what, r, k->req[C_WALL], &w)) ||
            (rc = whole(t, what, r, k->req[C_REPEAT], &repeat)) ||
            (k->round >= 0 && (rc = whole(t, what, r, k->round, &rd))))
            goto out;
        if (isnan(w)) {
            rc = hb_fail(HB_EUSAGE, "%s: row %zu: status ok but wall_s is empty", what, r + 1);
            goto out;
        }
        if (k->imbalance >= 0 && *cell(t, r, k->imbalance)) {
            if ((rc = num(t, what, r, k->imbalance, &im)))
                goto out;
        } else {
            double mean = NAN, max = NAN;
            if ((k->busy_mean >= 0 && (rc = num(t, what, r, k->busy_mean, &mean))) ||
                (k->busy_max >= 0 && (rc = num(t, what, r, k->busy_max, &max))))
                goto out;
            im = mean > 0 ? max / mean : NAN;
        }
        const char *v = cell(t, r, k->req[C_VERIFIED]);
        verified_no |= strcmp(v, "no") == 0;
        unverified |= strcmp(v, "yes") != 0 && strcmp(v, "no") != 0;
        if (m == 0) {
            e->result = cell(t, r, k->req[C_RESULT]);
            e->status = "ok";
        } else if (strcmp(e->result, cell(t, r, k->req[C_RESULT])) != 0) {
            result_differs = true;
        }
        add_noise(t, k, r, w, &cpu, &busy, e);
        wall[m] = w;
        imb[m] = im;
        rep[m] = repeat;
        round[m] = rd; /* 0: no round (a plain `hybench run`, schema 1) */
        m++;
    }
    e->repeats = m;
    e->cpu_sum = cpu;
    e->busy_sum = busy;
    e->cpu_share = busy > 0 ? cpu / busy : NAN;
    /* Without ok rows the group's status is its first failure. */
    if (m == 0) {
        e->status = first_failure ? first_failure
                    : e->late     ? e->late
                    : e->resumed  ? "resumed"
                                  : "ok";
        e->late = NULL;
    }
    e->wall_med = hb_median(wall, m);
    e->wall_min = e->wall_max = NAN;
    for (size_t i = 0; i < m; i++) {
        if (i == 0 || wall[i] < e->wall_min)
            e->wall_min = wall[i];
        if (i == 0 || wall[i] > e->wall_max)
            e->wall_max = wall[i];
    }
    e->cv = hb_cv(wall, m);
    for (size_t i = 0; i < m; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = round[j] == round[i];
        e->rounds += !seen;
    }
    size_t nimb = 0;
    for (size_t i = 0; i < m; i++)
        if (!isnan(imb[i]))
            imb[nimb++] = imb[i];
    e->imbalance = hb_median(imb, nimb);

    /* Outliers: far from the median in MAD units and in relative terms. */
    double mad = hb_mad(wall, m);
    size_t used = 0;
    e->outliers[0] = '\0';
    e->outlier_dev = 0;
    for (size_t i = 0; m >= HB_EFF_OUTLIER_MIN && mad > 0 && e->wall_med > 0 && i < m; i++) {
        double dev = wall[i] - e->wall_med;
        if (fabs(dev) <= HB_EFF_OUTLIER_MAD * mad ||
            fabs(dev) <= HB_EFF_OUTLIER_REL * e->wall_med || used + 24 >= sizeof e->outliers)
            continue;
        used += (size_t)snprintf(e->outliers + used, sizeof e->outliers - used, "%s%ld",
                                 used ? ";" : "", rep[i]);
        if (fabs(dev) > fabs(e->outlier_dev) * e->wall_med)
            e->outlier_dev = dev / e->wall_med;
    }
    e->resolution_warn = m > 0 && res > 0.01 * e->wall_med;

    if (m == 0)
        snprintf(e->verdict, sizeof e->verdict, "%s", e->status);
    else if (verified_no)
        snprintf(e->verdict, sizeof e->verdict, "not verified");
    else if (result_differs)
        snprintf(e->verdict, sizeof e->verdict, "not verified (result varies)");
    else if (unverified)
        snprintf(e->verdict, sizeof e->verdict, "unverified");
    else
        snprintf(e->verdict, sizeof e->verdict, "ok");
    /* The set keeps the walls and rounds for the bootstrap. */
    e->wall_v = wall;
    e->round_v = round;
    wall = NULL;
    round = NULL;
    rc = 0;
out:
    free(wall);
    free(imb);
    free(rep);
    free(round);
    return rc;
}

/* The bootstrap's seed for a comparison of groups a and b: a hash of their
 * identities, so the same rows always give the same interval. */
static uint64_t pair_seed(const hb_eff *a, const hb_eff *b) {
    uint64_t h = HB_HASH_INIT;
    const hb_eff *g[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        char lay[64];
        const char *text[] = {
            g[i]->kernel, g[i]->params,     g[i]->mode,     hb_eff_layout(g[i], lay, sizeof lay),
            g[i]->bind,   g[i]->distribute, g[i]->schedule, g[i]->chunk};
        for (size_t j = 0; j < sizeof text / sizeof text[0]; j++)
            h = hb_hash_text(h, text[j]);
    }
    return h;
}

static hb_boot_side walls_of(const hb_eff *e) {
    return (hb_boot_side){e->wall_v, e->round_v, e->repeats};
}

/* The interval of median(num) / median(den), seeded by the pair. */
static int ratio_interval(const hb_eff *num, const hb_eff *den, double *lo, double *hi) {
    return hb_boot_ratio(walls_of(num), walls_of(den), pair_seed(num, den), HB_EFF_REPLICATES,
                         HB_EFF_LEVEL, lo, hi);
}

/* The words of a group's reading (e->reading set), with the likely causes
 * of a superlinear result that the serial baseline's readings point at. */
static void reading_words(hb_eff *e, const hb_eff *base) {
    size_t n = sizeof e->reading_text;
    switch (e->reading) {
    case HB_EFF_PLAIN:
        e->reading_text[0] = '\0';
        break;
    case HB_EFF_NO_INTERVAL:
        snprintf(e->reading_text, n,
                 "no interval: %zu serial and %zu parallel repeats (an interval needs 2 a side)",
                 base->repeats, e->repeats);
        break;
    case HB_EFF_NEAR_IDEAL:
        snprintf(e->reading_text, n, "within noise of ideal");
        break;
    case HB_EFF_DISAGREE:
        snprintf(e->reading_text, n,
                 "1 worker %s than the serial baseline beyond noise: the harness and the "
                 "baseline disagree",
                 e->speedup > 1 ? "faster" : "slower");
        break;
    case HB_EFF_ABOVE_IDEAL:
        snprintf(e->reading_text, n,
                 "%s beyond noise: likely cache or memory effects (each worker's share of the "
                 "data fits a cache the serial run's did not)%s",
                 e->efficiency > 1 ? "superlinear" : "above the ideal bound",
                 isnan(e->cpu_share) || isnan(base->cpu_share)
                     ? ", or a serial baseline slowed by other load (these rows carry no CPU "
                       "readings to tell)"
                     : "; the CPU readings show no other load");
        break;
    case HB_EFF_BUSY:
        snprintf(e->reading_text, n,
                 "%s beyond the repeats' noise, but the machine was busy: the workers got "
                 "%.0f%% and the serial baseline %.0f%% of their busy time as CPU, so other "
                 "load decides this ratio; measure on a quieter machine",
                 e->workers == 1 ? (e->speedup > 1 ? "faster than serial" : "slower than serial")
                 : e->efficiency > 1 ? "superlinear"
                                     : "above the ideal bound",
                 100 * e->cpu_share, 100 * base->cpu_share);
        break;
    }
}

/* Speedup, its interval, the reading and Karp-Flatt of parallel group e
 * against its serial baseline. */
static int judge(hb_eff *e, const hb_eff *base) {
    size_t w = e->workers > 0 ? (size_t)e->workers : 1;
    double lo = NAN, hi = NAN;
    int rc = 0;
    e->speedup_lo = e->speedup_hi = e->eff_lo = e->eff_hi = e->eoi_lo = e->eoi_hi = NAN;
    e->karp_flatt = e->kf_lo = e->kf_hi = NAN;
    e->reading = HB_EFF_PLAIN;
    if (!base || base == e || is_serial(e) || !e->repeats || isnan(e->speedup))
        goto words;
    if ((rc = ratio_interval(base, e, &lo, &hi)))
        return rc;
    e->speedup_lo = lo;
    e->speedup_hi = hi;
    e->eff_lo = lo / (double)w;
    e->eff_hi = hi / (double)w;
    e->eoi_lo = e->ideal > 0 ? e->eff_lo / e->ideal : NAN;
    e->eoi_hi = e->ideal > 0 ? e->eff_hi / e->ideal : NAN;
    bool have = !isnan(lo);
    if (!have)
        e->reading = HB_EFF_NO_INTERVAL;
    else if (w == 1)
        e->reading = lo > 1 || hi < 1 ? HB_EFF_DISAGREE : HB_EFF_PLAIN;
    else if (e->eoi_lo > 1)
        e->reading = HB_EFF_ABOVE_IDEAL;
    else if (e->eff_of_ideal > 1 && e->eoi_lo <= 1)
        e->reading = HB_EFF_NEAR_IDEAL;
    /* "Beyond noise" means beyond the noise the repeats sampled. When the
     * CPU readings show the workers or the baseline short of CPU, other load
     * moved the times by more than that, and the claim is not made. */
    if ((e->reading == HB_EFF_ABOVE_IDEAL || e->reading == HB_EFF_DISAGREE) &&
        (e->cpu_share < HB_EFF_BUSY_CPU || base->cpu_share < HB_EFF_BUSY_CPU))
        e->reading = HB_EFF_BUSY;
    /* Karp-Flatt (1/s - 1/W) / (1 - 1/W) means a serial fraction only when
     * the speedup is below linear beyond noise and not below 1: otherwise it
     * is noise around 0, or a number outside [0, 1] that no serial fraction
     * can be (negative above linear, above 1 when slower than serial). */
    if (w > 1 &&
        (have ? e->eff_hi < 1 && e->speedup_lo >= 1 : e->efficiency < 1 && e->speedup >= 1)) {
        e->karp_flatt = hb_karp_flatt(e->speedup, (double)w);
        e->kf_lo = hb_karp_flatt(hi, (double)w);
        e->kf_hi = hb_karp_flatt(lo, (double)w);
    }
words:
    reading_words(e, base);
    return 0;
}

/* Mark the fastest parallel group of each kernel+params and every group
 * indistinguishable from it: the bootstrap interval of the ratio of median
 * walls (group / fastest, rounds kept together) includes 1. */
static int mark_best(hb_eff_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        hb_eff *e = &s->v[i];
        e->vs_fastest_lo = e->vs_fastest_hi = NAN;
        if (is_serial(e) || !e->repeats)
            continue;
        const hb_eff *f = NULL;
        for (size_t j = 0; j < s->n; j++) {
            const hb_eff *o = &s->v[j];
            if (o->repeats && !is_serial(o) && strcmp(o->kernel, e->kernel) == 0 &&
                strcmp(o->params, e->params) == 0 && (!f || o->wall_med < f->wall_med))
                f = o;
        }
        if (f == e) {
            e->best = true;
            continue;
        }
        int rc = ratio_interval(e, f, &e->vs_fastest_lo, &e->vs_fastest_hi);
        if (rc)
            return rc;
        e->best = e->vs_fastest_lo <= 1;
    }
    return 0;
}

/* Speedup and the rest against the serial group of the same kernel+params. */
static int against_serial(hb_eff_set *s) {
    int rc;
    for (size_t i = 0; i < s->n; i++) {
        hb_eff *e = &s->v[i];
        const hb_eff *base = NULL;
        for (size_t j = 0; j < s->n && !base; j++)
            if (is_serial(&s->v[j]) && s->v[j].repeats > 0 &&
                strcmp(s->v[j].kernel, e->kernel) == 0 && strcmp(s->v[j].params, e->params) == 0)
                base = &s->v[j];
        size_t w = e->workers > 0 ? (size_t)e->workers : 1;
        e->ideal = hb_ideal_efficiency((size_t)e->tasks, w);
        e->idle = hb_idle_workers((size_t)e->tasks, w);
        e->serial_s = base ? base->wall_med : NAN;
        e->speedup = e->repeats && base && e->wall_med > 0 ? e->serial_s / e->wall_med : NAN;
        e->efficiency = e->speedup / (double)w;
        e->eff_of_ideal = e->ideal > 0 ? e->efficiency / e->ideal : NAN;
        if (e->tasks == 0) {
            e->ideal = NAN;
            e->idle = 0;
        }
        if ((rc = judge(e, base)))
            return rc;
        /* The same work must give the same headline result in every layout. */
        if (base && base != e && e->repeats && strcmp(e->verdict, "ok") == 0 &&
            strcmp(base->result, e->result) != 0)
            snprintf(e->verdict, sizeof e->verdict, "not verified (differs from serial)");
    }
    if ((rc = mark_best(s)))
        return rc;
    /* Last, so the comparisons above see the plain verdict. */
    for (size_t i = 0; i < s->n; i++) {
        hb_eff *e = &s->v[i];
        if (!e->late)
            continue;
        /* "timeout-after-rows" -> "; launch timed out after its rows" */
        int n = (int)(strlen(e->late) - strlen(HB_EFF_AFTER_ROWS));
        const char *how = n == 7 && !strncmp(e->late, "timeout", 7)         ? "timed out"
                          : n == 11 && !strncmp(e->late, "interrupted", 11) ? "was interrupted"
                                                                            : NULL;
        size_t used = strlen(e->verdict);
        snprintf(e->verdict + used, sizeof e->verdict - used, "; launch %s%.*s after its rows",
                 how ? how : "", how ? 0 : n, e->late);
    }
    return 0;
}

/* ---- copies of rows ---- */

typedef struct row_hash {
    uint64_t h;
    size_t r;
} row_hash;

static int cmp_row_hash(const void *a, const void *b) {
    const row_hash *x = a, *y = b;
    if (x->h != y->h)
        return (x->h > y->h) - (x->h < y->h);
    return (x->r > y->r) - (x->r < y->r);
}

static bool same_row(const hb_csv_table *t, size_t a, size_t b) {
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->rows[a][c], t->rows[b][c]) != 0)
            return false;
    return true;
}

/* dup[r] = true for every row identical to an earlier row: hashed, sorted,
 * and compared field by field within equal hashes. */
static int find_copies(const hb_csv_table *t, bool *dup, hb_eff_set *out) {
    row_hash *h = malloc((t->nrows + 1) * sizeof *h);
    if (!h)
        return HB_ENOMEM;
    for (size_t r = 0; r < t->nrows; r++) {
        uint64_t x = HB_HASH_INIT;
        for (size_t c = 0; c < t->ncols; c++)
            x = hb_hash_text(x, t->rows[r][c]);
        h[r] = (row_hash){x, r};
        dup[r] = false;
    }
    qsort(h, t->nrows, sizeof *h, cmp_row_hash);
    for (size_t i = 0; i < t->nrows; i++)
        for (size_t j = i; j-- > 0 && h[j].h == h[i].h;)
            if (!dup[h[j].r] && same_row(t, h[j].r, h[i].r)) {
                dup[h[i].r] = true;
                break;
            }
    free(h);
    for (size_t r = 0; r < t->nrows; r++)
        if (dup[r]) {
            out->duplicates++;
            if (!out->first_duplicate)
                out->first_duplicate = r + 1;
        }
    return 0;
}

int hb_eff_compute(const hb_csv_table *t, const char *what, double res, hb_eff_set *out) {
    cols k;
    memset(out, 0, sizeof *out);
    for (int i = 0; i < C_NREQ; i++)
        if ((k.req[i] = hb_csv_col(t, required[i])) < 0)
            return hb_fail(HB_EUSAGE, "%s: no column '%s' (is it a hybench runs.csv?)", what,
                           required[i]);
    k.bind = hb_csv_col(t, "bind");
    k.distribute = hb_csv_col(t, "distribute");
    k.imbalance = hb_csv_col(t, "imbalance");
    k.busy_mean = hb_csv_col(t, "busy_mean_s");
    k.busy_max = hb_csv_col(t, "busy_max_s");
    k.host = hb_csv_col(t, "host");
    k.round = hb_csv_col(t, "round");
    k.cpu = hb_csv_col(t, "cpu_s");
    k.load_before = hb_csv_col(t, "load_before");
    k.load_after = hb_csv_col(t, "load_after");
    k.steal = hb_csv_col(t, "steal_s");
    k.cpus_allowed = hb_csv_col(t, "cpus_allowed");
    int schema = hb_csv_col(t, "schema");
    for (size_t r = 0; schema >= 0 && r < t->nrows; r++)
        if (strncmp(t->rows[r][schema], "hybench-runs-", 13) != 0)
            return hb_fail(HB_EUSAGE, "%s: row %zu: unknown schema '%s'", what, r + 1,
                           t->rows[r][schema]);
    int rc = check_values(t, what, &k);
    if (rc)
        return rc;

    /* group[r]: the group of row r; order: serial groups first, then by first row. */
    hb_runid_cols ic;
    size_t *group = malloc((t->nrows + 1) * sizeof *group);
    size_t *first = malloc((t->nrows + 1) * sizeof *first);
    size_t *idx = malloc((t->nrows + 1) * sizeof *idx);
    hb_runid *id = malloc((t->nrows + 1) * sizeof *id);
    bool *dup = malloc((t->nrows + 1) * sizeof *dup);
    size_t ngroups = 0;
    if (!group || !first || !idx || !id || !dup) {
        rc = hb_fail(HB_ENOMEM, "out of memory reading %s", what);
        goto out;
    }
    if ((rc = hb_runid_cols_find(t, what, &ic)))
        goto out;
    for (size_t r = 0; r < t->nrows; r++)
        if ((rc = hb_runid_of_row(t, &ic, what, r, &id[r])))
            goto out;
    if (find_copies(t, dup, out) != 0) {
        rc = hb_fail(HB_ENOMEM, "out of memory reading %s", what);
        goto out;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t r = 0; r < t->nrows; r++) {
            if (id[r].serial != (pass == 0) || dup[r])
                continue;
            size_t g = 0;
            while (g < ngroups && !hb_runid_same(&id[first[g]], &id[r]))
                g++;
            if (g == ngroups)
                first[ngroups++] = r;
            group[r] = g;
        }
    out->v = calloc(ngroups ? ngroups : 1, sizeof *out->v);
    if (!out->v) {
        rc = hb_fail(HB_ENOMEM, "out of memory reading %s", what);
        goto out;
    }
    for (size_t g = 0; g < ngroups; g++) {
        size_t n = 0;
        for (size_t r = first[g]; r < t->nrows; r++)
            if (!dup[r] && group[r] == g)
                idx[n++] = r;
        out->n = g + 1;
        if ((rc = summarise(t, what, &k, idx, n, res, &out->v[g])))
            goto out;
    }
    rc = against_serial(out);
out:
    free(group);
    free(first);
    free(idx);
    free(id);
    free(dup);
    if (rc)
        hb_eff_free(out);
    return rc;
}

void hb_eff_free(hb_eff_set *s) {
    for (size_t i = 0; s->v && i < s->n; i++) {
        free(s->v[i].wall_v);
        free(s->v[i].round_v);
    }
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

double hb_eff_precision(const hb_eff *e) {
    if (is_serial(e) || !e->repeats)
        return NAN;
    if (isnan(e->speedup_lo) || isnan(e->speedup_hi) || !(e->speedup > 0))
        return INFINITY;
    return fmax(e->speedup - e->speedup_lo, e->speedup_hi - e->speedup) / e->speedup;
}

const char *hb_eff_layout(const hb_eff *e, char *buf, size_t len) {
    long nodes = e->nodes > 0 ? e->nodes : 1;
    if (is_serial(e))
        snprintf(buf, len, "serial");
    else if (nodes > 1)
        snprintf(buf, len, "%ld:%ldx%ld", nodes, e->ranks / nodes, e->threads);
    else
        snprintf(buf, len, "%ldx%ld", e->ranks, e->threads);
    return buf;
}

static void put_num(FILE *f, double x) {
    fputc(',', f);
    if (!isnan(x))
        fprintf(f, "%.6g", x);
}

const char *hb_eff_reading_name(const hb_eff *e) {
    switch (e->reading) {
    case HB_EFF_NO_INTERVAL:
        return "no interval";
    case HB_EFF_NEAR_IDEAL:
        return "within noise of ideal";
    case HB_EFF_ABOVE_IDEAL:
        return e->efficiency > 1 ? "superlinear beyond noise" : "above ideal beyond noise";
    case HB_EFF_DISAGREE:
        return "disagrees with serial";
    case HB_EFF_BUSY:
        return e->workers == 1 ? "disagrees, machine busy" : "above ideal, machine busy";
    case HB_EFF_PLAIN:
        break;
    }
    return "";
}

int hb_eff_write_csv(FILE *f, const hb_eff_set *s) {
    /* New columns go after the old ones, so readers by position keep working. */
    fputs("kernel,params,mode,layout,nodes,ranks,threads,workers,bind,distribute,schedule,chunk,"
          "tasks,repeats,failed_repeats,wall_median_s,wall_min_s,wall_max_s,serial_s,speedup,"
          "efficiency,ideal_efficiency,idle_workers,efficiency_of_ideal,imbalance,karp_flatt,"
          "outlier_repeats,result,verdict,best,speedup_ci_lo,speedup_ci_hi,efficiency_ci_lo,"
          "efficiency_ci_hi,efficiency_of_ideal_ci_lo,efficiency_of_ideal_ci_hi,karp_flatt_ci_lo,"
          "karp_flatt_ci_hi,cv,rounds,reading,vs_fastest_ci_lo,vs_fastest_ci_hi,cpu_share,"
          "schema\n",
          f);
    for (size_t i = 0; i < s->n; i++) {
        const hb_eff *e = &s->v[i];
        char lay[64];
        const char *text[] = {e->kernel, e->params, e->mode, hb_eff_layout(e, lay, sizeof lay)};
        for (size_t j = 0; j < 4; j++) {
            if (j)
                fputc(',', f);
            hb_csv_put_field(f, text[j]);
        }
        fprintf(f, ",%ld,%ld,%ld,%ld,", e->nodes, e->ranks, e->threads, e->workers);
        hb_csv_put_field(f, e->bind);
        fputc(',', f);
        hb_csv_put_field(f, e->distribute);
        fputc(',', f);
        hb_csv_put_field(f, e->schedule);
        fputc(',', f);
        hb_csv_put_field(f, e->chunk);
        fprintf(f, ",%ld,%zu,%zu", e->tasks, e->repeats, e->failed);
        put_num(f, e->wall_med);
        put_num(f, e->wall_min);
        put_num(f, e->wall_max);
        put_num(f, e->serial_s);
        put_num(f, e->speedup);
        put_num(f, e->efficiency);
        put_num(f, e->ideal);
        fprintf(f, ",%zu", e->idle);
        put_num(f, e->eff_of_ideal);
        put_num(f, e->imbalance);
        put_num(f, e->karp_flatt);
        fputc(',', f);
        hb_csv_put_field(f, e->outliers);
        fputc(',', f);
        hb_csv_put_field(f, e->result);
        fputc(',', f);
        hb_csv_put_field(f, e->verdict);
        fputs(e->best ? ",yes" : ",", f);
        const double ci[] = {e->speedup_lo, e->speedup_hi, e->eff_lo, e->eff_hi, e->eoi_lo,
                             e->eoi_hi,     e->kf_lo,      e->kf_hi,  e->cv};
        for (size_t j = 0; j < sizeof ci / sizeof ci[0]; j++)
            put_num(f, ci[j]);
        fprintf(f, ",%zu,", e->rounds);
        hb_csv_put_field(f, hb_eff_reading_name(e));
        put_num(f, e->vs_fastest_lo);
        put_num(f, e->vs_fastest_hi);
        put_num(f, e->cpu_share);
        fprintf(f, ",%s\n", HB_EFF_SCHEMA);
    }
    return ferror(f) ? hb_fail(HB_EIO, "cannot write efficiency.csv") : 0;
}

/* params with its grain token (chunk=... or grain=...) removed, into buf. */
static void strip_grain(const char *params, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (const char *p = params; *p;) {
        size_t n = strcspn(p, " ");
        bool grain = strncmp(p, "chunk=", 6) == 0 || strncmp(p, "grain=", 6) == 0;
        if (!grain && n && used + n + 2 < len)
            used += (size_t)snprintf(buf + used, len - used, "%s%.*s", used ? " " : "", (int)n, p);
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* Least-squares slope of y against x over the points in use. */
static double slope(const double *x, const double *y, size_t n) {
    double mx = 0, my = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++)
        mx += x[i] / (double)n, my += y[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
    return sxx > 0 ? sxy / sxx : NAN;
}

/* Slope of wall against tasks per worker over the groups matching group i in
 * everything but the grain; counts the distinct grains in *ngrains. */
static double grain_slope(const hb_eff_set *s, size_t i, size_t *ngrains) {
    const hb_eff *e = &s->v[i];
    char base[1024], other[1024];
    strip_grain(e->params, base, sizeof base);
    double *x = malloc(s->n * sizeof *x), *y = malloc(s->n * sizeof *y);
    size_t n = 0;
    for (size_t j = 0; x && y && j < s->n; j++) {
        const hb_eff *o = &s->v[j];
        if (!o->repeats || strcmp(o->kernel, e->kernel) || strcmp(o->mode, e->mode) ||
            o->ranks != e->ranks || o->threads != e->threads || o->nodes != e->nodes ||
            strcmp(o->schedule, e->schedule) || strcmp(o->bind, e->bind) ||
            strcmp(o->distribute, e->distribute))
            continue;
        strip_grain(o->params, other, sizeof other);
        if (strcmp(base, other) != 0)
            continue;
        x[n] = (double)o->tasks / (double)(o->workers > 0 ? o->workers : 1);
        y[n] = o->wall_med;
        n++;
    }
    *ngrains = n;
    double b = n >= 2 ? slope(x, y, n) : NAN;
    free(x);
    free(y);
    return b;
}

size_t hb_eff_overhead(FILE *f, const hb_eff_set *s) {
    size_t lines = 0;
    char *done = calloc(s->n + 1, 1);
    if (!done)
        return 0;
    for (size_t i = 0; i < s->n; i++) {
        const hb_eff *e = &s->v[i];
        if (done[i] || !e->repeats || strcmp(e->mode, "serial") == 0)
            continue;
        size_t np, ns = 0;
        double bp = grain_slope(s, i, &np);
        /* Mark every group of this series so it is reported once. */
        char base[1024], other[1024];
        strip_grain(e->params, base, sizeof base);
        for (size_t j = i; j < s->n; j++) {
            const hb_eff *o = &s->v[j];
            strip_grain(o->params, other, sizeof other);
            if (!strcmp(o->kernel, e->kernel) && !strcmp(o->mode, e->mode) &&
                o->ranks == e->ranks && o->threads == e->threads && o->nodes == e->nodes &&
                !strcmp(o->schedule, e->schedule) && !strcmp(o->bind, e->bind) &&
                !strcmp(o->distribute, e->distribute) && !strcmp(base, other))
                done[j] = 1;
        }
        if (np < 2 || isnan(bp))
            continue;
        double bs = NAN;
        for (size_t j = 0; j < s->n && isnan(bs); j++) {
            strip_grain(s->v[j].params, other, sizeof other);
            if (strcmp(s->v[j].mode, "serial") == 0 && !strcmp(s->v[j].kernel, e->kernel) &&
                !strcmp(base, other))
                bs = grain_slope(s, j, &ns);
        }
        char lay[64];
        const char *where = e->ranks == e->nodes ? "within a rank"
                            : e->threads == 1    ? "across ranks"
                                                 : "ranks and threads";
        fprintf(f, "  %-6s %-8s %-8s (%s, %zu grains): %.3g us per task", e->kernel,
                hb_eff_layout(e, lay, sizeof lay), e->schedule, where, np, 1e6 * bp);
        if (!isnan(bs))
            fprintf(f, " - serial %.3g us = hand-out overhead %.3g us\n", 1e6 * bs,
                    1e6 * (bp - bs));
        else
            fputs(" (no serial grain series to subtract)\n", f);
        lines++;
    }
    free(done);
    return lines;
}
