/* Driving a kernel through its contract as the harness does, without MPI:
 * plan, then create. */
#ifndef HYBENCH_TESTS_KERNEL_UTIL_H
#define HYBENCH_TESTS_KERNEL_UTIL_H

#include "hybench/kernel.h"

/* Plan and create k from parsed args (cfg.comm is forced to MPI_COMM_NULL).
 * On success *plan holds the task count and params (free it with
 * hb_kernel_plan_free) and *state the kernel; on failure both are empty and
 * the code is plan's or create's. */
static inline int hb_test_create(const hb_kernel *k, const hb_args *a, hb_kernel_cfg cfg,
                                 hb_kernel_plan *plan, void **state) {
    cfg.comm = MPI_COMM_NULL;
    *plan = (hb_kernel_plan){0};
    *state = NULL;
    int rc = k->plan(a, &cfg, plan);
    if (!rc && (rc = k->create(a, &cfg, state)) != 0)
        hb_kernel_plan_free(plan);
    return rc;
}

#endif
