/* `hybench matrix`: every kernel configuration under every layout and
 * schedule, serial baselines included, launched once per round in a shuffled
 * order; rows collected in results/<name>/runs.csv, then the report. Also the
 * default job (`hybench` with no arguments). Never initialises MPI itself.
 * Its parts are in src/matrix.h. */
#ifndef HYBENCH_MATRIX_H
#define HYBENCH_MATRIX_H

/* argv are the words after "matrix" (argc 0 for the default matrix). self is
 * the path of the running hybench binary, used to launch runs when /proc
 * cannot tell it. Returns 0 or a negative HB_E code with the message already
 * printed. */
int hb_matrix_main(int argc, char **argv, const char *self);

#endif
