/* Fuzz target: the runs.csv reader of `hybench report` and `--resume`:
 * hb_csv_parse() on any bytes, then the report's arithmetic (hb_eff_compute
 * with its bootstrap intervals, efficiency.csv, overhead estimates) on
 * whatever parsed. Checks: every row has ncols non-NULL fields, a torn last
 * line is only reported for a text without its final line end, a table
 * written back with hb_csv_put_field parses to the same table, and every
 * interval brackets nothing impossible (lo <= hi, both or neither known). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "hybench/csv.h"
#include "hybench/efficiency.h"
#include "hybench/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_record(FILE *f, char **fields, size_t n) {
    for (size_t c = 0; c < n; c++) {
        if (c)
            fputc(',', f);
        hb_csv_put_field(f, fields[c]);
    }
    fputc('\n', f);
}

/* Write t back as CSV and parse it again: the same header and fields. A table
 * of one column is skipped, since a row of one empty field writes as a blank
 * line, which readers skip. */
static void check_round_trip(const hb_csv_table *t) {
    if (t->ncols < 2)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    FUZZ_CHECK(f != NULL);
    put_record(f, t->header, t->ncols);
    for (size_t r = 0; r < t->nrows; r++)
        put_record(f, t->rows[r], t->ncols);
    FUZZ_CHECK(fclose(f) == 0);
    hb_csv_table u;
    FUZZ_CHECK(hb_csv_parse(text, len, "round trip", &u) == 0);
    FUZZ_CHECK(u.ncols == t->ncols && u.nrows == t->nrows);
    for (size_t c = 0; c < t->ncols; c++)
        FUZZ_CHECK(strcmp(u.header[c], t->header[c]) == 0);
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++)
            FUZZ_CHECK(strcmp(u.rows[r][c], t->rows[r][c]) == 0);
    hb_csv_table_free(&u);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hb_csv_table t;
    int rc = hb_csv_parse((const char *)data, size, "runs.csv", &t);
    if (rc != 0) {
        FUZZ_CHECK(rc == HB_EUSAGE || rc == HB_ENOMEM);
        hb_err_clear();
        return 0;
    }
    for (size_t c = 0; c < t.ncols; c++) {
        FUZZ_CHECK(t.header[c] != NULL);
        FUZZ_CHECK(hb_csv_col(&t, t.header[c]) >= 0);
    }
    for (size_t r = 0; r < t.nrows; r++)
        for (size_t c = 0; c < t.ncols; c++)
            FUZZ_CHECK(t.rows[r][c] != NULL);
    /* Line 1 is the header; a torn record comes after it and at the end. */
    FUZZ_CHECK(t.torn_line == 0 || (t.torn_line >= 2 && size > 0 && data[size - 1] != '\n'));
    check_round_trip(&t);

    hb_eff_set set;
    if (hb_eff_compute(&t, "runs.csv", 1e-9, &set) == 0) {
        FILE *sink = fopen("/dev/null", "w");
        FUZZ_CHECK(sink != NULL);
        for (size_t i = 0; i < set.n; i++) {
            const hb_eff *e = &set.v[i];
            char buf[64];
            FUZZ_CHECK(hb_eff_layout(e, buf, sizeof buf) == buf);
            FUZZ_CHECK(isnan(e->speedup_lo) == isnan(e->speedup_hi));
            FUZZ_CHECK(isnan(e->speedup_lo) || e->speedup_lo <= e->speedup_hi);
            FUZZ_CHECK(!(e->wall_med < 0));
            double p = hb_eff_precision(e);
            FUZZ_CHECK(isnan(p) || p >= 0);
        }
        (void)hb_eff_write_csv(sink, &set);
        (void)hb_eff_overhead(sink, &set, "heading\n");
        fclose(sink);
        hb_eff_free(&set);
    }
    hb_err_clear();
    hb_csv_table_free(&t);
    return 0;
}
