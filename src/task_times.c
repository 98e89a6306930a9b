/* tasks.csv: one recording of a map's task times per run and chunk value,
 * appended whole; and its reader (see task_times.h). */
#define _DEFAULT_SOURCE /* open_memstream, strdup */
#include "hybench/task_times.h"

#include "hybench/csv.h"
#include "hybench/error.h"
#include "hybench/files.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns, in order: X(name). The identity columns first, as in runs.csv. */
#define HB_TASK_COLUMNS(X)                                                                         \
    X(schema)                                                                                      \
    X(kernel)                                                                                      \
    X(params)                                                                                      \
    X(mode)                                                                                        \
    X(nodes)                                                                                       \
    X(ranks)                                                                                       \
    X(threads)                                                                                     \
    X(bind)                                                                                        \
    X(distribute)                                                                                  \
    X(schedule)                                                                                    \
    X(chunk)                                                                                       \
    X(round)                                                                                       \
    X(launch)                                                                                      \
    X(task)                                                                                        \
    X(worker)                                                                                      \
    X(rank)                                                                                        \
    X(thread)                                                                                      \
    X(start_s)                                                                                     \
    X(duration_s)

enum {
#define HB_X_ENUM(name) COL_##name,
    HB_TASK_COLUMNS(HB_X_ENUM)
#undef HB_X_ENUM
        NCOLS
};

static const char *const column_names[] = {
#define HB_X_NAME(name) #name,
    HB_TASK_COLUMNS(HB_X_NAME)
#undef HB_X_NAME
};

int hb_task_times_alloc(hb_task_times *t, size_t n) {
    size_t m = n ? n : 1;
    t->n = n;
    t->worker = malloc(m * sizeof *t->worker);
    t->start = malloc(m * sizeof *t->start);
    t->dur = malloc(m * sizeof *t->dur);
    if (!t->worker || !t->start || !t->dur) {
        hb_task_times_free(t);
        return hb_fail(HB_ENOMEM, "--task-times: out of memory for %zu tasks", n);
    }
    for (size_t i = 0; i < n; i++) {
        t->worker[i] = -1;
        t->start[i] = t->dur[i] = -1;
    }
    return 0;
}

void hb_task_times_free(hb_task_times *t) {
    free(t->worker);
    free(t->start);
    free(t->dur);
    memset(t, 0, sizeof *t);
}

void hb_task_log_push(hb_task_log *l, size_t task, double start, double dur) {
    if (l->failed)
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4096;
        size_t *t = realloc(l->task, cap * sizeof *t);
        if (t)
            l->task = t;
        double *s = realloc(l->start, cap * sizeof *s);
        if (s)
            l->start = s;
        double *d = realloc(l->dur, cap * sizeof *d);
        if (d)
            l->dur = d;
        if (!t || !s || !d) {
            l->failed = 1;
            return;
        }
        l->cap = cap;
    }
    l->task[l->n] = task;
    l->start[l->n] = start;
    l->dur[l->n] = dur;
    l->n++;
}

void hb_task_log_free(hb_task_log *l) {
    free(l->task);
    free(l->start);
    free(l->dur);
    memset(l, 0, sizeof *l);
}

int hb_task_times_merge(hb_task_times *t, hb_task_log *logs, int nlogs) {
    for (int k = 0; k < nlogs; k++) {
        if (logs[k].failed)
            return hb_fail(HB_ENOMEM, "--task-times: out of memory recording task times");
        for (size_t i = 0; i < logs[k].n; i++) {
            size_t task = logs[k].task[i];
            t->worker[task] = logs[k].worker;
            t->start[task] = logs[k].start[i];
            t->dur[task] = logs[k].dur[i];
        }
    }
    return 0;
}

int hb_task_times_gather(hb_task_times *t, MPI_Comm comm) {
    if (comm == MPI_COMM_NULL)
        return 0;
    int rank;
    MPI_Comm_rank(comm, &rank);
    /* Tasks nobody ran hold -1 everywhere: the maximum is the one rank's. */
    const size_t piece = (size_t)1 << 26;
    for (size_t at = 0; at < t->n; at += piece) {
        int m = (int)(t->n - at < piece ? t->n - at : piece);
        int ok = 1;
        if (rank == 0)
            ok = MPI_Reduce(MPI_IN_PLACE, t->worker + at, m, MPI_INT, MPI_MAX, 0, comm) ==
                     MPI_SUCCESS &&
                 MPI_Reduce(MPI_IN_PLACE, t->start + at, m, MPI_DOUBLE, MPI_MAX, 0, comm) ==
                     MPI_SUCCESS &&
                 MPI_Reduce(MPI_IN_PLACE, t->dur + at, m, MPI_DOUBLE, MPI_MAX, 0, comm) ==
                     MPI_SUCCESS;
        else
            ok = MPI_Reduce(t->worker + at, NULL, m, MPI_INT, MPI_MAX, 0, comm) == MPI_SUCCESS &&
                 MPI_Reduce(t->start + at, NULL, m, MPI_DOUBLE, MPI_MAX, 0, comm) == MPI_SUCCESS &&
                 MPI_Reduce(t->dur + at, NULL, m, MPI_DOUBLE, MPI_MAX, 0, comm) == MPI_SUCCESS;
        if (!ok)
            return hb_fail(HB_EMPI, "MPI_Reduce of the task times failed");
    }
    return 0;
}

int hb_task_times_append(const char *path, const hb_runid *id, const char *round,
                         const char *launch, const hb_task_times *t) {
    for (size_t i = 0; i < t->n; i++)
        if (t->worker[i] < 0)
            return hb_fail(HB_EINTERNAL, "--task-times: task %zu was not run", i);
    hb_str head = {0}, prefix = {0};
    for (int c = 0; c < NCOLS; c++)
        hb_str_addf(&head, "%s%s", c ? "," : "", column_names[c]);
    hb_str_add(&head, "\n", 1);
    /* The identity columns are the same on every row: format them once. */
    const char *text[] = {HB_TASKS_SCHEMA, id->kernel, id->params,
                          id->serial ? "serial" : "parallel"};
    char *field = NULL;
    size_t flen = 0;
    FILE *p = open_memstream(&field, &flen);
    if (p) {
        for (size_t i = 0; i < 4; i++) {
            hb_csv_put_field(p, text[i]);
            fputc(',', p);
        }
        fprintf(p, "%d,%d,%d,", id->nodes, id->ranks, id->threads);
        const char *more[] = {id->bind, id->distribute, id->schedule};
        for (size_t i = 0; i < 3; i++) {
            hb_csv_put_field(p, more[i]);
            fputc(',', p);
        }
        fprintf(p, "%zu,", id->chunk);
        hb_csv_put_field(p, round ? round : "");
        fputc(',', p);
        hb_csv_put_field(p, launch ? launch : "");
        if (fclose(p) == 0)
            hb_str_add(&prefix, field, flen);
        else
            prefix.failed = true;
    } else {
        prefix.failed = true;
    }
    free(field);
    char *body = NULL;
    size_t body_len = 0;
    FILE *b = prefix.failed ? NULL : open_memstream(&body, &body_len);
    int threads = id->threads > 0 ? id->threads : 1;
    for (size_t i = 0; b && i < t->n; i++)
        fprintf(b, "%s,%zu,%d,%d,%d,%.9f,%.6e\n", prefix.p, i, t->worker[i], t->worker[i] / threads,
                t->worker[i] % threads, t->start[i], t->dur[i]);
    int rc;
    if (!b || fclose(b) != 0 || head.failed)
        rc = hb_fail(HB_ENOMEM, "--task-times: out of memory formatting %zu rows", t->n);
    else
        rc = hb_csv_append_text(path, head.p, body, body_len);
    hb_str_free(&head);
    hb_str_free(&prefix);
    free(body);
    return rc;
}

/* ---- reading ---- */

static int parse_num(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_count(const char *s, long long max, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

static void rec_free(hb_task_rec *r) {
    free(r->kernel);
    free(r->params);
    free(r->mode);
    free(r->bind);
    free(r->distribute);
    free(r->schedule);
    free(r->round);
    free(r->launch);
    hb_task_times_free(&r->t);
}

void hb_task_file_free(hb_task_file *f) {
    for (size_t i = 0; i < f->n; i++)
        rec_free(&f->v[i]);
    free(f->v);
    memset(f, 0, sizeof *f);
}

/* Start a recording from a row's identity fields. */
static int rec_start(hb_task_rec *r, char **f, const int *col, size_t line) {
    memset(r, 0, sizeof *r);
    r->line = line;
    const char *opt[] = {"", ""};
    r->kernel = strdup(f[col[COL_kernel]]);
    r->params = strdup(f[col[COL_params]]);
    r->mode = strdup(f[col[COL_mode]]);
    r->schedule = strdup(f[col[COL_schedule]]);
    r->bind = strdup(col[COL_bind] >= 0 ? f[col[COL_bind]] : opt[0]);
    r->distribute = strdup(col[COL_distribute] >= 0 ? f[col[COL_distribute]] : opt[0]);
    r->round = strdup(col[COL_round] >= 0 ? f[col[COL_round]] : opt[1]);
    r->launch = strdup(col[COL_launch] >= 0 ? f[col[COL_launch]] : opt[1]);
    if (!r->kernel || !r->params || !r->mode || !r->schedule || !r->bind || !r->distribute ||
        !r->round || !r->launch)
        return HB_ENOMEM;
    return 0;
}

static int rec_push(hb_task_rec *r, size_t *cap, int worker, double start, double dur) {
    if (r->t.n == *cap) {
        size_t nc = *cap ? 2 * *cap : 1024;
        int *w = realloc(r->t.worker, nc * sizeof *w);
        if (w)
            r->t.worker = w;
        double *s = realloc(r->t.start, nc * sizeof *s);
        if (s)
            r->t.start = s;
        double *d = realloc(r->t.dur, nc * sizeof *d);
        if (d)
            r->t.dur = d;
        if (!w || !s || !d)
            return HB_ENOMEM;
        *cap = nc;
    }
    r->t.worker[r->t.n] = worker;
    r->t.start[r->t.n] = start;
    r->t.dur[r->t.n] = dur;
    r->t.n++;
    return 0;
}

/* Does the row continue recording r (the same identity)? */
static int same_ident(const hb_task_rec *r, char **f, const int *col) {
    return strcmp(r->kernel, f[col[COL_kernel]]) == 0 &&
           strcmp(r->params, f[col[COL_params]]) == 0 && strcmp(r->mode, f[col[COL_mode]]) == 0 &&
           strcmp(r->schedule, f[col[COL_schedule]]) == 0 &&
           (col[COL_launch] < 0 || strcmp(r->launch, f[col[COL_launch]]) == 0) &&
           (col[COL_round] < 0 || strcmp(r->round, f[col[COL_round]]) == 0);
}

static int parse_fields(const char *what, const char *path, char *text, size_t len,
                        hb_task_file *out, hb_csv_fields *fs) {
    enum { NCOLS_MAX = 128 };
    char *f[NCOLS_MAX]; /* columns of a wider file are refused by name below, not by count */
    int col[NCOLS];
    const char *err = NULL;
    size_t pos = 0, line = 1, cap = 0;
    int rc = hb_csv_split(text, len, &pos, &line, fs, &err);
    if (rc)
        return rc == HB_ENOMEM ? hb_fail(HB_ENOMEM, "%s: out of memory reading %s", what, path)
                               : hb_fail(HB_EUSAGE, "%s: %s: line 1: %s", what, path, err);
    if (fs->n > NCOLS_MAX)
        return hb_fail(HB_EUSAGE, "%s: %s: line 1: %zu columns (not a tasks.csv?)", what, path,
                       fs->n);
    int nh = (int)fs->n;
    memcpy(f, fs->v, fs->n * sizeof *f);
    for (int c = 0; c < NCOLS; c++) {
        col[c] = -1;
        for (int i = 0; i < nh; i++)
            if (strcmp(f[i], column_names[c]) == 0)
                col[c] = i;
    }
    static const int required[] = {COL_schema, COL_kernel,  COL_params,    COL_mode,  COL_nodes,
                                   COL_ranks,  COL_threads, COL_schedule,  COL_chunk, COL_task,
                                   COL_worker, COL_start_s, COL_duration_s};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (col[required[i]] < 0)
            return hb_fail(HB_EUSAGE, "%s: %s: no column '%s' (not a tasks.csv?)", what, path,
                           column_names[required[i]]);
    hb_task_rec *cur = NULL;
    size_t capv = 0;
    while (pos < len) {
        if (text[pos] == '\n' || text[pos] == '\r') { /* blank line */
            pos += text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n' ? 2 : 1;
            line++;
            continue;
        }
        size_t at = line;
        if ((rc = hb_csv_split(text, len, &pos, &line, fs, &err)))
            return rc == HB_ENOMEM
                       ? hb_fail(HB_ENOMEM, "%s: out of memory reading %s", what, path)
                       : hb_fail(HB_EUSAGE, "%s: %s: line %zu: %s", what, path, at, err);
        if (fs->n > (size_t)nh)
            return hb_fail(HB_EUSAGE, "%s: %s: line %zu: more fields than the header", what, path,
                           at);
        for (int i = 0; i < nh; i++)
            f[i] = i < (int)fs->n ? fs->v[i] : "";
        if (strcmp(f[col[COL_schema]], HB_TASKS_SCHEMA) != 0)
            return hb_fail(HB_EUSAGE, "%s: %s: line %zu: schema '%s' is not %s", what, path, at,
                           f[col[COL_schema]], HB_TASKS_SCHEMA);
        long long task, worker, nodes, ranks, threads, chunk;
        double start, dur;
        int bad = -1;
        if (parse_count(f[col[COL_task]], INT64_MAX / 2, &task))
            bad = COL_task;
        else if (parse_count(f[col[COL_worker]], INT32_MAX, &worker))
            bad = COL_worker;
        else if (parse_count(f[col[COL_nodes]], INT32_MAX, &nodes) || nodes < 1)
            bad = COL_nodes;
        else if (parse_count(f[col[COL_ranks]], INT32_MAX, &ranks) || ranks < nodes)
            bad = COL_ranks;
        else if (parse_count(f[col[COL_threads]], INT32_MAX, &threads) || threads < 1)
            bad = COL_threads;
        else if (parse_count(f[col[COL_chunk]], INT64_MAX / 2, &chunk) || chunk < 1)
            bad = COL_chunk;
        else if (parse_num(f[col[COL_start_s]], &start) || start < 0)
            bad = COL_start_s;
        else if (parse_num(f[col[COL_duration_s]], &dur) || dur < 0)
            bad = COL_duration_s;
        if (bad >= 0) {
            char shown[64];
            return hb_fail(HB_EUSAGE, "%s: %s: line %zu: %s '%s' is not valid", what, path, at,
                           column_names[bad], hb_text_escape(f[col[bad]], shown, sizeof shown));
        }
        /* A recording lists tasks 0, 1, 2, ...; task 0 or another run starts the next. */
        if (task == 0 || !cur || !same_ident(cur, f, col)) {
            if (task != 0)
                return hb_fail(HB_EUSAGE,
                               "%s: %s: line %zu: a recording starts at task %lld, "
                               "not 0",
                               what, path, at, task);
            if (out->n == capv) {
                size_t nc = capv ? 2 * capv : 8;
                hb_task_rec *v = realloc(out->v, nc * sizeof *v);
                if (!v)
                    return hb_fail(HB_ENOMEM, "%s: out of memory reading %s", what, path);
                out->v = v;
                capv = nc;
            }
            cur = &out->v[out->n++];
            cap = 0;
            if ((rc = rec_start(cur, f, col, at)))
                return hb_fail(HB_ENOMEM, "%s: out of memory reading %s", what, path);
            cur->nodes = (int)nodes;
            cur->ranks = (int)ranks;
            cur->threads = (int)threads;
            cur->chunk = (size_t)chunk;
        } else if ((size_t)task != cur->t.n) {
            return hb_fail(HB_EUSAGE, "%s: %s: line %zu: task %lld follows task %zu", what, path,
                           at, task, cur->t.n - 1);
        }
        if (worker >= ranks * threads)
            return hb_fail(HB_EUSAGE, "%s: %s: line %zu: worker %lld of a run with %lld", what,
                           path, at, worker, ranks * threads);
        if (rec_push(cur, &cap, (int)worker, start, dur))
            return hb_fail(HB_ENOMEM, "%s: out of memory reading %s", what, path);
    }
    if (out->n == 0)
        return hb_fail(HB_EUSAGE, "%s: %s: no task times (header only)", what, path);
    return 0;
}

static int parse_rows(const char *what, const char *path, char *text, size_t len,
                      hb_task_file *out) {
    hb_csv_fields fs = {0};
    int rc = parse_fields(what, path, text, len, out, &fs);
    free(fs.v);
    return rc;
}

int hb_task_times_parse(const char *what, const char *path, char *text, size_t len,
                        hb_task_file *out) {
    memset(out, 0, sizeof *out);
    int rc;
    if (memchr(text, '\0', len))
        rc = hb_fail(HB_EUSAGE, "%s: %s: holds a NUL byte (not a tasks.csv)", what, path);
    else
        rc = parse_rows(what, path, text, len, out);
    if (rc)
        hb_task_file_free(out);
    return rc;
}

int hb_task_times_read(const char *what, const char *path, hb_task_file *out) {
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    int rc = hb_read_file(what, path, HB_FILE_MAX, 0, &text, &len);
    if (!rc)
        rc = hb_task_times_parse(what, path, text, len, out);
    free(text);
    return rc;
}
