/* Plots of a report as a self-contained gnuplot script (data inline), so a
 * user can re-render or restyle them later with `gnuplot efficiency.gp`.
 *
 * Results files are shared between people, so nothing from them may run:
 * every text from the rows goes into the script in single-quoted strings
 * (in which gnuplot substitutes nothing: no backquotes, no macros, no
 * escapes), control characters made spaces so a value cannot end its line,
 * and a ' as the separate string "'" (put_str); texts inside the inline data
 * are reduced to a safe alphabet. The only double-quoted strings written
 * are "'" and "\n", which hold no backquote. */
#define _DEFAULT_SOURCE /* fork, chdir */
#include "hybench/plot.h"

#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Colours of the layouts, cycled. */
static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};
#define NCOLOURS (sizeof colours / sizeof colours[0])
/* Point types (filled circle, square, triangle, diamond, ...) of the schedules, cycled. */
static const int points[] = {7, 5, 9, 13, 11, 15, 6, 4};
#define NPOINTS (sizeof points / sizeof points[0])

/* A gnuplot string expression for text: single-quoted pieces, control
 * characters as spaces, and each ' as a double-quoted "'" between them:
 * 'it'."'".'s'. (Doubling ' inside single quotes, which gnuplot documents,
 * fails in gnuplot 5.4.4 right after the opening quote and for two in a
 * row: '''x' and 'x''''y' are syntax errors.) A "'" holds no backquote, so
 * nothing is substituted in it either. */
static void put_str(FILE *f, const char *s) {
    bool open = false, any = false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'') {
            fputs(open ? "'.\"'\"" : any ? ".\"'\"" : "\"'\"", f);
            open = false;
        } else {
            if (!open)
                fputs(any ? ".'" : "'", f);
            open = true;
            fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
        }
        any = true;
    }
    if (open)
        fputc('\'', f);
    else if (!any)
        fputs("''", f);
}

/* A text inside inline data (a double-quoted column): characters outside
 * [A-Za-z0-9_.:+=-] as '?', so it cannot close its quote or its line. */
static void put_word(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("_.:+=-", c) != NULL;
        fputc(ok ? c : '?', f);
    }
    fputc('"', f);
}

/* A title of any length in lines of at most `width` characters, broken at
 * spaces where it can: 'line one'."\n".'line two'. */
static void put_title(FILE *f, const char *s, size_t width) {
    size_t n = strlen(s), at = 0;
    char *line = malloc(width + 1);
    if (!line) {
        put_str(f, s);
        return;
    }
    do {
        size_t take = n - at <= width ? n - at : width;
        if (at + take < n)
            for (size_t k = take; k > width / 2; k--)
                if (s[at + k] == ' ') {
                    take = k;
                    break;
                }
        memcpy(line, s + at, take);
        line[take] = '\0';
        if (at)
            fputs(".\"\\n\".", f);
        put_str(f, line);
        at += take;
        while (at < n && s[at] == ' ')
            at++;
    } while (at < n);
    free(line);
}

static bool is_parallel(const hb_eff *e) {
    return strcmp(e->mode, "serial") != 0 && e->repeats > 0 && !isnan(e->speedup);
}

static bool same_config(const hb_eff *a, const hb_eff *b) {
    return strcmp(a->kernel, b->kernel) == 0 && strcmp(a->params, b->params) == 0;
}

/* Index of the first group of each kernel+params with a parallel point. */
static size_t configs(const hb_eff_set *s, size_t *first) {
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!is_parallel(&s->v[i]))
            continue;
        size_t c = 0;
        while (c < n && !same_config(&s->v[first[c]], &s->v[i]))
            c++;
        if (c == n)
            first[n++] = i;
    }
    return n;
}

/* One kernel configuration's points, in the order they are drawn. */
typedef struct conf {
    const hb_eff **g; /* its parallel groups, by workers, layout, schedule, chunk */
    size_t n;
    long *w; /* its distinct worker counts, ascending */
    size_t nw;
    const hb_eff **lay; /* one group per distinct layout (colour) */
    size_t nlay;
    const hb_eff **sch; /* one group per distinct schedule and chunk (point type) */
    size_t nsch;
} conf;

static void conf_free(conf *c) {
    free(c->g);
    free(c->w);
    free(c->lay);
    free(c->sch);
}

static bool same_layout(const hb_eff *a, const hb_eff *b) {
    return a->nodes == b->nodes && a->ranks == b->ranks && a->threads == b->threads;
}

static bool same_sched(const hb_eff *a, const hb_eff *b) {
    return strcmp(a->schedule, b->schedule) == 0 && strcmp(a->chunk, b->chunk) == 0;
}

static int cmp_group(const void *pa, const void *pb) {
    const hb_eff *a = *(const hb_eff *const *)pa, *b = *(const hb_eff *const *)pb;
    if (a->workers != b->workers)
        return (a->workers > b->workers) - (a->workers < b->workers);
    if (a->ranks != b->ranks)
        return (a->ranks > b->ranks) - (a->ranks < b->ranks);
    if (a->nodes != b->nodes)
        return (a->nodes > b->nodes) - (a->nodes < b->nodes);
    int c = strcmp(a->schedule, b->schedule);
    return c ? c : strcmp(a->chunk, b->chunk);
}

static int conf_build(const hb_eff_set *s, const hb_eff *first, conf *c) {
    memset(c, 0, sizeof *c);
    c->g = malloc((s->n + 1) * sizeof *c->g);
    c->w = malloc((s->n + 1) * sizeof *c->w);
    c->lay = malloc((s->n + 1) * sizeof *c->lay);
    c->sch = malloc((s->n + 1) * sizeof *c->sch);
    if (!c->g || !c->w || !c->lay || !c->sch) {
        conf_free(c);
        return hb_fail(HB_ENOMEM, "out of memory writing the plot script");
    }
    for (size_t i = 0; i < s->n; i++)
        if (same_config(&s->v[i], first) && is_parallel(&s->v[i]))
            c->g[c->n++] = &s->v[i];
    qsort(c->g, c->n, sizeof *c->g, cmp_group);
    for (size_t i = 0; i < c->n; i++) {
        const hb_eff *e = c->g[i];
        if (!c->nw || c->w[c->nw - 1] != e->workers)
            c->w[c->nw++] = e->workers;
        size_t k = 0;
        while (k < c->nlay && !same_layout(c->lay[k], e))
            k++;
        if (k == c->nlay)
            c->lay[c->nlay++] = e;
        k = 0;
        while (k < c->nsch && !same_sched(c->sch[k], e))
            k++;
        if (k == c->nsch)
            c->sch[c->nsch++] = e;
    }
    return 0;
}

static size_t index_of(const hb_eff *const *v, size_t n, const hb_eff *e,
                       bool (*same)(const hb_eff *, const hb_eff *)) {
    size_t k = 0;
    while (k < n && !same(v[k], e))
        k++;
    return k;
}

/* x position of worker count w: log2(w), so 1, 2, 4, ... are evenly spaced. */
static double xpos(long w) {
    return log2((double)(w > 0 ? w : 1));
}

/* Groups at one worker count are spread over a band this wide around it. */
static double band(const conf *c) {
    double gap = 1;
    for (size_t i = 1; i < c->nw; i++)
        gap = fmin(gap, xpos(c->w[i]) - xpos(c->w[i - 1]));
    return 0.6 * gap;
}

/* A value and its interval for the data: a zero-length bar without one. */
static void put_ci(FILE *f, double x, double lo, double hi) {
    if (isnan(lo) || isnan(hi))
        lo = hi = x;
    fprintf(f, " %.6g %.6g %.6g", x, lo, hi);
}

static void write_data(FILE *f, const conf *c, size_t ci) {
    double b = band(c);
    fprintf(f,
            "$d%zu << EOD\n# x speedup lo hi efficiency lo hi eff_of_ideal lo hi colour point"
            " layout\n",
            ci);
    for (size_t i = 0; i < c->n; i++) {
        const hb_eff *e = c->g[i];
        /* This group's place among those at its worker count. */
        size_t first = i, count = 0;
        while (first > 0 && c->g[first - 1]->workers == e->workers)
            first--;
        while (first + count < c->n && c->g[first + count]->workers == e->workers)
            count++;
        double off = count > 1 ? b * ((double)(i - first) / (double)(count - 1) - 0.5) : 0;
        char lay[64];
        fprintf(f, "%.6g", xpos(e->workers) + off);
        put_ci(f, e->speedup, e->speedup_lo, e->speedup_hi);
        put_ci(f, e->efficiency, e->eff_lo, e->eff_hi);
        put_ci(f, e->eff_of_ideal, e->eoi_lo, e->eoi_hi);
        fprintf(f, " %zu %zu ", index_of(c->lay, c->nlay, e, same_layout) % NCOLOURS,
                index_of(c->sch, c->nsch, e, same_sched) % NPOINTS);
        put_word(f, hb_eff_layout(e, lay, sizeof lay));
        fputc('\n', f);
    }
    fputs("EOD\n", f);
    /* The linear speedup and the ideal bound at every worker count (and 1). */
    long tasks = c->n ? c->g[0]->tasks : 0;
    fprintf(f, "$i%zu << EOD\n# x workers ideal_speedup ideal_efficiency\n", ci);
    if (c->nw == 0 || c->w[0] != 1)
        fputs("0 1 1 1\n", f);
    for (size_t i = 0; i < c->nw; i++) {
        double ie = tasks > 0 ? hb_ideal_efficiency((size_t)tasks, (size_t)c->w[i]) : 1;
        fprintf(f, "%.6g %ld %.6g %.6g\n", xpos(c->w[i]), c->w[i], ie * (double)c->w[i], ie);
    }
    fputs("EOD\n", f);
}

static void write_xtics(FILE *f, const conf *c) {
    fputs("set xtics (", f);
    bool one = c->nw && c->w[0] == 1;
    if (!one)
        fputs("'1' 0", f);
    for (size_t i = 0; i < c->nw; i++)
        fprintf(f, "%s'%ld' %.6g", i || !one ? ", " : "", c->w[i], xpos(c->w[i]));
    double hi = c->nw ? xpos(c->w[c->nw - 1]) : 0;
    fprintf(f, ")\nset xrange [-0.5:%.6g]\n", hi + 0.5);
}

/* The key: one entry per layout (colour) and per schedule (point type),
 * drawn from nothing, so the points need no labels of their own. */
static void write_key(FILE *f, const conf *c) {
    for (size_t k = 0; k < c->nlay; k++) {
        char lay[64];
        fprintf(f, ", \\\n     NaN with points pt 7 ps 1.2 lc rgb '%s' title ",
                colours[k % NCOLOURS]);
        put_str(f, hb_eff_layout(c->lay[k], lay, sizeof lay));
    }
    for (size_t k = 0; k < c->nsch; k++) {
        char name[256];
        snprintf(name, sizeof name, "%s%s%s", c->sch[k]->schedule,
                 *c->sch[k]->chunk && strcmp(c->sch[k]->chunk, "1") ? " chunk " : "",
                 *c->sch[k]->chunk && strcmp(c->sch[k]->chunk, "1") ? c->sch[k]->chunk : "");
        fprintf(f, ", \\\n     NaN with points pt %d ps 1.2 lc rgb 'black' title ",
                points[k % NPOINTS]);
        /* A key entry longer than this crowds the plot out. */
        if (strlen(name) > 40)
            memcpy(name + 37, "...", 4);
        put_str(f, name);
    }
    fputc('\n', f);
}

static void write_panel(FILE *f, size_t ci, const conf *c, bool speedup) {
    const hb_eff *e = c->g[0];
    char *title = NULL;
    size_t len = 0;
    FILE *t = open_memstream(&title, &len);
    if (t) {
        fprintf(t, "%s of %s %s %s (median; bars: 95%% intervals)",
                speedup ? "speedup" : "efficiency", e->kernel, e->params,
                speedup ? "over its serial baseline" : "(speedup / workers)");
        fclose(t);
    }
    fputs("set title ", f);
    put_title(f, title ? title : "", 70);
    free(title);
    fputs(" noenhanced\n", f);
    fprintf(f, "set ylabel '%s'\n",
            speedup ? "speedup (serial / parallel)" : "efficiency (speedup / workers)");
    write_xtics(f, c);
    int col = speedup ? 2 : 5;
    if (speedup)
        fprintf(f,
                "plot $i%zu using 1:2 with lines dt 2 lc rgb 'gray' title 'linear', \\\n"
                "     $i%zu using 1:3 with linespoints dt 3 pt 1 lc rgb 'black' "
                "title 'ideal bound', \\\n",
                ci, ci);
    else
        fprintf(f,
                "plot 1 with lines dt 2 lc rgb 'gray' notitle, \\\n"
                "     $i%zu using 1:4 with linespoints dt 3 pt 1 lc rgb 'black' "
                "title 'ideal bound', \\\n",
                ci);
    fprintf(f,
            "     for [k=0:%zu] for [m=0:%zu] $d%zu using 1:(($11==k && $12==m) ? $%d : NaN):%d:%d "
            "with yerrorbars pt (word(points, m+1)+0) ps 1.2 lc rgb word(colours, k+1) notitle",
            (c->nlay < NCOLOURS ? c->nlay : NCOLOURS) - 1,
            (c->nsch < NPOINTS ? c->nsch : NPOINTS) - 1, ci, col, col + 1, col + 2);
    write_key(f, c);
}

/* ---- the layout map ---- */

static int cmp_longp(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Distinct values of v[0..n), sorted, in place; returns how many. */
static size_t distinct(long *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_longp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || v[m - 1] != v[i])
            v[m++] = v[i];
    return m;
}

static size_t find_long(const long *v, size_t n, long x) {
    size_t k = 0;
    while (k < n && v[k] != x)
        k++;
    return k;
}

/* The cells of the map of worker count c->w[wi]: per layout the group with
 * the best efficiency of the ideal over its schedules, and the distinct
 * rank and thread counts that are its axes. */
typedef struct map {
    const hb_eff **best;
    size_t nb;
    long *rx, *ty;
    size_t nx, ny;
} map;

static void map_free(map *m) {
    free(m->best);
    free(m->rx);
    free(m->ty);
}

static int map_build(const conf *c, size_t wi, map *m) {
    memset(m, 0, sizeof *m);
    m->best = malloc((c->n + 1) * sizeof *m->best);
    m->rx = malloc((c->n + 1) * sizeof *m->rx);
    m->ty = malloc((c->n + 1) * sizeof *m->ty);
    if (!m->best || !m->rx || !m->ty) {
        map_free(m);
        return hb_fail(HB_ENOMEM, "out of memory writing the plot script");
    }
    for (size_t i = 0; i < c->n; i++) {
        const hb_eff *e = c->g[i];
        if (e->workers != c->w[wi] || isnan(e->eff_of_ideal))
            continue;
        size_t k = index_of(m->best, m->nb, e, same_layout);
        if (k == m->nb)
            m->best[m->nb++] = e;
        else if (e->eff_of_ideal > m->best[k]->eff_of_ideal)
            m->best[k] = e;
    }
    for (size_t k = 0; k < m->nb; k++) {
        m->rx[m->nx++] = m->best[k]->ranks;
        m->ty[m->ny++] = m->best[k]->threads;
    }
    m->nx = distinct(m->rx, m->nx);
    m->ny = distinct(m->ty, m->ny);
    return 0;
}

static int write_map_data(FILE *f, const conf *c, size_t ci, size_t wi) {
    map m;
    int rc = map_build(c, wi, &m);
    if (rc)
        return rc;
    fprintf(f, "$m%zu_%zu << EOD\n# x y eff_of_ideal lo hi layout schedule\n", ci, wi);
    for (size_t k = 0; k < m.nb; k++) {
        const hb_eff *e = m.best[k];
        char lay[64], sched[256];
        fprintf(f, "%zu %zu", find_long(m.rx, m.nx, e->ranks), find_long(m.ty, m.ny, e->threads));
        put_ci(f, e->eff_of_ideal, e->eoi_lo, e->eoi_hi);
        fputc(' ', f);
        put_word(f, hb_eff_layout(e, lay, sizeof lay));
        bool chunk = *e->chunk && strcmp(e->chunk, "1") != 0;
        snprintf(sched, sizeof sched, "%s%s%s", e->schedule, chunk ? "/" : "",
                 chunk ? e->chunk : "");
        fputc(' ', f);
        put_word(f, sched);
        fputc('\n', f);
    }
    fputs("EOD\n", f);
    map_free(&m);
    return 0;
}

/* One panel: the layouts of worker count c->w[wi], ranks across and threads
 * up, each cell coloured by its best efficiency of the ideal. */
static int write_map_panel(FILE *f, const conf *c, size_t ci, size_t wi) {
    map m;
    int rc = map_build(c, wi, &m);
    if (rc)
        return rc;
    if (m.nb == 0) {
        fputs("  set multiplot next\n", f);
        map_free(&m);
        return 0;
    }
    char *title = NULL;
    size_t len = 0;
    FILE *t = open_memstream(&title, &len);
    if (t) {
        fprintf(t, "%s %s: %ld worker%s", c->g[0]->kernel, c->g[0]->params, c->w[wi],
                c->w[wi] == 1 ? "" : "s");
        fclose(t);
    }
    fputs("  set title ", f);
    put_title(f, title ? title : "", 60);
    free(title);
    fputs(" noenhanced\n  set xtics (", f);
    for (size_t k = 0; k < m.nx; k++)
        fprintf(f, "%s'%ld' %zu", k ? ", " : "", m.rx[k], k);
    fprintf(f, ")\n  set ytics (");
    for (size_t k = 0; k < m.ny; k++)
        fprintf(f, "%s'%ld' %zu", k ? ", " : "", m.ty[k], k);
    fprintf(f,
            ")\n  set xrange [-0.5:%zu.5]\n  set yrange [-0.5:%zu.5]\n"
            "  plot $m%zu_%zu using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 0.85 "
            "fc palette notitle, \\\n"
            "       $m%zu_%zu using 1:2:6 with labels offset 0,1.2 font ',10' notitle, \\\n"
            "       $m%zu_%zu using 1:2:(sprintf('%%.3f [%%.3f, %%.3f]', $3, $4, $5)) "
            "with labels font ',10' notitle, \\\n"
            "       $m%zu_%zu using 1:2:7 with labels offset 0,-1.2 font ',10' notitle\n",
            m.nx - 1, m.ny - 1, ci, wi, ci, wi, ci, wi, ci, wi);
    map_free(&m);
    return 0;
}

static void write_terminal(FILE *f, const char *name, const char *size) {
    fprintf(f,
            "  if (fmt eq 'svg') {\n"
            "    set terminal svg size %s dynamic background rgb 'white'\n"
            "  } else {\n"
            "    if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
            "      set terminal pngcairo size %s\n"
            "    } else {\n"
            "      set terminal png size %s\n"
            "    }\n"
            "  }\n"
            "  set output '%s.'.fmt\n",
            size, size, size, name);
}

static int write_script(FILE *f, const hb_eff_set *s, size_t *nplots) {
    size_t *first = malloc((s->n + 1) * sizeof *first);
    conf *c = NULL;
    if (!first)
        return hb_fail(HB_ENOMEM, "out of memory writing the plot script");
    size_t nconf = configs(s, first), maxw = 1;
    int rc = 0;
    *nplots = nconf;
    c = calloc(nconf + 1, sizeof *c);
    if (!c) {
        rc = hb_fail(HB_ENOMEM, "out of memory writing the plot script");
        goto out;
    }
    for (size_t i = 0; i < nconf; i++) {
        if ((rc = conf_build(s, &s->v[first[i]], &c[i]))) {
            nconf = i;
            goto out;
        }
        maxw = c[i].nw > maxw ? c[i].nw : maxw;
    }
    fputs("# Speedup and efficiency against workers per kernel configuration, with the\n"
          "# ideal bound of the task count and 95% intervals as error bars\n"
          "# (efficiency.svg/png), and a map of the layouts per worker count coloured\n"
          "# by efficiency of the ideal (layout_map.svg/png). Written by `hybench report`;\n"
          "# re-render with `gnuplot efficiency.gp` in this directory.\n",
          f);
    fputs("colours = '", f);
    for (size_t k = 0; k < NCOLOURS; k++)
        fprintf(f, "%s%s", k ? " " : "", colours[k]);
    fputs("'\npoints = '", f);
    for (size_t k = 0; k < NPOINTS; k++)
        fprintf(f, "%s%d", k ? " " : "", points[k]);
    fputs("'\n", f);
    double lo = 0.5, hi = 1.0;
    for (size_t i = 0; i < nconf; i++) {
        write_data(f, &c[i], i);
        for (size_t k = 0; k < c[i].nw && !rc; k++)
            rc = write_map_data(f, &c[i], i, k);
        if (rc)
            goto out;
        for (size_t k = 0; k < c[i].n; k++) {
            double x = c[i].g[k]->eff_of_ideal;
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    }
    fprintf(f, "nconf = %zu\nmaxw = %zu\n", nconf, maxw);
    /* reset before each figure: one pass of the loop must not inherit the
     * axes of the last (reset leaves the terminal and output alone). */
    fputs("do for [fmt in 'svg png'] {\n  reset\n", f);
    write_terminal(f, "efficiency", "1400,380*nconf");
    fputs("  set multiplot layout nconf,2\n"
          "  set xlabel 'workers (nodes x ranks x threads)'\n"
          "  set grid\n"
          "  set key outside right top vertical\n"
          "  set offsets 0, 0, 0.1, 0.1\n"
          "  set yrange [0:*]\n",
          f);
    for (size_t i = 0; i < nconf; i++) {
        write_panel(f, i, &c[i], true);
        write_panel(f, i, &c[i], false);
    }
    fputs("  unset multiplot\n  unset output\n  reset\n", f);
    write_terminal(f, "layout_map", "560*maxw,420*nconf+60");
    fprintf(f,
            "  set multiplot layout nconf,maxw title 'Layouts per worker count, ranks across "
            "and threads per rank up:'.\"\\n\".'efficiency of the ideal [95%% interval] of "
            "the best schedule of each' noenhanced\n"
            "  unset grid\n  set offsets 0, 0, 0, 0\n"
            "  set xlabel 'ranks'\n  set ylabel 'threads per rank'\n"
            "  set palette defined (0 '#d73027', 0.5 '#fee08b', 1 '#1a9850')\n"
            "  set cbrange [%.3g:%.3g]\n  set cblabel 'efficiency of the ideal'\n",
            lo, hi);
    for (size_t i = 0; i < nconf; i++) {
        for (size_t k = 0; k < c[i].nw && !rc; k++)
            rc = write_map_panel(f, &c[i], i, k);
        if (rc)
            goto out;
        for (size_t k = c[i].nw; k < maxw; k++)
            fputs("  set multiplot next\n", f);
    }
    fputs("  unset multiplot\n  unset output\n}\n", f);
out:
    for (size_t i = 0; c && i < nconf; i++)
        conf_free(&c[i]);
    free(c);
    free(first);
    if (!rc && ferror(f))
        rc = hb_fail(HB_EIO, "cannot write the plot script");
    return rc;
}

int hb_plot_run_gnuplot(const char *dir, const char *script) {
    pid_t pid = fork();
    if (pid < 0)
        return hb_fail(HB_EIO, "cannot start gnuplot: %s", strerror(errno));
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        int fd = open("gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return hb_fail(HB_EIO, "cannot wait for gnuplot: %s", strerror(errno));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return 1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return hb_fail(HB_EIO, "%s/%s: gnuplot failed (see %s/gnuplot.log)", dir, script, dir);
    return 0;
}

int hb_plot_write(const hb_eff_set *s, const char *dir) {
    char path[PATH_MAX];
    int rc = hb_path(path, sizeof path, "--out", "%s/efficiency.gp", dir);
    if (rc)
        return rc;
    FILE *f = fopen(path, "w");
    if (!f)
        return hb_fail(HB_EIO, "%s: cannot create: %s", path, strerror(errno));
    size_t nplots = 0;
    rc = write_script(f, s, &nplots);
    if (fclose(f) != 0 && rc == 0)
        rc = hb_fail(HB_EIO, "%s: cannot write: %s", path, strerror(errno));
    if (rc)
        return rc;
    return nplots ? hb_plot_run_gnuplot(dir, "efficiency.gp") : 2;
}
