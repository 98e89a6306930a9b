/* The matrix's parts, private to src/matrix*.c, src/jobs.c, src/sbatch.c
 * and their unit tests:
 *   plan   (matrix_plan.c)  options, kernel configurations, defaults, checks;
 *   jobs   (jobs.c)         the launches of a round, their order, argv, what
 *                           resume still has to run, running one, status rows;
 *   sbatch (sbatch.c)       --emit-sbatch: the matrix as a Slurm batch script;
 *   matrix (matrix.c)       the outline: lock, rounds, report.
 * A configuration is a kernel configuration under one layout and schedule;
 * its identity per chunk value is hb_job_id() (runid.h). */
#ifndef HYBENCH_MATRIX_INTERNAL_H
#define HYBENCH_MATRIX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hybench/args.h"
#include "hybench/csv.h"
#include "hybench/hosts.h"
#include "hybench/kernel.h"
#include "hybench/launch.h"
#include "hybench/layout.h"
#include "hybench/pin.h"
#include "hybench/runid.h"

#include <limits.h>
#include <stdio.h>

/* ---- plan ------------------------------------------------------------------ */

/* One kernel configuration: a kernel, its option words, and the harness
 * options it carries itself (--chunk, --schedules) or inherits. */
typedef struct hb_kspec {
    const hb_kernel *k;
    char *text;   /* as given: "pi --streams 64" (owned) */
    char **words; /* kernel option words after the name, NULL-terminated (owned) */
    int nwords;
    size_t *chunks; /* its chunk values (owned) */
    size_t nchunks;
    const char *schedules[3];
    size_t nschedules;
    char **params; /* canonical params per chunk value, from plan() (owned) */
    size_t *tasks; /* task count per chunk value */
    double *work;  /* estimated seconds of one repeat on one core, per chunk value */
} hb_kspec;

typedef struct hb_mplan {
    hb_layout *layouts;
    size_t nlayouts;
    hb_kspec *kernels;
    size_t nkernels;
    int repeat, warmup;
    int rounds, max_rounds; /* at least `rounds`; up to max_rounds with --precision */
    double precision;       /* --precision P (relative half-width), 0 if not given */
    double budget;          /* --budget seconds, 0 if not given */
    bool random_order;      /* --order random (default) or fixed */
    uint64_t order_seed;
    uint64_t seed;
    hb_bind bind;
    hb_dist dist;
    bool oversubscribe;
    const char *launcher; /* --launcher, NULL for the default */
    hb_hostlist hosts;    /* empty: this machine only */
    double timeout;
    bool resume, dry_run, progress_tty, quiet, force;
    bool is_default; /* `hybench` with no arguments */
    const char *self;
    char name[256];
    char dir[PATH_MAX], runs[PATH_MAX], log[PATH_MAX];
    char dir_abs[PATH_MAX]; /* dir's absolute path once it exists: the launches' tag */
    char host[256];
    hb_args args; /* the parsed options (--emit-sbatch reads its own from them) */
} hb_mplan;

extern const hb_option hb_matrix_options[];

/* Parse the words after "matrix" (argc 0: the default matrix for a node of
 * `cores` cores) into *p: every option, kernel configuration (planned, so
 * bad kernel options are refused now), layout and host checked before
 * anything is launched or written. self: the program to launch. */
int hb_mplan_parse(int argc, char **argv, int cores, const char *self, hb_mplan *p);
void hb_mplan_free(hb_mplan *p);
void hb_mplan_usage(FILE *f);

/* The identity of chunk value c of a configuration (serial: layout,
 * schedule and chunk do not count; see runid.h). */
hb_runid hb_kspec_id(const hb_mplan *p, const hb_kspec *s, size_t c, const hb_layout *l,
                     const char *schedule);

/* ---- jobs ------------------------------------------------------------------ */

/* One launch: chunk values [c0, c0 + nc) of a configuration in one round,
 * repeats first_repeat .. repeat-1 of each (first_repeat > 0 only when
 * resume completes a launch that was cut short). Serial baselines have
 * l == NULL, one chunk value, and stand for every configuration whose serial
 * identity they share. */
typedef struct hb_job {
    const hb_kspec *s;
    const hb_layout *l; /* NULL for serial */
    const char *schedule;
    size_t c0, nc;
    int round;
    int first_repeat;
} hb_job;

/* The launches of one round in the fixed order (serial baselines first,
 * then every configuration under every layout and schedule). out may be
 * NULL to count them; returns how many there are. */
size_t hb_jobs_round(const hb_mplan *p, int round, hb_job *out);

/* Shuffle a round's launches (Fisher-Yates with a generator seeded by
 * order_seed and the round): every launch stays exactly once. */
void hb_jobs_shuffle(hb_job *jobs, size_t n, uint64_t order_seed, int round);

/* The identity of chunk value c (c0 <= c < c0 + nc) of a job. */
hb_runid hb_job_id(const hb_mplan *p, const hb_job *j, size_t c);

/* "pi serial", "pow 2x1 dynamic chunks 10,100 round 2". */
const char *hb_job_describe(const hb_job *j, char *buf, size_t len);

/* The launch command of a job (launcher, program and `run` options);
 * launch_id goes to the run's --launch-id. */
int hb_job_argv(const hb_mplan *p, const hb_job *j, const char *launch_id, hb_launch_argv *out);

/* What runs.csv already holds, for resume and for a launch proving itself. */
typedef struct hb_done {
    hb_csv_table t;
    hb_runid *ids; /* per row */
    int *round;    /* per row; 0 when empty */
    int *repeat;   /* per row */
    bool *ok;      /* per row: status ok */
    int launch;    /* column of the launch id */
    bool loaded;
} hb_done;

/* Load runs (missing: an empty hb_done). Malformed rows are HB_EUSAGE naming
 * the line. */
int hb_done_load(const char *runs, hb_done *d);
void hb_done_free(hb_done *d);

/* Repeats 0..n-1 of identity id in round are all there with status ok: the
 * number n of that leading run (the first missing repeat). */
int hb_done_first_missing(const hb_done *d, const hb_runid *id, int round);

/* Ok rows a given launch wrote for identity id. */
size_t hb_done_rows_of(const hb_done *d, const hb_runid *id, const char *launch_id);

/* The parts of job j still to run after what d holds, into parts[0..*n)
 * (at most j->nc of them; *n = 0 when the job is complete). */
void hb_job_remaining(const hb_mplan *p, const hb_done *d, const hb_job *j, hb_job *parts,
                      size_t *n);

/* Append the matrix's own row for chunk value c of a job whose launch ended
 * with status (no timings: "failed", "timeout", "interrupted", ...). */
int hb_job_status_row(const hb_mplan *p, const hb_job *j, size_t c, const char *status,
                      const char *launch_id);

/* Run one job: launch it under the timeout and make it prove itself (its
 * rows in runs.csv, with its launch id). Returns 0 (every row written),
 * HB_ELAUNCH (it failed, crashed, timed out or wrote too few rows; status
 * rows were appended and one line printed; the matrix goes on), HB_EINTR,
 * or another code when runs.csv cannot be read or written. */
int hb_job_run(const hb_mplan *p, const hb_job *j, const char *launch_id);

/* Progress: a line per launch on a terminal (rewritten in place), else
 * plain lines at most every HB_PROGRESS_EVERY seconds (sbatch, nohup, CI). */
#define HB_PROGRESS_EVERY 5.0
typedef struct hb_progress {
    bool tty, quiet;
    double t0, last;
    long started; /* time(NULL) at the start, for launch ids */
    size_t done, total;
} hb_progress;
void hb_progress_show(hb_progress *g, const hb_job *j);
void hb_progress_clear(hb_progress *g);

/* ---- matrix ---------------------------------------------------------------- */

/* The default matrix keeps the run before it: dir moves to dir.N (N one
 * more than any there), named in kept ("" when there was none). */
int hb_matrix_keep_previous(const char *dir, char *kept, size_t len);

/* ---- sbatch ---------------------------------------------------------------- */

/* --emit-sbatch: write the batch script for this matrix (argv: the matrix's
 * own words, passed on without the script's options) and print one line. */
int hb_matrix_emit_sbatch(const hb_mplan *p, const hb_args *a, int argc, char **argv);

#endif
