/* The state of one `hybench predict`, shared by its computing part
 * (predict.c) and its output part (predict_out.c). Not a public contract. */
#ifndef HYBENCH_PREDICT_INTERNAL_H
#define HYBENCH_PREDICT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hybench/efficiency.h"
#include "hybench/replay.h"
#include "hybench/task_times.h"

/* The schedules a prediction can replay: sched.h's three, dynamic with its
 * automatic hand-out (two levels across nodes) and with the flat counter. */
enum { P_STATIC, P_CYCLIC, P_DYNAMIC, P_DYNAMIC_FLAT, P_NSCHED, P_SERIAL = P_NSCHED };

/* Task times of one workers-per-node count: the recordings taken with that
 * many workers on a node (serial and static ones preferred: they time runs
 * of tasks, not single ones), per task the median over them (the point
 * prediction), and them all for the resampling. */
typedef struct pgroup {
    int wpn;
    hb_task_rec **recs;
    size_t nrecs;
    double *median;   /* n */
    double *prefix;   /* n + 1: its prefix sums */
    const char *from; /* "serial", "static", "parallel" */
} pgroup;

/* One kernel configuration's tasks (kernel and params). */
typedef struct pwork {
    const char *kernel, *params;
    size_t n;
    bool grain; /* the kernel's --chunk is its grain (pow): hand-outs are of single tasks */
    pgroup *groups;
    size_t ngroups;
} pwork;

/* One replayed configuration. */
typedef struct pconf {
    size_t work;
    long workers;
    int ranks, threads; /* per node */
    long nodes;
    int sched;              /* P_... */
    size_t chunk;           /* tasks per hand-out; 0 where it does not apply (static, serial) */
    size_t group;           /* the task times it replays */
    const hb_eff *measured; /* the runs.csv group it predicts, or NULL for the grid */
    hb_replay_out point;    /* the replay of the per-task median times */
    /* predicted seconds and efficiency: the medians over the resamples (the
     * point replay's when nothing is resampled), and their 95% intervals */
    double s, s_lo, s_hi, eff, eff_lo, eff_hi;
} pconf;

/* The shape of one node: ranks x threads. */
typedef struct pshape {
    int ranks, threads;
} pshape;

typedef struct predict {
    /* options */
    const char *source, *runs_path, *out, *kernel;
    size_t *workers, nworkers;
    pshape *shapes;
    size_t nshapes;
    bool sched_on[P_NSCHED];
    size_t *chunks, nchunks;
    size_t resamples;
    uint64_t seed;
    bool from_serial;
    hb_costs costs;
    /* inputs */
    hb_task_file tasks;
    pwork *works;
    size_t nworks;
    hb_csv_table runs;
    bool have_runs;
    hb_eff_set eff;
    double *factors; /* repeat-to-repeat wall ratios from runs.csv */
    size_t nfactors;
    /* results */
    pconf *confs;
    size_t nconfs;
    char dir[4096];
} predict;

/* "static", "cyclic", "dynamic", "dynamic-flat", "serial". */
const char *hb_predict_sched_name(int sched);

/* "16:1x64", "1x2", "serial". */
const char *hb_predict_layout(const pconf *c, char *buf, size_t len);

/* Read SOURCE's task times (and its runs) into p's workloads, eff set and
 * factors, and settle p->dir. HB_EUSAGE for bad input, naming it. */
int hb_predict_load(predict *p);

/* Write prediction.csv, prediction.gp (and the plots through gnuplot) into
 * p->dir and the table, the best schedule per scale and the validation to
 * out. */
int hb_predict_write(const predict *p, FILE *out);

#endif
