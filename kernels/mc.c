/* The mc kernel: the lesson's Monte Carlo parameter scan as a parallel map.
 * Each point (beta, m, h) is one task that runs a Metropolis simulation of the
 * harmonic oscillator's path integral (mc_sim.c) and writes its .dat file
 * (mc_io.c); the points come from lists or a CSV file (mc_points.c). reduce
 * gathers the per-point summaries on rank 0 and verify compares every point
 * with the exact lattice value.
 *
 * Verdict: a point is "within" when |x2 - exact| <= 5 x2_err. A point is
 * flagged, not checked, when its error bar cannot be trusted (see
 * hb_mc_mixing: no move accepted, tau_int's window unconverged, or fewer than
 * 64 bins of 10 tau_int; typically a small spacing a = beta/slices, whose
 * long-wavelength modes move diffusively, or a large h, where almost every
 * proposal is refused). Any well-mixed point outside 5 sigma fails the run;
 * otherwise any flagged or missing point leaves it unverified. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/kernel.h"
#include "hybench/mc.h"
#include "hybench/parse.h"
#include "hybench/points.h"

#define MC_SIGMAS 5.0
/* Points named per category in the report; the .dat files hold them all. */
#define MC_REPORT_NAMES 20

enum { U_DONE, U_ACCEPTED, U_BINS, U_BIN_LENGTH, U_WINDOW, U_SKIPPED, NU };
enum { D_X2, D_ERR, D_TAU, ND };

typedef struct mc_state {
    hb_mc_point *pts;
    size_t n;
    uint64_t seed;
    bool resume, trace;
    char *out_dir;
    uint64_t *u; /* NU per point; only the points this rank ran are non-zero */
    double *d;   /* ND per point */
    bool begun;
    bool skip;              /* this repeat takes finished points from their files (--resume) */
    uint64_t temps_removed; /* stale temporaries this rank removed (--resume) */
    uint64_t temps_total;   /* ... summed over the ranks by reduce, on rank 0 */
} mc_state;

static const hb_option mc_options[] = {
    {"beta", "LIST...",
     "Euclidean time extents: a,b,c or start:stop:step; repeatable (default 1.0)"},
    {"m", "LIST...", "masses, as --beta (default 1.0)"},
    {"h", "LIST...", "half-widths of the uniform Metropolis proposal, as --beta (default 1.0)"},
    HB_POINTS_OPTION_PARAM,
    {"zip", NULL, "pair the lists element by element (one value repeats) instead of the product"},
    {"points", "FILE",
     "CSV of points: header beta,m,h[,iterations][,slices]; not with --beta/--m/--h/--param"},
    {"slices", "N", "lattice sites, spacing beta/N (default 64)"},
    {"iterations", "N", "sweeps per point, thermalisation included (default 10000)"},
    {"thermalize", "N", "leading sweeps discarded (default iterations/10 of each point)"},
    {"out-dir", "DIR", "directory of the per-point .dat files (default mc_data)"},
    {"trace", NULL, "add the per-sweep <x^2> series to every .dat file"},
    {NULL, NULL, NULL},
};

/* The points: --points FILE, or the --beta --m --h shorthands (in the
 * lesson's order, beta outermost; a repeated one appends) followed by any
 * --param lists, with 1.0 for beta, m or h when none is given. */
static int build_points(const hb_args *args, const hb_mc_defaults *d, mc_state *st) {
    static const char *const names[] = {"beta", "m", "h"};
    static const char *const opts[] = {"--beta", "--m", "--h"};
    hb_points pts = {0};
    const char *file = hb_args_get(args, "points");
    int rc = 0;
    if (file) {
        static const char *const lists[] = {"beta", "m", "h", "zip", "param"};
        for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
            if (hb_args_has(args, lists[i]))
                return hb_fail(HB_EUSAGE,
                               "--points: cannot be combined with --%s (the file "
                               "gives every point)",
                               lists[i]);
        rc = hb_points_read(&pts, file);
    } else {
        for (int k = 0; k < 3 && !rc; k++)
            for (size_t i = 0; i < hb_args_count(args, names[k]) && !rc; i++)
                rc = hb_points_add(&pts, opts[k], names[k], hb_args_nth(args, names[k], i));
        for (size_t i = 0; i < hb_args_count(args, "param") && !rc; i++) {
            const char *arg = hb_args_nth(args, "param", i);
            for (int k = 0; k < 3 && !rc; k++)
                if (strncmp(arg, names[k], strlen(names[k])) == 0 && arg[strlen(names[k])] == '=' &&
                    hb_args_has(args, names[k]))
                    rc = hb_fail(HB_EUSAGE, "--param %s: also given as %s (give one)", names[k],
                                 opts[k]);
            if (!rc)
                rc = hb_points_add_param(&pts, arg);
        }
        for (int k = 0; k < 3 && !rc; k++)
            if (hb_points_find(&pts, names[k]) < 0)
                rc = hb_points_add(&pts, opts[k], names[k], "1.0");
        if (!rc)
            rc = hb_points_combine(&pts, hb_args_has(args, "zip"));
    }
    if (!rc)
        rc = hb_mc_points_from(&pts, d, &st->pts, &st->n);
    hb_points_free(&pts);
    return rc;
}

/* "points=324 iterations=10000 thermalize=1000 slices=64 seed=1 scan=..." where a
 * setting that varies between points reads "varied" and scan hashes the list. */
static void make_params(const mc_state *st, char *params, size_t len) {
    uint64_t it = st->pts[0].iterations, th = st->pts[0].thermalize, sl = st->pts[0].slices;
    bool vit = false, vth = false, vsl = false;
    uint64_t hash = 0xcbf29ce484222325u;
    for (size_t i = 0; i < st->n; i++) {
        const hb_mc_point *p = &st->pts[i];
        vit |= p->iterations != it;
        vth |= p->thermalize != th;
        vsl |= p->slices != sl;
        uint64_t w[4] = {hb_mc_point_id(p), p->iterations, p->thermalize, p->slices};
        for (int k = 0; k < 4; k++)
            hash = (hash ^ w[k]) * 0x100000001b3u;
    }
    char a[24], b[24], c[24];
    snprintf(a, sizeof a, "%" PRIu64, it);
    snprintf(b, sizeof b, "%" PRIu64, th);
    snprintf(c, sizeof c, "%" PRIu64, sl);
    snprintf(params, len,
             "points=%zu iterations=%s thermalize=%s slices=%s seed=%" PRIu64
             " trace=%d scan=%016" PRIx64,
             st->n, vit ? "varied" : a, vth ? "varied" : b, vsl ? "varied" : c, st->seed,
             (int)st->trace, hash);
}

static void mc_destroy(void *state) {
    mc_state *st = state;
    if (!st)
        return;
    free(st->pts);
    free(st->out_dir);
    free(st->u);
    free(st->d);
    free(st);
}

/* The options into st: defaults, points and the output directory (no
 * per-point arrays yet). */
static int read_options(const hb_args *args, const hb_kernel_cfg *cfg, mc_state *st) {
    hb_mc_defaults d = {.iterations = 10000, .thermalize = UINT64_MAX, .slices = 64};
    const char *s;
    size_t v;
    int rc;
    if ((s = hb_args_get(args, "iterations"))) {
        if ((rc = hb_parse_size("--iterations", s, 1, HB_MC_ITERATIONS_MAX, &v)))
            return rc;
        d.iterations = v;
    }
    if ((s = hb_args_get(args, "thermalize"))) {
        if ((rc = hb_parse_size("--thermalize", s, 0, HB_MC_ITERATIONS_MAX - 1, &v)))
            return rc;
        d.thermalize = v;
    }
    if ((s = hb_args_get(args, "slices"))) {
        if ((rc = hb_parse_size("--slices", s, 2, HB_MC_SLICES_MAX, &v)))
            return rc;
        d.slices = v;
    }
    st->seed = cfg->seed;
    st->resume = cfg->resume;
    st->trace = hb_args_has(args, "trace");
    if (!(s = hb_args_get(args, "out-dir")))
        s = "mc_data";
    if (!s[0])
        return hb_fail(HB_EUSAGE, "--out-dir: '' is not a directory name");
    /* Refused now rather than at the first point's file, after the work. */
    if (strlen(s) + HB_MC_NAME_MAX + 80 >= PATH_MAX)
        return hb_fail(HB_EUSAGE,
                       "--out-dir: a path of %zu bytes leaves no room for the file names",
                       strlen(s));
    if (!(st->out_dir = strdup(s)))
        return hb_fail(HB_ENOMEM, "mc: out of memory");
    return build_points(args, &d, st);
}

/* Per site update, one core (docs/mc.md: 4.7-5.3 ns measured): the
 * up-front size check only needs the order of magnitude. */
#define MC_SECONDS_PER_UPDATE 6e-9

static int mc_plan(const hb_args *args, const hb_kernel_cfg *cfg, hb_kernel_plan *out) {
    mc_state st = {0};
    int rc = read_options(args, cfg, &st);
    if (!rc) {
        char params[256];
        make_params(&st, params, sizeof params);
        out->ntasks = st.n;
        out->work_s = 0;
        for (size_t i = 0; i < st.n; i++)
            out->work_s += (double)st.pts[i].iterations * (double)st.pts[i].slices;
        out->work_s *= MC_SECONDS_PER_UPDATE;
        if (!(out->params = strdup(params)))
            rc = hb_fail(HB_ENOMEM, "mc: out of memory");
    }
    free(st.pts);
    free(st.out_dir);
    return rc;
}

static int mc_create(const hb_args *args, const hb_kernel_cfg *cfg, void **out) {
    mc_state *st = calloc(1, sizeof *st);
    if (!st)
        return hb_fail(HB_ENOMEM, "mc: out of memory");
    int rc = read_options(args, cfg, st);
    if (rc)
        goto out_state;
    st->u = calloc(st->n * NU, sizeof *st->u);
    st->d = calloc(st->n * ND, sizeof *st->d);
    if (!st->u || !st->d) {
        rc = hb_fail(HB_ENOMEM, "mc: out of memory for %zu points", st->n);
        goto out_state;
    }
    *out = st;
    return 0;
out_state:
    mc_destroy(st);
    return rc;
}

/* Untimed: forget the last repeat and make sure the output directory exists.
 * The first begin also removes the temporaries of writers that were killed;
 * every rank does it for its own host, before any task of this run has
 * written one (the harness agrees on begin's result collectively). With
 * --resume only the first repetition (a warm-up, or the first timed one)
 * takes finished points from their files: it completes the scan, and every
 * later repetition computes the whole map, so its time is the map's. */
static int mc_begin(void *state) {
    mc_state *st = state;
    memset(st->u, 0, st->n * NU * sizeof *st->u);
    memset(st->d, 0, st->n * ND * sizeof *st->d);
    int rc = hb_mkdir_p("--out-dir", st->out_dir);
    if (!rc && !st->begun)
        rc = hb_mc_clean_temps(st->out_dir, &st->temps_removed);
    st->skip = st->resume && !st->begun;
    st->begun = true;
    return rc;
}

static void store(mc_state *st, size_t i, const hb_mc_result *r) {
    uint64_t *u = &st->u[i * NU];
    double *d = &st->d[i * ND];
    u[U_ACCEPTED] = r->accepted;
    u[U_BINS] = r->bins;
    u[U_BIN_LENGTH] = r->bin_length;
    u[U_WINDOW] = r->tau_window;
    d[D_X2] = r->x2;
    d[D_ERR] = r->x2_err;
    d[D_TAU] = r->tau_int;
    u[U_DONE] = 1;
}

static int mc_task(void *state, size_t i, const hb_worker *w) {
    (void)w; /* the result depends on the point alone */
    mc_state *st = state;
    const hb_mc_point *p = &st->pts[i];
    hb_mc_file f = {.point = *p, .seed = st->seed};
    if (st->skip && hb_mc_resume(st->out_dir, p, st->seed, st->trace, &f.result)) {
        store(st, i, &f.result);
        st->u[i * NU + U_SKIPPED] = 1;
        return 0;
    }
    if (st->trace && !(f.trace = malloc((size_t)p->iterations * sizeof *f.trace)))
        return hb_fail(HB_ENOMEM, "--trace: no memory for %" PRIu64 " sweeps", p->iterations);
    int rc = hb_mc_simulate(p, st->seed, &f.result, f.trace);
    char *text = NULL;
    size_t len;
    if (!rc)
        rc = hb_mc_format(&f, &text, &len);
    if (!rc) {
        /* No fsync: a file torn by a crash fails hb_mc_parse, so --resume redoes it. */
        char name[HB_MC_NAME_MAX], path[PATH_MAX];
        rc =
            hb_path(path, sizeof path, "--out-dir", "%s/%s", st->out_dir, hb_mc_file_name(name, p));
        if (!rc)
            rc = hb_write_atomic("mc", path, text, len, 0666, false);
    }
    if (!rc)
        store(st, i, &f.result);
    free(text);
    hb_mc_file_free(&f);
    return rc;
}

/* Each point ran on exactly one worker and is zero elsewhere, so a sum gives
 * every value exactly. */
static int mc_reduce(void *state, MPI_Comm comm) {
    mc_state *st = state;
    st->temps_total = st->temps_removed;
    if (comm == MPI_COMM_NULL)
        return 0;
    int rank;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "mc: MPI_Comm_rank failed");
    const size_t step = (size_t)INT_MAX / 2;
    size_t nu = st->n * NU, nd = st->n * ND;
    for (size_t o = 0; o < nu; o += step) {
        int c = (int)(nu - o < step ? nu - o : step);
        if (MPI_Reduce(rank ? st->u + o : MPI_IN_PLACE, st->u + o, c, MPI_UINT64_T, MPI_SUM, 0,
                       comm) != MPI_SUCCESS)
            return hb_fail(HB_EMPI, "mc: MPI_Reduce of the point summaries failed");
    }
    if (MPI_Reduce(&st->temps_removed, &st->temps_total, 1, MPI_UINT64_T, MPI_SUM, 0, comm) !=
        MPI_SUCCESS)
        return hb_fail(HB_EMPI, "mc: MPI_Reduce of the temporary file count failed");
    for (size_t o = 0; o < nd; o += step) {
        int c = (int)(nd - o < step ? nd - o : step);
        if (MPI_Reduce(rank ? st->d + o : MPI_IN_PLACE, st->d + o, c, MPI_DOUBLE, MPI_SUM, 0,
                       comm) != MPI_SUCCESS)
            return hb_fail(HB_EMPI, "mc: MPI_Reduce of the point summaries failed");
    }
    return 0;
}

static int mc_verify(void *state, hb_verdict *v) {
    mc_state *st = state;
    size_t within = 0, flagged = 0, failed = 0, missing = 0, nflag = 0, nfail = 0;
    char first_flag[HB_MC_NAME_MAX] = "", first_fail[HB_MC_NAME_MAX] = "";
    hb_str lines = {0};
    for (size_t i = 0; i < st->n; i++) {
        const uint64_t *u = &st->u[i * NU];
        const double *d = &st->d[i * ND];
        const hb_mc_point *p = &st->pts[i];
        v->skipped += u[U_SKIPPED];
        if (!u[U_DONE]) {
            missing++;
            continue;
        }
        hb_mc_result r = {.accepted = u[U_ACCEPTED],
                          .bins = u[U_BINS],
                          .bin_length = u[U_BIN_LENGTH],
                          .tau_window = u[U_WINDOW],
                          .x2 = d[D_X2],
                          .x2_err = d[D_ERR],
                          .tau_int = d[D_TAU]};
        hb_mc_finish(p, &r);
        bool in = r.x2_err > 0 && r.deviation >= -MC_SIGMAS && r.deviation <= MC_SIGMAS;
        within += in;
        char name[HB_MC_NAME_MAX];
        hb_mc_file_name(name, p);
        if (r.mixing != HB_MC_MIXED) {
            flagged++;
            if (!first_flag[0])
                strcpy(first_flag, name);
            if (nflag++ < MC_REPORT_NAMES)
                hb_str_addf(&lines,
                            "  flagged %s: %s (acceptance %.3g, tau_int %.3g sweeps, %" PRIu64
                            " bins of %" PRIu64 "; %+.2f sigma)\n",
                            name, hb_mc_mixing_text(r.mixing), r.acceptance, r.tau_int, r.bins,
                            r.bin_length, r.deviation);
        } else if (!in) {
            failed++;
            if (!first_fail[0])
                strcpy(first_fail, name);
            if (nfail++ < MC_REPORT_NAMES)
                hb_str_addf(&lines, "  FAILED  %s: x2 %.6g +- %.2g, exact %.6g: %+.2f sigma\n",
                            name, r.x2, r.x2_err, r.exact, r.deviation);
        }
    }
    snprintf(v->result, sizeof v->result, "points=%zu within5sigma=%zu flagged=%zu failed=%zu",
             st->n, within, flagged, failed);
    if (missing)
        snprintf(v->result + strlen(v->result), sizeof v->result - strlen(v->result),
                 " missing=%zu", missing);
    hb_str rep = {0};
    hb_str_addf(&rep,
                "mc: %zu point%s in %s/: %zu within %g sigma of the exact lattice <x^2>, %zu "
                "poorly mixed (flagged, not checked), %zu failed, %zu not run\n",
                st->n, st->n == 1 ? "" : "s", st->out_dir, within, MC_SIGMAS, flagged, failed,
                missing);
    if (st->temps_total)
        hb_str_addf(&rep,
                    "  removed %" PRIu64 " stale temporary file%s of killed writers from %s/\n",
                    st->temps_total, st->temps_total == 1 ? "" : "s", st->out_dir);
    if (lines.p)
        hb_str_addf(&rep, "%s", lines.p);
    if (nflag + nfail > 2 * MC_REPORT_NAMES || nflag > MC_REPORT_NAMES || nfail > MC_REPORT_NAMES)
        hb_str_addf(&rep, "  ... every point's verdict is the 'mixing' line of its .dat file\n");
    if (rep.p && rep.len && rep.p[rep.len - 1] == '\n')
        rep.p[--rep.len] = '\0';
    v->report = rep.p;
    free(lines.p);
    if (failed) {
        v->status = HB_FAILED;
        snprintf(v->why, sizeof v->why,
                 "%zu well-mixed point%s outside %g sigma of the exact value (first %s)", failed,
                 failed == 1 ? "" : "s", MC_SIGMAS, first_fail);
    } else if (flagged || missing) {
        v->status = HB_UNVERIFIED;
        if (flagged)
            snprintf(v->why, sizeof v->why,
                     "%zu poorly mixed point%s not checked (small beta/slices or large h "
                     "mixes slowly: more sweeps; first %s)%s",
                     flagged, flagged == 1 ? "" : "s", first_flag,
                     missing ? "; some points not run" : "");
        else
            snprintf(v->why, sizeof v->why, "%zu point%s not run", missing,
                     missing == 1 ? "" : "s");
    } else {
        v->status = HB_VERIFIED;
    }
    return 0;
}

const hb_kernel hb_kernel_mc = {
    .name = "mc",
    .summary = "Metropolis path-integral scan over (beta, m, h), one .dat file per point",
    .options = mc_options,
    .flags = 0,
    .plan = mc_plan,
    .create = mc_create,
    .begin = mc_begin,
    .task = mc_task,
    .reduce = mc_reduce,
    .verify = mc_verify,
    .destroy = mc_destroy,
};
