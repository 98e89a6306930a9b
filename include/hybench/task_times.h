/* Task times: the measured duration of every task of a map, with the worker
 * that ran it and when it started. `hybench run --task-times FILE` records
 * them in one extra, untimed repetition (so the timed ones read no clock per
 * task) and appends them to FILE, one row per task (tasks.csv; columns in
 * results/README.md); `hybench predict` reads them back and replays them.
 *
 * Appending uses runs.csv's locked appender (csv.h): a launch's rows go in
 * whole or not at all, beside other launches appending to the same file.
 * Reading checks the schema and that each recording lists its tasks 0..N-1
 * in order; anything else is HB_EUSAGE naming the file and line. */
#ifndef HYBENCH_TASK_TIMES_H
#define HYBENCH_TASK_TIMES_H

#include <mpi.h>
#include <stddef.h>

#include "hybench/runid.h"

#define HB_TASKS_SCHEMA "hybench-tasks-1"

/* One recording while it is made: per task index, who ran it (-1: nobody
 * yet), when it started (s after the map began on its rank) and how long it
 * took (s). */
typedef struct hb_task_times {
    size_t n;
    int *worker;
    double *start, *dur;
} hb_task_times;

/* Allocate for n tasks, every one marked not run. HB_ENOMEM. */
int hb_task_times_alloc(hb_task_times *t, size_t n);
void hb_task_times_free(hb_task_times *t);

/* One worker's tasks while a recording is made: its own buffers, so
 * workers recording side by side never write to one cache line (measured:
 * two threads storing times of neighbouring tasks into shared arrays made
 * the recording repetition four times slower than the timed ones). Zero it
 * before use; push never fails, it sets `failed` and drops the entry. */
typedef struct hb_task_log {
    size_t n, cap;
    size_t *task;
    double *start, *dur;
    int worker;
    int failed;
} hb_task_log;

void hb_task_log_push(hb_task_log *l, size_t task, double start, double dur);
void hb_task_log_free(hb_task_log *l);

/* Put the logs' tasks into t (by task index). HB_ENOMEM when a log failed. */
int hb_task_times_merge(hb_task_times *t, hb_task_log *logs, int nlogs);

/* Combine every rank's tasks onto rank 0 (each task was run by one rank).
 * Collective over comm; nothing to do for MPI_COMM_NULL. */
int hb_task_times_gather(hb_task_times *t, MPI_Comm comm);

/* Append one recording to path (every task must have run): its rows carry
 * the run's identity (runid.h; the same columns as its runs.csv rows) and
 * its round and launch ("" or NULL: empty). HB_EIO naming path when it
 * cannot be written, HB_EINTERNAL for a task nobody ran. */
int hb_task_times_append(const char *path, const hb_runid *id, const char *round,
                         const char *launch, const hb_task_times *t);

/* One recording as read back: identity strings and arrays are owned. */
typedef struct hb_task_rec {
    char *kernel, *params, *mode, *bind, *distribute, *schedule, *round, *launch;
    int nodes, ranks, threads;
    size_t chunk;
    hb_task_times t;
    size_t line; /* where it starts in the file, for messages */
} hb_task_rec;

typedef struct hb_task_file {
    hb_task_rec *v;
    size_t n;
} hb_task_file;

/* Read every recording of path (a tasks.csv). `what` names the file's role
 * in messages (e.g. "predict"). */
int hb_task_times_read(const char *what, const char *path, hb_task_file *out);
/* The same on text[0..len) (text[len] must be writable: the fields are cut
 * out in place); path names it in messages. */
int hb_task_times_parse(const char *what, const char *path, char *text, size_t len,
                        hb_task_file *out);
void hb_task_file_free(hb_task_file *f);

#endif
