/* The batch script that runs a matrix on a Slurm cluster: sizing the
 * allocation for the matrix's layouts, Slurm time limits, and writing the
 * script. Nothing here launches anything; errors are negative HB_E codes
 * with one line recorded by hb_fail(). */
#ifndef HYBENCH_SBATCH_H
#define HYBENCH_SBATCH_H

#include <stddef.h>

#include "hybench/layout.h"

/* What the batch script asks Slurm for and runs. */
typedef struct hb_sbatch {
    const char *job_name;  /* --job-name; NULL: "hybench" */
    int nodes;             /* #SBATCH --nodes */
    int ntasks_per_node;   /* #SBATCH --ntasks-per-node */
    int cpus_per_task;     /* #SBATCH --cpus-per-task */
    long time_s;           /* #SBATCH --time, seconds (> 0) */
    const char *partition; /* #SBATCH --partition, or NULL for the default */
    const char *self;      /* path of the hybench binary (made absolute in the script) */
    int argc;              /* the matrix options to pass on, without --emit-sbatch, */
    char **argv;           /* --launcher and --time: the script adds --launcher */
    const char *launcher;  /* the launcher inside the allocation; NULL: "srun" */
} hb_sbatch;

/* The smallest allocation that holds every layout: nodes = max N,
 * ntasks_per_node = max R, cpus_per_task = max over layouts of
 * ceil(R*T / ntasks_per_node), so each layout's R*T workers fit on a node.
 * HB_EUSAGE if n == 0 or a layout has a count < 1. */
int hb_sbatch_size(const hb_layout *layouts, size_t n, hb_sbatch *out);

/* Parse a Slurm time limit: "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM",
 * "D-HH:MM:SS". HB_EUSAGE naming opt and s otherwise (or if it is zero). */
int hb_sbatch_parse_time(const char *opt, const char *s, long *seconds);

/* Write the batch script to path (mode 0755): #SBATCH lines, then cd to the
 * submit directory and `exec hybench matrix ARGS... --launcher L`, with
 * every argument shell-quoted, so results land under the submit directory.
 * HB_EUSAGE for a bad spec, HB_EIO naming path on a failed write (no partial
 * file is left). */
int hb_sbatch_write(const char *path, const hb_sbatch *spec);

#endif
