/* `hybench matrix`: one launch of `hybench run` per layout, serial baselines
 * first, rows collected in results/<name>/runs.csv, then the report. Also the
 * default job (`hybench` with no arguments). Never initialises MPI itself. */
#ifndef HYBENCH_MATRIX_H
#define HYBENCH_MATRIX_H

#include "hybench/args.h"

extern const hb_option hb_matrix_options[];

/* argv are the words after "matrix" (argc 0 for the default matrix). self is
 * the path of the running hybench binary, used to launch runs. Returns 0 or a
 * negative HB_E code with the message already printed. */
int hb_matrix_main(int argc, char **argv, const char *self);

#endif
