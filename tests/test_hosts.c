/* Unit tests of host lists, hostfiles, Slurm node lists, the layout check and
 * the sbatch script (src/hosts.c, src/sbatch.c). */
#define _DEFAULT_SOURCE /* mkstemp, setenv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hybench/error.h"
#include "hybench/hosts.h"
#include "hybench/sbatch.h"

/* The joined names of a list, for compact checks. */
static const char *joined(const hb_hostlist *h) {
    static char buf[4096];
    if (hb_hosts_join(h, h->n, buf, sizeof buf) < 0)
        return "(join failed)";
    return buf;
}

static void test_list(void) {
    hb_hostlist h;
    CHECK_INT(hb_hosts_parse_list("--hosts", "a,b.example,c-1:4", &h), 0);
    CHECK_INT(h.n, 3);
    CHECK_STR(joined(&h), "a,b.example,c-1");
    CHECK_INT(h.v[0].slots, 0);
    CHECK_INT(h.v[2].slots, 4);
    hb_hosts_free(&h);

    const char *bad[] = {"",   "a,,b", "a,",  ",a",    "a:0",          "a:x",
                         "a:", "a b",  "a,a", "a:2:3", "a:99999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hb_err_clear();
        CHECK_INT(hb_hosts_parse_list("--hosts", bad[i], &h), HB_EUSAGE);
        CHECK(strstr(hb_errmsg(HB_EUSAGE), "--hosts") != NULL);
        CHECK_INT(h.n, 0);
    }
    hb_hosts_parse_list("--hosts", "a,b,a", &h);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "'a' is listed twice") != NULL);
}

static void test_file(void) {
    hb_hostlist h;
    CHECK_INT(hb_hosts_parse_text("# cluster\n  n1:2  # first\n\nn2\r\n\tn3:8\n", "h.txt", &h), 0);
    CHECK_STR(joined(&h), "n1,n2,n3");
    CHECK_INT(h.v[0].slots, 2);
    CHECK_INT(h.v[1].slots, 0);
    CHECK_INT(h.v[2].slots, 8);
    CHECK(strstr(h.source, "h.txt") != NULL);
    hb_hosts_free(&h);

    CHECK_INT(hb_hosts_parse_text("n1\nn2:zero\n", "h.txt", &h), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "hostfile h.txt:2") != NULL);
    CHECK_INT(hb_hosts_parse_text("n1\n\n n1 \n", "h.txt", &h), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "h.txt:3") != NULL);
    CHECK_INT(hb_hosts_parse_text("# only comments\n\n", "e.txt", &h), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "e.txt: no hosts") != NULL);
    CHECK_INT(hb_hosts_parse_text("n1 n2\n", "h.txt", &h), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "h.txt:1") != NULL);

    /* Through a real file, and a missing one. */
    char path[] = "test_hosts_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        const char text[] = "x1\nx2:1\n";
        CHECK_INT(write(fd, text, sizeof text - 1), (long)(sizeof text - 1));
        close(fd);
        CHECK_INT(hb_hosts_read_file(path, &h), 0);
        CHECK_STR(joined(&h), "x1,x2");
        hb_hosts_free(&h);
        unlink(path);
        /* A hostfile that is not there is bad input (files.h's policy). */
        CHECK_INT(hb_hosts_read_file(path, &h), HB_EUSAGE);
        CHECK(strstr(hb_errmsg(HB_EUSAGE), path) != NULL);
    }
}

static void test_slurm(void) {
    static const struct {
        const char *in, *out;
    } ok[] = {
        {"hbnode[1-2]", "hbnode1,hbnode2"},
        {"n1", "n1"},
        {"a[01-03,7],login1", "a01,a02,a03,a7,login1"}, /* width per range, as Slurm */
        {"a[098-101]", "a098,a099,a100,a101"},
        {"r[1-2]n[1-2]", "r1n1,r1n2,r2n1,r2n2"},
        {"c[8-11]-ib", "c8-ib,c9-ib,c10-ib,c11-ib"},
        {"x,y[5]", "x,y5"},
    };
    hb_hostlist h;
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        CHECK_INT(hb_hosts_expand_slurm("SLURM_JOB_NODELIST", ok[i].in, &h), 0);
        CHECK_STR(joined(&h), ok[i].out);
        hb_hosts_free(&h);
    }
    const char *bad[] = {"",       "a[", "a[]",  "a[2-1]",    "a]",           "a[1-x]",
                         "a[[1]]", "a,", "a,,b", "a[1-2],a2", "a[1-99999999]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hb_err_clear();
        CHECK_INT(hb_hosts_expand_slurm("SLURM_JOB_NODELIST", bad[i], &h), HB_EUSAGE);
        CHECK(strstr(hb_errmsg(HB_EUSAGE), "SLURM_JOB_NODELIST") != NULL);
        CHECK_INT(h.n, 0);
    }

    bool found = true;
    unsetenv("SLURM_JOB_NODELIST");
    unsetenv("SLURM_NODELIST");
    unsetenv("SLURM_TASKS_PER_NODE");
    CHECK_INT(hb_hosts_from_slurm_env(&h, &found), 0);
    CHECK(!found);
    CHECK_INT(h.n, 0);
    setenv("SLURM_JOB_NODELIST", "hbnode[1-3]", 1);
    setenv("SLURM_TASKS_PER_NODE", "2(x3)", 1);
    CHECK_INT(hb_hosts_from_slurm_env(&h, &found), 0);
    CHECK(found);
    CHECK_STR(joined(&h), "hbnode1,hbnode2,hbnode3");
    CHECK_INT(h.v[2].slots, 2);
    hb_hosts_free(&h);
    setenv("SLURM_TASKS_PER_NODE", "2(x2),1", 1); /* uneven: no slots claimed */
    CHECK_INT(hb_hosts_from_slurm_env(&h, &found), 0);
    CHECK_INT(h.v[0].slots, 0);
    hb_hosts_free(&h);

    /* resolve: --hosts before --hostfile before Slurm; both is an error. */
    CHECK_INT(hb_hosts_resolve("a,b", NULL, &h), 0);
    CHECK_STR(joined(&h), "a,b");
    hb_hosts_free(&h);
    CHECK_INT(hb_hosts_resolve(NULL, NULL, &h), 0);
    CHECK_STR(joined(&h), "hbnode1,hbnode2,hbnode3");
    hb_hosts_free(&h);
    CHECK_INT(hb_hosts_resolve("a", "f.txt", &h), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--hostfile") != NULL);
    unsetenv("SLURM_JOB_NODELIST");
    unsetenv("SLURM_TASKS_PER_NODE");
    CHECK_INT(hb_hosts_resolve(NULL, NULL, &h), 0);
    CHECK_INT(h.n, 0);
}

static void test_layout(void) {
    hb_hostlist h, none = {0};
    CHECK_INT(hb_hosts_parse_list("--hosts", "a:2,b", &h), 0);
    CHECK_INT(hb_hosts_check_layout(&h, "2:2x1", 2, 2), 0);
    CHECK_INT(hb_hosts_check_layout(&h, "3:1x1", 3, 1), HB_ELAYOUT);
    CHECK(strstr(hb_errmsg(HB_ELAYOUT), "3:1x1") != NULL);
    CHECK(strstr(hb_errmsg(HB_ELAYOUT), "--hosts has 2 hosts") != NULL);
    CHECK_INT(hb_hosts_check_layout(&h, "1:4x1", 1, 4), HB_ELAYOUT);
    CHECK(strstr(hb_errmsg(HB_ELAYOUT), "host a") != NULL);
    CHECK_INT(hb_hosts_check_layout(&none, "1x2", 1, 1), 0);
    CHECK_INT(hb_hosts_check_layout(&none, "2:1x1", 2, 1), HB_ELAYOUT);
    char buf[4];
    CHECK_INT(hb_hosts_join(&h, 1, buf, sizeof buf), 0);
    CHECK_STR(buf, "a");
    CHECK_INT(hb_hosts_join(&h, 2, buf, 3), HB_ENOMEM);
    CHECK_INT(hb_hosts_join(&h, 3, buf, sizeof buf), HB_EUSAGE);
    hb_hosts_free(&h);
}

static void test_sbatch(void) {
    hb_sbatch sp = {0};
    hb_layout l[] = {{1, 1, 1}, {2, 1, 2}, {1, 2, 1}, {2, 1, 4}};
    CHECK_INT(hb_sbatch_size(l, 4, &sp), 0);
    CHECK_INT(sp.nodes, 2);
    CHECK_INT(sp.ntasks_per_node, 2);
    CHECK_INT(sp.cpus_per_task, 2);
    CHECK_INT(hb_sbatch_size(l, 0, &sp), HB_EUSAGE);

    long t = 0;
    CHECK_INT(hb_sbatch_parse_time("--time", "30", &t), 0);
    CHECK_INT(t, 1800);
    CHECK_INT(hb_sbatch_parse_time("--time", "1:30", &t), 0);
    CHECK_INT(t, 90);
    CHECK_INT(hb_sbatch_parse_time("--time", "01:02:03", &t), 0);
    CHECK_INT(t, 3723);
    CHECK_INT(hb_sbatch_parse_time("--time", "2-1", &t), 0);
    CHECK_INT(t, 2 * 86400 + 3600);
    CHECK_INT(hb_sbatch_parse_time("--time", "1-0:30:00", &t), 0);
    CHECK_INT(t, 86400 + 1800);
    const char *bad[] = {"", "0", "x", "1:60", "1:2:3:4", "-5", "1-", "1:-2", "1-25", "10 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hb_err_clear();
        CHECK_INT(hb_sbatch_parse_time("--time", bad[i], &t), HB_EUSAGE);
        CHECK(strstr(hb_errmsg(HB_EUSAGE), "--time") != NULL);
    }

    char *args[] = {"--layouts", "1x1,2:1x1", "--out", "it's here"};
    sp.time_s = 3723;
    sp.self = "/bin/sh";
    sp.argc = 4;
    sp.argv = args;
    char path[] = "test_sbatch_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK_INT(hb_sbatch_write(path, &sp), 0);
    FILE *f = fopen(path, "r");
    char text[4096] = "";
    if (f) {
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        fclose(f);
    }
    CHECK(strncmp(text, "#!/bin/bash\n", 12) == 0);
    CHECK(strstr(text, "#SBATCH --nodes=2\n") != NULL);
    CHECK(strstr(text, "#SBATCH --ntasks-per-node=2\n") != NULL);
    CHECK(strstr(text, "#SBATCH --cpus-per-task=2\n") != NULL);
    CHECK(strstr(text, "#SBATCH --time=0-01:02:03\n") != NULL);
    CHECK(strstr(text, "cd \"${SLURM_SUBMIT_DIR:-.}\"\n") != NULL);
    /* An absolute program path, then every argument quoted. */
    CHECK(strstr(text, "exec '/") != NULL);
    CHECK(strstr(text, "' matrix '--layouts' '1x1,2:1x1' '--out' 'it'\\''s here' --launcher "
                       "'srun'\n") != NULL);
    CHECK(access(path, X_OK) == 0);
    /* The script is valid shell: bash -n parses it. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "bash -n '%s'", path);
    CHECK_INT(system(cmd), 0);
    unlink(path);

    sp.time_s = 0;
    CHECK_INT(hb_sbatch_write(path, &sp), HB_EUSAGE);
    CHECK(access(path, F_OK) != 0);
    sp.time_s = 60;
    CHECK_INT(hb_sbatch_write("/nonexistent-dir/x.sbatch", &sp), HB_EIO);
    CHECK(strstr(hb_errmsg(HB_EIO), "/nonexistent-dir/x.sbatch") != NULL);
}

int main(void) {
    test_list();
    test_file();
    test_slurm();
    test_layout();
    test_sbatch();
    return hb_check_summary();
}
