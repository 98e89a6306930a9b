/* tasks.csv (task_times.h): recordings appended and read back exactly
 * (identity fields with commas and quotes, several recordings in one file),
 * per-worker logs merged by task, and the reader's refusals, each naming the
 * line. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "check.h"

#include "hybench/error.h"
#include "hybench/task_times.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/hb_test_task_times_XXXXXX";

static void test_round_trip(void) {
    char path[256];
    snprintf(path, sizeof path, "%s/tasks.csv", tmpdir);
    hb_task_times t;
    CHECK_INT(hb_task_times_alloc(&t, 5), 0);
    /* Two workers' logs, interleaved tasks. */
    hb_task_log logs[2] = {{.worker = 2}, {.worker = 3}};
    for (size_t i = 0; i < 5; i++)
        hb_task_log_push(&logs[i % 2], i, 0.5 * (double)i, 1e-3 * (double)(i + 1));
    CHECK_INT(hb_task_times_merge(&t, logs, 2), 0);
    hb_runid id = {.kernel = "mc",
                   .params = "beta=1,2 \"quoted\"",
                   .serial = false,
                   .nodes = 2,
                   .ranks = 2,
                   .threads = 2,
                   .bind = "core",
                   .distribute = "compact",
                   .schedule = "dynamic",
                   .chunk = 4};
    CHECK_INT(hb_task_times_append(path, &id, "3", "L7", &t), 0);
    id.serial = true;
    id.schedule = "serial";
    id.ranks = id.nodes = id.threads = 1;
    for (size_t i = 0; i < 5; i++)
        t.worker[i] = 0;
    CHECK_INT(hb_task_times_append(path, &id, NULL, NULL, &t), 0);
    /* The same identity again: a new recording starts at task 0. */
    CHECK_INT(hb_task_times_append(path, &id, "", "", &t), 0);

    hb_task_file f;
    CHECK_INT(hb_task_times_read("test", path, &f), 0);
    CHECK_INT(f.n, 3);
    if (f.n == 3) {
        CHECK_STR(f.v[0].params, "beta=1,2 \"quoted\"");
        CHECK_STR(f.v[0].schedule, "dynamic");
        CHECK_STR(f.v[0].launch, "L7");
        CHECK_STR(f.v[0].round, "3");
        CHECK_INT(f.v[0].nodes, 2);
        CHECK_INT(f.v[0].chunk, 4);
        CHECK_INT(f.v[0].t.n, 5);
        for (size_t i = 0; i < 5; i++) {
            CHECK_INT(f.v[0].t.worker[i], 2 + (int)(i % 2));
            CHECK_NEAR(f.v[0].t.dur[i], 1e-3 * (double)(i + 1), 1e-12);
            CHECK_NEAR(f.v[0].t.start[i], 0.5 * (double)i, 1e-9);
        }
        CHECK_STR(f.v[1].mode, "serial");
        CHECK_INT(f.v[2].t.n, 5);
    }
    hb_task_file_free(&f);
    /* Every task must have run before it is written. */
    t.worker[3] = -1;
    CHECK_INT(hb_task_times_append(path, &id, NULL, NULL, &t), HB_EINTERNAL);
    hb_task_times_free(&t);
    hb_task_log_free(&logs[0]);
    hb_task_log_free(&logs[1]);
    unlink(path);
}

static const char *hdr = "schema,kernel,params,mode,nodes,ranks,threads,bind,distribute,schedule,"
                         "chunk,round,launch,task,worker,rank,thread,start_s,duration_s\n";

static void expect_bad(const char *body, const char *word) {
    char path[256], text[4096];
    snprintf(path, sizeof path, "%s/bad.csv", tmpdir);
    snprintf(text, sizeof text, "%s%s", hdr, body);
    write_text(path, text);
    hb_task_file f;
    int rc = hb_task_times_read("test", path, &f);
    CHECK_INT(rc, HB_EUSAGE);
    if (rc == HB_EUSAGE && !strstr(hb_errmsg(rc), word))
        fprintf(stderr, "message '%s' does not name '%s'\n", hb_errmsg(rc), word);
    CHECK(rc != HB_EUSAGE || strstr(hb_errmsg(rc), word) != NULL);
    unlink(path);
}

#define ROW(task, worker, dur)                                                                     \
    "hybench-tasks-1,pi,s=2,parallel,1,1,2,core,compact,static,1,,," task "," worker               \
    ",0,0,0.0," dur "\n"

static void test_refusals(void) {
    expect_bad("", "no task times");
    expect_bad(ROW("1", "0", "0.1"), "starts at task 1");
    expect_bad(ROW("0", "0", "0.1") ROW("2", "0", "0.1"), "line 3");
    expect_bad(ROW("0", "0", "-0.1"), "duration_s");
    expect_bad(ROW("0", "0", "nan"), "duration_s");
    expect_bad(ROW("0", "0", "1e999"), "duration_s");
    expect_bad(ROW("0", "x", "0.1"), "worker");
    expect_bad(ROW("0", "2", "0.1"), "worker 2 of a run with 2");
    expect_bad(ROW("0", "0", "0.1 s"), "duration_s");
    expect_bad("hybench-tasks-2,pi,s=2,parallel,1,1,2,core,compact,static,1,,,0,0,0,0,0,0.1\n",
               "schema");
    expect_bad("hybench-tasks-1,\"pi,s=2,parallel,1,1,2,core,compact,static,1,,,0,0,0,0,0,0.1\n",
               "never closed");
    expect_bad("hybench-tasks-1,p\"i,s=2,parallel,1,1,2,core,compact,static,1,,,0,0,0,0,0,0.1\n",
               "line 2");
    expect_bad(ROW("0", "0", "0.1") "hybench-tasks-1,pi,s=2,parallel,1,1,2,core,compact,static,"
                                    "1,,,1,0,0,0,0.0,0.1,extra\n",
               "more fields");
    /* A file that is not a tasks.csv at all. */
    char path[256];
    snprintf(path, sizeof path, "%s/runs.csv", tmpdir);
    write_text(path, "schema,kernel,wall_s\nhybench-runs-2,pi,0.5\n");
    hb_task_file f;
    int rc = hb_task_times_read("test", path, &f);
    CHECK_INT(rc, HB_EUSAGE);
    CHECK(strstr(hb_errmsg(rc), "no column") != NULL);
    unlink(path);
    /* CRLF line ends and a blank line read the same. */
    snprintf(path, sizeof path, "%s/crlf.csv", tmpdir);
    write_text(path, "schema,kernel,params,mode,nodes,ranks,threads,schedule,chunk,task,worker,"
                     "start_s,duration_s\r\n\r\nhybench-tasks-1,pi,s,serial,1,1,1,serial,1,0,0,0,"
                     "0.25\r\nhybench-tasks-1,pi,s,serial,1,1,1,serial,1,1,0,0.25,0.5\r\n");
    CHECK_INT(hb_task_times_read("test", path, &f), 0);
    CHECK_INT(f.n, 1);
    if (f.n == 1) {
        CHECK_INT(f.v[0].t.n, 2);
        CHECK_NEAR(f.v[0].t.dur[1], 0.5, 0);
    }
    hb_task_file_free(&f);
    unlink(path);
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trip();
    test_refusals();
    rmdir(tmpdir);
    return hb_check_summary();
}
