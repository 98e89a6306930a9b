/* runs.csv: one row per timed repeat (schema in results/README.md).
 *
 * Writing appends whole rows under an exclusive flock(), writes the header
 * only when the file is empty, and fsyncs, so two launches appending in turn
 * (or a matrix killed between rows) always leave a valid RFC 4180 file. A
 * failed write is rolled back to the file's previous length, and a file this
 * call created is removed, so no partial or empty file is left behind. A
 * write that a crash cut short (the file does not end with a line end) is
 * moved aside to FILE.torn before anything is appended after it.
 * Reading parses RFC 4180 (quoted fields, "" escapes, CRLF) into rows of text
 * fields keyed by the header; a row with more or fewer fields than the
 * header is refused, except a torn last line, which is reported. */
#ifndef HYBENCH_CSV_H
#define HYBENCH_CSV_H

#include <stddef.h>
#include <stdio.h>

/* 2 added round .. cpus_from; readers accept 1 (those columns then empty). */
#define HB_CSV_SCHEMA "hybench-runs-2"

/* The columns of runs.csv, in order: X(name) */
#define HB_RUN_COLUMNS(X)                                                                          \
    X(schema)                                                                                      \
    X(timestamp)                                                                                   \
    X(host)                                                                                        \
    X(hosts)                                                                                       \
    X(kernel)                                                                                      \
    X(params)                                                                                      \
    X(mode)                                                                                        \
    X(nodes)                                                                                       \
    X(ranks)                                                                                       \
    X(threads)                                                                                     \
    X(workers)                                                                                     \
    X(bind)                                                                                        \
    X(distribute)                                                                                  \
    X(schedule)                                                                                    \
    X(chunk)                                                                                       \
    X(tasks)                                                                                       \
    X(repeat)                                                                                      \
    X(wall_s)                                                                                      \
    X(busy_min_s)                                                                                  \
    X(busy_mean_s)                                                                                 \
    X(busy_max_s)                                                                                  \
    X(imbalance)                                                                                   \
    X(ideal_efficiency)                                                                            \
    X(idle_workers)                                                                                \
    X(result)                                                                                      \
    X(verified)                                                                                    \
    X(status)                                                                                      \
    X(cpusets)                                                                                     \
    X(worker_tasks)                                                                                \
    X(worker_busy_s)                                                                               \
    X(round)                                                                                       \
    X(launch)                                                                                      \
    X(cpu_s)                                                                                       \
    X(worker_cpu_s)                                                                                \
    X(load_before)                                                                                 \
    X(load_after)                                                                                  \
    X(steal_s)                                                                                     \
    X(cpus_allowed)                                                                                \
    X(cpus_from)

enum hb_run_column {
#define HB_X_COL(name) HB_COL_##name,
    HB_RUN_COLUMNS(HB_X_COL)
#undef HB_X_COL
        HB_NCOLS
};

/* Name of column i. */
const char *hb_csv_column_name(int i);

/* One row: every field as text, indexed by enum hb_run_column. The writer
 * quotes as needed. */
typedef struct hb_csv_row {
    char *f[HB_NCOLS];
} hb_csv_row;

/* Append rows to path (created if missing; "-" means stdout). HB_EIO with a
 * message naming path on any failure, after the rollback described above.
 * A torn tail is first set aside as hb_csv_set_aside_torn does (checked by
 * the file's last byte, so an append stays cheap on a long file). */
int hb_csv_append(const char *path, const hb_csv_row *rows, size_t n);

/* Where torn tails go: path + this suffix (runs.csv.torn). */
#define HB_CSV_TORN_SUFFIX ".torn"

/* What hb_csv_set_aside_torn moved. */
typedef struct hb_csv_torn {
    size_t line;  /* the line the torn record began on (1-based); 0 when nothing moved */
    size_t bytes; /* bytes moved */
} hb_csv_torn;

/* Under an exclusive flock() on path (the appender's lock, so no append
 * runs meanwhile): if the file does not end with a complete record, i.e.
 * its last record lacks its line end (the appender writes whole lines, so
 * that is a write cut short, even when its field count happens to be
 * right), append that record's bytes and a line end to path.torn (created
 * 0644 if missing, fsynced), then truncate path before them (fsynced). The
 * next append then starts on a line of its own. A missing or empty file,
 * one that ends with a complete record, or one that is not a regular file
 * is left alone (out->line = 0). HB_EIO naming the file on failure: path is
 * then unchanged (if only the truncation failed, path.torn also holds a
 * copy of the tail). */
int hb_csv_set_aside_torn(const char *path, hb_csv_torn *out);

/* The same append for any CSV: header (one line with its newline) when the
 * file is empty, then len bytes of formatted rows, under the lock, with the
 * torn-tail check and the rollback above. path must name a file ("-" is not
 * handled). */
int hb_csv_append_text(const char *path, const char *header, const char *text, size_t len);

/* Write one field to f, quoted when it holds a comma, quote, CR or LF. */
void hb_csv_put_field(FILE *f, const char *s);

/* The fields of one record, split in place (pointers into the text). */
typedef struct hb_csv_fields {
    char **v;
    size_t n, cap;
} hb_csv_fields;

/* Split the RFC 4180 record at text[*pos..len) in place: each field is
 * unquoted ("" unescaped; never longer than its quoted form) and
 * NUL-terminated inside text, and f->v points at them (f grows as needed;
 * free f->v when done). A line ends at LF, CR LF or a CR that ends the text;
 * a lone CR inside a field is data. Advances *pos past the line end and
 * *line by the lines the record spans. Returns 0, HB_ENOMEM, or HB_EUSAGE
 * with *err naming the fault (hb_csv_unclosed when the text ends inside a
 * quoted field: a write cut short, or a quote never closed); records no
 * message. The text needs one byte beyond len that may be written (a NUL).
 * hb_csv_parse copies every field out; a large file (tasks.csv) is read
 * record by record without a copy per field. */
int hb_csv_split(char *text, size_t len, size_t *pos, size_t *line, hb_csv_fields *f,
                 const char **err);
extern const char hb_csv_unclosed[];

/* A parsed CSV table of text fields. */
typedef struct hb_csv_table {
    size_t ncols, nrows;
    char **header;    /* ncols names */
    char ***rows;     /* nrows arrays of ncols fields */
    size_t torn_line; /* the line a torn last record began on (left out of rows), 0 if none */
} hb_csv_table;

/* Parse text of length len. A row with more or fewer fields than the header
 * fails with HB_EUSAGE naming the line (`what` names the source in
 * messages), except the last record when the text does not end with a line
 * end and that record is short or has a quoted field never closed: a write
 * cut short. It is left out and its line kept in torn_line. (A last record
 * of the full width without its line end is kept: a hand-written file may
 * lack the final line end; the appender sets even that one aside.) */
int hb_csv_parse(const char *text, size_t len, const char *what, hb_csv_table *out);
/* Read and parse a file ("-": standard input) with files.h's bounds and error policy. */
int hb_csv_read(const char *path, hb_csv_table *out);
/* Column index by name, or -1. */
int hb_csv_col(const hb_csv_table *t, const char *name);
void hb_csv_table_free(hb_csv_table *t);

#endif
