/* Efficiency of every configuration in a runs table (see efficiency.h). */
#include "hybench/efficiency.h"
#include "efficiency_internal.h"

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

bool hb_eff_is_serial(const hb_eff *e) {
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
    rc = hb_eff_judge(out);
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
    if (hb_eff_is_serial(e) || !e->repeats)
        return NAN;
    if (isnan(e->speedup_lo) || isnan(e->speedup_hi) || !(e->speedup > 0))
        return INFINITY;
    return fmax(e->speedup - e->speedup_lo, e->speedup_hi - e->speedup) / e->speedup;
}

const char *hb_eff_layout(const hb_eff *e, char *buf, size_t len) {
    long nodes = e->nodes > 0 ? e->nodes : 1;
    if (hb_eff_is_serial(e))
        snprintf(buf, len, "serial");
    else if (nodes > 1)
        snprintf(buf, len, "%ld:%ldx%ld", nodes, e->ranks / nodes, e->threads);
    else
        snprintf(buf, len, "%ldx%ld", e->ranks, e->threads);
    return buf;
}
