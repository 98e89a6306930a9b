/* The mc kernel's internals, public so the tests can drive them directly:
 * the Metropolis simulation of one parameter point, the exact lattice value,
 * the point list (product, zip or a CSV file of points), per-point file names
 * and the .dat format with its writer and reader.
 *
 * A point is one task. Its random stream is Philox4x32-10 keyed by the run's
 * seed, with the point's identity (a hash of its beta, m and h) in the
 * counter, so a point's file depends on the point, its sweeps, slices and the
 * seed alone: not on who ran it, nor on which other points share the scan.
 *
 * Every function is thread-safe for distinct arguments; none prints. */
#ifndef HYBENCH_MC_H
#define HYBENCH_MC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hybench/parse.h"
#include "hybench/points.h"

#define HB_MC_SLICES_MAX ((uint64_t)1 << 24)
#define HB_MC_ITERATIONS_MAX ((uint64_t)1000000000)
#define HB_MC_POINTS_MAX ((size_t)10000000)
/* The error bar (see hb_mc_simulate). tau_int is summed over Sokal's
 * automatic window, the first W with W >= HB_MC_WINDOW_C * tau_int(W); bins
 * are ceil(HB_MC_BIN_TAUS * tau_int) sweeps long; a point is well mixed with
 * at least HB_MC_MIN_BINS of them. The measured series is kept in blocks of
 * s sweeps (s a power of two) so that at most HB_MC_SERIES_MAX values are
 * held: s = 1 up to 65536 measured sweeps. */
#define HB_MC_WINDOW_C 6
#define HB_MC_BIN_TAUS 10
#define HB_MC_MIN_BINS 64
#define HB_MC_SERIES_MAX ((uint64_t)1 << 16)
/* Longest .dat file name, terminator included. */
#define HB_MC_NAME_MAX (3 * 32 + 16)

typedef struct hb_mc_point {
    double beta, m, h;
    uint64_t iterations; /* sweeps in all, thermalisation included */
    uint64_t thermalize; /* leading sweeps discarded, < iterations */
    uint64_t slices;     /* lattice sites, >= 2 */
} hb_mc_point;

/* Why a point's error bar cannot be trusted; HB_MC_MIXED means it can. */
typedef enum hb_mc_mixing {
    HB_MC_MIXED = 0,
    HB_MC_FROZEN = 1,     /* no move was accepted: the series is constant */
    HB_MC_FEW_SWEEPS = 2, /* fewer measured sweeps than HB_MC_MIN_BINS */
    HB_MC_WINDOW = 3,     /* tau_int's window reached its limit unconverged */
    HB_MC_CORRELATED = 4, /* fewer than HB_MC_MIN_BINS bins of HB_MC_BIN_TAUS tau_int */
} hb_mc_mixing;
#define HB_MC_NMIXING 5

typedef struct hb_mc_result {
    /* Measured. */
    uint64_t accepted;   /* accepted updates during the measured sweeps */
    double tau_int;      /* integrated autocorrelation time of the series, in sweeps */
    uint64_t tau_window; /* sweeps summed for tau_int (0: constant series) */
    uint64_t bins;       /* batch means used: measured sweeps / bin_length */
    uint64_t bin_length; /* hb_mc_bin_length(); leading surplus sweeps are left out */
    double x2;           /* mean over the bins of the per-sweep site average of x^2 */
    double x2_err;       /* standard error from the spread of the bin means */
    /* Derived by hb_mc_finish() from the above and the point. */
    double acceptance; /* accepted / ((iterations - thermalize) * slices) */
    double exact;      /* hb_mc_exact() */
    double deviation;  /* (x2 - exact) / x2_err, 0 when x2_err is 0 */
    hb_mc_mixing mixing;
} hb_mc_result;

/* The exact lattice <x^2> of the periodic harmonic chain:
 * (1/N) sum_k a / (m (4 sin^2(pi k / N) + a^2)), a = beta / N, N = slices. */
double hb_mc_exact(double beta, double m, uint64_t slices);

/* The 64-bit identity of a point for its random stream (beta, m, h only). */
uint64_t hb_mc_point_id(const hb_mc_point *p);

/* Philox4x32-10 as the simulation computes it, for the tests to hold against
 * Random123's philox4x32: out = philox(ctr, key = (seed low, seed high)). */
void hb_mc_philox(const uint32_t ctr[4], uint64_t seed, uint32_t out[4]);

/* Run one point: cold start, p->iterations sweeps of checkerboard Metropolis,
 * the first p->thermalize discarded. Fills the measured fields of *r (tau_int
 * by hb_mc_tau_sokal() over the measured series, then batch means over bins of
 * hb_mc_bin_length() sweeps) and calls hb_mc_finish(). trace, when not NULL,
 * receives the site average of x^2 after every sweep (p->iterations values,
 * thermalisation included). Holds at most HB_MC_SERIES_MAX doubles besides
 * the lattice. Returns 0 or HB_ENOMEM. */
int hb_mc_simulate(const hb_mc_point *p, uint64_t seed, hb_mc_result *r, double *trace);

/* Fill the derived fields of *r. */
void hb_mc_finish(const hb_mc_point *p, hb_mc_result *r);

/* Sweeps per stored value of the measured series: the smallest power of two
 * s with measured / s <= HB_MC_SERIES_MAX. */
uint64_t hb_mc_series_step(uint64_t measured);

/* Bin length in sweeps for tau_int: ceil(HB_MC_BIN_TAUS * tau_int), at least
 * one sweep, rounded up to a multiple of the series step, at most the whole
 * stored series. */
uint64_t hb_mc_bin_length(uint64_t measured, double tau_int);

/* Sokal's estimate over y[0..n-1]: tau = 1/2 + sum_{t=1..W} rho(t), with
 * rho(t) = C(t)/C(0), C(t) = sum_i (y_i - mean)(y_{i+t} - mean) / (n - t) and
 * C(0) normalised by n; W is the first lag with W >= HB_MC_WINDOW_C * tau(W),
 * or wmax when none is. A constant series gives tau = 0, W = 0. Returns
 * HB_ENOMEM or 0. */
int hb_mc_tau_sokal(const double *y, size_t n, size_t wmax, double *tau, size_t *window);

/* One line: "well mixed", "no move accepted", ... */
const char *hb_mc_mixing_text(hb_mc_mixing m);

/* --- the point list ------------------------------------------------------ */

/* Defaults that every point of a list gets; thermalize == UINT64_MAX means
 * "iterations / 10 of each point". */
typedef struct hb_mc_defaults {
    uint64_t iterations, thermalize, slices;
} hb_mc_defaults;

/* mc points from generic points (points.h): parameters beta, m and h (in a
 * table all three must be columns) and optionally iterations and slices,
 * taken in the points' order. Values must be numbers, beta, m and h > 0; a
 * point given twice is refused (one point, one file); other names are
 * HB_EUSAGE naming the option or the file's header. *out is malloc'd. */
int hb_mc_points_from(const hb_points *pts, const hb_mc_defaults *d, hb_mc_point **out, size_t *n);

/* Points from three value lists: the product in the lesson's order (beta
 * outermost, then m, then h), or with zip element by element, where a list of
 * one value is repeated and any other difference in length is HB_EUSAGE.
 * Values must be > 0; a point given twice is refused (one point, one file).
 * *out is malloc'd. */
int hb_mc_points_from_lists(const hb_dlist *beta, const hb_dlist *m, const hb_dlist *h, bool zip,
                            const hb_mc_defaults *d, hb_mc_point **out, size_t *n);

/* Points from CSV text (file name `name` for messages): a header naming the
 * columns beta, m, h in any order and optionally iterations and slices, then
 * one point per line; blank lines and lines starting with '#' are skipped.
 * Errors are HB_EUSAGE naming the file and line. *out is malloc'd. */
int hb_mc_points_parse(const char *name, const char *text, size_t len, const hb_mc_defaults *d,
                       hb_mc_point **out, size_t *n);

/* As hb_mc_points_parse, reading the file (HB_EUSAGE when it cannot be read). */
int hb_mc_points_read(const char *path, const hb_mc_defaults *d, hb_mc_point **out, size_t *n);

/* --- files --------------------------------------------------------------- */

/* "b{beta}_m{m}_h{h}.dat" with Python's repr of each number. Returns buf. */
char *hb_mc_file_name(char buf[HB_MC_NAME_MAX], const hb_mc_point *p);

/* A .dat file's contents, as written and as read back. */
typedef struct hb_mc_file {
    hb_mc_point point;
    uint64_t seed;
    hb_mc_result result;
    double *trace; /* NULL, or point.iterations values (owned) */
} hb_mc_file;

/* The text of a .dat file (no timing: identical for identical inputs).
 * *text is malloc'd and NUL-terminated. Returns 0 or HB_ENOMEM. */
int hb_mc_format(const hb_mc_file *f, char **text, size_t *len);

/* Parse .dat text of len bytes (any bytes; need not be NUL-terminated).
 * Returns 0, or HB_EIO with a message saying what is wrong; on success the
 * caller frees with hb_mc_file_free(). Accepts exactly what hb_mc_format()
 * writes: the text must re-format to the same bytes. */
int hb_mc_parse(const char *text, size_t len, hb_mc_file *out);
void hb_mc_file_free(hb_mc_file *f);

/* Remove the temporaries in dir that writers killed before
 * their rename() left behind: ".NAME.dat.tmpPID.HOST" files of this HOST
 * (and untagged ".NAME.dat.tmpPID" ones) whose PID no longer exists, i.e.
 * kill(PID, 0) fails with ESRCH. A live writer's file, or another machine's,
 * is left alone. *removed counts the files removed. HB_EIO when dir cannot be
 * read. Safe to run from several processes at once. */
int hb_mc_clean_temps(const char *dir, uint64_t *removed);

/* For --resume: 1 when dir/<name of p> exists, parses and holds exactly this
 * point (beta, m, h, iterations, thermalize, slices), seed and trace choice;
 * then *r is its result. 0 otherwise (missing, torn, stale: recompute). */
int hb_mc_resume(const char *dir, const hb_mc_point *p, uint64_t seed, bool trace, hb_mc_result *r);

#endif
