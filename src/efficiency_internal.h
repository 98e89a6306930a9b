/* Between the parts of the report's arithmetic (efficiency.c groups and
 * summarises rows, verdict.c judges the numbers); not a public contract. */
#ifndef HYBENCH_EFFICIENCY_INTERNAL_H
#define HYBENCH_EFFICIENCY_INTERNAL_H

#include <stdbool.h>

#include "hybench/efficiency.h"

/* A serial baseline's group. */
bool hb_eff_is_serial(const hb_eff *e);

/* Speedups, intervals, readings and the fastest layouts of a summarised
 * set, each group against the serial baseline of its kernel+params.
 * HB_ENOMEM when memory runs out. */
int hb_eff_judge(hb_eff_set *s);

#endif
