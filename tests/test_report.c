/* The report's arithmetic on a hand-written runs.csv (tests/data/runs_hand.csv)
 * whose expected values were worked out by hand:
 *   mc, 7 tasks; serial walls 7.0 7.2 6.8 -> serial_s 7.0
 *   1x(2x5) = 10 workers, walls 1.25 1.0 1.5 -> median 1.25, speedup 5.6,
 *     efficiency 0.56, ideal 7/(10*1) = 0.70, 3 idle, eff/ideal 0.8,
 *     Karp-Flatt (1/5.6 - 1/10)/(1 - 1/10) = 0.0873015873, imbalance 1.3
 *   1x2, walls 3.5 3.6 3.4 3.5 9.0 -> median 3.5, MAD 0.1, repeat 5 outlier,
 *     speedup 2, efficiency 1, ideal 7/8, 1 idle, Karp-Flatt 0
 *   2x1 timed out -> verdict "timeout", no timings
 *   4x1 result "6 points" != serial "7 points" -> not verified
 *   pow grain sweep: serial 1 s + 100 us/task, 1x2 dynamic 0.5 s + 500 us per
 *     task per worker -> hand-out overhead 400 us per task.
 * and, from tables written inline: the outlier rule (3 MAD and 5% of the
 * median, at least 5 repeats) and a launch that timed out after its rows. */
#define _DEFAULT_SOURCE /* open_memstream, strdup */
#include "check.h"

#include "hybench/csv.h"
#include "hybench/efficiency.h"
#include "hybench/error.h"

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
    CHECK_NEAR(w10->imbalance, 1.3, 1e-12);
    CHECK_STR(w10->verdict, "ok");
    CHECK(w10->best);
    CHECK_STR(w10->outliers, "");

    CHECK_NEAR(w2->wall_med, 3.5, 1e-12);
    CHECK_NEAR(w2->speedup, 2.0, 1e-12);
    CHECK_NEAR(w2->efficiency, 1.0, 1e-12);
    CHECK_NEAR(w2->ideal, 0.875, 1e-12);
    CHECK_INT(w2->idle, 1);
    CHECK_NEAR(w2->karp_flatt, 0.0, 1e-12);
    CHECK_STR(w2->outliers, "5");
    CHECK(!w2->best);

    CHECK_INT(to->repeats, 0);
    CHECK_INT(to->failed, 1);
    CHECK_STR(to->verdict, "timeout");
    CHECK(isnan(to->wall_med) && isnan(to->speedup));
    CHECK_NEAR(to->ideal, 7.0 / 8.0, 1e-12); /* the bound is known without timings */

    CHECK_STR(bad->verdict, "not verified (differs from serial)");
    CHECK(isnan(pi->speedup)); /* no serial baseline for pi */
    CHECK_STR(pi->verdict, "unverified");
    CHECK_STR(pi->params, "streams=4 samples=1000, \"quoted\"");
}

static void test_overhead(const hb_eff_set *s) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK_INT(hb_eff_overhead(f, s), 1);
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
    return hb_check_summary();
}
