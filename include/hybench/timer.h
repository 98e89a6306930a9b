/* The one clock of hybench: CLOCK_MONOTONIC through clock_gettime, which is
 * also what MPICH's MPI_Wtime reads on Linux; calling it directly keeps the
 * serial baseline's timed region free of MPI calls. */
#ifndef HYBENCH_TIMER_H
#define HYBENCH_TIMER_H

/* Seconds since an arbitrary fixed point. Thread-safe. */
double hb_time_now(void);

/* The clock's resolution in seconds (clock_getres). */
double hb_time_resolution(void);

/* What one hb_time_now() call costs, in seconds: the least mean interval of
 * back-to-back calls over a few batches (a few hundred microseconds to
 * measure). */
double hb_time_cost(void);

#endif
