/* The identity of a measured configuration, and the one builder of runs.csv
 * rows.
 *
 * Two rows measure the same configuration when their identities are equal:
 * kernel, params (which hold the seed and, for grain kernels, the grain),
 * mode, and for parallel rows the layout (nodes, ranks, threads), bind,
 * distribute, schedule and chunk. A serial baseline is the same measurement
 * whatever the layout, schedule and chunk of the runs it serves, so those do
 * not count for it; its binding does. This one definition is what resume
 * asks ("has this configuration its repeats?"), what the report groups by
 * and what the rows the matrix writes for a dead launch carry.
 *
 * The builder fills a row from an identity plus whatever the writer measured,
 * so `hybench run` and the matrix write rows one way. */
#ifndef HYBENCH_RUNID_H
#define HYBENCH_RUNID_H

#include <stdbool.h>
#include <stddef.h>

#include "hybench/csv.h"
#include "hybench/layout.h"

typedef struct hb_runid {
    const char *kernel, *params;
    bool serial;
    int nodes, ranks, threads; /* ranks in all; 1, 1, 1 for serial */
    const char *bind, *distribute;
    const char *schedule; /* "serial" for serial rows */
    size_t chunk;
} hb_runid;

/* Same configuration (see above). */
bool hb_runid_same(const hb_runid *a, const hb_runid *b);

/* The layout of a parallel identity ("serial" has none: nodes = R = T = 1). */
hb_layout hb_runid_layout(const hb_runid *id);

/* "2:4x8 dynamic chunk 4" / "serial", for messages and progress lines. */
const char *hb_runid_describe(const hb_runid *id, char *buf, size_t len);

/* Where the identity columns are in a table. */
typedef struct hb_runid_cols {
    int kernel, params, mode, nodes, ranks, threads, bind, distribute, schedule, chunk;
} hb_runid_cols;

/* Find the columns; HB_EUSAGE naming `what` and the first one missing (bind
 * and distribute may be absent in old files: they then read as ""). */
int hb_runid_cols_find(const hb_csv_table *t, const char *what, hb_runid_cols *c);

/* Row r's identity; text points into the table. HB_EUSAGE naming what, the
 * row and the column when a count is not a count. */
int hb_runid_of_row(const hb_csv_table *t, const hb_runid_cols *c, const char *what, size_t r,
                    hb_runid *out);

/* A row being built: fields are owned copies (or NULL until set). */
typedef struct hb_row {
    char *f[HB_NCOLS];
    bool failed; /* an allocation failed; hb_row_finish reports it */
} hb_row;

/* Start a row: schema, timestamp and the identity columns (mode, workers and
 * schedule "serial" for serial identities). */
void hb_row_init(hb_row *row, const hb_runid *id);
void hb_row_set(hb_row *row, int col, const char *text);
void hb_row_setf(hb_row *row, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Unset fields become empty; then *out points into row. HB_ENOMEM if any
 * allocation failed. */
int hb_row_finish(hb_row *row, hb_csv_row *out);
void hb_row_free(hb_row *row);

#endif
