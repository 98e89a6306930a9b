/* The efficiency arithmetic of a report: runs.csv rows grouped by
 * configuration (kernel, params, mode, layout, binding, schedule, chunk),
 * each group summarised against the serial baseline of its kernel+params,
 * with a 95% interval on every ratio, a verdict on what the intervals say,
 * and the noise readings of its rows. Columns of efficiency.csv are
 * documented in results/EFFICIENCY.md. Pure: reads a parsed table, prints
 * nothing. */
#ifndef HYBENCH_EFFICIENCY_H
#define HYBENCH_EFFICIENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hybench/csv.h"

/* efficiency.csv's schema: 2 added the intervals, cv, rounds, reading,
 * vs_fastest, cpu_share and this column. */
#define HB_EFF_SCHEMA "hybench-efficiency-2"

/* An outlier repeat is more than HB_EFF_OUTLIER_MAD median absolute
 * deviations AND more than HB_EFF_OUTLIER_REL (a fraction) from the median
 * of its group: MAD alone flags a 1% wobble when the repeats agree closely.
 * Groups of fewer than HB_EFF_OUTLIER_MIN ok repeats are not judged: with 3
 * the MAD is just the smaller of two gaps, and noise "exceeds" it often. */
#define HB_EFF_OUTLIER_MAD 3.0
#define HB_EFF_OUTLIER_REL 0.05
#define HB_EFF_OUTLIER_MIN 5

/* The intervals: HB_EFF_LEVEL percentile bootstrap intervals from
 * HB_EFF_REPLICATES replicates (hb_boot_ratio in stats.h); 2000 puts the
 * Monte Carlo error of a 2.5% quantile near 0.35 percentage points. */
#define HB_EFF_LEVEL 0.95
#define HB_EFF_REPLICATES 2000

/* A machine is called busy when the workers got less than HB_EFF_BUSY_CPU
 * of their busy time as CPU, or the hypervisor stole more than
 * HB_EFF_BUSY_STEAL of the CPUs' time, or the load average exceeded the
 * CPUs (see EFFICIENCY.md). */
#define HB_EFF_BUSY_CPU 0.90
#define HB_EFF_BUSY_STEAL 0.01

/* The suffix of the status the matrix writes, next to a launch's ok rows,
 * when the launch then failed: "timeout-after-rows". */
#define HB_EFF_AFTER_ROWS "-after-rows"

/* What a group's intervals say about its ratios (its "reading"). */
typedef enum hb_eff_reading {
    HB_EFF_PLAIN,       /* nothing to add (or a serial group, or no numbers) */
    HB_EFF_NO_INTERVAL, /* fewer than 2 repeats on a side: no interval */
    HB_EFF_NEAR_IDEAL,  /* the efficiency-of-ideal interval includes 1 */
    HB_EFF_ABOVE_IDEAL, /* the whole interval above 1: superlinear beyond noise */
    HB_EFF_DISAGREE,    /* one worker whose speedup interval excludes 1 */
    HB_EFF_BUSY,        /* would be ABOVE_IDEAL or DISAGREE, but the workers or the
                           baseline got under HB_EFF_BUSY_CPU of their busy time as
                           CPU: other load, not the code, moved the ratio */
} hb_eff_reading;

/* One configuration. Text fields point into the table given to
 * hb_eff_compute, which must outlive the set. Missing numbers are NaN. */
typedef struct hb_eff {
    const char *kernel, *params, *mode, *bind, *distribute, *schedule, *chunk, *result;
    const char *status; /* "ok" when at least one repeat ran, else the first failure */
    const char *host;   /* rank 0's host of the first row */
    long nodes, ranks, threads, workers, tasks;
    size_t repeats; /* timed repeats with status ok */
    size_t failed;  /* rows with another status, but "resumed" */
    size_t resumed; /* rows of repetitions that took tasks from finished output */
    size_t rounds;  /* distinct rounds among the ok repeats (no round counts as one) */
    double wall_med, wall_min, wall_max, cv;
    double serial_s; /* median wall of the serial rows of this kernel+params */
    double speedup, efficiency, ideal, eff_of_ideal, imbalance;
    /* HB_EFF_LEVEL intervals; NaN when not known (serial group, no baseline,
     * fewer than 2 repeats on a side). efficiency and eff_of_ideal are the
     * speedup's interval scaled by 1/W and 1/(W ideal). */
    double speedup_lo, speedup_hi, eff_lo, eff_hi, eoi_lo, eoi_hi;
    /* Karp-Flatt only where it means a serial fraction: W > 1, the
     * efficiency interval wholly below 1 and the speedup interval not below
     * 1 (without an interval: the point values), so it lies in [0, 1];
     * otherwise NaN. Its interval comes from the speedup's. */
    double karp_flatt, kf_lo, kf_hi;
    /* The group's median wall over the fastest parallel group's of its
     * kernel+params, with its interval (NaN for the fastest itself). */
    double vs_fastest_lo, vs_fastest_hi;
    size_t idle;
    char outliers[64];  /* outlier repeat numbers (see HB_EFF_OUTLIER_*), ';'-separated */
    double outlier_dev; /* the largest outlier's (wall - median) / median; 0 when none */
    const char *late;   /* the status of a launch that failed after writing this
                           group's ok rows ("timeout-after-rows": the MPI_Finalize
                           hang), else NULL */
    char verdict[96];   /* see EFFICIENCY.md */
    hb_eff_reading reading;
    char reading_text[320]; /* the reading in words, with likely causes; "" for PLAIN */
    bool best;              /* the fastest parallel group of its kernel+params, or
                               indistinguishable from it (vs_fastest_lo <= 1) */
    bool resolution_warn;   /* timer resolution > 1% of the median wall */
    /* Noise over the ok rows that carry the readings (NaN / 0 when none). */
    double cpu_sum, busy_sum; /* sum cpu_s, and sum busy_mean_s x workers, of the
                                 rows with cpu_s */
    double cpu_share;         /* cpu_sum / busy_sum */
    double load_max;          /* highest load_before / load_after */
    double steal_s, timed_s;  /* summed steal_s, and wall_s of the rows that have steal_s */
    long cpus;                /* CPUs of cpus_allowed (rank 0's node), 0 when not recorded */
    /* The ok walls with their rounds (owned; hb_eff_free frees them). */
    double *wall_v;
    long *round_v;
} hb_eff;

typedef struct hb_eff_set {
    hb_eff *v;
    size_t n;
    size_t duplicates;      /* rows left out as copies of an earlier row */
    size_t first_duplicate; /* the 1-based row number of the first copy, 0 if none */
} hb_eff_set;

/* Group and summarise. `what` names the source in messages. A missing
 * required column, a malformed number, a negative or non-finite time or
 * load, or a round that is not a positive count fails with HB_EUSAGE naming
 * the row and column. A row identical in every field to an earlier one is a
 * copy (an append repeated, files concatenated): it is left out and counted
 * in duplicates. Groups keep the order of their first row, serial rows of a
 * kernel+params first. HB_ENOMEM when memory runs out. */
int hb_eff_compute(const hb_csv_table *t, const char *what, double timer_resolution,
                   hb_eff_set *out);
void hb_eff_free(hb_eff_set *s);

/* How precisely a parallel group's speedup is known: the interval lies
 * within speedup x (1 +- this), i.e. max(speedup - lo, hi - speedup) /
 * speedup. INFINITY while it has no interval (fewer than 2 repeats on a
 * side, no serial baseline); NaN for serial groups and groups without ok
 * repeats, which no further round can make precise. `--precision P` asks
 * for every group's value <= P. */
double hb_eff_precision(const hb_eff *e);

/* The reading's short name: "", "no interval", "within noise of ideal",
 * "superlinear beyond noise" (efficiency above 1), "above ideal beyond
 * noise" (above a bound below 1), "disagrees with serial", "above ideal,
 * machine busy", "disagrees, machine busy". */
const char *hb_eff_reading_name(const hb_eff *e);

/* "2:4x8", or "1x2" for one node; "serial" for serial rows. Returns buf. */
const char *hb_eff_layout(const hb_eff *e, char *buf, size_t len);

/* efficiency.csv (header + one line per group). */
int hb_eff_write_csv(FILE *f, const hb_eff_set *s);

/* Per-task hand-out overhead from groups that differ only in the grain
 * (chunk): for each kernel+params-without-grain, layout and schedule with at
 * least two grains, the least-squares slope of the median wall against tasks
 * per worker, minus the same slope of the serial baseline. Writes one line
 * per estimate to f, after heading (NULL: none) when there is at least one;
 * returns the number written. */
size_t hb_eff_overhead(FILE *f, const hb_eff_set *s, const char *heading);

#endif
