/* The noise readers (noise.h) on texts and a directory tree written here:
 * the load average and steal time parsed from /proc's formats (with a
 * kernel that lacks the steal field), the governors of a synthetic
 * /sys/devices/system/cpu, and the thread CPU clock. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "check.h"

#include "hybench/noise.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_loadavg(void) {
    CHECK_NEAR(hb_noise_parse_loadavg("0.52 0.58 0.59 1/467 12345\n"), 0.52, 1e-12);
    CHECK_NEAR(hb_noise_parse_loadavg("12.00 3.00 1.00 3/100 7"), 12.0, 0);
    CHECK(isnan(hb_noise_parse_loadavg("")));
    CHECK(isnan(hb_noise_parse_loadavg("abc 1 2")));
    CHECK(isnan(hb_noise_parse_loadavg("-1.00 0 0")));
    CHECK(isnan(hb_noise_parse_loadavg("1.5x 0 0")));
    CHECK(isnan(hb_noise_parse_loadavg("nan 0 0")));
    CHECK(isnan(hb_noise_parse_loadavg(NULL)));
}

static void test_steal(void) {
    /* user nice system idle iowait irq softirq steal guest guest_nice */
    const char *stat = "cpu  4705 150 1120 16250 520 0 11 350 0 0\n"
                       "cpu0 2000 75 560 8000 260 0 5 175 0 0\n"
                       "cpu1 2705 75 560 8250 260 0 6 175 0 0\n"
                       "intr 1234 0 0\nctxt 99\n";
    CHECK_NEAR(hb_noise_parse_steal(stat, 100), 3.5, 1e-12);
    CHECK_NEAR(hb_noise_parse_steal(stat, 1000), 0.35, 1e-12);
    /* The aggregate line need not come first. */
    CHECK_NEAR(hb_noise_parse_steal("btime 1\ncpu 1 2 3 4 5 6 7 800\n", 100), 8.0, 1e-12);
    /* Kernels before 2.6.11: seven fields, no steal. */
    CHECK(isnan(hb_noise_parse_steal("cpu  1 2 3 4 5 6 7\ncpu0 1 2 3 4 5 6 7\n", 100)));
    /* Only per-CPU lines, or none. */
    CHECK(isnan(hb_noise_parse_steal("cpu0 1 2 3 4 5 6 7 8\n", 100)));
    CHECK(isnan(hb_noise_parse_steal("", 100)));
    CHECK(isnan(hb_noise_parse_steal("cpu  1 2 x 4 5 6 7 8\n", 100)));
    CHECK(isnan(hb_noise_parse_steal(stat, 0)));
    CHECK(isnan(hb_noise_parse_steal(NULL, 100)));
}

static void put(const char *dir, const char *rel, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void sub(const char *dir, const char *rel) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    CHECK_INT(mkdir(path, 0755), 0);
}

static void test_governor(void) {
    char root[] = "/tmp/hb_test_noise_XXXXXX", buf[256];
    CHECK(mkdtemp(root) != NULL);
    /* No CPU directory has cpufreq: not exposed (a virtual machine). */
    sub(root, "cpu0");
    sub(root, "cpufreq"); /* not a CPU */
    CHECK_STR(hb_noise_governor(root, buf, sizeof buf), "not exposed");
    /* Two CPUs with one governor, one with another, one without. */
    const char *cpus[] = {"cpu1", "cpu2", "cpu10"};
    const char *govs[] = {"performance\n", "powersave\n", "performance\n"};
    for (int i = 0; i < 3; i++) {
        char d[64];
        sub(root, cpus[i]);
        snprintf(d, sizeof d, "%s/cpufreq", cpus[i]);
        sub(root, d);
        snprintf(d, sizeof d, "%s/cpufreq/scaling_governor", cpus[i]);
        put(root, d, govs[i]);
    }
    hb_noise_governor(root, buf, sizeof buf);
    /* Directory order is the file system's: check both counts either way. */
    CHECK(strcmp(buf, "performance (2 CPUs), powersave (1 CPU)") == 0 ||
          strcmp(buf, "powersave (1 CPU), performance (2 CPUs)") == 0);
    if (strcmp(buf, "performance (2 CPUs), powersave (1 CPU)") != 0 &&
        strcmp(buf, "powersave (1 CPU), performance (2 CPUs)") != 0)
        fprintf(stderr, "governor: %s\n", buf);
    /* A file that is not a governor name is counted as unreadable. */
    put(root, "cpu1/cpufreq/scaling_governor", "$(rm -rf /)\n");
    hb_noise_governor(root, buf, sizeof buf);
    CHECK(strstr(buf, "unreadable (1 CPU)") != NULL);
    CHECK(strstr(buf, "$(") == NULL);
    /* A missing directory: not exposed. */
    CHECK_STR(hb_noise_governor("/nonexistent/hb", buf, sizeof buf), "not exposed");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK_INT(system(cmd), 0);
}

static void test_clocks(void) {
    double a = hb_noise_thread_cpu();
    CHECK(!isnan(a) && a >= 0);
    /* The clock moves with this thread's work: spin until it has advanced
     * (no deadline: it must, and the count of spins is not checked). */
    volatile double x = 0;
    double b = a;
    for (long i = 0; b <= a && i < 2000000000L; i++) {
        x += 1e-9 * (double)i;
        if (i % 100000 == 0)
            b = hb_noise_thread_cpu();
    }
    CHECK(b > a);
    CHECK(x >= 0); /* the spin's result is used, so it is not optimised away */
    hb_noise_sample s;
    hb_noise_sample_now(&s);
    if (access("/proc/loadavg", R_OK) == 0)
        CHECK(s.load1 >= 0);
    if (access("/proc/stat", R_OK) == 0)
        CHECK(isnan(s.steal_s) || s.steal_s >= 0);
}

int main(void) {
    test_loadavg();
    test_steal();
    test_governor();
    test_clocks();
    return hb_check_summary();
}
