/* Measurements the benchmark scripts put beside the kernels' rates: the
 * core's clock, the instructions a kernel executes per unit of work, and the
 * references of the same run (a plain Random123 loop for π, a copy loop for
 * pow's memory traffic).
 *
 *   hb_probe clock                 GHz of a chain of dependent 1-cycle ror
 *                                  (thread CPU time)
 *   hb_probe icount pi|pi-ref|mc|pow
 *                                  instructions per sample, site update or
 *                                  element, by single-stepping the work
 *   hb_probe pi-ref SAMPLES REPEAT median samples/s of the plain loop
 *   hb_probe copy ELEMENTS REPEAT  median ns per element of r[i] = x[i] + y[i]
 *                                  (pow's traffic: 16 bytes read, 8 written)
 *   hb_probe pow ELEMENTS REPEAT   median ns per element of hb_pow_block on warm
 *                                  memory, wall and thread CPU time
 *
 * Instruction counts: valgrind 3.19 (Debian 12) stops at the first AVX-512
 * instruction and perf has no hardware counters in this VM, so the count is
 * taken by setting the trap flag: the CPU raises a debug trap after every
 * instruction, and a SIGTRAP handler counts them. It is exact and
 * repeatable, but slow (tens of microseconds a step in a VM), so the work is
 * small, and it is counted at two sizes: the difference divided by the
 * extra work leaves set-up and the final analysis out. A rep-prefixed string
 * instruction counts once per iteration (none is in a hot loop here).
 *
 * Output: one line "name value" per figure, for the scripts to read. */
#define _POSIX_C_SOURCE 200809L
#include <Random123/philox.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hybench/args.h"
#include "hybench/kernel.h"
#include "hybench/mc.h"
#include "hybench/pow.h"

static double clock_s(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double now(void) {
    return clock_s(CLOCK_MONOTONIC);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v. */
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* 8e7 dependent rotates, one cycle each (an add of an immediate would not
 * do: recent cores execute chains of those at rename), over the thread's CPU
 * time, so that time given to other jobs on a shared core does not count. */
static double clock_once(void) {
    uint64_t x = 1;
    double t0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    for (long i = 0; i < 10000000; i++)
        __asm__ volatile("ror $1,%0\n\tror $1,%0\n\tror $1,%0\n\tror $1,%0\n\t"
                         "ror $1,%0\n\tror $1,%0\n\tror $1,%0\n\tror $1,%0"
                         : "+r"(x));
    return 8e7 / (clock_s(CLOCK_THREAD_CPUTIME_ID) - t0) / 1e9;
}

/* The plain loop: one Random123 call per pair of points, the same exact
 * hit test as the kernel, compiled with the kernel's flags. */
static __attribute__((noinline)) uint64_t pi_ref(uint64_t samples, uint64_t seed) {
    philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    uint64_t hits = 0;
    for (uint64_t j = 0; j < samples / 2; j++) {
        philox4x32_ctr_t c = {{(uint32_t)j, (uint32_t)(j >> 32), 0, 0}};
        philox4x32_ctr_t v = philox4x32(c, k);
        uint64_t x0 = (uint64_t)v.v[0] * v.v[0], y0 = (uint64_t)v.v[1] * v.v[1];
        uint64_t x1 = (uint64_t)v.v[2] * v.v[2], y1 = (uint64_t)v.v[3] * v.v[3];
        hits += (y0 <= UINT64_MAX - x0) + (y1 <= UINT64_MAX - x1);
    }
    return hits;
}

static __attribute__((noinline)) void copy_loop(const double *restrict x, const double *restrict y,
                                                double *restrict r, size_t n) {
    for (size_t i = 0; i < n; i++)
        r[i] = x[i] + y[i];
}

#if defined(__x86_64__) && defined(__linux__)
static volatile sig_atomic_t steps_on;
static volatile uint64_t steps;

static void on_trap(int sig) {
    (void)sig;
    steps++;
}

#define TF_ON() __asm__ volatile("pushfq\n\torq $0x100,(%%rsp)\n\tpopfq" ::: "memory", "cc")
#define TF_OFF() __asm__ volatile("pushfq\n\tandq $~0x100,(%%rsp)\n\tpopfq" ::: "memory", "cc")

typedef struct work {
    const char *what;
    uint64_t size; /* units of work of one call: samples, site updates, elements */
    void (*run)(uint64_t size, void *arg);
    void *arg;
} work;

static uint64_t count(const work *w, uint64_t size) {
    w->run(size, w->arg); /* warm: lazy binding, tables, first touch */
    steps = 0;
    TF_ON();
    w->run(size, w->arg);
    TF_OFF();
    return steps;
}

static void run_pi(uint64_t samples, void *arg) {
    const hb_kernel *k = arg;
    char m[32];
    snprintf(m, sizeof m, "%llu", (unsigned long long)samples);
    char *argv[] = {"--streams", "1", "--samples", m};
    const hb_option *const tables[] = {k->options, NULL};
    hb_args args;
    if (hb_args_parse(4, argv, tables, &args))
        exit(1);
    hb_kernel_cfg cfg = {.seed = 1, .chunk = 1, .nodes = 1, .ranks = 1, .threads = 1};
    cfg.comm = MPI_COMM_NULL;
    hb_kernel_plan plan = {0};
    void *st = NULL;
    if (k->plan(&args, &cfg, &plan) || k->create(&args, &cfg, &st))
        exit(1);
    hb_worker who = {0, 0, 0, -1, "probe"};
    /* Only the task is stepped: set-up is not the kernel's rate. */
    k->begin(st);
    if (steps_on)
        TF_ON();
    k->task(st, 0, &who);
    TF_OFF();
    k->destroy(st);
    hb_kernel_plan_free(&plan);
    hb_args_free(&args);
}

static void run_pi_ref(uint64_t samples, void *arg) {
    (void)arg;
    volatile uint64_t h = pi_ref(samples, 1);
    (void)h;
}

static void run_mc(uint64_t updates, void *arg) {
    (void)arg;
    hb_mc_point p = {10.0, 1.0, 1.0, updates / 64, updates / 64 / 10, 64};
    hb_mc_result r;
    if (hb_mc_simulate(&p, 1, &r, NULL))
        exit(1);
}

static void run_pow(uint64_t n, void *arg) {
    double *x = arg, *y = x + 8192, *r = y + 8192;
    hb_pow_block(x, y, r, n / HB_POW_BLOCK);
}

/* The count per unit at sizes s and 2s, the difference over s. */
static int icount(const char *what) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_trap;
    if (sigaction(SIGTRAP, &sa, NULL))
        return 1;
    static double powbuf[3 * 8192];
    work w = {.what = what};
    if (strcmp(what, "pi") == 0) {
        w = (work){"instructions_per_sample", 8192, run_pi, (void *)hb_kernel_find("pi")};
        steps_on = 1;
    } else if (strcmp(what, "pi-ref") == 0) {
        w = (work){"instructions_per_sample", 1024, run_pi_ref, NULL};
    } else if (strcmp(what, "mc") == 0) {
        w = (work){"instructions_per_update", 64 * 50, run_mc, NULL};
    } else if (strcmp(what, "pow") == 0) {
        hb_pow_generate(1, 0, 8192, powbuf, powbuf + 8192);
        hb_pow_init();
        w = (work){"instructions_per_element", 2048, run_pow, powbuf};
    } else {
        fprintf(stderr, "hb_probe icount: unknown work '%s' (pi, pi-ref, mc, pow)\n", what);
        return 2;
    }
    uint64_t a, b;
    if (steps_on) { /* the kernel turns stepping on around its task itself */
        steps = 0;
        w.run(w.size, w.arg);
        a = steps;
        steps = 0;
        w.run(2 * w.size, w.arg);
        b = steps;
    } else {
        a = count(&w, w.size);
        b = count(&w, 2 * w.size);
    }
    printf("%s %.2f\n", w.what, (double)(b - a) / (double)w.size);
    return 0;
}
#else
static int icount(const char *what) {
    (void)what;
    fprintf(stderr, "hb_probe icount: needs x86-64 Linux (the trap flag)\n");
    return 1;
}
#endif

static int usage(void) {
    fprintf(stderr, "usage: hb_probe clock | icount pi|pi-ref|mc|pow | pi-ref SAMPLES REPEAT | "
                    "copy|pow ELEMENTS REPEAT\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "clock") == 0) {
        double v[5];
        for (int i = 0; i < 5; i++)
            v[i] = clock_once();
        printf("clock_ghz %.3f\n", median(v, 5));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "icount") == 0)
        return icount(argv[2]);
    if (argc != 4)
        return usage();
    char *end;
    unsigned long long n = strtoull(argv[2], &end, 10);
    long repeat = strtol(argv[3], &end, 10);
    if (n < 16 || repeat < 1 || repeat > 99)
        return usage();
    double t[99], c[99]; /* wall and thread CPU seconds of each repeat */
    if (strcmp(argv[1], "pi-ref") == 0) {
        pi_ref(n / 8, 1);
        for (long i = 0; i < repeat; i++) {
            double t0 = now(), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            volatile uint64_t h = pi_ref(n, 1);
            (void)h;
            t[i] = now() - t0;
            c[i] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        }
        double m = median(t, (int)repeat);
        printf("samples_per_s %.4g\nsamples_per_s_min %.4g\nsamples_per_s_max %.4g\n"
               "samples_per_cpu_s %.4g\n",
               (double)n / m, (double)n / t[repeat - 1], (double)n / t[0],
               (double)n / median(c, (int)repeat));
        return 0;
    }
    if (strcmp(argv[1], "copy") == 0) {
        double *x = malloc(3 * n * sizeof *x);
        if (!x)
            return 1;
        for (size_t i = 0; i < 3 * n; i++) /* touched: warm memory, as the kernel's */
            x[i] = (double)i;
        copy_loop(x, x + n, x + 2 * n, n);
        for (long i = 0; i < repeat; i++) {
            double t0 = now(), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            copy_loop(x, x + n, x + 2 * n, n);
            t[i] = now() - t0;
            c[i] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        }
        double m = median(t, (int)repeat);
        printf("ns_per_element %.4f\nns_per_element_min %.4f\nns_per_element_max %.4f\n"
               "cpu_ns_per_element %.4f\nbytes_per_element 24\ngb_per_s %.2f\n",
               m / (double)n * 1e9, t[0] / (double)n * 1e9, t[repeat - 1] / (double)n * 1e9,
               median(c, (int)repeat) / (double)n * 1e9, 24.0 * (double)n / m / 1e9);
        free(x);
        return 0;
    }
    if (strcmp(argv[1], "pow") == 0) { /* hb_pow_block on warm generated inputs */
        size_t blocks = (n + HB_POW_BLOCK - 1) / HB_POW_BLOCK, np = blocks * HB_POW_BLOCK;
        double *x = malloc(3 * np * sizeof *x);
        if (!x)
            return 1;
        hb_pow_generate(1, 0, np, x, x + np);
        hb_pow_block(x, x + np, x + 2 * np, blocks);
        for (long i = 0; i < repeat; i++) {
            double t0 = now(), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            hb_pow_block(x, x + np, x + 2 * np, blocks);
            t[i] = now() - t0;
            c[i] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        }
        printf("ns_per_element %.4f\ncpu_ns_per_element %.4f\n",
               median(t, (int)repeat) / (double)np * 1e9,
               median(c, (int)repeat) / (double)np * 1e9);
        free(x);
        return 0;
    }
    return usage();
}
