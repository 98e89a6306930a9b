/* The efficiency report: from runs.csv rows to efficiency.csv, an aligned
 * table on stdout (best layout per kernel marked) and gnuplot plots. */
#ifndef HYBENCH_REPORT_H
#define HYBENCH_REPORT_H

#include "hybench/args.h"

#include <stdio.h>

extern const hb_option hb_report_options[];

/* `hybench report RUNS.csv [--out DIR]`: argv are the words after "report". */
int hb_report_main(int argc, char **argv);

/* Recompute the report from runs_csv into outdir (created if missing):
 * efficiency.csv, efficiency.gp and, when gnuplot is installed,
 * efficiency.svg and efficiency.png. The table and notes go to `table`
 * (stdout for the command). Used by the matrix at its end. HB_EUSAGE for a
 * malformed runs file (message names it), HB_EIO naming a file that could
 * not be written. */
int hb_report_generate(const char *runs_csv, const char *outdir, FILE *table);

#endif
