/* `hybench report`: runs.csv -> efficiency.csv, an aligned table with the best
 * layout per kernel configuration marked, notes on outliers, timer
 * resolution and per-task overhead, and the plots. */
#define _DEFAULT_SOURCE /* open_memstream */
#include "hybench/args.h"
#include "hybench/report.h"

#include "hybench/csv.h"
#include "hybench/efficiency.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/plot.h"
#include "hybench/timer.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const hb_option hb_report_options[] = {
    {"out", "DIR", "write efficiency.csv and the plots here (default: the CSV's directory)"},
    {"help", NULL, "show this help"},
    {NULL, NULL, NULL},
};

/* A table cell: 4 significant digits for times (g), 3 decimals for ratios. */
static void cellf(char *buf, size_t len, char style, double x) {
    if (isnan(x))
        snprintf(buf, len, "-");
    else if (style == 'g')
        snprintf(buf, len, "%.4g", x);
    else
        snprintf(buf, len, "%.3f", x);
}

static void print_table(FILE *out, const hb_eff_set *s) {
    const char *prev_kernel = NULL, *prev_params = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const hb_eff *e = &s->v[i];
        /* Groups of one configuration are not always adjacent (serial rows
         * come first), so print each configuration's groups together. */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(s->v[j].kernel, e->kernel) == 0 && strcmp(s->v[j].params, e->params) == 0;
        if (seen)
            continue;
        if (prev_kernel)
            fputc('\n', out);
        prev_kernel = e->kernel;
        prev_params = e->params;
        fprintf(out, "%s  %s\n", e->kernel, e->params);
        fprintf(out, "  %-9s %-8s %5s %4s %6s %10s %10s %10s %7s %6s %6s %4s %6s %6s %7s  %s\n",
                "layout", "schedule", "chunk", "W", "tasks", "median_s", "min_s", "max_s",
                "speedup", "eff", "ideal", "idle", "e/ide", "imbal", "K-F", "verdict");
        for (size_t j = i; j < s->n; j++) {
            const hb_eff *g = &s->v[j];
            if (strcmp(g->kernel, prev_kernel) != 0 || strcmp(g->params, prev_params) != 0)
                continue;
            char lay[64], med[32], mn[32], mx[32], sp[32], ef[32], id[32], eoi[32], im[32], kf[32];
            cellf(med, sizeof med, 'g', g->wall_med);
            cellf(mn, sizeof mn, 'g', g->wall_min);
            cellf(mx, sizeof mx, 'g', g->wall_max);
            cellf(sp, sizeof sp, 'f', g->speedup);
            cellf(ef, sizeof ef, 'f', g->efficiency);
            cellf(id, sizeof id, 'f', g->ideal);
            cellf(eoi, sizeof eoi, 'f', g->eff_of_ideal);
            cellf(im, sizeof im, 'f', g->imbalance);
            cellf(kf, sizeof kf, 'f', g->karp_flatt);
            fprintf(out,
                    "%c %-9s %-8s %5s %4ld %6ld %10s %10s %10s %7s %6s %6s %4zu %6s %6s %7s  %s\n",
                    g->best ? '*' : ' ', hb_eff_layout(g, lay, sizeof lay), g->schedule,
                    *g->chunk ? g->chunk : "-", g->workers, g->tasks, med, mn, mx, sp, ef, id,
                    g->idle, eoi, im, kf, g->verdict);
        }
    }
}

/* Are a and b groups of one kernel configuration (kernel and params)? */
static bool same_kernel_config(const hb_eff *a, const hb_eff *b) {
    return strcmp(a->kernel, b->kernel) == 0 && strcmp(a->params, b->params) == 0;
}

/* One line per kernel configuration with outlier repeats:
 * "note: pi streams=...: outlier repeats (...): 1x2 static #2 +12%, ...". */
static void print_outliers(FILE *out, const hb_eff_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const hb_eff *e = &s->v[i];
        bool first = true, seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same_kernel_config(&s->v[j], e);
        for (size_t j = i; j < s->n && !seen; j++) {
            const hb_eff *g = &s->v[j];
            if (!g->outliers[0] || !same_kernel_config(g, e))
                continue;
            char lay[64];
            if (first)
                fprintf(out,
                        "note: %s %s: outlier repeats (> %g MAD and > %g%% from their median): ",
                        e->kernel, e->params, HB_EFF_OUTLIER_MAD, 100 * HB_EFF_OUTLIER_REL);
            fprintf(out, "%s%s%s%s #", first ? "" : ", ", hb_eff_layout(g, lay, sizeof lay),
                    strcmp(g->mode, "serial") ? " " : "",
                    strcmp(g->mode, "serial") ? g->schedule : "");
            for (const char *c = g->outliers; *c; c++)
                if (*c == ';')
                    fputs(",#", out);
                else
                    fputc(*c, out);
            fprintf(out, " %+.0f%%", 100 * g->outlier_dev);
            first = false;
        }
        if (!first)
            fputc('\n', out);
    }
}

static void print_notes(FILE *out, const hb_eff_set *s, double res) {
    bool any_best = false;
    print_outliers(out, s);
    for (size_t i = 0; i < s->n; i++) {
        const hb_eff *e = &s->v[i];
        char lay[64];
        any_best |= e->best;
        if (e->late)
            fprintf(out,
                    "note: %s %s %s: the launch ended '%.*s' after writing its rows; its %zu "
                    "repeats are kept (a hang in MPI_Finalize does this; see launch.log)\n",
                    e->kernel, hb_eff_layout(e, lay, sizeof lay), e->schedule,
                    (int)(strlen(e->late) - strlen(HB_EFF_AFTER_ROWS)), e->late, e->repeats);
        if (e->resolution_warn)
            fprintf(out,
                    "warning: %s %s %s: the timer resolution (%.3g s) is more than 1%% of the "
                    "median %.3g s; use more work per run\n",
                    e->kernel, hb_eff_layout(e, lay, sizeof lay), e->schedule, res, e->wall_med);
    }
    if (any_best)
        fputs("* fastest layout of its kernel configuration. W = workers = nodes x ranks x "
              "threads; eff = speedup / W; ideal = tasks / (W ceil(tasks / W)); e/ide = eff / "
              "ideal; imbal = max/mean busy; K-F = Karp-Flatt serial fraction.\n",
              out);
}

int hb_report_generate(const char *runs_csv, const char *outdir, FILE *table) {
    hb_csv_table t;
    hb_eff_set s = {0};
    double res = hb_time_resolution();
    int rc = hb_csv_read(runs_csv, &t);
    if (rc)
        return rc;
    if ((rc = hb_eff_compute(&t, runs_csv, res, &s)))
        goto out_table;
    char path[PATH_MAX];
    if ((rc = hb_path(path, sizeof path, "--out", "%s/efficiency.csv", outdir)) ||
        (rc = hb_mkdir_p("--out", outdir)))
        goto out_set;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        rc = hb_fail(HB_ENOMEM, "out of memory");
        goto out_set;
    }
    rc = hb_eff_write_csv(f, &s);
    if (fclose(f) != 0 && rc == 0)
        rc = hb_fail(HB_ENOMEM, "out of memory");
    if (!rc)
        rc = hb_write_atomic("report", path, text, len, 0644, false);
    free(text);
    if (rc)
        goto out_set;

    print_table(table, &s);
    fputc('\n', table);
    print_notes(table, &s, res);
    if (s.n) {
        FILE *ov = tmpfile();
        if (ov && hb_eff_overhead(ov, &s) > 0) {
            fputs("per-task overhead from the grain sweep (slope of wall against tasks per "
                  "worker):\n",
                  table);
            rewind(ov);
            int c;
            while ((c = fgetc(ov)) != EOF)
                fputc(c, table);
        }
        if (ov)
            fclose(ov);
    }
    fprintf(table, "efficiency table: %s\n", path);
    int prc = s.n ? hb_plot_write(&s, outdir) : 0;
    if (prc == 1)
        fprintf(table,
                "plots: gnuplot is not installed; install it (e.g. apt-get install "
                "gnuplot-nox) and run `gnuplot efficiency.gp` in %s\n",
                outdir);
    else if (prc == 0 && s.n)
        fprintf(table, "plots: %s/efficiency.svg %s/efficiency.png\n", outdir, outdir);
    else if (prc == 2)
        fputs("plots: none (no parallel run has a serial baseline to compare with)\n", table);
    else if (prc < 0)
        fprintf(table, "plots: %s\n", hb_errmsg(prc));
    fflush(table);
out_set:
    hb_eff_free(&s);
out_table:
    hb_csv_table_free(&t);
    return rc;
}

static void report_usage(FILE *f) {
    fputs("usage: hybench report RUNS.csv [--out DIR]\n"
          "Recompute the efficiency report from saved runs: efficiency.csv, a table on stdout\n"
          "and plots (gnuplot). Columns are described in results/EFFICIENCY.md.\n\n",
          f);
    hb_options_print(f, hb_report_options);
}

int hb_report_main(int argc, char **argv) {
    static const hb_option *const tables[] = {hb_report_options, NULL};
    hb_args a;
    int rc = hb_args_parse(argc, argv, tables, &a);
    if (rc)
        goto out_msg;
    if (hb_args_has(&a, "help")) {
        report_usage(stdout);
        hb_args_free(&a);
        return 0;
    }
    if (a.npositional != 1) {
        rc = hb_fail(HB_EUSAGE,
                     a.npositional ? "report: one RUNS.csv only (got '%s' too)"
                                   : "report: missing RUNS.csv%s",
                     a.npositional ? a.positional[1] : "");
        hb_args_free(&a);
        goto out_msg;
    }
    const char *runs = a.positional[0];
    struct stat st;
    char *copy = strdup(runs);
    const char *out = hb_args_get(&a, "out");
    if (!copy) {
        rc = hb_fail(HB_ENOMEM, "out of memory");
    } else {
        if (out && !*out)
            rc = hb_fail(HB_EUSAGE, "--out: empty directory name");
        else if (access(runs, R_OK) != 0) /* a missing input is bad input: exit 2 */
            rc = hb_fail(HB_EUSAGE, "report: cannot read '%s': %s", runs, strerror(errno));
        else if (stat(runs, &st) == 0 && S_ISDIR(st.st_mode))
            rc = hb_fail(HB_EUSAGE, "report: '%s' is a directory, not a runs.csv", runs);
        else
            rc = hb_report_generate(runs, out ? out : dirname(copy), stdout);
        free(copy);
    }
    hb_args_free(&a);
out_msg:
    if (rc)
        fprintf(stderr, "hybench report: %s\n", hb_errmsg(rc));
    return rc;
}
