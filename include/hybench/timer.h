/* The one clock of hybench: CLOCK_MONOTONIC through clock_gettime, which is
 * also what MPICH's MPI_Wtime reads on Linux; calling it directly keeps the
 * serial baseline's timed region free of MPI calls. */
#ifndef HYBENCH_TIMER_H
#define HYBENCH_TIMER_H

/* Seconds since an arbitrary fixed point. Thread-safe. */
double hb_time_now(void);

/* The clock's resolution in seconds (clock_getres). */
double hb_time_resolution(void);

#endif
