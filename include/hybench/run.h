/* `hybench run`: one kernel under one MPI launch.
 *
 * Sets MPI and the workers up (untimed), pins every worker, then for each
 * --chunk value runs --warmup discarded and --repeat timed repetitions of the
 * kernel's map between barriers, reduces and verifies each, and appends one
 * CSV row per timed repetition. --serial runs the same tasks in a plain loop
 * on one pinned core with no MPI or OpenMP call in the timed region. */
#ifndef HYBENCH_RUN_H
#define HYBENCH_RUN_H

#include "hybench/args.h"

/* Options of `hybench run` (for help and for the bad-input catalogue). */
extern const hb_option hb_run_options[];

/* The timing options run and matrix share: --repeat, --warmup. */
extern const hb_option hb_timing_options[];

/* Entry point of the subcommand: argv are the words after "run". MPI is
 * initialised and finalised inside. Returns 0 or a negative HB_E code; on
 * error the message has already been printed (by rank 0). */
int hb_run_main(int argc, char **argv);

#endif
