/* The identity of a configuration and the builder of its rows (see runid.h). */
#define _GNU_SOURCE /* vasprintf, strdup */
#include "hybench/runid.h"

#include "hybench/error.h"
#include "hybench/meta.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool same_text(const char *a, const char *b) {
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool hb_runid_same(const hb_runid *a, const hb_runid *b) {
    if (!same_text(a->kernel, b->kernel) || !same_text(a->params, b->params) ||
        a->serial != b->serial || !same_text(a->bind, b->bind) ||
        !same_text(a->distribute, b->distribute))
        return false;
    if (a->serial)
        return true;
    return a->nodes == b->nodes && a->ranks == b->ranks && a->threads == b->threads &&
           same_text(a->schedule, b->schedule) && a->chunk == b->chunk;
}

hb_layout hb_runid_layout(const hb_runid *id) {
    int nodes = id->nodes > 0 ? id->nodes : 1;
    return (hb_layout){nodes, id->ranks / nodes, id->threads};
}

const char *hb_runid_describe(const hb_runid *id, char *buf, size_t len) {
    if (id->serial) {
        snprintf(buf, len, "serial");
    } else {
        char lay[HB_LAYOUT_NAME_MAX];
        hb_layout l = hb_runid_layout(id);
        snprintf(buf, len, "%s %s chunk %zu", hb_layout_name(&l, lay), id->schedule, id->chunk);
    }
    return buf;
}

int hb_runid_cols_find(const hb_csv_table *t, const char *what, hb_runid_cols *c) {
    static const char *const names[] = {"kernel", "params",  "mode",     "nodes",
                                        "ranks",  "threads", "schedule", "chunk"};
    int *slot[] = {&c->kernel, &c->params,  &c->mode,     &c->nodes,
                   &c->ranks,  &c->threads, &c->schedule, &c->chunk};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((*slot[i] = hb_csv_col(t, names[i])) < 0)
            return hb_fail(HB_EUSAGE, "%s: no column '%s' (is it a hybench runs.csv?)", what,
                           names[i]);
    c->bind = hb_csv_col(t, "bind");
    c->distribute = hb_csv_col(t, "distribute");
    return 0;
}

static const char *cell(const hb_csv_table *t, size_t r, int c) {
    return c >= 0 ? t->rows[r][c] : "";
}

static int count(const hb_csv_table *t, const char *what, size_t r, int c, long max, long *out) {
    const char *s = cell(t, r, c);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > max)
        return hb_fail(HB_EUSAGE, "%s: row %zu: %s '%s' is not a count", what, r + 1, t->header[c],
                       s);
    *out = v;
    return 0;
}

int hb_runid_of_row(const hb_csv_table *t, const hb_runid_cols *c, const char *what, size_t r,
                    hb_runid *out) {
    long nodes, ranks, threads, chunk = 0;
    const char *mode = cell(t, r, c->mode);
    int rc;
    if (strcmp(mode, "serial") != 0 && strcmp(mode, "parallel") != 0)
        return hb_fail(HB_EUSAGE, "%s: row %zu: mode '%s' is neither serial nor parallel", what,
                       r + 1, mode);
    if ((rc = count(t, what, r, c->nodes, 1000000, &nodes)) ||
        (rc = count(t, what, r, c->ranks, 100000000, &ranks)) ||
        (rc = count(t, what, r, c->threads, 100000, &threads)))
        return rc;
    /* The matrix's rows for a launch that died carry the chunk too. */
    if (*cell(t, r, c->chunk) && (rc = count(t, what, r, c->chunk, 0x7fffffffffffffffL, &chunk)))
        return rc;
    *out = (hb_runid){.kernel = cell(t, r, c->kernel),
                      .params = cell(t, r, c->params),
                      .serial = mode[0] == 's',
                      .nodes = (int)nodes,
                      .ranks = (int)ranks,
                      .threads = (int)threads,
                      .bind = cell(t, r, c->bind),
                      .distribute = cell(t, r, c->distribute),
                      .schedule = cell(t, r, c->schedule),
                      .chunk = (size_t)chunk};
    return 0;
}

void hb_row_set(hb_row *row, int col, const char *text) {
    if (col < 0 || col >= HB_NCOLS)
        return;
    free(row->f[col]);
    row->f[col] = strdup(text ? text : "");
    row->failed |= row->f[col] == NULL;
}

void hb_row_setf(hb_row *row, int col, const char *fmt, ...) {
    if (col < 0 || col >= HB_NCOLS)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    free(row->f[col]);
    row->f[col] = s;
    row->failed |= s == NULL;
}

void hb_row_init(hb_row *row, const hb_runid *id) {
    char ts[32];
    memset(row, 0, sizeof *row);
    int nodes = id->serial ? 1 : id->nodes, ranks = id->serial ? 1 : id->ranks,
        threads = id->serial ? 1 : id->threads;
    hb_row_set(row, HB_COL_schema, HB_CSV_SCHEMA);
    hb_row_set(row, HB_COL_timestamp, hb_meta_timestamp(ts, sizeof ts));
    hb_row_set(row, HB_COL_kernel, id->kernel);
    hb_row_set(row, HB_COL_params, id->params);
    hb_row_set(row, HB_COL_mode, id->serial ? "serial" : "parallel");
    hb_row_setf(row, HB_COL_nodes, "%d", nodes);
    hb_row_setf(row, HB_COL_ranks, "%d", ranks);
    hb_row_setf(row, HB_COL_threads, "%d", threads);
    hb_row_setf(row, HB_COL_workers, "%ld", (long)ranks * threads);
    hb_row_set(row, HB_COL_bind, id->bind);
    hb_row_set(row, HB_COL_distribute, id->distribute);
    hb_row_set(row, HB_COL_schedule, id->serial ? "serial" : id->schedule);
    hb_row_setf(row, HB_COL_chunk, "%zu", id->chunk);
}

int hb_row_finish(hb_row *row, hb_csv_row *out) {
    for (int i = 0; i < HB_NCOLS; i++)
        if (!row->f[i])
            hb_row_set(row, i, "");
    if (row->failed)
        return hb_fail(HB_ENOMEM, "out of memory building a CSV row");
    for (int i = 0; i < HB_NCOLS; i++)
        out->f[i] = row->f[i];
    return 0;
}

void hb_row_free(hb_row *row) {
    for (int i = 0; i < HB_NCOLS; i++)
        free(row->f[i]);
    memset(row, 0, sizeof *row);
}
