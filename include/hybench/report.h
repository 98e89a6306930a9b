/* The efficiency report: from runs.csv rows to efficiency.csv, an aligned
 * table on stdout (best layout per kernel marked) and gnuplot plots. */
#ifndef HYBENCH_REPORT_H
#define HYBENCH_REPORT_H

extern const struct hb_option hb_report_options[];

/* `hybench report RUNS.csv [--out DIR]`: argv are the words after "report". */
int hb_report_main(int argc, char **argv);

#endif
