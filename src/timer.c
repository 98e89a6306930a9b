/* The monotonic clock (see timer.h). */
#define _POSIX_C_SOURCE 200809L
#include "hybench/timer.h"

#include <time.h>

double hb_time_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double hb_time_resolution(void) {
    struct timespec ts;
    if (clock_getres(CLOCK_MONOTONIC, &ts) != 0)
        return 1e-6;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double hb_time_cost(void) {
    double best = 1;
    for (int batch = 0; batch < 16; batch++) {
        double t0 = hb_time_now(), t = t0;
        for (int i = 0; i < 1000; i++)
            t = hb_time_now();
        if ((t - t0) / 1000 < best)
            best = (t - t0) / 1000;
    }
    return best;
}
