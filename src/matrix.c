/* `hybench matrix`: the outline. Plan the matrix (matrix_plan.c), take its
 * results directory for this process alone, end launches an earlier matrix
 * of that directory left behind, then run rounds: every configuration,
 * serial baselines included, launched once per round in an order shuffled
 * anew each round, each launch only for the repeats runs.csv still lacks
 * (jobs.c). Rows land in runs.csv as launches complete; the report is made
 * at the end. Never initialises MPI itself. */
#define _DEFAULT_SOURCE /* flock, strdup */
#include "hybench/matrix.h"
#include "matrix.h"

#include "hybench/efficiency.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/meta.h"
#include "hybench/report.h"
#include "hybench/signals.h"
#include "hybench/timer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int hb_matrix_keep_previous(const char *dir, char *kept, size_t len) {
    struct stat st;
    if (kept && len)
        kept[0] = '\0';
    if (stat(dir, &st) != 0)
        return 0;
    char to[PATH_MAX];
    for (int n = 1; n < 100000; n++) {
        int rc = hb_path(to, sizeof to, "--out", "%s.%d", dir, n);
        if (rc)
            return rc;
        if (stat(to, &st) != 0 && errno == ENOENT) {
            if (rename(dir, to) != 0)
                return hb_fail(HB_EIO, "cannot keep the previous default matrix as '%s': %s", to,
                               strerror(errno));
            if (kept)
                snprintf(kept, len, "%s", to);
            return 0;
        }
    }
    return hb_fail(HB_EIO, "%s: too many previous default matrices kept", dir);
}

/* One matrix per results directory: an exclusive flock on DIR/.lock for the
 * matrix's whole life (the descriptor is close-on-exec, so launches do not
 * hold it after the matrix is gone). Returns the descriptor or a negative
 * code. */
static int take_lock(const hb_mplan *p) {
    char path[PATH_MAX];
    int rc = hb_path(path, sizeof path, "--out", "%s/.lock", p->dir);
    if (rc)
        return rc;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return hb_fail(HB_EIO, "%s: cannot create: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char owner[32] = "";
        ssize_t n = pread(fd, owner, sizeof owner - 1, 0);
        owner[n > 0 ? n : 0] = '\0';
        owner[strcspn(owner, "\n")] = '\0';
        close(fd);
        return hb_fail(HB_EUSAGE,
                       "--name %s: %s is in use by another hybench matrix (pid %s); wait for "
                       "it, or choose another --name",
                       p->name, p->dir, owner[0] ? owner : "?");
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        close(fd);
        return hb_fail(HB_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    return fd;
}

/* The directory before anything runs: a new matrix must not mix its rows
 * with an old one's; a resumed one completes it. */
static int prepare_dir(const hb_mplan *p) {
    int rc;
    char kept[PATH_MAX];
    if (p->is_default && (rc = hb_matrix_keep_previous(p->dir, kept, sizeof kept)))
        return rc;
    if (p->is_default && kept[0])
        printf("the previous default matrix is kept in %s\n", kept);
    if (!p->resume && access(p->runs, F_OK) == 0)
        return hb_fail(HB_EUSAGE,
                       "--name %s: %s already holds a matrix; --resume completes it, or choose "
                       "another --name",
                       p->name, p->runs);
    if (p->resume && access(p->runs, F_OK) != 0) {
        /* A matrix stopped before its first row leaves its directory without
         * runs.csv: everything is missing, so everything runs. No directory
         * at all is a --name that never ran (a typo, most likely). */
        if (access(p->dir, F_OK) != 0)
            return hb_fail(HB_EUSAGE, "--resume: %s does not exist: no matrix of that --name ran",
                           p->dir);
        printf("resume: %s holds no rows yet; running the whole matrix\n", p->dir);
    }
    return hb_mkdir_p("--out", p->dir);
}

static int write_meta(const hb_mplan *p, const hb_topo *topo) {
    char path[PATH_MAX];
    int rc = hb_path(path, sizeof path, "--out", "%s/meta", p->dir);
    if (rc)
        return rc;
    hb_str x = {0};
    hb_str_addf(&x, "matrix_rounds: %d%s\n", p->rounds,
                p->precision > 0 ? " (more with --precision)" : "");
    hb_str_addf(&x, "matrix_order: %s\n", p->random_order ? "random" : "fixed");
    hb_str_addf(&x, "matrix_order_seed: %" PRIu64 "\n", p->order_seed);

    rc = x.failed ? hb_fail(HB_ENOMEM, "out of memory") : hb_meta_write_file(path, topo, x.p);
    hb_str_free(&x);
    return rc;
}

/* The most chunk values of one configuration: how many parts a job can
 * split into on resume. */
static size_t max_chunks(const hb_mplan *p) {
    size_t m = 1;
    for (size_t k = 0; k < p->nkernels; k++)
        m = p->kernels[k].nchunks > m ? p->kernels[k].nchunks : m;
    return m;
}

static int dry_run(const hb_mplan *p) {
    size_t n = hb_jobs_round(p, 1, NULL);
    hb_job *jobs = calloc(n ? n : 1, sizeof *jobs);
    if (!jobs)
        return hb_fail(HB_ENOMEM, "out of memory");
    hb_jobs_round(p, 1, jobs);
    hb_done d = {0};
    int rc = p->resume ? hb_done_load(p->runs, &d) : 0;
    hb_job *parts = calloc(max_chunks(p), sizeof *parts);
    printf("# round 1 of %d in the fixed order; with --order random each round is shuffled\n",
           p->rounds);
    for (size_t i = 0; i < n && !rc; i++) {
        hb_launch_argv av;
        if ((rc = hb_job_argv(p, &jobs[i], "DRYRUN", &av)))
            break;
        for (size_t w = 0; w < av.n; w++)
            printf("%s%s", w ? " " : "", av.v[w]);
        size_t np = 1;
        if (p->resume && parts)
            hb_job_remaining(p, &d, &jobs[i], parts, &np);
        printf("%s\n", np == 0 ? "   # done, skipped by --resume" : "");
        hb_launch_argv_free(&av);
    }
    free(parts);
    hb_done_free(&d);
    free(jobs);
    return rc;
}

/* One round: every job once (in a shuffled order unless --order fixed),
 * each only for what runs.csv lacks. Counts what it did in *ran, *skipped,
 * *failed. */
static int run_round(const hb_mplan *p, int round, hb_progress *g, size_t *ran, size_t *skipped,
                     size_t *failed, size_t *seq) {
    size_t n = hb_jobs_round(p, round, NULL);
    hb_job *jobs = calloc(n ? n : 1, sizeof *jobs);
    hb_job *parts = calloc(max_chunks(p), sizeof *parts);
    int rc = jobs && parts ? 0 : hb_fail(HB_ENOMEM, "out of memory");
    if (!rc) {
        hb_jobs_round(p, round, jobs);
        if (p->random_order)
            hb_jobs_shuffle(jobs, n, p->order_seed, round);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        if (hb_interrupted()) {
            rc = hb_fail(HB_EINTR, "interrupted");
            break;
        }
        hb_done d;
        size_t np;
        if ((rc = hb_done_load(p->runs, &d)))
            break;
        hb_job_remaining(p, &d, &jobs[i], parts, &np);
        hb_done_free(&d);
        if (np == 0) {
            (*skipped)++;
            g->done++;
            continue;
        }
        for (size_t k = 0; k < np && !rc; k++) {
            char what[512], id[64];
            if (p->resume && (parts[k].first_repeat > 0 || np > 1 || parts[k].nc < jobs[i].nc)) {
                hb_progress_clear(g);
                printf("resume: %s: running repeats %d..%d (the earlier ones are in runs.csv)\n",
                       hb_job_describe(&parts[k], what, sizeof what), parts[k].first_repeat,
                       p->repeat - 1);
            }
            /* Unique across matrices: start time, process, launch number. */
            snprintf(id, sizeof id, "%lx.%ld.%zu", (unsigned long)g->started, (long)getpid(),
                     ++*seq);
            hb_progress_show(g, &parts[k]);
            rc = hb_job_run(p, &parts[k], id);
            if (rc == HB_ELAUNCH) {
                (*failed)++;
                rc = 0;
            }
        }
        (*ran)++;
        g->done++;
    }
    free(parts);
    free(jobs);
    return rc;
}

/* --precision: the worst relative half-width of a speedup interval over the
 * configurations that can still become precise (hb_eff_precision), and how
 * many of them there are. */
static int precision_now(const hb_mplan *p, double *worst, size_t *groups) {
    hb_csv_table t;
    hb_eff_set s = {0};
    int rc = hb_csv_read(p->runs, &t);
    if (rc)
        return rc;
    if (!(rc = hb_eff_compute(&t, p->runs, hb_time_resolution(), &s))) {
        *worst = 0;
        *groups = 0;
        for (size_t i = 0; i < s.n; i++) {
            double q = hb_eff_precision(&s.v[i]);
            if (isnan(q))
                continue;
            *worst = q > *worst ? q : *worst;
            (*groups)++;
        }
        hb_eff_free(&s);
    }
    hb_csv_table_free(&t);
    return rc;
}

/* Whether to run round `round`: the first --rounds always; then, with
 * --precision, until every speedup is known within +-P, --max-rounds or
 * --budget. Says why it stopped adding rounds. */
static int want_round(const hb_mplan *p, int round, hb_progress *g, bool *more) {
    *more = round <= p->rounds;
    if (*more || p->precision == 0)
        return 0;
    double worst;
    size_t groups;
    int rc = precision_now(p, &worst, &groups);
    if (rc)
        return rc;
    const char *why = NULL;
    if (worst <= p->precision)
        why = "reached";
    else if (round > p->max_rounds)
        why = "stopped at --max-rounds";
    else if (p->budget > 0 && hb_time_now() - g->t0 >= p->budget)
        why = "stopped at --budget";
    *more = !why;
    if (why) {
        hb_progress_clear(g);
        if (isinf(worst))
            printf("precision: %s after %d rounds: some speedups have no interval yet\n", why,
                   round - 1);
        else
            printf("precision: %s after %d rounds: every one of %zu speedups within +-%.1f%% "
                   "(asked +-%.1f%%)\n",
                   why, round - 1, groups, 100 * worst, 100 * p->precision);
    }
    return 0;
}

static int run_matrix(hb_mplan *p, const hb_topo *topo) {
    int rc = prepare_dir(p);
    if (rc)
        return rc;
    /* The launches are tagged with the absolute path: two matrices in two
     * working directories may both write to res/m. */
    if (!realpath(p->dir, p->dir_abs))
        return hb_fail(HB_EIO, "%s: cannot resolve: %s", p->dir, strerror(errno));
    int lock = take_lock(p);
    if (lock < 0)
        return lock;
    size_t orphans = 0;
    if ((rc = hb_launch_reap(HB_LAUNCH_ENV, p->dir_abs, &orphans)))
        goto out;
    if (orphans)
        printf("ended %zu process%s that an earlier matrix of %s left running\n", orphans,
               orphans == 1 ? "" : "es", p->dir);
    /* A write cut short by a crash: its line goes aside before any append. */
    hb_csv_torn torn;
    if ((rc = hb_csv_set_aside_torn(p->runs, &torn)))
        goto out;
    if (torn.line)
        printf("note: %s line %zu was torn (a write cut short); its %zu bytes are kept in "
               "%s%s\n",
               p->runs, torn.line, torn.bytes, p->runs, HB_CSV_TORN_SUFFIX);
    if ((rc = write_meta(p, topo)))
        goto out;
    if (getenv("OMP_NUM_THREADS"))
        printf("note: OMP_NUM_THREADS=%s is not used: every layout sets its own threads\n",
               getenv("OMP_NUM_THREADS"));
    hb_signals_install();
    size_t per_round = hb_jobs_round(p, 1, NULL);
    hb_progress g = {.tty = isatty(STDERR_FILENO),
                     .quiet = p->quiet,
                     .t0 = hb_time_now(),
                     .started = time(NULL),
                     .total = per_round * (size_t)p->rounds};
    size_t ran = 0, skipped = 0, failed = 0, seq = 0;
    bool more = true;
    for (int round = 1; !rc && !(rc = want_round(p, round, &g, &more)) && more; round++) {
        if (round > p->rounds)
            g.total += per_round;
        rc = run_round(p, round, &g, &ran, &skipped, &failed, &seq);
    }
    hb_progress_clear(&g);
    if (rc == HB_EINTR) {
        fprintf(stderr,
                "hybench matrix: interrupted; completed rows are in %s (rerun with --resume "
                "--name %s to finish)\n",
                p->runs, p->name);
        goto out;
    }
    if (rc)
        goto out;
    if (skipped)
        printf("resume: %zu of %zu launches were already complete\n", skipped, skipped + ran);
    if (access(p->runs, F_OK) != 0) {
        rc = hb_fail(HB_ELAUNCH, "no launch wrote a row to %s", p->runs);
        goto out;
    }
    if ((rc = hb_report_generate(p->runs, p->dir, stdout)))
        goto out;
    printf("results: %s (runs.csv, efficiency.csv, meta, efficiency.svg/png, layout_map.svg/png; "
           "launch output in launch.log)\n",
           p->dir);
    if (failed)
        rc = hb_fail(HB_ELAUNCH, "%zu of %zu launches failed; recorded in %s", failed,
                     ran + skipped, p->runs);
out:
    close(lock);
    return rc;
}

int hb_matrix_main(int argc, char **argv, const char *self) {
    hb_mplan p;
    hb_topo *topo = NULL;
    memset(&p, 0, sizeof p);
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            hb_mplan_usage(stdout);
            return 0;
        }
    /* The program to launch: the running binary, found through /proc so a
     * bare `hybench` on PATH works under mpiexec too. */
    static char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0)
        exe[len] = '\0';
    int rc = hb_topo_load(&topo, NULL);
    if (!rc)
        rc = hb_mplan_parse(argc, argv, hb_topo_cores(topo), len > 0 ? exe : self, &p);
    if (rc)
        goto out;
    bool emit = hb_args_has(&p.args, "emit-sbatch");
    if (!emit && (hb_args_has(&p.args, "time") || hb_args_has(&p.args, "partition")))
        rc = hb_fail(HB_EUSAGE, "--%s: only with --emit-sbatch",
                     hb_args_has(&p.args, "time") ? "time" : "partition");
    else if (emit)
        rc = hb_matrix_emit_sbatch(&p, &p.args, argc, argv);
    else if (p.dry_run)
        rc = dry_run(&p);
    else
        rc = run_matrix(&p, topo);
out:
    if (rc && rc != HB_EINTR)
        fprintf(stderr, "hybench matrix: %s\n", hb_errmsg(rc));
    hb_mplan_free(&p);
    hb_topo_free(topo);
    return rc;
}
