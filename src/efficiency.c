/* Efficiency of every configuration in a runs table (see efficiency.h). */
#include "hybench/efficiency.h"

#include "hybench/error.h"
#include "hybench/runid.h"
#include "hybench/stats.h"

#include <errno.h>
#include <math.h>
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

typedef struct cols {
    int req[C_NREQ];
    int bind, distribute, imbalance, busy_mean, busy_max;
} cols;

static const char *cell(const hb_csv_table *t, size_t r, int c) {
    return c >= 0 ? t->rows[r][c] : "";
}

static int num(const hb_csv_table *t, const char *what, size_t r, int c, double *out) {
    const char *s = cell(t, r, c);
    char *end;
    if (!*s) {
        *out = NAN;
        return 0;
    }
    errno = 0;
    *out = strtod(s, &end);
    if (*end || errno == ERANGE || isinf(*out))
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

/* "timeout-after-rows": the matrix's row for a launch that failed after
 * writing its ok rows (the MPI_Finalize hang). */
static bool after_rows(const char *status) {
    size_t n = strlen(status), s = strlen(HB_EFF_AFTER_ROWS);
    return n > s && strcmp(status + n - s, HB_EFF_AFTER_ROWS) == 0;
}

static bool is_ok(const hb_csv_table *t, const cols *k, size_t r) {
    return strcmp(cell(t, r, k->req[C_STATUS]), "ok") == 0;
}

/* Summarise the rows of one group (indices idx[0..n)). */
static int summarise(const hb_csv_table *t, const char *what, const cols *k, const size_t *idx,
                     size_t n, double res, hb_eff *e) {
    size_t r0 = idx[0];
    int rc;
    double *wall = malloc(n * sizeof *wall), *imb = malloc(n * sizeof *imb);
    long *rep = malloc(n * sizeof *rep);
    if (!wall || !imb || !rep) {
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
    e->result = "";
    e->status = "ok";
    if ((rc = whole(t, what, r0, k->req[C_NODES], &e->nodes)) ||
        (rc = whole(t, what, r0, k->req[C_RANKS], &e->ranks)) ||
        (rc = whole(t, what, r0, k->req[C_THREADS], &e->threads)) ||
        (rc = whole(t, what, r0, k->req[C_WORKERS], &e->workers)))
        goto out;
    e->tasks = 0;
    bool verified_no = false, unverified = false, result_differs = false;
    const char *first_failure = NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = idx[i];
        long tasks;
        if ((rc = whole(t, what, r, k->req[C_TASKS], &tasks)))
            goto out;
        if (tasks > 0)
            e->tasks = tasks;
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
        long repeat;
        if ((rc = num(t, what, r, k->req[C_WALL], &w)) ||
            (rc = whole(t, what, r, k->req[C_REPEAT], &repeat)))
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
        wall[m] = w;
        imb[m] = im;
        rep[m] = repeat;
        m++;
    }
    e->repeats = m;
    /* Without ok rows the group's status is its first failure. */
    if (m == 0) {
        e->status = first_failure ? first_failure : e->late ? e->late : "ok";
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
    rc = 0;
out:
    free(wall);
    free(imb);
    free(rep);
    return rc;
}

/* Speedup and the rest against the serial group of the same kernel+params. */
static void against_serial(hb_eff_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        hb_eff *e = &s->v[i];
        const hb_eff *base = NULL;
        for (size_t j = 0; j < s->n && !base; j++)
            if (strcmp(s->v[j].mode, "serial") == 0 && s->v[j].repeats > 0 &&
                strcmp(s->v[j].kernel, e->kernel) == 0 && strcmp(s->v[j].params, e->params) == 0)
                base = &s->v[j];
        size_t w = e->workers > 0 ? (size_t)e->workers : 1;
        e->ideal = hb_ideal_efficiency((size_t)e->tasks, w);
        e->idle = hb_idle_workers((size_t)e->tasks, w);
        e->serial_s = base ? base->wall_med : NAN;
        e->speedup = e->repeats && base ? e->serial_s / e->wall_med : NAN;
        e->efficiency = e->speedup / (double)w;
        e->eff_of_ideal = e->ideal > 0 ? e->efficiency / e->ideal : NAN;
        e->karp_flatt = hb_karp_flatt(e->speedup, (double)w);
        if (e->tasks == 0) {
            e->ideal = NAN;
            e->idle = 0;
        }
        /* The same work must give the same headline result in every layout. */
        if (base && base != e && e->repeats && strcmp(e->verdict, "ok") == 0 &&
            strcmp(base->result, e->result) != 0)
            snprintf(e->verdict, sizeof e->verdict, "not verified (differs from serial)");
    }
    for (size_t i = 0; i < s->n; i++) {
        hb_eff *e = &s->v[i];
        if (strcmp(e->mode, "serial") == 0 || !e->repeats)
            continue;
        bool best = true;
        for (size_t j = 0; j < s->n && best; j++) {
            const hb_eff *o = &s->v[j];
            if (j != i && o->repeats && strcmp(o->mode, "serial") != 0 &&
                strcmp(o->kernel, e->kernel) == 0 && strcmp(o->params, e->params) == 0 &&
                (o->wall_med < e->wall_med || (o->wall_med == e->wall_med && j < i)))
                best = false;
        }
        e->best = best;
    }
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
    int schema = hb_csv_col(t, "schema");
    for (size_t r = 0; schema >= 0 && r < t->nrows; r++)
        if (strncmp(t->rows[r][schema], "hybench-runs-", 13) != 0)
            return hb_fail(HB_EUSAGE, "%s: row %zu: unknown schema '%s'", what, r + 1,
                           t->rows[r][schema]);

    /* group[r]: the group of row r; order: serial groups first, then by first row. */
    int rc = 0;
    hb_runid_cols ic;
    size_t *group = malloc((t->nrows + 1) * sizeof *group);
    size_t *first = malloc((t->nrows + 1) * sizeof *first);
    size_t *idx = malloc((t->nrows + 1) * sizeof *idx);
    hb_runid *id = malloc((t->nrows + 1) * sizeof *id);
    size_t ngroups = 0;
    if (!group || !first || !idx || !id) {
        rc = hb_fail(HB_ENOMEM, "out of memory reading %s", what);
        goto out;
    }
    if ((rc = hb_runid_cols_find(t, what, &ic)))
        goto out;
    for (size_t r = 0; r < t->nrows; r++)
        if ((rc = hb_runid_of_row(t, &ic, what, r, &id[r])))
            goto out;
    for (int pass = 0; pass < 2; pass++)
        for (size_t r = 0; r < t->nrows; r++) {
            if (id[r].serial != (pass == 0))
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
            if (group[r] == g)
                idx[n++] = r;
        if ((rc = summarise(t, what, &k, idx, n, res, &out->v[g])))
            goto out;
        out->n = g + 1;
    }
    against_serial(out);
out:
    free(group);
    free(first);
    free(idx);
    free(id);
    if (rc)
        hb_eff_free(out);
    return rc;
}

void hb_eff_free(hb_eff_set *s) {
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

const char *hb_eff_layout(const hb_eff *e, char *buf, size_t len) {
    long nodes = e->nodes > 0 ? e->nodes : 1;
    if (strcmp(e->mode, "serial") == 0)
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

int hb_eff_write_csv(FILE *f, const hb_eff_set *s) {
    fputs("kernel,params,mode,layout,nodes,ranks,threads,workers,bind,distribute,schedule,chunk,"
          "tasks,repeats,failed_repeats,wall_median_s,wall_min_s,wall_max_s,serial_s,speedup,"
          "efficiency,ideal_efficiency,idle_workers,efficiency_of_ideal,imbalance,karp_flatt,"
          "outlier_repeats,result,verdict,best\n",
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
        fputs(e->best ? ",yes\n" : ",\n", f);
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
