/* Plots of a report: a gnuplot script (efficiency.gp) with the data inline,
 * drawing speedup and efficiency against workers per kernel configuration
 * with the ideal bound, rendered to efficiency.svg and efficiency.png. */
#ifndef HYBENCH_PLOT_H
#define HYBENCH_PLOT_H

#include "hybench/efficiency.h"

/* Write dir/efficiency.gp, then run gnuplot on it in dir. Returns 0 when the
 * plots were made, 1 when gnuplot is not installed (the script is still
 * there), 2 when there is nothing to plot (no parallel run with a serial
 * baseline), or a negative HB_E code with a message naming the file. */
int hb_plot_write(const hb_eff_set *s, const char *dir);

/* Run gnuplot on dir/script in dir (its output in dir/gnuplot.log): 0 done,
 * 1 gnuplot is not installed, HB_EIO naming the script if it failed. */
int hb_plot_run_gnuplot(const char *dir, const char *script);

#endif
