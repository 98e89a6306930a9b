/* Layouts: `[N:]RxT` is N nodes, R ranks per node, T threads per rank, and
 * W = N x R x T workers. Parsed, named and generated here for every module
 * that meets one (the matrix, topo, the report, the batch script, run's
 * summary); nothing here knows about launching. */
#ifndef HYBENCH_LAYOUT_H
#define HYBENCH_LAYOUT_H

#include <stddef.h>

typedef struct hb_layout {
    int nodes, ranks_per_node, threads;
} hb_layout;

/* Longest layout name, terminator included ("100000:100000x100000"). */
#define HB_LAYOUT_NAME_MAX 32

/* Parse "[N:]RxT" (each in 1..100000). HB_EUSAGE naming opt and the text. */
int hb_layout_parse(const char *opt, const char *s, hb_layout *out);

/* "2:4x8", or "4x8" for one node. Returns buf (HB_LAYOUT_NAME_MAX bytes). */
const char *hb_layout_name(const hb_layout *l, char buf[HB_LAYOUT_NAME_MAX]);

/* Workers of the whole layout (N x R x T) and of one node (R x T). */
long hb_layout_workers(const hb_layout *l);
int hb_layout_node_workers(const hb_layout *l);

/* The `auto` layouts for a node of `cores` cores: 1x1, then for each worker
 * count W = 2..cores every RxT with R*T = W: pure MPI (Wx1) first, then pure
 * OpenMP (1xW), then the hybrids by falling R. Writes at most max layouts
 * (out may be NULL when max is 0) and returns how many there are in all. */
size_t hb_layout_auto(int cores, hb_layout *out, size_t max);

#endif
