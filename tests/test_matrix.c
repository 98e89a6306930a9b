/* The matrix's plan and jobs without launching anything: options and their
 * refusals, the launches of a round (one serial baseline per serial
 * identity), the shuffled order (every launch once per round, another order
 * per round, fixed keeps the order), the argv of a launch, what resume still
 * has to run after partial rows (exactly the missing repeats), and keeping
 * the previous default matrix. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "check.h"

#include "matrix.h"

#include "hybench/error.h"
#include "hybench/launch.h"
#include "hybench/files.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

/* Plan a matrix from a NULL-terminated list of words (4 cores). */
static int plan(hb_mplan *p, const char *const *words) {
    char *argv[64];
    int argc = 0;
    while (words[argc] && argc < 63) {
        argv[argc] = (char *)words[argc];
        argc++;
    }
    return hb_mplan_parse(argc, argv, 4, "/bin/hybench", p);
}

static void test_refusals(void) {
    hb_mplan p;
    const char *twice[] = {"--layouts", "1x1", "--layouts", "2x1", NULL};
    CHECK_INT(plan(&p, twice), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--layouts: given twice") != NULL);
    hb_mplan_free(&p);
    const char *kopt[] = {"--kernels", "mc", "--beta", "0.5", NULL};
    CHECK_INT(plan(&p, kopt), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--kernel 'mc --beta ...'") != NULL);
    hb_mplan_free(&p);
    const char *typo[] = {"--layout", "1x1", NULL};
    CHECK_INT(plan(&p, typo), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "did you mean --layouts?") != NULL);
    hb_mplan_free(&p);
    /* A kernel-spec error names the spec and the reason, once (not garbled). */
    const char *spec[] = {"--kernel", "pi --samples x", NULL};
    CHECK_INT(plan(&p, spec), HB_EUSAGE);
    CHECK_STR(hb_errmsg(HB_EUSAGE), "--kernel 'pi --samples x': --samples: 'x' is not an integer");
    hb_mplan_free(&p);
    const char *stream[] = {"--kernel", "pi --stream 4", NULL};
    CHECK_INT(plan(&p, stream), HB_EUSAGE);
    CHECK_STR(hb_errmsg(HB_EUSAGE),
              "--kernel 'pi --stream 4': unknown option '--stream' (did you mean --streams?)");
    hb_mplan_free(&p);
    const char *wide[] = {"--layouts", "1x8", NULL};
    CHECK_INT(plan(&p, wide), HB_ELAYOUT);
    CHECK(strstr(hb_errmsg(HB_ELAYOUT), "1x8 needs 8 workers per node") != NULL);
    hb_mplan_free(&p);
    /* ... but a dry run, --oversubscribe, or hosts (whose cores this
     * machine cannot know) plan it. */
    const char *dry[] = {"--layouts", "1x8", "--dry-run", "--kernels", "pi", NULL};
    CHECK_INT(plan(&p, dry), 0);
    hb_mplan_free(&p);
    const char *hosts[] = {"--layouts", "1x8,2:4x1", "--hosts", "n1:4,n2:4",
                           "--kernels", "pi",        NULL};
    CHECK_INT(plan(&p, hosts), 0);
    hb_mplan_free(&p);
    const char *big[] = {"--kernel", "pi --samples 1e12", NULL};
    CHECK_INT(plan(&p, big), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "beyond the 3600 s size check; --force runs it") != NULL);
    hb_mplan_free(&p);
    const char *forced[] = {"--kernel", "pi --samples 1e12", "--force", NULL};
    CHECK_INT(plan(&p, forced), 0);
    hb_mplan_free(&p);
    const char *order[] = {"--order", "sorted", NULL};
    CHECK_INT(plan(&p, order), HB_EUSAGE);
    hb_mplan_free(&p);
    const char *maxr[] = {"--max-rounds", "4", NULL};
    CHECK_INT(plan(&p, maxr), HB_EUSAGE);
    CHECK_STR(hb_errmsg(HB_EUSAGE), "--max-rounds: only with --precision");
    hb_mplan_free(&p);
}

static void test_round(void) {
    hb_mplan p;
    char out[300];
    snprintf(out, sizeof out, "%s/res", dir);
    const char *w[] = {"--layouts", "1x1,2x1",
                       "--kernel",  "pi --streams 8 --samples 100",
                       "--kernel",  "pi --streams 8 --samples 100 --schedules dynamic",
                       "--kernel",  "pow --elements 100 --chunk 10,20 --schedules dynamic",
                       "--chunk",   "4,16",
                       "--out",     out,
                       "--name",    "m",
                       NULL};
    CHECK_INT(plan(&p, w), 0);
    CHECK_INT(p.rounds, 3); /* the default: every ratio gets an interval */
    /* Serial baselines: one for both pi configurations (same params), one
     * per pow grain; then 2 layouts x (2 + 1 + 1) schedules. */
    size_t n = hb_jobs_round(&p, 1, NULL);
    CHECK_INT(n, 3 + 2 * 4);
    hb_job jobs[32], again[32];
    hb_jobs_round(&p, 2, jobs);
    size_t serial = 0;
    for (size_t i = 0; i < n; i++) {
        serial += jobs[i].l == NULL;
        CHECK_INT(jobs[i].round, 2);
        CHECK_INT(jobs[i].first_repeat, 0);
    }
    CHECK_INT(serial, 3);
    CHECK(jobs[0].l == NULL && jobs[0].nc == 1);
    CHECK(jobs[3].l != NULL && jobs[3].nc == 2); /* pi under one layout: both chunks */
    /* A shuffled round holds every launch exactly once; rounds differ; the
     * same seed gives the same order. */
    memcpy(again, jobs, sizeof jobs);
    hb_jobs_shuffle(again, n, 42, 2);
    size_t moved = 0;
    for (size_t i = 0; i < n; i++) {
        size_t seen = 0;
        for (size_t k = 0; k < n; k++)
            seen += memcmp(&again[k], &jobs[i], sizeof jobs[i]) == 0;
        CHECK_INT(seen, 1);
        moved += memcmp(&again[i], &jobs[i], sizeof jobs[i]) != 0;
    }
    CHECK(moved > 0);
    hb_job other[32], same[32];
    memcpy(other, jobs, sizeof jobs);
    memcpy(same, jobs, sizeof jobs);
    hb_jobs_shuffle(other, n, 42, 3);
    hb_jobs_shuffle(same, n, 42, 2);
    CHECK(memcmp(other, again, n * sizeof *jobs) != 0);
    CHECK(memcmp(same, again, n * sizeof *jobs) == 0);

    /* The launch command: explicit threads, the round, the launch id and the
     * task times beside the rows. */
    hb_launch_argv av;
    CHECK_INT(hb_job_argv(&p, &jobs[0], "ID7", &av), 0);
    hb_str line = {0};
    for (size_t i = 0; i < av.n; i++)
        hb_str_addf(&line, "%s%s", i ? " " : "", av.v[i]);
    char want[2 * PATH_MAX + 400];
    snprintf(want, sizeof want,
             "/bin/hybench run --kernel pi --streams 8 --samples 100 --chunk 4 --repeat 3 "
             "--warmup 1 --seed 1 --bind core --distribute compact --csv %s --task-times "
             "%s/tasks.csv --quiet --round 2 --launch-id ID7 --threads 1 --serial --nodes 1",
             p.runs, p.dir);
    CHECK_STR(line.p, want);
    CHECK(strstr(line.p, "--first-repeat") == NULL);
    hb_str_free(&line);
    hb_launch_argv_free(&av);
    hb_job part = jobs[3];
    part.c0 = 1, part.nc = 1, part.first_repeat = 2;
    CHECK_INT(hb_job_argv(&p, &part, "ID8", &av), 0);
    for (size_t i = 0; i < av.n; i++)
        hb_str_addf(&line, "%s%s", i ? " " : "", av.v[i]);
    /* The default launcher: the one of the MPI hybench runs with (launch.h). */
    const char *prog =
        hb_mpi_running() == HB_MPI_OPENMPI ? hb_launch_mpirun() : hb_launch_mpiexec();
    CHECK(strncmp(line.p, prog, strlen(prog)) == 0 && line.p[strlen(prog)] == ' ');
    CHECK(strstr(line.p, " --chunk 16 --repeat 3 --first-repeat 2 ") != NULL);
    CHECK(strstr(line.p, " --threads 1 --schedule static --nodes 1") != NULL);
    hb_str_free(&line);
    hb_launch_argv_free(&av);
    hb_mplan_free(&p);
}

/* Append ok rows of repeats [r0, r1) of chunk value c of job j. */
static void rows(const hb_mplan *p, const hb_job *j, size_t c, int r0, int r1, const char *st) {
    for (int r = r0; r < r1; r++) {
        hb_runid id = hb_job_id(p, j, c);
        hb_row row;
        hb_csv_row out;
        hb_row_init(&row, &id);
        hb_row_setf(&row, HB_COL_repeat, "%d", r);
        hb_row_setf(&row, HB_COL_round, "%d", j->round);
        hb_row_set(&row, HB_COL_status, st);
        hb_row_set(&row, HB_COL_wall_s, "0.5");
        CHECK_INT(hb_row_finish(&row, &out), 0);
        CHECK_INT(hb_csv_append(p->runs, &out, 1), 0);
        hb_row_free(&row);
    }
}

static void test_remaining(void) {
    hb_mplan p;
    char out[300];
    snprintf(out, sizeof out, "%s/res", dir);
    const char *w[] = {"--layouts",   "2x1",    "--kernel", "pow --elements 100 --chunk 10,20,50",
                       "--schedules", "static", "--repeat", "3",
                       "--out",       out,      "--name",   "r",
                       NULL};
    CHECK_INT(plan(&p, w), 0);
    CHECK_INT(hb_mkdir_p("--out", p.dir), 0);
    hb_job jobs[8], parts[8];
    size_t n = hb_jobs_round(&p, 1, jobs), np;
    CHECK_INT(n, 4); /* three serial grains, one parallel launch of three chunk values */
    const hb_job *par = &jobs[3];
    hb_done d;
    /* Nothing yet: the whole launch. */
    CHECK_INT(hb_done_load(p.runs, &d), 0);
    hb_job_remaining(&p, &d, par, parts, &np);
    CHECK_INT(np, 1);
    CHECK(parts[0].c0 == 0 && parts[0].nc == 3 && parts[0].first_repeat == 0);
    hb_done_free(&d);
    /* Interrupted in chunk value 20 after its first repeat (the second one
     * interrupted): 10 is done, 20 reruns from repeat 1, 50 from 0. */
    rows(&p, par, 0, 0, 3, "ok");
    rows(&p, par, 1, 0, 1, "ok");
    rows(&p, par, 1, 1, 2, "interrupted");
    CHECK_INT(hb_done_load(p.runs, &d), 0);
    hb_job_remaining(&p, &d, par, parts, &np);
    CHECK_INT(np, 2);
    CHECK(parts[0].c0 == 1 && parts[0].nc == 1 && parts[0].first_repeat == 1);
    CHECK(parts[1].c0 == 2 && parts[1].nc == 1 && parts[1].first_repeat == 0);
    /* Another round of the same configuration has nothing yet. */
    hb_job r2 = *par;
    r2.round = 2;
    hb_job_remaining(&p, &d, &r2, parts, &np);
    CHECK(np == 1 && parts[0].nc == 3);
    hb_done_free(&d);
    /* Complete: nothing to run. */
    rows(&p, par, 1, 1, 3, "ok");
    rows(&p, par, 2, 0, 3, "ok");
    CHECK_INT(hb_done_load(p.runs, &d), 0);
    hb_job_remaining(&p, &d, par, parts, &np);
    CHECK_INT(np, 0);
    hb_done_free(&d);
    hb_mplan_free(&p);

    /* Another --repeat or --bind is another measurement: --repeat 4 runs
     * exactly repeat 3 of each, --bind pu everything again. */
    const char *w4[] = {"--layouts",   "2x1",    "--kernel", "pow --elements 100 --chunk 10,20,50",
                        "--schedules", "static", "--repeat", "4",
                        "--out",       out,      "--name",   "r",
                        NULL};
    CHECK_INT(plan(&p, w4), 0);
    hb_jobs_round(&p, 1, jobs);
    CHECK_INT(hb_done_load(p.runs, &d), 0);
    hb_job_remaining(&p, &d, &jobs[3], parts, &np);
    CHECK(np == 1 && parts[0].nc == 3 && parts[0].first_repeat == 3);
    hb_done_free(&d);
    hb_mplan_free(&p);
    const char *wpu[] = {"--layouts",   "2x1",    "--kernel", "pow --elements 100 --chunk 10,20,50",
                         "--schedules", "static", "--repeat", "3",
                         "--bind",      "pu",     "--out",    out,
                         "--name",      "r",      NULL};
    CHECK_INT(plan(&p, wpu), 0);
    hb_jobs_round(&p, 1, jobs);
    CHECK_INT(hb_done_load(p.runs, &d), 0);
    hb_job_remaining(&p, &d, &jobs[3], parts, &np);
    CHECK(np == 1 && parts[0].nc == 3 && parts[0].first_repeat == 0);
    hb_done_free(&d);
    hb_mplan_free(&p);
}

static void test_keep_previous(void) {
    char d[300], kept[300], file[400];
    snprintf(d, sizeof d, "%s/default", dir);
    CHECK_INT(hb_matrix_keep_previous(d, kept, sizeof kept), 0);
    CHECK_STR(kept, ""); /* nothing to keep */
    for (int i = 1; i <= 2; i++) {
        CHECK_INT(hb_mkdir_p("t", d), 0);
        snprintf(file, sizeof file, "%s/runs.csv", d);
        CHECK_INT(hb_write_atomic("t", file, "x", 1, 0644, false), 0);
        CHECK_INT(hb_matrix_keep_previous(d, kept, sizeof kept), 0);
        char want[320];
        snprintf(want, sizeof want, "%s.%d", d, i);
        CHECK_STR(kept, want);
        snprintf(file, sizeof file, "%s/runs.csv", want);
        CHECK(access(file, F_OK) == 0);
        CHECK(access(d, F_OK) != 0);
    }
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/hb_matrix_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_refusals();
    test_round();
    test_remaining();
    test_keep_previous();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return hb_check_summary();
}
