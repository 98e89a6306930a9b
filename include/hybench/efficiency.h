/* The efficiency arithmetic of a report: runs.csv rows grouped by
 * configuration (kernel, params, mode, layout, binding, schedule, chunk),
 * each group summarised against the serial baseline of its kernel+params.
 * Columns of efficiency.csv are documented in results/EFFICIENCY.md.
 * Pure: reads a parsed table, prints nothing. */
#ifndef HYBENCH_EFFICIENCY_H
#define HYBENCH_EFFICIENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hybench/csv.h"

/* An outlier repeat is more than HB_EFF_OUTLIER_MAD median absolute
 * deviations AND more than HB_EFF_OUTLIER_REL (a fraction) from the median
 * of its group: MAD alone flags a 1% wobble when the repeats agree closely.
 * Groups of fewer than HB_EFF_OUTLIER_MIN ok repeats are not judged: with 3
 * the MAD is just the smaller of two gaps, and noise "exceeds" it often. */
#define HB_EFF_OUTLIER_MAD 3.0
#define HB_EFF_OUTLIER_REL 0.05
#define HB_EFF_OUTLIER_MIN 5

/* The suffix of the status the matrix writes, next to a launch's ok rows,
 * when the launch then failed: "timeout-after-rows". */
#define HB_EFF_AFTER_ROWS "-after-rows"

/* One configuration. Text fields point into the table given to
 * hb_eff_compute, which must outlive the set. Missing numbers are NaN. */
typedef struct hb_eff {
    const char *kernel, *params, *mode, *bind, *distribute, *schedule, *chunk, *result;
    const char *status; /* "ok" when at least one repeat ran, else the first failure */
    long nodes, ranks, threads, workers, tasks;
    size_t repeats; /* timed repeats with status ok */
    size_t failed;  /* rows with another status */
    double wall_med, wall_min, wall_max;
    double serial_s; /* median wall of the serial rows of this kernel+params */
    double speedup, efficiency, ideal, eff_of_ideal, imbalance, karp_flatt;
    size_t idle;
    char outliers[64];    /* outlier repeat numbers (see HB_EFF_OUTLIER_*), ';'-separated */
    double outlier_dev;   /* the largest outlier's (wall - median) / median; 0 when none */
    const char *late;     /* the status of a launch that failed after writing this
                             group's ok rows ("timeout-after-rows": the MPI_Finalize
                             hang), else NULL */
    char verdict[96];     /* see EFFICIENCY.md */
    bool best;            /* fastest parallel layout of its kernel+params */
    bool resolution_warn; /* timer resolution > 1% of the median wall */
} hb_eff;

typedef struct hb_eff_set {
    hb_eff *v;
    size_t n;
} hb_eff_set;

/* Group and summarise. `what` names the source in messages. A missing
 * required column or a malformed number fails with HB_EUSAGE naming the
 * column (and row). Groups keep the order of their first row, serial rows
 * of a kernel+params first. */
int hb_eff_compute(const hb_csv_table *t, const char *what, double timer_resolution,
                   hb_eff_set *out);
void hb_eff_free(hb_eff_set *s);

/* "2:4x8", or "1x2" for one node; "serial" for serial rows. Returns buf. */
const char *hb_eff_layout(const hb_eff *e, char *buf, size_t len);

/* efficiency.csv (header + one line per group). */
int hb_eff_write_csv(FILE *f, const hb_eff_set *s);

/* Per-task hand-out overhead from groups that differ only in the grain
 * (chunk): for each kernel+params-without-grain, layout and schedule with at
 * least two grains, the least-squares slope of the median wall against tasks
 * per worker, minus the same slope of the serial baseline. Writes one line
 * per estimate to f; returns the number written. */
size_t hb_eff_overhead(FILE *f, const hb_eff_set *s);

#endif
