/* The report's arithmetic on a hand-written runs.csv (tests/data/runs_hand.csv)
 * whose expected values were worked out by hand:
 *   mc, 7 tasks; serial walls 7.0 7.2 6.8 -> serial_s 7.0
 *   1x(2x5) = 10 workers, walls 1.25 1.0 1.5 -> median 1.25, speedup 5.6,
 *     efficiency 0.56, ideal 7/(10*1) = 0.70, 3 idle, eff/ideal 0.8,
 *     Karp-Flatt (1/5.6 - 1/10)/(1 - 1/10) = 0.0873015873, imbalance 1.3
 *     its bootstrap interval: the serial median of 3 draws is 6.8 with p 7/27
 *     and 7.2 with p 7/27, the parallel 1.5 and 1.0 likewise, so the 2.5% and
 *     97.5% quantiles of the speedup are 6.8/1.5 and 7.2/1.0 (p 0.067 each);
 *     the efficiency interval [0.4533, 0.72] lies below 1, so Karp-Flatt is
 *     shown, with the interval [KF(7.2), KF(6.8/1.5)]
 *   1x2, walls 3.5 3.6 3.4 3.5 9.0 -> median 3.5, MAD 0.1, repeat 5 outlier,
 *     speedup 2, efficiency 1, ideal 7/8, 1 idle; its efficiency interval
 *     includes 1, so no Karp-Flatt (it would be noise around 0)
 *   2x1 timed out -> verdict "timeout", no timings
 *   4x1 result "6 points" != serial "7 points" -> not verified
 *   pow grain sweep: serial 1 s + 100 us/task, 1x2 dynamic 0.5 s + 500 us per
 *     task per worker -> hand-out overhead 400 us per task.
 * and, from tables written inline: the outlier rule (3 MAD and 5% of the
 * median, at least 5 repeats), a launch that timed out after its rows, the
 * verdicts on the intervals (within noise of ideal, superlinear beyond noise
 * and its likely cause, a 1-worker run that disagrees with the serial loop,
 * Karp-Flatt only below 1 beyond noise, no interval with one repeat), every
 * layout indistinguishable from the fastest marked, bad values refused by
 * row and column, copied rows counted once, the noise figures, and the same
 * intervals from the same rows in any order. */
#define _DEFAULT_SOURCE /* open_memstream, strdup */
#include "check.h"

#include "hybench/csv.h"
#include "hybench/efficiency.h"
#include "hybench/error.h"
#include "hybench/stats.h"

#include <libgen.h>
#include <stdlib.h>

static const hb_eff *find(const hb_eff_set *s, const char *kernel, const char *layout,
                          const char *sched) {
    char buf[64];
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].kernel, kernel) == 0 &&
            strcmp(hb_eff_layout(&s->v[i], buf, sizeof buf), layout) == 0 &&
            (!sched || strcmp(s->v[i].schedule, sched) == 0))
            return &s->v[i];
    return NULL;
}

static void test_hand_values(const hb_eff_set *s) {
    const hb_eff *ser = find(s, "mc", "serial", NULL);
    const hb_eff *w10 = find(s, "mc", "2x5", NULL);
    const hb_eff *w2 = find(s, "mc", "1x2", NULL);
    const hb_eff *to = find(s, "mc", "2x1", NULL);
    const hb_eff *bad = find(s, "mc", "4x1", NULL);
    const hb_eff *pi = find(s, "pi", "1x2", NULL);
    CHECK(ser && w10 && w2 && to && bad && pi);
    if (!(ser && w10 && w2 && to && bad && pi))
        return;
    CHECK(s->v == ser); /* serial groups come first */
    CHECK_NEAR(ser->wall_med, 7.0, 1e-12);
    CHECK_NEAR(ser->speedup, 1.0, 1e-12);

    CHECK_INT(w10->workers, 10);
    CHECK_INT(w10->repeats, 3);
    CHECK_NEAR(w10->wall_med, 1.25, 1e-12);
    CHECK_NEAR(w10->wall_min, 1.0, 1e-12);
    CHECK_NEAR(w10->wall_max, 1.5, 1e-12);
    CHECK_NEAR(w10->serial_s, 7.0, 1e-12);
    CHECK_NEAR(w10->speedup, 5.6, 1e-12);
    CHECK_NEAR(w10->efficiency, 0.56, 1e-12);
    CHECK_NEAR(w10->ideal, 0.70, 1e-12);
    CHECK_INT(w10->idle, 3);
    CHECK_NEAR(w10->eff_of_ideal, 0.8, 1e-12);
    CHECK_NEAR(w10->karp_flatt, 0.0873015873015873, 1e-12);
    CHECK_NEAR(w10->speedup_lo, 6.8 / 1.5, 1e-12);
    CHECK_NEAR(w10->speedup_hi, 7.2, 1e-12);
    CHECK_NEAR(w10->eff_lo, 0.68 / 1.5, 1e-12);
    CHECK_NEAR(w10->eff_hi, 0.72, 1e-12);
    CHECK_NEAR(w10->eoi_lo, 0.68 / 1.5 / 0.7, 1e-12);
    CHECK_NEAR(w10->eoi_hi, 0.72 / 0.7, 1e-12);
    CHECK_NEAR(w10->kf_lo, (1 / 7.2 - 0.1) / 0.9, 1e-12);
    CHECK_NEAR(w10->kf_hi, (1.5 / 6.8 - 0.1) / 0.9, 1e-12);
    CHECK_INT(w10->reading, HB_EFF_PLAIN);
    CHECK_INT(w10->rounds, 1);
    CHECK_NEAR(hb_eff_precision(w10), (7.2 - 5.6) / 5.6, 1e-12);
    CHECK(isnan(hb_eff_precision(ser)));
    CHECK_NEAR(w10->imbalance, 1.3, 1e-12);
    CHECK_STR(w10->verdict, "ok");
    CHECK(w10->best);
    CHECK_STR(w10->outliers, "");

    CHECK_NEAR(w2->wall_med, 3.5, 1e-12);
    CHECK_NEAR(w2->speedup, 2.0, 1e-12);
    CHECK_NEAR(w2->efficiency, 1.0, 1e-12);
    CHECK_NEAR(w2->ideal, 0.875, 1e-12);
    CHECK_INT(w2->idle, 1);
    CHECK(isnan(w2->karp_flatt));
    CHECK(w2->eff_lo < 1 && w2->eff_hi > 1);
    CHECK_STR(w2->outliers, "5");
    CHECK(!w2->best);

    CHECK(isnan(hb_eff_precision(to))); /* no repeats: nothing to make precise */
    CHECK_INT(to->repeats, 0);
    CHECK_INT(to->failed, 1);
    CHECK_STR(to->verdict, "timeout");
    CHECK(isnan(to->wall_med) && isnan(to->speedup));
    CHECK_NEAR(to->ideal, 7.0 / 8.0, 1e-12); /* the bound is known without timings */

    CHECK_STR(bad->verdict, "not verified (differs from serial)");
    CHECK(isnan(pi->speedup)); /* no serial baseline for pi */
    CHECK(isinf(hb_eff_precision(pi)));
    CHECK_STR(pi->verdict, "unverified");
    CHECK_STR(pi->params, "streams=4 samples=1000, \"quoted\"");
}

static void test_overhead(const hb_eff_set *s) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK_INT(hb_eff_overhead(f, s, NULL), 1);
    fclose(f);
    CHECK(text && strstr(text, "pow") && strstr(text, "500 us per task"));
    CHECK(text && strstr(text, "serial 100 us = hand-out overhead 400 us"));
    CHECK(text && strstr(text, "within a rank"));
    if (text)
        fputs(text, stderr);
    free(text);
}

static void test_csv_out(const hb_eff_set *s) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK_INT(hb_eff_write_csv(f, s), 0);
    fclose(f);
    hb_csv_table t;
    CHECK_INT(hb_csv_parse(text, len, "efficiency.csv", &t), 0);
    CHECK_INT(t.nrows, s->n);
    int lay = hb_csv_col(&t, "layout"), ide = hb_csv_col(&t, "ideal_efficiency"),
        idle = hb_csv_col(&t, "idle_workers"), best = hb_csv_col(&t, "best");
    CHECK(lay >= 0 && ide >= 0 && idle >= 0 && best >= 0);
    bool seen = false;
    for (size_t r = 0; lay >= 0 && ide >= 0 && idle >= 0 && best >= 0 && r < t.nrows; r++)
        if (strcmp(t.rows[r][lay], "2x5") == 0) {
            seen = true;
            CHECK_STR(t.rows[r][ide], "0.7");
            CHECK_STR(t.rows[r][idle], "3");
            CHECK_STR(t.rows[r][best], "yes");
            /* The columns of schema 2, by name. */
            const char *want[][2] = {{"speedup_ci_lo", "4.53333"},
                                     {"speedup_ci_hi", "7.2"},
                                     {"efficiency_ci_lo", "0.453333"},
                                     {"efficiency_ci_hi", "0.72"},
                                     {"karp_flatt_ci_lo", "0.0432099"},
                                     {"cv", "0.2"},
                                     {"rounds", "1"},
                                     {"reading", ""},
                                     {"schema", HB_EFF_SCHEMA}};
            for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
                int c = hb_csv_col(&t, want[k][0]);
                CHECK(c >= 0);
                if (c >= 0)
                    CHECK_STR(t.rows[r][c], want[k][1]);
            }
        }
    CHECK(seen);
    hb_csv_table_free(&t);
    free(text);
}

static void test_bad_input(void) {
    hb_csv_table t;
    hb_eff_set s;
    const char *nocol = "kernel,params\npi,x\n";
    CHECK_INT(hb_csv_parse(nocol, strlen(nocol), "x.csv", &t), 0);
    CHECK_INT(hb_eff_compute(&t, "x.csv", 1e-9, &s), HB_EUSAGE);
    CHECK_STR(hb_errmsg(HB_EUSAGE), "x.csv: no column 'mode' (is it a hybench runs.csv?)");
    hb_csv_table_free(&t);
    const char *badnum = "kernel,params,mode,nodes,ranks,threads,workers,schedule,chunk,tasks,"
                         "repeat,wall_s,status,verified,result\n"
                         "pi,x,parallel,1,1,2,2,static,1,4,1,fast,ok,yes,3\n";
    CHECK_INT(hb_csv_parse(badnum, strlen(badnum), "y.csv", &t), 0);
    CHECK_INT(hb_eff_compute(&t, "y.csv", 1e-9, &s), HB_EUSAGE);
    CHECK_STR(hb_errmsg(HB_EUSAGE), "y.csv: row 1: wall_s 'fast' is not a number");
    hb_csv_table_free(&t);
}

/* A resolution that is a sizeable fraction of the time is flagged. */
static void test_resolution(const hb_csv_table *t) {
    hb_eff_set s;
    CHECK_INT(hb_eff_compute(t, "hand", 0.02, &s), 0); /* 2% of 1.0 s */
    const hb_eff *w10 = find(&s, "mc", "2x5", NULL);
    CHECK(w10 && w10->resolution_warn);
    hb_eff_free(&s);
}

/* A runs table of one parallel group with the given walls, and a serial row;
 * extra: more rows appended as they are. */
static int one_group(const double *walls, size_t n, const char *extra, hb_csv_table *t,
                     hb_eff_set *s) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fputs("kernel,params,mode,nodes,ranks,threads,workers,schedule,chunk,tasks,repeat,wall_s,"
          "status,verified,result\n"
          "pi,x,serial,1,1,1,1,serial,1,4,0,2.0,ok,yes,3\n",
          f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "pi,x,parallel,1,2,1,2,static,1,4,%zu,%.17g,ok,yes,3\n", i, walls[i]);
    fputs(extra, f);
    fclose(f);
    int rc = hb_csv_parse(text, len, "inline", t);
    free(text);
    if (rc == 0 && (rc = hb_eff_compute(t, "inline", 1e-9, s)) != 0)
        hb_csv_table_free(t);
    return rc;
}

/* Outliers need both rules: 3 MAD and 5% of the median, and 5 repeats. */
static void test_outliers(void) {
    hb_csv_table t;
    hb_eff_set s;
    /* A 1% spread: repeat 4 is 10 MAD out but only 2.5% of the median. */
    const double tight[] = {1.000, 1.002, 0.998, 1.001, 1.025};
    CHECK_INT(one_group(tight, 5, "", &t, &s), 0);
    const hb_eff *e = find(&s, "pi", "2x1", NULL);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(e->outliers, "");
        CHECK_NEAR(e->outlier_dev, 0.0, 0.0);
    }
    hb_eff_free(&s);
    hb_csv_table_free(&t);
    /* Repeat 3 is 20% above the median (and far out in MAD units). */
    const double wide[] = {1.000, 1.002, 0.998, 1.200, 1.001};
    CHECK_INT(one_group(wide, 5, "", &t, &s), 0);
    e = find(&s, "pi", "2x1", NULL);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(e->outliers, "3");
        CHECK_NEAR(e->outlier_dev, 0.199 / 1.001, 1e-12);
    }
    hb_eff_free(&s);
    hb_csv_table_free(&t);
    /* The same jump among 3 repeats is not judged. */
    const double three[] = {1.000, 1.200, 1.001};
    CHECK_INT(one_group(three, 3, "", &t, &s), 0);
    e = find(&s, "pi", "2x1", NULL);
    CHECK(e != NULL);
    if (e)
        CHECK_STR(e->outliers, "");
    hb_eff_free(&s);
    hb_csv_table_free(&t);
}

/* A launch that wrote its rows and then timed out (the MPI_Finalize hang):
 * the timings stand, the verdict says what happened. */
static void test_late_timeout(void) {
    hb_csv_table t;
    hb_eff_set s;
    const double walls[] = {1.0, 1.0, 1.0};
    CHECK_INT(
        one_group(walls, 3, "pi,x,parallel,1,2,1,2,static,1,4,,,timeout-after-rows,,\n", &t, &s),
        0);
    const hb_eff *e = find(&s, "pi", "2x1", NULL);
    CHECK(e != NULL);
    if (e) {
        CHECK_INT(e->repeats, 3);
        CHECK_INT(e->failed, 1);
        CHECK_STR(e->status, "ok");
        CHECK(e->late && strcmp(e->late, "timeout-after-rows") == 0);
        CHECK_NEAR(e->speedup, 2.0, 1e-12);
        CHECK_STR(e->verdict, "ok; launch timed out after its rows");
    }
    hb_eff_free(&s);
    hb_csv_table_free(&t);
    /* A repetition that took tasks from finished output (--resume) is
     * neither a timing nor a failure. */
    CHECK_INT(
        one_group(walls, 3, "pi,x,parallel,1,2,1,2,static,1,4,3,0.01,resumed,yes,3\n", &t, &s), 0);
    e = find(&s, "pi", "2x1", NULL);
    CHECK(e != NULL);
    if (e) {
        CHECK_INT(e->repeats, 3);
        CHECK_INT(e->failed, 0);
        CHECK_INT(e->resumed, 1);
        CHECK_NEAR(e->wall_min, 1.0, 0);
        CHECK_STR(e->verdict, "ok");
    }
    hb_eff_free(&s);
    hb_csv_table_free(&t);
    /* Without ok rows the status is the verdict, as before. */
    CHECK_INT(one_group(walls, 0, "pi,x,parallel,1,2,1,2,static,1,4,,,timeout,,\n", &t, &s), 0);
    e = find(&s, "pi", "2x1", NULL);
    CHECK(e != NULL);
    if (e) {
        CHECK(e->late == NULL);
        CHECK_STR(e->verdict, "timeout");
    }
    hb_eff_free(&s);
    hb_csv_table_free(&t);
}

/* ---- tables with the schema-2 columns ---- */

#define HEADER2                                                                                    \
    "kernel,params,mode,nodes,ranks,threads,workers,schedule,chunk,tasks,repeat,wall_s,status,"    \
    "verified,result,host,round,cpu_s,busy_mean_s,load_before,load_after,steal_s,cpus_allowed\n"

/* Rows of one group: walls w[0..n) in round `round` (0: empty), each worker
 * given cpu_frac of its busy time as CPU (negative: no cpu_s). */
static void group(FILE *f, int ranks, int threads, const char *sched, long tasks, const double *w,
                  size_t n, int round, double cpu_frac) {
    bool serial = strcmp(sched, "serial") == 0;
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "pi,x,%s,1,%d,%d,%d,%s,1,%ld,%zu,%.17g,ok,yes,3,vm,",
                serial ? "serial" : "parallel", ranks, threads, ranks * threads, sched, tasks, i,
                w[i]);
        if (round)
            fprintf(f, "%d", round);
        fputc(',', f);
        if (cpu_frac >= 0)
            fprintf(f, "%.17g", cpu_frac * w[i] * ranks * threads);
        fprintf(f, ",%.17g,1.00,1.50,0.00,0-1\n", w[i]);
    }
}

/* Parse and compute the table in text; 0 or the error of either step. */
static int compute(const char *text, hb_csv_table *t, hb_eff_set *s) {
    int rc = hb_csv_parse(text, strlen(text), "inline", t);
    if (rc == 0 && (rc = hb_eff_compute(t, "inline", 1e-9, s)) != 0)
        hb_csv_table_free(t);
    return rc;
}

typedef struct tab {
    char *text;
    size_t len;
    FILE *f;
} tab;

static FILE *tab_open(tab *b) {
    b->text = NULL;
    b->f = open_memstream(&b->text, &b->len);
    fputs(HEADER2, b->f);
    return b->f;
}

static const hb_eff *tab_compute(tab *b, hb_csv_table *t, hb_eff_set *s, const char *layout,
                                 const char *sched) {
    fclose(b->f);
    int rc = compute(b->text, t, s);
    CHECK_INT(rc, 0);
    free(b->text);
    if (rc) {
        fprintf(stderr, "%s\n", hb_errmsg(rc));
        s->n = 0;
        s->v = NULL;
        t->nrows = 0;
        return NULL;
    }
    const hb_eff *e = find(s, "pi", layout, sched);
    CHECK(e != NULL);
    return e;
}

static void done(hb_csv_table *t, hb_eff_set *s) {
    hb_eff_free(s);
    hb_csv_table_free(t);
}

static const double serial5[] = {2.0, 2.02, 1.98, 2.01, 1.99};

/* The verdict rules, one table each. */
static void test_readings(void) {
    hb_csv_table t;
    hb_eff_set s;
    tab b;
    const hb_eff *e;

    /* Efficiency 1.005 whose interval includes 1: within noise of ideal, no
     * Karp-Flatt (it would be a negative number). */
    group(tab_open(&b), 1, 2, "serial", 4, serial5, 5, 0, 1);
    group(b.f, 1, 2, "static", 4, (const double[]){0.995, 0.99, 1.0, 0.985, 1.005}, 5, 0, 1);
    if ((e = tab_compute(&b, &t, &s, "1x2", "static"))) {
        CHECK_NEAR(e->efficiency, 2.0 / 0.995 / 2, 1e-12);
        CHECK(e->eoi_lo < 1 && e->eoi_hi > 1);
        CHECK_INT(e->reading, HB_EFF_NEAR_IDEAL);
        CHECK_STR(hb_eff_reading_name(e), "within noise of ideal");
        CHECK(isnan(e->karp_flatt));
        CHECK_STR(e->verdict, "ok");
    }
    done(&t, &s);

    /* Speedup 2.5 on 2 workers with 1% spread: superlinear beyond noise,
     * the generic causes named, no Karp-Flatt. */
    group(tab_open(&b), 1, 2, "serial", 4, (const double[]){2.0, 2.01, 1.99}, 3, 0, 1);
    group(b.f, 1, 2, "static", 4, (const double[]){0.8, 0.81, 0.79}, 3, 0, 1);
    if ((e = tab_compute(&b, &t, &s, "1x2", "static"))) {
        CHECK_NEAR(e->speedup, 2.5, 1e-12);
        CHECK_NEAR(e->speedup_lo, 1.99 / 0.81, 1e-12);
        CHECK_NEAR(e->speedup_hi, 2.01 / 0.79, 1e-12);
        CHECK_INT(e->reading, HB_EFF_ABOVE_IDEAL);
        CHECK_STR(hb_eff_reading_name(e), "superlinear beyond noise");
        CHECK(strstr(e->reading_text, "cache or memory effects") != NULL);
        CHECK(strstr(e->reading_text, "the CPU readings show no other load") != NULL);
        CHECK(isnan(e->karp_flatt) && isnan(e->kf_lo));
        CHECK_NEAR(hb_eff_precision(e), (2.01 / 0.79 - 2.5) / 2.5, 1e-12);
    }
    done(&t, &s);

    /* The same, with a serial baseline that got half its time as CPU: the
     * interval is as narrow, but other load moved the ratio by more than the
     * repeats' noise, so "beyond noise" is not claimed. */
    group(tab_open(&b), 1, 2, "serial", 4, (const double[]){2.0, 2.01, 1.99}, 3, 0, 0.5);
    group(b.f, 1, 2, "static", 4, (const double[]){0.8, 0.81, 0.79}, 3, 0, 1);
    if ((e = tab_compute(&b, &t, &s, "1x2", "static"))) {
        CHECK_INT(e->reading, HB_EFF_BUSY);
        CHECK_STR(hb_eff_reading_name(e), "above ideal, machine busy");
        CHECK(strstr(e->reading_text,
                     "superlinear beyond the repeats' noise, but the machine was "
                     "busy: the workers got 100% and the serial baseline 50%") != NULL);
        CHECK_NEAR(e->cpu_share, 1.0, 1e-12);
    }
    done(&t, &s);
    /* And a 1x1 that got 60% of its time: no disagreement claimed either. */
    group(tab_open(&b), 1, 1, "serial", 4, (const double[]){2.0, 2.01, 1.99}, 3, 0, 1);
    group(b.f, 1, 1, "static", 4, (const double[]){2.4, 2.41, 2.39}, 3, 0, 0.6);
    if ((e = tab_compute(&b, &t, &s, "1x1", "static"))) {
        CHECK_INT(e->reading, HB_EFF_BUSY);
        CHECK_STR(hb_eff_reading_name(e), "disagrees, machine busy");
        CHECK(strstr(e->reading_text, "slower than serial beyond the repeats' noise") != NULL);
    }
    done(&t, &s);

    /* Above an ideal bound below 1 (3 tasks on 2 workers: 0.75). */
    group(tab_open(&b), 1, 2, "serial", 3, (const double[]){3.0, 3.01, 2.99}, 3, 0, 1);
    group(b.f, 1, 2, "static", 3, (const double[]){1.6, 1.61, 1.59}, 3, 0, 1);
    if ((e = tab_compute(&b, &t, &s, "1x2", "static"))) {
        CHECK_NEAR(e->ideal, 0.75, 1e-12);
        CHECK_NEAR(e->eff_of_ideal, 3.0 / 1.6 / 2 / 0.75, 1e-12);
        CHECK_INT(e->reading, HB_EFF_ABOVE_IDEAL);
        CHECK_STR(hb_eff_reading_name(e), "above ideal beyond noise");
        /* Efficiency 0.94, wholly below 1: Karp-Flatt is shown. */
        CHECK_NEAR(e->karp_flatt, (1.6 / 3.0 - 0.5) / 0.5, 1e-12);
    }
    done(&t, &s);

    /* 1x1 20% slower than the serial loop beyond noise: disagreement; a 1x1
     * within noise of it: nothing to say. */
    group(tab_open(&b), 1, 1, "serial", 4, (const double[]){2.0, 2.01, 1.99}, 3, 0, 1);
    group(b.f, 1, 1, "static", 4, (const double[]){2.4, 2.41, 2.39}, 3, 0, 1);
    group(b.f, 1, 1, "dynamic", 4, (const double[]){2.0, 2.02, 1.99}, 3, 0, 1);
    if ((e = tab_compute(&b, &t, &s, "1x1", "static"))) {
        CHECK(e->speedup_hi < 1);
        CHECK_INT(e->reading, HB_EFF_DISAGREE);
        CHECK_STR(hb_eff_reading_name(e), "disagrees with serial");
        CHECK(strstr(e->reading_text, "1 worker slower than the serial baseline") != NULL);
        CHECK(isnan(e->karp_flatt));
    }
    if ((e = find(&s, "pi", "1x1", "dynamic"))) {
        CHECK(e->speedup_lo <= 1 && e->speedup_hi >= 1);
        CHECK_INT(e->reading, HB_EFF_PLAIN);
    }
    done(&t, &s);

    /* Efficiency 2/3 wholly below 1: Karp-Flatt 0.5, its interval from the
     * speedup's (a faster run, a smaller serial fraction). */
    group(tab_open(&b), 2, 1, "serial", 4, (const double[]){2.0, 2.01, 1.99}, 3, 0, 1);
    group(b.f, 2, 1, "dynamic", 4, (const double[]){1.5, 1.51, 1.49}, 3, 0, 1);
    if ((e = tab_compute(&b, &t, &s, "2x1", "dynamic"))) {
        CHECK_NEAR(e->karp_flatt, 0.5, 1e-12);
        CHECK_NEAR(e->kf_lo, hb_karp_flatt(e->speedup_hi, 2), 1e-12);
        CHECK_NEAR(e->kf_hi, hb_karp_flatt(e->speedup_lo, 2), 1e-12);
        CHECK(e->kf_lo < 0.5 && e->kf_hi > 0.5 && e->kf_lo > 0);
        CHECK_INT(e->reading, HB_EFF_PLAIN);
    }
    done(&t, &s);

    /* Slower than serial beyond noise: a "serial fraction" above 1, not shown. */
    group(tab_open(&b), 2, 1, "serial", 4, (const double[]){2.0, 2.01, 1.99}, 3, 0, 1);
    group(b.f, 2, 1, "dynamic", 4, (const double[]){3.0, 3.01, 2.99}, 3, 0, 1);
    if ((e = tab_compute(&b, &t, &s, "2x1", "dynamic"))) {
        CHECK(e->speedup_hi < 1);
        CHECK(isnan(e->karp_flatt) && isnan(e->kf_hi));
    }
    done(&t, &s);

    /* One repeat a side: no interval, said so; precision unknown. */
    group(tab_open(&b), 2, 1, "serial", 4, (const double[]){2.0}, 1, 0, 1);
    group(b.f, 2, 1, "static", 4, (const double[]){1.5}, 1, 0, 1);
    if ((e = tab_compute(&b, &t, &s, "2x1", "static"))) {
        CHECK(isnan(e->speedup_lo) && isnan(e->eff_hi) && isnan(e->eoi_lo));
        CHECK_INT(e->reading, HB_EFF_NO_INTERVAL);
        CHECK(strstr(e->reading_text, "1 serial and 1 parallel repeats") != NULL);
        CHECK(isinf(hb_eff_precision(e)));
        CHECK(isnan(e->cv));
    }
    done(&t, &s);
}

/* Every layout indistinguishable from the fastest is marked: the interval
 * of its median wall over the fastest's includes 1. */
static void test_best(void) {
    hb_csv_table t;
    hb_eff_set s;
    tab b;
    group(tab_open(&b), 1, 2, "serial", 4, serial5, 5, 0, 1);
    group(b.f, 1, 2, "static", 4, (const double[]){1.0, 1.01, 0.99, 1.0, 1.02}, 5, 0, 1);
    group(b.f, 2, 1, "static", 4, (const double[]){1.005, 0.995, 1.01, 1.0, 0.99}, 5, 0, 1);
    group(b.f, 1, 2, "dynamic", 4, (const double[]){1.2, 1.21, 1.19, 1.2, 1.2}, 5, 0, 1);
    const hb_eff *a = tab_compute(&b, &t, &s, "1x2", "static");
    const hb_eff *tie = find(&s, "pi", "2x1", "static"), *slow = find(&s, "pi", "1x2", "dynamic");
    CHECK(a && tie && slow);
    if (a && tie && slow) {
        /* Equal medians: the first is the fastest. */
        CHECK(a->best);
        CHECK(isnan(a->vs_fastest_lo));
        CHECK(tie->best);
        CHECK(tie->vs_fastest_lo <= 1 && tie->vs_fastest_hi >= 1);
        CHECK(!slow->best);
        CHECK(slow->vs_fastest_lo > 1);
        /* The fastest's resampled median is 1.02 with p 0.058 (3 or more of
         * 5 draws), the slow one's 1.19 likewise: P(ratio <= 1.19/1.02) is
         * 0.003 and P(ratio <= 1.2/1.02) 0.054, so the 2.5% quantile is
         * 1.2/1.02. */
        CHECK_NEAR(slow->vs_fastest_lo, 1.2 / 1.02, 1e-12);
    }
    done(&t, &s);
}

/* Rounds: a serial baseline and a layout that drift together from round to
 * round give a narrow interval; the same walls without rounds do not. */
static void test_rounds(void) {
    hb_csv_table t;
    hb_eff_set s;
    tab b;
    const double s1[] = {2, 2, 2}, s2[] = {3, 3, 3}, p1[] = {1, 1, 1}, p2[] = {1.5, 1.5, 1.5};
    group(tab_open(&b), 2, 1, "serial", 4, s1, 3, 1, 1);
    group(b.f, 2, 1, "serial", 4, s2, 3, 2, 1);
    group(b.f, 2, 1, "static", 4, p1, 3, 1, 1);
    group(b.f, 2, 1, "static", 4, p2, 3, 2, 1);
    const hb_eff *e = tab_compute(&b, &t, &s, "2x1", "static");
    if (e) {
        CHECK_INT(e->rounds, 2);
        CHECK_INT(e->repeats, 6);
        CHECK_NEAR(e->speedup, 2.0, 1e-12);
        CHECK_NEAR(e->speedup_lo, 2.0, 1e-12);
        CHECK_NEAR(e->speedup_hi, 2.0, 1e-12);
    }
    done(&t, &s);
    group(tab_open(&b), 2, 1, "serial", 4, s1, 3, 0, 1);
    group(b.f, 2, 1, "serial", 4, s2, 3, 0, 1);
    group(b.f, 2, 1, "static", 4, p1, 3, 0, 1);
    group(b.f, 2, 1, "static", 4, p2, 3, 0, 1);
    if ((e = tab_compute(&b, &t, &s, "2x1", "static"))) {
        CHECK_INT(e->rounds, 1);
        CHECK_NEAR(e->speedup_lo, 2.0 / 1.5, 1e-12);
        CHECK_NEAR(e->speedup_hi, 3.0, 1e-12);
    }
    done(&t, &s);
}

/* The same rows in another order give the same intervals, bit for bit. */
static void test_determinism(void) {
    const char *rows[] = {
        "pi,x,serial,1,1,1,1,serial,1,4,0,2.03,ok,yes,3,vm,1,,,,,,\n",
        "pi,x,serial,1,1,1,1,serial,1,4,1,1.97,ok,yes,3,vm,1,,,,,,\n",
        "pi,x,serial,1,1,1,1,serial,1,4,0,2.11,ok,yes,3,vm,2,,,,,,\n",
        "pi,x,serial,1,1,1,1,serial,1,4,1,2.05,ok,yes,3,vm,2,,,,,,\n",
        "pi,x,parallel,1,2,1,2,static,1,4,0,1.02,ok,yes,3,vm,1,,,,,,\n",
        "pi,x,parallel,1,2,1,2,static,1,4,1,1.07,ok,yes,3,vm,1,,,,,,\n",
        "pi,x,parallel,1,2,1,2,static,1,4,0,1.01,ok,yes,3,vm,2,,,,,,\n",
        "pi,x,parallel,1,2,1,2,static,1,4,1,1.12,ok,yes,3,vm,2,,,,,,\n",
    };
    const size_t order[2][8] = {{0, 1, 2, 3, 4, 5, 6, 7}, {7, 2, 5, 0, 3, 6, 1, 4}};
    double lo[2], hi[2];
    for (int k = 0; k < 2; k++) {
        char text[4096];
        size_t used = (size_t)snprintf(text, sizeof text, "%s", HEADER2);
        for (size_t i = 0; i < 8; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, "%s", rows[order[k][i]]);
        hb_csv_table t;
        hb_eff_set s;
        CHECK_INT(compute(text, &t, &s), 0);
        const hb_eff *e = find(&s, "pi", "2x1", NULL);
        CHECK(e != NULL);
        lo[k] = e ? e->speedup_lo : NAN;
        hi[k] = e ? e->speedup_hi : NAN;
        done(&t, &s);
    }
    CHECK(!isnan(lo[0]) && lo[0] == lo[1] && hi[0] == hi[1]);
}

/* Times and loads that cannot be, and rounds that are not rounds, are
 * refused naming the row and the column. */
static void test_bad_values(void) {
    struct {
        const char *row, *msg;
    } bad[] = {
        {"pi,x,serial,1,1,1,1,serial,1,4,0,-5,ok,yes,3,vm,,,,,,,\n",
         "inline: row 1: wall_s '-5' is negative"},
        {"pi,x,serial,1,1,1,1,serial,1,4,0,nan,ok,yes,3,vm,,,,,,,\n",
         "inline: row 1: wall_s 'nan' is not a number"},
        {"pi,x,serial,1,1,1,1,serial,1,4,0,inf,ok,yes,3,vm,,,,,,,\n",
         "inline: row 1: wall_s 'inf' is not a number"},
        {"pi,x,serial,1,1,1,1,serial,1,4,0,1,ok,yes,3,vm,,,-infinity,,,,\n",
         "inline: row 1: busy_mean_s '-infinity' is not a number"},
        {"pi,x,serial,1,1,1,1,serial,1,4,0,1,ok,yes,3,vm,,-0.5,,,,,\n",
         "inline: row 1: cpu_s '-0.5' is negative"},
        {"pi,x,serial,1,1,1,1,serial,1,4,0,1,ok,yes,3,vm,,,,-1,,,\n",
         "inline: row 1: load_before '-1' is negative"},
        {"pi,x,serial,1,1,1,1,serial,1,4,0,1,ok,yes,3,vm,,,,,,-0.01,\n",
         "inline: row 1: steal_s '-0.01' is negative"},
        {"pi,x,serial,1,1,1,1,serial,1,4,0,1,ok,yes,3,vm,0,,,,,,\n",
         "inline: row 1: round '0' is not a round number (1, 2, ...)"},
        {"pi,x,serial,1,1,1,1,serial,1,4,0,1,ok,yes,3,vm,two,,,,,,\n",
         "inline: row 1: round 'two' is not a number"},
        {"pi,x,serial,1,1,1,1,serial,1,4,0,1,ok,yes,3,vm,1.5,,,,,,\n",
         "inline: row 1: round '1.5' is not a count"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", HEADER2, bad[i].row);
        hb_csv_table t;
        hb_eff_set s;
        hb_err_clear();
        CHECK_INT(hb_csv_parse(text, strlen(text), "inline", &t), 0);
        CHECK_INT(hb_eff_compute(&t, "inline", 1e-9, &s), HB_EUSAGE);
        CHECK_STR(hb_errmsg(HB_EUSAGE), bad[i].msg);
        hb_csv_table_free(&t);
    }
}

/* A row identical in every field to an earlier one is a copy: counted once. */
static void test_duplicates(void) {
    hb_csv_table t;
    hb_eff_set s;
    tab b;
    group(tab_open(&b), 2, 1, "serial", 4, (const double[]){2.0, 2.01, 1.99}, 3, 1, 1);
    group(b.f, 2, 1, "static", 4, (const double[]){1.0, 1.01, 0.99}, 3, 1, 1);
    /* The parallel rows again (an append repeated), and a repeat that
     * differs from an earlier one only in its wall time (a measurement). */
    group(b.f, 2, 1, "static", 4, (const double[]){1.0, 1.01, 0.99}, 3, 1, 1);
    group(b.f, 2, 1, "static", 4, (const double[]){1.02}, 1, 1, 1);
    const hb_eff *e = tab_compute(&b, &t, &s, "2x1", "static");
    if (e) {
        CHECK_INT(s.duplicates, 3);
        CHECK_INT(s.first_duplicate, 7);
        CHECK_INT(e->repeats, 4);
    }
    done(&t, &s);
}

/* The noise figures of a group: CPU over busy, the highest load, steal. */
static void test_noise_figures(void) {
    hb_csv_table t;
    hb_eff_set s;
    tab b;
    group(tab_open(&b), 2, 1, "serial", 4, (const double[]){2.0, 2.0}, 2, 0, 0.25);
    group(b.f, 2, 1, "static", 4, (const double[]){1.0, 3.0}, 2, 0, 0.75);
    fputs("pi,x,parallel,1,2,1,2,static,1,4,9,2.0,ok,yes,3,vm,,,,7.25,2.5,0.4,0-3\n", b.f);
    const hb_eff *e = tab_compute(&b, &t, &s, "2x1", "static");
    const hb_eff *ser = find(&s, "pi", "serial", NULL);
    if (e && ser) {
        /* The last row has no cpu_s: the share is over the two that do. */
        CHECK_NEAR(e->cpu_share, 0.75, 1e-12);
        CHECK_NEAR(e->cpu_sum, 0.75 * 2 * (1.0 + 3.0), 1e-12);
        CHECK_NEAR(e->busy_sum, 2 * (1.0 + 3.0), 1e-12);
        CHECK_NEAR(ser->cpu_share, 0.25, 1e-12);
        CHECK_NEAR(e->load_max, 7.25, 0);
        CHECK_NEAR(e->steal_s, 0.4, 1e-12);
        CHECK_NEAR(e->timed_s, 1.0 + 3.0 + 2.0, 1e-12);
        CHECK_INT(e->cpus, 4);
        CHECK_STR(e->host, "vm");
    }
    done(&t, &s);
}

int main(void) {
    char *src = strdup(__FILE__);
    char path[4096];
    snprintf(path, sizeof path, "%s/data/runs_hand.csv", dirname(src));
    free(src);
    hb_csv_table t;
    int rc = hb_csv_read(path, &t);
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "%s\n", hb_errmsg(rc));
        return hb_check_summary();
    }
    hb_eff_set s;
    CHECK_INT(hb_eff_compute(&t, path, 1e-9, &s), 0);
    test_hand_values(&s);
    test_overhead(&s);
    test_csv_out(&s);
    hb_eff_free(&s);
    test_resolution(&t);
    hb_csv_table_free(&t);
    test_bad_input();
    test_outliers();
    test_late_timeout();
    test_readings();
    test_best();
    test_rounds();
    test_determinism();
    test_bad_values();
    test_duplicates();
    test_noise_figures();
    return hb_check_summary();
}
