/* Plots of a report as a self-contained gnuplot script (data inline), so a
 * user can re-render or restyle them later with `gnuplot efficiency.gp`. */
#define _DEFAULT_SOURCE /* fork, chdir */
#include "hybench/plot.h"

#include "hybench/error.h"
#include "hybench/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A gnuplot double-quoted string: backslash and quote escaped. */
static void put_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    }
    fputc('"', f);
}

static bool is_parallel(const hb_eff *e) {
    return strcmp(e->mode, "serial") != 0 && e->repeats > 0 && !isnan(e->speedup);
}

/* Index of the first group of each kernel+params (a "configuration"). */
static size_t configs(const hb_eff_set *s, size_t *first) {
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t c = 0;
        while (c < n && !(strcmp(s->v[first[c]].kernel, s->v[i].kernel) == 0 &&
                          strcmp(s->v[first[c]].params, s->v[i].params) == 0))
            c++;
        if (c == n)
            first[n++] = i;
    }
    return n;
}

static bool same_config(const hb_eff *a, const hb_eff *b) {
    return strcmp(a->kernel, b->kernel) == 0 && strcmp(a->params, b->params) == 0;
}

/* Configurations with at least one parallel point to draw. */
static size_t plottable(const hb_eff_set *s, size_t *first, size_t n) {
    size_t m = 0;
    for (size_t c = 0; c < n; c++) {
        bool any = false;
        for (size_t i = 0; i < s->n && !any; i++)
            any = same_config(&s->v[i], &s->v[first[c]]) && is_parallel(&s->v[i]);
        if (any)
            first[m++] = first[c];
    }
    return m;
}

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void write_data(FILE *f, const hb_eff_set *s, const hb_eff *c, size_t ci,
                       const char **scheds, size_t nsched) {
    long *w = malloc((s->n + 1) * sizeof *w);
    size_t nw = 0;
    long tasks = 0;
    fprintf(f, "$d%zu << EOD\n# workers speedup efficiency schedule layout\n", ci);
    for (size_t i = 0; i < s->n; i++) {
        const hb_eff *e = &s->v[i];
        if (!same_config(e, c) || !is_parallel(e))
            continue;
        size_t k = 0;
        while (k < nsched && strcmp(scheds[k], e->schedule) != 0)
            k++;
        char lay[64];
        fprintf(f, "%ld %.6g %.6g %zu ", e->workers, e->speedup, e->efficiency, k);
        put_str(f, hb_eff_layout(e, lay, sizeof lay));
        fputc('\n', f);
        if (w)
            w[nw++] = e->workers;
        tasks = e->tasks;
    }
    fputs("EOD\n", f);
    /* The ideal bound at every worker count in the data (and 1). */
    fprintf(f, "$i%zu << EOD\n# workers ideal_speedup ideal_efficiency\n1 1 1\n", ci);
    if (w) {
        qsort(w, nw, sizeof *w, cmp_long);
        for (size_t i = 0; i < nw; i++)
            if (w[i] > 1 && (i == 0 || w[i] != w[i - 1])) {
                double ie = hb_ideal_efficiency((size_t)tasks, (size_t)w[i]);
                fprintf(f, "%ld %.6g %.6g\n", w[i], ie * (double)w[i], ie);
            }
    }
    fputs("EOD\n", f);
    free(w);
}

static void write_panel(FILE *f, size_t ci, const hb_eff *c, bool speedup, size_t nsched) {
    fputs("set title ", f);
    char title[512];
    /* Long parameter texts are cut so the two panel titles do not collide. */
    snprintf(title, sizeof title, "%s: %s %.*s%s", speedup ? "speedup" : "efficiency", c->kernel,
             40, c->params, strlen(c->params) > 40 ? "..." : "");
    put_str(f, title);
    fprintf(f, " noenhanced\nset ylabel '%s'\n",
            speedup ? "speedup (serial / parallel)" : "efficiency (speedup / workers)");
    fprintf(f, "set key %s left\n", speedup ? "top" : "bottom");
    if (speedup)
        fprintf(f,
                "plot $i%zu using 1:1 with lines dt 2 lc rgb 'gray' title 'linear', \\\n"
                "     $i%zu using 1:2 with linespoints dt 3 pt 1 lc rgb 'black' "
                "title 'ideal bound', \\\n",
                ci, ci);
    else
        fprintf(f,
                "plot $i%zu using 1:3 with linespoints dt 3 pt 1 lc rgb 'black' "
                "title 'ideal bound', \\\n",
                ci);
    int col = speedup ? 2 : 3;
    fprintf(f,
            "     for [k=0:%zu] $d%zu using 1:($4==k ? $%d : NaN) with points pt 7+k "
            "lc k+1 ps 1.2 title word(schedules, k+1), \\\n"
            "     $d%zu using 1:%d:5 with labels offset 0,0.8 font ',8' notitle\n",
            nsched ? nsched - 1 : 0, ci, col, ci, col);
}

static int write_script(FILE *f, const hb_eff_set *s, size_t *nplots) {
    size_t *first = malloc((s->n + 1) * sizeof *first);
    const char **scheds = malloc((s->n + 1) * sizeof *scheds);
    if (!first || !scheds) {
        free(first);
        free(scheds);
        return hb_fail(HB_ENOMEM, "out of memory writing the plot script");
    }
    size_t nconf = plottable(s, first, configs(s, first)), nsched = 0;
    *nplots = nconf;
    for (size_t i = 0; i < s->n; i++) {
        size_t k = 0;
        if (!is_parallel(&s->v[i]))
            continue;
        while (k < nsched && strcmp(scheds[k], s->v[i].schedule) != 0)
            k++;
        if (k == nsched)
            scheds[nsched++] = s->v[i].schedule;
    }
    fputs("# Speedup and efficiency against workers, per kernel configuration, with the\n"
          "# ideal bound of the task count. Written by `hybench report`; re-render with\n"
          "#   gnuplot efficiency.gp\n"
          "# in this directory (writes efficiency.svg and efficiency.png).\n",
          f);
    fputs("schedules = ", f);
    char words[512] = "";
    for (size_t k = 0; k < nsched; k++)
        snprintf(words + strlen(words), sizeof words - strlen(words), "%s%s", k ? " " : "",
                 scheds[k]);
    put_str(f, words);
    fputc('\n', f);
    for (size_t c = 0; c < nconf; c++)
        write_data(f, s, &s->v[first[c]], c, scheds, nsched);
    fprintf(f, "nconf = %zu\n", nconf);
    fputs("do for [fmt in \"svg png\"] {\n"
          "  if (fmt eq 'svg') {\n"
          "    set terminal svg size 1100,320*nconf dynamic background rgb 'white'\n"
          "  } else {\n"
          "    if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
          "      set terminal pngcairo size 1100,320*nconf\n"
          "    } else {\n"
          "      set terminal png size 1100,320*nconf\n"
          "    }\n"
          "  }\n"
          "  set output 'efficiency.'.fmt\n"
          "  set multiplot layout nconf,2\n"
          "  set xlabel 'workers (nodes x ranks x threads)'\n"
          "  set grid\n"
          "  set offsets 0.3, 0.3, 0.1, 0.1\n"
          "  set yrange [0:*]\n",
          f);
    for (size_t c = 0; c < nconf; c++) {
        write_panel(f, c, &s->v[first[c]], true, nsched);
        write_panel(f, c, &s->v[first[c]], false, nsched);
    }
    fputs("  unset multiplot\n  unset output\n}\n", f);
    free(first);
    free(scheds);
    return ferror(f) ? hb_fail(HB_EIO, "cannot write the plot script") : 0;
}

/* Run gnuplot in dir; 0 done, 1 not installed, HB_EIO if it failed. */
static int run_gnuplot(const char *dir) {
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
        execlp("gnuplot", "gnuplot", "efficiency.gp", (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return hb_fail(HB_EIO, "cannot wait for gnuplot: %s", strerror(errno));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return 1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return hb_fail(HB_EIO, "%s/efficiency.gp: gnuplot failed (see %s/gnuplot.log)", dir, dir);
    return 0;
}

int hb_plot_write(const hb_eff_set *s, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/efficiency.gp", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return hb_fail(HB_EIO, "%s: cannot create: %s", path, strerror(errno));
    size_t nplots = 0;
    int rc = write_script(f, s, &nplots);
    if (fclose(f) != 0 && rc == 0)
        rc = hb_fail(HB_EIO, "%s: cannot write: %s", path, strerror(errno));
    if (rc)
        return rc;
    return nplots ? run_gnuplot(dir) : 2;
}
