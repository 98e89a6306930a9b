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
#include "hybench/stats.h"
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

/* A ratio with its interval, "0.988 [0.975, 1.000]"; the value alone when
 * it has none (the reading says why). */
static void cell_ci(char *buf, size_t len, double x, double lo, double hi) {
    if (isnan(x))
        snprintf(buf, len, "-");
    else if (isnan(lo) || isnan(hi))
        snprintf(buf, len, "%.3f", x);
    else
        snprintf(buf, len, "%.3f [%.3f, %.3f]", x, lo, hi);
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
        /* A results file is data from anywhere: its texts are shown on one line. */
        char kern[256], par[2048];
        fprintf(out, "%s  %s\n", hb_text_escape(e->kernel, kern, sizeof kern),
                hb_text_escape(e->params, par, sizeof par));
        fprintf(out, "  %-9s %-8s %5s %4s %6s %10s %5s  %-22s %-22s %5s %4s  %-22s %5s  %-22s %s\n",
                "layout", "schedule", "chunk", "W", "tasks", "median_s", "cv%", "speedup [95%]",
                "eff [95%]", "ideal", "idle", "e/ide [95%]", "imbal", "K-F [95%]", "verdict");
        for (size_t j = i; j < s->n; j++) {
            const hb_eff *g = &s->v[j];
            if (strcmp(g->kernel, prev_kernel) != 0 || strcmp(g->params, prev_params) != 0)
                continue;
            char lay[64], med[32], cv[32], sp[64], ef[64], id[32], eoi[64], im[32], kf[64];
            cellf(med, sizeof med, 'g', g->wall_med);
            if (isnan(g->cv))
                snprintf(cv, sizeof cv, "-");
            else
                snprintf(cv, sizeof cv, "%.1f", 100 * g->cv);
            cell_ci(sp, sizeof sp, g->speedup, g->speedup_lo, g->speedup_hi);
            cell_ci(ef, sizeof ef, g->efficiency, g->eff_lo, g->eff_hi);
            cellf(id, sizeof id, 'f', g->ideal);
            cell_ci(eoi, sizeof eoi, g->eff_of_ideal, g->eoi_lo, g->eoi_hi);
            cellf(im, sizeof im, 'f', g->imbalance);
            cell_ci(kf, sizeof kf, g->karp_flatt, g->kf_lo, g->kf_hi);
            const char *rd = hb_eff_reading_name(g);
            char sched[64], verdict[160];
            hb_text_escape(g->schedule, sched, sizeof sched);
            hb_text_escape(g->verdict, verdict, sizeof verdict);
            fprintf(out,
                    "%c %-9s %-8s %5s %4ld %6ld %10s %5s  %-22s %-22s %5s %4zu  %-22s %5s  %-22s "
                    "%s%s%s\n",
                    g->best ? '*' : ' ', hb_eff_layout(g, lay, sizeof lay), sched,
                    *g->chunk ? g->chunk : "-", g->workers, g->tasks, med, cv, sp, ef, id, g->idle,
                    eoi, im, kf, verdict, *rd ? "; " : "", rd);
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
            char lay[64], kern[64], par[2048], sched[64];
            if (first)
                fprintf(out,
                        "note: %s %s: outlier repeats (> %g MAD and > %g%% from their median): ",
                        hb_text_escape(e->kernel, kern, sizeof kern),
                        hb_text_escape(e->params, par, sizeof par), HB_EFF_OUTLIER_MAD,
                        100 * HB_EFF_OUTLIER_REL);
            fprintf(out, "%s%s%s%s #", first ? "" : ", ", hb_eff_layout(g, lay, sizeof lay),
                    strcmp(g->mode, "serial") ? " " : "",
                    strcmp(g->mode, "serial") ? hb_text_escape(g->schedule, sched, sizeof sched)
                                              : "");
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

/* "pi 2x1 static", "pi 2x1 static chunk 4", "pi serial": a group in a note. */
static const char *group_name(const hb_eff *e, char *buf, size_t len) {
    char lay[64], kern[64], sched[64];
    hb_text_escape(e->kernel, kern, sizeof kern);
    hb_text_escape(e->schedule, sched, sizeof sched);
    if (strcmp(e->mode, "serial") == 0)
        snprintf(buf, len, "%s serial", kern);
    else
        snprintf(buf, len, "%s %s %s%s%s", kern, hb_eff_layout(e, lay, sizeof lay), sched,
                 strcmp(e->chunk, "1") && *e->chunk ? " chunk " : "",
                 strcmp(e->chunk, "1") && *e->chunk ? e->chunk : "");
    return buf;
}

/* What the intervals say, where it is more than a word in the table: the
 * likely causes of a result above the ideal bound, a 1-worker run that
 * disagrees with the serial loop, groups without an interval, and how
 * precise the speedups are. */
static void print_readings(FILE *out, const hb_eff_set *s) {
    size_t nopen = 0, nprec = 0, cap = s->n ? s->n : 1, repeats = 0, rounds = 0;
    double *prec = malloc(cap * sizeof *prec), worst = -1;
    const hb_eff *worst_e = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const hb_eff *e = &s->v[i];
        char name[256];
        if (e->reading == HB_EFF_ABOVE_IDEAL || e->reading == HB_EFF_DISAGREE ||
            e->reading == HB_EFF_BUSY)
            fprintf(out, "note: %s: %s (efficiency of the ideal %.3f [%.3f, %.3f])\n",
                    group_name(e, name, sizeof name), e->reading_text, e->eff_of_ideal, e->eoi_lo,
                    e->eoi_hi);
        nopen += e->reading == HB_EFF_NO_INTERVAL;
        repeats = e->repeats > repeats ? e->repeats : repeats;
        rounds = e->rounds > rounds ? e->rounds : rounds;
        double p = hb_eff_precision(e);
        if (prec && isfinite(p)) {
            prec[nprec++] = p;
            if (p > worst) {
                worst = p;
                worst_e = e;
            }
        }
    }
    if (nopen)
        fprintf(out,
                "note: %zu configuration%s without an interval (fewer than 2 repeats of it or "
                "of its serial baseline): run with --repeat 3 or more\n",
                nopen, nopen == 1 ? " is" : "s are");
    if (nprec) {
        char name[256];
        fprintf(out,
                "intervals: 95%% bootstrap, serial and parallel repeats resampled together "
                "within rounds (up to %zu repeats in %zu round%s); speedups known to within "
                "+-%.1f%% (median), +-%.1f%% at worst (%s)\n",
                repeats, rounds, rounds == 1 ? "" : "s", 100 * hb_median(prec, nprec), 100 * worst,
                group_name(worst_e, name, sizeof name));
    }
    free(prec);
}

/* The CPUs of the host the rows were measured on: cpus_allowed when the
 * rows carry it, else this machine's when the report runs there. */
static long host_cpus(const hb_eff_set *s) {
    long cpus = 0;
    for (size_t i = 0; i < s->n; i++)
        cpus = s->v[i].cpus > cpus ? s->v[i].cpus : cpus;
    if (cpus || !s->n)
        return cpus;
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        return 0;
    for (size_t i = 0; i < s->n; i++)
        if (*s->v[i].host && strcmp(s->v[i].host, host) != 0)
            return 0;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 0;
}

/* One warning line per cause when the machine was busy while the rows
 * were measured: load above the CPUs, workers short of CPU time while they
 * had work, time stolen by the hypervisor. */
static void print_noise(FILE *out, const hb_eff_set *s) {
    double cpu = 0, busy = 0, load = NAN, steal = 0, timed = 0, low = 2;
    const hb_eff *low_e = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const hb_eff *e = &s->v[i];
        cpu += e->cpu_sum;
        busy += e->busy_sum;
        if (e->load_max > load || (isnan(load) && !isnan(e->load_max)))
            load = e->load_max;
        steal += e->steal_s;
        timed += e->timed_s;
        if (e->cpu_share < low) {
            low = e->cpu_share;
            low_e = e;
        }
    }
    long cpus = host_cpus(s);
    char name[256];
    if (!isnan(load) && cpus > 0 && load > (double)cpus)
        fprintf(out,
                "warning: load average up to %.1f on %ld CPU%s while these rows were measured: "
                "more work was runnable than there were CPUs, so timings include other jobs' "
                "work\n",
                load, cpus, cpus == 1 ? "" : "s");
    if (busy > 0 && cpu / busy < HB_EFF_BUSY_CPU)
        fprintf(out,
                "warning: the workers got %.0f%% of their busy time as CPU (lowest: %s, %.0f%%): "
                "the rest went to other jobs (or to waiting for I/O), and the timings include "
                "it\n",
                100 * cpu / busy, group_name(low_e, name, sizeof name), 100 * low);
    if (timed > 0 && steal / (timed * (double)(cpus > 0 ? cpus : 1)) > HB_EFF_BUSY_STEAL)
        fprintf(out,
                "warning: the hypervisor stole %.1f%% of the %s%ld CPU%s' time during the "
                "timed repeats: the timings include time this virtual machine did not run\n",
                100 * steal / (timed * (double)(cpus > 0 ? cpus : 1)),
                cpus > 0 ? "" : "(at least) ", cpus > 0 ? cpus : 1,
                cpus == 1 || cpus <= 0 ? "" : "s");
}

/* The metadata beside runs_csv (FILE.meta for a `hybench run --csv FILE`,
 * DIR/meta for a matrix): a warning when the frequency governor lets the
 * clock follow the load. */
static void print_governor(FILE *out, const char *runs_csv, const char *dir) {
    char path[PATH_MAX], *text = NULL;
    size_t len;
    if (strcmp(runs_csv, "-") == 0)
        return;
    if (hb_path(path, sizeof path, "meta", "%s.meta", runs_csv) != 0 ||
        hb_read_file("meta", path, 1 << 20, 0, &text, &len) != 0) {
        hb_err_clear();
        if (hb_path(path, sizeof path, "meta", "%s/meta", dir) != 0 ||
            hb_read_file("meta", path, 1 << 20, 0, &text, &len) != 0) {
            hb_err_clear();
            return;
        }
    }
    const char *g = strstr(text, "\ncpu_governor: ");
    if (g) {
        g += strlen("\ncpu_governor: ");
        int n = (int)strcspn(g, "\n");
        bool fixed = strncmp(g, "performance", 11) == 0 &&
                     (n == 11 || strncmp(g + 11, " (", 2) == 0) && !memchr(g, ',', (size_t)n);
        if (!fixed && strncmp(g, "not exposed", 11) != 0)
            fprintf(out,
                    "warning: CPU frequency governor %.*s (%s): the clock follows the load, "
                    "so serial and parallel runs may run at different speeds; 'performance' "
                    "holds it\n",
                    n > 200 ? 200 : n, g, path);
    }
    free(text);
}

static void print_notes(FILE *out, const hb_eff_set *s, double res) {
    bool any_best = false;
    print_outliers(out, s);
    for (size_t i = 0; i < s->n; i++) {
        const hb_eff *e = &s->v[i];
        char name[256], late[128];
        any_best |= e->best;
        if (e->late) {
            hb_text_escape(e->late, late, sizeof late);
            size_t n = strlen(late), k = strlen(HB_EFF_AFTER_ROWS);
            fprintf(out,
                    "note: %s: the launch ended '%.*s' after writing its rows; its %zu "
                    "repeats are kept (a hang in MPI_Finalize does this; see launch.log)\n",
                    group_name(e, name, sizeof name), (int)(n > k ? n - k : n), late, e->repeats);
        }
        if (e->resolution_warn)
            fprintf(out,
                    "warning: %s: the timer resolution (%.3g s) is more than 1%% of the "
                    "median %.3g s; use more work per run\n",
                    group_name(e, name, sizeof name), res, e->wall_med);
    }
    print_readings(out, s);
    print_noise(out, s);
    if (any_best)
        fputs("* fastest layout of its kernel configuration, or indistinguishable from it (the "
              "95% bootstrap interval of its median wall over the fastest's includes 1). W = "
              "workers = nodes x ranks x threads; cv = coefficient of variation of the wall "
              "times; eff = speedup / W; ideal = tasks / (W ceil(tasks / W)); e/ide = eff / "
              "ideal; imbal = max/mean busy; K-F = Karp-Flatt serial fraction, shown only where "
              "it is one (efficiency below 1 beyond noise, speedup not below 1). [95%] = 95% "
              "confidence interval.\n",
              out);
}

/* What the reader set aside: a torn last line, rows that are copies, and
 * the torn tails an appender moved to RUNS.torn. */
static void print_data_notes(FILE *out, const char *runs_csv, const hb_csv_table *t,
                             const hb_eff_set *s) {
    if (t->torn_line)
        fprintf(out,
                "note: %s: line %zu is torn (a write cut short, e.g. by a crash) and is left "
                "out; the next append moves it to %s.torn\n",
                runs_csv, t->torn_line, runs_csv);
    if (s->duplicates)
        fprintf(out,
                "note: %s: %zu row%s identical in every field to an earlier row (the first: row "
                "%zu) counted once\n",
                runs_csv, s->duplicates, s->duplicates == 1 ? " is" : "s are", s->first_duplicate);
    char path[PATH_MAX];
    struct stat st;
    if (strcmp(runs_csv, "-") != 0 &&
        hb_path(path, sizeof path, "report", "%s%s", runs_csv, HB_CSV_TORN_SUFFIX) == 0 &&
        stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        fprintf(out,
                "note: %s holds %lld bytes of torn writes set aside from %s (not in this "
                "report)\n",
                path, (long long)st.st_size, runs_csv);
    hb_err_clear();
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
    print_data_notes(table, runs_csv, &t, &s);
    print_notes(table, &s, res);
    print_governor(table, runs_csv, outdir);
    hb_eff_overhead(table, &s,
                    "per-task overhead from the grain sweep (slope of wall against tasks per "
                    "worker):\n");
    fprintf(table, "efficiency table: %s\n", path);
    int prc = s.n ? hb_plot_write(&s, outdir) : 0;
    if (prc == 1)
        fprintf(table,
                "plots: gnuplot is not installed; install it (e.g. apt-get install "
                "gnuplot-nox) and run `gnuplot efficiency.gp` in %s\n",
                outdir);
    else if (prc == 0 && s.n)
        fprintf(table,
                "plots: %s/efficiency.svg %s/efficiency.png %s/layout_map.svg %s/layout_map.png\n",
                outdir, outdir, outdir, outdir);
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
