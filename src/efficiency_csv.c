/* A report's files: efficiency.csv (columns in results/EFFICIENCY.md) and
 * the per-task hand-out overhead estimated from a grain sweep (see
 * efficiency.h). */
#include "hybench/efficiency.h"

#include "hybench/csv.h"
#include "hybench/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_num(FILE *f, double x) {
    fputc(',', f);
    if (!isnan(x))
        fprintf(f, "%.6g", x);
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

size_t hb_eff_overhead(FILE *f, const hb_eff_set *s, const char *heading) {
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
        if (lines == 0 && heading)
            fputs(heading, f);
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
