/* Fuzz target: the command line of `hybench run`. The first input byte picks
 * a kernel; the rest, one word per line, goes through hb_args_parse() against
 * hb_run_options plus that kernel's options, and every value is then checked
 * with the hb_parse_* function `hybench run` uses for it (numbers, lists,
 * schedule, binding). Kernel options go through every number parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/kernel.h"
#include "hybench/parse.h"
#include "hybench/pin.h"
#include "hybench/run.h"
#include "hybench/sched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_run_option(const char *name) {
    for (const hb_option *o = hb_run_options; o->name; o++)
        if (strcmp(o->name, name) == 0)
            return 1;
    return 0;
}

/* The conversion `hybench run` applies to its own options. */
static void check_run_value(const char *name, const char *v) {
    long l;
    uint64_t u;
    hb_bind b;
    hb_dist d;
    hb_sched_kind k;
    if (!v)
        return;
    if (!strcmp(name, "threads") || !strcmp(name, "repeat") || !strcmp(name, "warmup") ||
        !strcmp(name, "nodes")) {
        if (hb_parse_long(name, v, 0, 1000000, &l) == 0)
            FUZZ_CHECK(l >= 0 && l <= 1000000);
    } else if (!strcmp(name, "seed")) {
        (void)hb_parse_u64("--seed", v, &u);
    } else if (!strcmp(name, "bind")) {
        if (hb_bind_parse(v, &b) == 0)
            FUZZ_CHECK(strcmp(hb_bind_name(b), v) == 0);
    } else if (!strcmp(name, "distribute")) {
        if (hb_dist_parse(v, &d) == 0)
            FUZZ_CHECK(strcmp(hb_dist_name(d), v) == 0);
    } else if (!strcmp(name, "schedule")) {
        if (hb_sched_parse(v, &k) == 0)
            FUZZ_CHECK(strcmp(hb_sched_name(k), v) == 0);
    } else if (!strcmp(name, "chunk")) {
        size_t *c = NULL, n = 0;
        if (hb_parse_size_list("--chunk", v, 1, (size_t)1 << 40, &c, &n) == 0) {
            FUZZ_CHECK(n >= 1);
            for (size_t i = 0; i < n; i++)
                FUZZ_CHECK(c[i] >= 1 && c[i] <= (size_t)1 << 40);
            free(c);
        }
    }
}

/* A kernel option: every scalar number parser must either refuse it with a
 * message or return a value in range. */
static void check_kernel_value(const char *v) {
    double x;
    long l;
    size_t z;
    uint64_t u;
    if (!v)
        return;
    if (hb_parse_double("--x", v, -1e300, 1e300, &x) == 0)
        FUZZ_CHECK(x >= -1e300 && x <= 1e300);
    if (hb_parse_long("--x", v, -1000, 1L << 40, &l) == 0)
        FUZZ_CHECK(l >= -1000 && l <= 1L << 40);
    if (hb_parse_size("--x", v, 1, (size_t)1 << 32, &z) == 0)
        FUZZ_CHECK(z >= 1 && z <= (size_t)1 << 32);
    (void)hb_parse_u64("--x", v, &u);
    hb_err_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    size_t nk;
    const hb_kernel *const *kernels = hb_kernels(&nk);
    const hb_kernel *k = kernels[data[0] % nk];
    char *buf = fuzz_strdup(data + 1, size - 1);
    char *words[64];
    int argc = fuzz_words(buf, size - 1, words, 64);

    const hb_option *tables[] = {hb_run_options, k->options, NULL};
    hb_args a;
    int rc = hb_args_parse(argc, words, tables, &a);
    if (rc == 0) {
        FUZZ_CHECK(a.n <= (size_t)argc);
        FUZZ_CHECK(a.npositional <= 4);
        for (size_t i = 0; i < a.n; i++) {
            const char *name = a.v[i].name;
            FUZZ_CHECK(name != NULL);
            FUZZ_CHECK(hb_args_has(&a, name));
            FUZZ_CHECK(hb_args_count(&a, name) >= 1);
            FUZZ_CHECK(hb_args_nth(&a, name, hb_args_count(&a, name)) == NULL);
            if (is_run_option(name))
                check_run_value(name, a.v[i].value);
            else
                check_kernel_value(a.v[i].value);
        }
        hb_args_free(&a);
    } else {
        /* A refusal is bad usage with one line of message. */
        FUZZ_CHECK(rc == HB_EUSAGE || rc == HB_ENOMEM);
        FUZZ_CHECK(strchr(hb_errmsg(rc), '\n') == NULL); /* words hold no newline */
    }
    hb_err_clear();
    free(buf);
    return 0;
}
