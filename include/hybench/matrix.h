/* `hybench matrix`: one launch of `hybench run` per layout, serial baselines
 * first, rows collected in results/<name>/runs.csv, then the report. Also the
 * default job (`hybench` with no arguments). Never initialises MPI itself. */
#ifndef HYBENCH_MATRIX_H
#define HYBENCH_MATRIX_H

#include <stddef.h>

#include "hybench/args.h"

extern const hb_option hb_matrix_options[];

/* One layout [N:]RxT: N nodes, R ranks per node, T threads per rank. */
typedef struct hb_layout {
    int nodes, ranks_per_node, threads;
} hb_layout;

/* Parse "[N:]RxT" (each >= 1). HB_EUSAGE naming opt and the text. */
int hb_layout_parse(const char *opt, const char *s, hb_layout *out);

/* "2:4x8", or "4x8" for one node. Returns buf. */
const char *hb_layout_name(const hb_layout *l, char *buf, int len);

/* The `auto` layouts for a node of `cores` cores: 1x1, then for each worker
 * count W = 2..cores every RxT with R*T = W: pure MPI (Wx1) first, then pure
 * OpenMP (1xW), then the hybrids by falling R. Writes at most max layouts
 * (out may be NULL when max is 0) and returns how many there are in all. */
size_t hb_layout_auto(int cores, hb_layout *out, size_t max);

/* argv are the words after "matrix" (argc 0 for the default matrix). self is
 * the path of the running hybench binary, used to launch runs. Returns 0 or a
 * negative HB_E code with the message already printed. */
int hb_matrix_main(int argc, char **argv, const char *self);

#endif
