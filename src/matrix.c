/* `hybench matrix`: every kernel configuration under every layout and
 * schedule, one launch of `hybench run` each through a launcher template,
 * serial baselines first; rows land in results/<name>/runs.csv as each launch
 * completes (the child appends them), a failed launch gets a row of its own,
 * and the report is made at the end. Layouts across nodes run on the first N
 * hosts of --hosts, --hostfile or the Slurm allocation (hosts.h); with
 * --emit-sbatch the matrix writes a batch script for itself instead of
 * running. Never initialises MPI itself. */
#define _DEFAULT_SOURCE /* gethostname, strdup, mkdir */
#include "hybench/args.h"
#include "hybench/matrix.h"

#include "hybench/csv.h"
#include "hybench/efficiency.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/hosts.h"
#include "hybench/kernel.h"
#include "hybench/launch.h"
#include "hybench/meta.h"
#include "hybench/parse.h"
#include "hybench/pin.h"
#include "hybench/report.h"
#include "hybench/sched.h"
#include "hybench/signals.h"
#include "hybench/timer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const hb_option hb_matrix_options[] = {
    {"layouts", "LIST", "layouts [N:]RxT,... or auto (1x1 and every RxT that fits the cores)"},
    {"kernels", "LIST", "kernels with their default options (hybench --list; default pi,mc,pow)"},
    {"kernel", "'K OPTS'",
     "one configuration, e.g. 'pow --elements 1e6 --chunk 10,100' (its own --chunk and "
     "--schedules win); repeat for more"},
    {"schedules", "LIST", "static,cyclic,dynamic (default static,dynamic)"},
    {"chunk", "LIST", "tasks per hand-out (pow: elements per task), passed to run (default 1)"},
    {"repeat", "N", "timed repetitions per launch (default 3)"},
    {"warmup", "N", "discarded repetitions per launch (default 1)"},
    {"bind", "MODE", "core, pu or none (default core)"},
    {"distribute", "HOW", "compact or spread (default compact)"},
    {"seed", "S", "seed of every random stream (default 1)"},
    {"out", "DIR", "results directory (default results)"},
    {"name", "NAME", "this matrix's subdirectory of --out (default: the UTC time)"},
    {"timeout", "SECONDS", "stop a launch that runs longer (default 600)"},
    {"resume", NULL, "rerun only configurations missing from the existing runs.csv"},
    {"launcher", "TEMPLATE",
     "mpiexec (default), srun, or a template naming {ranks} {ranks_per_node} {nodes} "
     "{threads} {hosts} {layout} {program}"},
    {"hosts", "LIST", "hosts h1,h2[:slots],...: an N:RxT layout runs on the first N"},
    {"hostfile", "FILE", "hosts, one per line (host[:slots]; # comments)"},
    {"emit-sbatch", "FILE", "write a Slurm batch script that runs this matrix, and exit"},
    {"time", "LIMIT",
     "--emit-sbatch time limit (MM, HH:MM:SS, D-HH:MM:SS; default: the most "
     "the launches can take)"},
    {"partition", "NAME", "--emit-sbatch partition (default: the cluster's default)"},
    {"dry-run", NULL, "print the launch commands and exit"},
    {"quiet", NULL, "no progress line"},
    {"help", NULL, "show this help"},
    {NULL, NULL, NULL},
};

/* One kernel configuration: a kernel, the words of its options, and the
 * harness options it carries itself (--chunk, --schedules) or inherits. */
typedef struct kspec {
    const hb_kernel *k;
    char *text;   /* as given: "pi --streams 64" (owned) */
    char **words; /* kernel option words after the name (point into buf) */
    int nwords;
    char *buf;
    const char *chunk_text; /* --chunk as passed to run (into buf, or the matrix's) */
    size_t *chunks;         /* its values (owned) */
    size_t nchunks;
    const char *schedules[3];
    size_t nschedules;
    char **params; /* canonical params per chunk value (owned) */
    size_t *tasks; /* task count per chunk value */
} kspec;

typedef struct matrix {
    hb_layout *layouts;
    size_t nlayouts;
    kspec *kernels;
    size_t nkernels;
    const char *schedules[3];
    size_t nschedules;
    size_t *chunks;
    size_t nchunks;
    const char *chunk_text, *repeat, *warmup, *bind, *distribute, *seed;
    const char *launcher;
    hb_hostlist hosts; /* empty: this machine only */
    double timeout;
    bool resume, dry_run, progress;
    char dir[2048], runs[2100], log[2100];
    const char *self;
    char host[256];
    hb_csv_table done; /* rows already in runs.csv (resume) */
    bool have_done;
} matrix;

/* The defaults of `hybench` with no arguments: every kernel, sizes that take
 * at least ~0.2 s serial (so timings are not noise) yet finish in about a
 * minute in all on two cores. */
static const char *const default_kernels[] = {
    "pi --streams 64 --samples 4000000",
    /* 12 points whose Metropolis chains mix well (beta/slices >= 0.25, at
     * least 64 bins of 10 tau_int each), so the 5-sigma check against the
     * exact lattice value decides: the verdict is "ok", not "unverified"
     * (docs/mc.md). 32 slices keep the sweep vectorised. ~0.3 s serial. */
    "mc --beta 8,10,12,16 --m 0.5,1,2 --h 1 --slices 32 --iterations 150000 "
    "--out-dir results/default/mc_data",
    /* 32000 tasks of 1000 elements: enough work per task that the hand-out
     * is not the whole story. ~0.1 s serial: the map is memory-bound and one
     * copy of it per node is 0.75 GiB, so a longer map would mostly cost
     * set-up (generating the inputs) per launch. */
    "pow --elements 32000000 --chunk 1000",
    /* A small grain sweep, dynamic only, for the report's per-task hand-out
     * overhead within a rank and across ranks: 200k tasks of 10 elements
     * make the overhead the signal; a second or two in all. */
    "pow --elements 2000000 --chunk 10,100,1000 --schedules dynamic",
    "host",
};

/* ---- layouts ---- */

int hb_layout_parse(const char *opt, const char *s, hb_layout *out) {
    long n = 1, r, t;
    const char *p = s, *colon = strchr(s, ':');
    char *end;
    errno = 0;
    if (colon) {
        n = strtol(p, &end, 10);
        if (end != colon || p == end)
            goto bad;
        p = colon + 1;
    }
    if (*p < '0' || *p > '9')
        goto bad;
    r = strtol(p, &end, 10);
    if (*end != 'x')
        goto bad;
    p = end + 1;
    if (*p < '0' || *p > '9')
        goto bad;
    t = strtol(p, &end, 10);
    if (*end || errno)
        goto bad;
    if (n < 1 || r < 1 || t < 1 || n > 100000 || r > 100000 || t > 100000)
        return hb_fail(HB_EUSAGE, "%s: layout '%s' needs N, R and T of at least 1", opt, s);
    out->nodes = (int)n;
    out->ranks_per_node = (int)r;
    out->threads = (int)t;
    return 0;
bad:
    return hb_fail(HB_EUSAGE, "%s: '%s' is not a layout [N:]RxT (e.g. 1x2, 2x1, 2:4x8)", opt, s);
}

const char *hb_layout_name(const hb_layout *l, char *buf, int len) {
    if (l->nodes > 1)
        snprintf(buf, (size_t)len, "%d:%dx%d", l->nodes, l->ranks_per_node, l->threads);
    else
        snprintf(buf, (size_t)len, "%dx%d", l->ranks_per_node, l->threads);
    return buf;
}

size_t hb_layout_auto(int cores, hb_layout *out, size_t max) {
    size_t n = 0;
#define EMIT(R, T)                                                                                 \
    do {                                                                                           \
        if (n < max)                                                                               \
            out[n] = (hb_layout){1, (R), (T)};                                                     \
        n++;                                                                                       \
    } while (0)
    EMIT(1, 1);
    for (int w = 2; w <= cores; w++) {
        EMIT(w, 1);
        EMIT(1, w);
        for (int r = w - 1; r >= 2; r--)
            if (w % r == 0)
                EMIT(r, w / r);
    }
#undef EMIT
    return n;
}

/* ---- options ---- */

static void matrix_usage(FILE *f) {
    fputs("usage: hybench matrix [options]\n"
          "Run every kernel configuration under every layout and schedule (one launch each,\n"
          "serial baselines first) and write results/<name>/{runs.csv, efficiency.csv, meta,\n"
          "efficiency.svg, efficiency.png}.\n\n"
          "Kernels: --kernels pi,mc takes each kernel with its default options; --kernel\n"
          "'pi --streams 64 --samples 1e6' gives one configuration with options (repeat it, or\n"
          "mix both). A configuration may carry its own --chunk LIST and --schedules LIST:\n"
          "--kernel 'pow --elements 4000000 --chunk 10,100,1000' is a grain sweep.\n\n"
          "Hosts: an N:RxT layout runs on the first N hosts of --hosts, else --hostfile, else\n"
          "the Slurm allocation the matrix runs in; every layout is checked against them\n"
          "before anything is launched. Start the matrix on the first host: the serial\n"
          "baselines and the 1-node layouts run where it runs.\n\n"
          "Launchers: the default is MPICH's hydra,\n"
          "  " HB_LAUNCH_HYDRA "\n"
          "and for layouts of N > 1 nodes\n"
          "  " HB_LAUNCH_HYDRA_HOSTS "\n"
          "--launcher srun, inside a Slurm allocation, stands for\n"
          "  " HB_LAUNCH_SRUN "\n"
          "--emit-sbatch FILE [--time T] writes a batch script that runs this matrix with\n"
          "--launcher srun in one allocation sized for its largest layout (results in the\n"
          "submit directory), and exits.\n\n",
          f);
    hb_options_print(f, hb_matrix_options);
}

static void kspec_free(kspec *s) {
    free(s->text);
    free(s->words);
    free(s->buf);
    if (s->params)
        for (size_t i = 0; i < s->nchunks; i++)
            free(s->params[i]);
    free(s->params);
    free(s->tasks);
    free(s->chunks);
}

static void matrix_free(matrix *m) {
    for (size_t i = 0; i < m->nkernels; i++)
        kspec_free(&m->kernels[i]);
    free(m->kernels);
    free(m->layouts);
    free(m->chunks);
    hb_hosts_free(&m->hosts);
    if (m->have_done)
        hb_csv_table_free(&m->done);
}

/* A list option must not hold an empty item ("1x1,,2x1", "pi,"): strtok
 * would skip it silently. */
static int check_items(const char *opt, const char *s) {
    size_t n = strlen(s);
    if (n == 0 || s[0] == ',' || s[n - 1] == ',' || strstr(s, ",,"))
        return hb_fail(HB_EUSAGE, "%s: '%s' has an empty item", opt, s);
    return 0;
}

/* "static,dynamic" into out[0..*n) (at most 3, no repeats); opt names it. */
static int parse_schedules(const char *opt, const char *s, const char **out, size_t *n) {
    char copy[128];
    *n = 0;
    if (strlen(s) >= sizeof copy)
        return hb_fail(HB_EUSAGE, "%s: '%s' is too long", opt, s);
    int rc = check_items(opt, s);
    if (rc)
        return rc;
    strcpy(copy, s);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        hb_sched_kind kind;
        if (hb_sched_parse(tok, &kind) != 0)
            return hb_fail(HB_EUSAGE, "%s: '%s' is not static, cyclic or dynamic", opt, tok);
        bool dup = false;
        for (size_t i = 0; i < *n; i++)
            dup |= strcmp(out[i], hb_sched_name(kind)) == 0;
        if (!dup)
            out[(*n)++] = hb_sched_name(kind);
    }
    if (*n == 0)
        return hb_fail(HB_EUSAGE, "%s: '%s' names no schedule", opt, s);
    return 0;
}

/* A harness option inside a --kernel text: "--chunk" or "--chunk=..."
 * (*inline_value then points after '='). */
static bool harness_word(const char *w, const char *name, const char **inline_value) {
    size_t n = strlen(name);
    if (strncmp(w, "--", 2) != 0 || strncmp(w + 2, name, n) != 0)
        return false;
    if (w[2 + n] == '\0') {
        *inline_value = NULL;
        return true;
    }
    if (w[2 + n] == '=') {
        *inline_value = w + 3 + n;
        return true;
    }
    return false;
}

/* Split a --kernel text into the kernel, its option words and the harness
 * options it carries (--chunk, --schedules), which override the matrix's. */
static int kspec_parse(const char *text, kspec *s) {
    memset(s, 0, sizeof *s);
    if (!(s->text = strdup(text)) || !(s->buf = strdup(text)) ||
        !(s->words = calloc(strlen(text) / 2 + 2, sizeof *s->words)))
        return hb_fail(HB_ENOMEM, "out of memory");
    int n = 0;
    for (char *tok = strtok(s->buf, " \t"); tok; tok = strtok(NULL, " \t"))
        s->words[n++] = tok;
    if (n == 0)
        return hb_fail(HB_EUSAGE, "--kernel: empty kernel configuration");
    if (!(s->k = hb_kernel_find(s->words[0])))
        return hb_fail(HB_EUSAGE, "--kernel: unknown kernel '%s' (hybench --list)", s->words[0]);
    int kept = 0, rc;
    for (int i = 1; i < n; i++) {
        const char *v;
        bool chunk = harness_word(s->words[i], "chunk", &v);
        if (!chunk && !harness_word(s->words[i], "schedules", &v)) {
            s->words[kept++] = s->words[i];
            continue;
        }
        if (!v && ++i == n)
            return hb_fail(HB_EUSAGE, "--kernel '%s': --%s: missing value", text,
                           chunk ? "chunk" : "schedules");
        if (!v)
            v = s->words[i];
        rc = chunk ? hb_parse_size_list("--chunk", v, 1, (size_t)1 << 40, &s->chunks, &s->nchunks)
                   : parse_schedules("--schedules", v, s->schedules, &s->nschedules);
        if (rc)
            return hb_fail_prefix(rc, "--kernel '%s'", text);
        if (chunk)
            s->chunk_text = v;
    }
    s->nwords = kept;
    return 0;
}

/* What the configuration does not set itself comes from the matrix. Then
 * plan the kernel once per chunk value, untimed and without MPI, to check
 * its options now (bad input before anything runs) and to learn the params
 * text and task count its runs will record. */
static int kspec_probe(kspec *s, const matrix *m, uint64_t seed) {
    if (!s->chunks) {
        if (!(s->chunks = malloc(m->nchunks * sizeof *s->chunks)))
            return hb_fail(HB_ENOMEM, "out of memory");
        memcpy(s->chunks, m->chunks, m->nchunks * sizeof *s->chunks);
        s->nchunks = m->nchunks;
        s->chunk_text = m->chunk_text;
    }
    if (!s->nschedules) {
        memcpy(s->schedules, m->schedules, sizeof s->schedules);
        s->nschedules = m->nschedules;
    }
    const hb_option *const tables[] = {s->k->options, NULL};
    hb_args a;
    int rc = hb_args_parse(s->nwords, s->words, tables, &a);
    if (rc)
        return hb_fail_prefix(rc, "--kernel '%s'", s->text);
    if (!(s->params = calloc(s->nchunks, sizeof *s->params)) ||
        !(s->tasks = calloc(s->nchunks, sizeof *s->tasks))) {
        hb_args_free(&a);
        return hb_fail(HB_ENOMEM, "out of memory");
    }
    for (size_t c = 0; c < s->nchunks && rc == 0; c++) {
        hb_kernel_cfg cfg = {.seed = seed,
                             .chunk = s->chunks[c],
                             .nodes = 1,
                             .ranks = 1,
                             .threads = 1,
                             .serial = true,
                             .rank = 0,
                             .comm = MPI_COMM_NULL};
        hb_kernel_plan plan = {0};
        hb_err_clear();
        if ((rc = s->k->plan(&a, &cfg, &plan))) {
            rc = hb_fail_prefix(rc, "--kernel '%s'", s->text);
            break;
        }
        s->params[c] = plan.params;
        s->tasks[c] = plan.ntasks;
    }
    hb_args_free(&a);
    return rc;
}

static int add_kernel(matrix *m, const char *text) {
    kspec *v = realloc(m->kernels, (m->nkernels + 1) * sizeof *v);
    if (!v)
        return hb_fail(HB_ENOMEM, "out of memory");
    m->kernels = v;
    int rc = kspec_parse(text, &m->kernels[m->nkernels]);
    m->nkernels++; /* freed by matrix_free even when parsing failed */
    return rc;
}

static int parse_layouts(matrix *m, const char *s, int cores) {
    if (strcmp(s, "auto") == 0) {
        size_t n = hb_layout_auto(cores, NULL, 0);
        if (!(m->layouts = calloc(n, sizeof *m->layouts)))
            return hb_fail(HB_ENOMEM, "out of memory");
        m->nlayouts = hb_layout_auto(cores, m->layouts, n);
        return 0;
    }
    int rc = check_items("--layouts", s);
    if (rc)
        return rc;
    char *copy = strdup(s);
    if (!copy || !(m->layouts = calloc(strlen(s) + 1, sizeof *m->layouts))) {
        free(copy);
        return hb_fail(HB_ENOMEM, "out of memory");
    }
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save))
        rc = hb_layout_parse("--layouts", tok, &m->layouts[m->nlayouts++]);
    if (rc == 0 && m->nlayouts == 0)
        rc = hb_fail(HB_EUSAGE, "--layouts: '%s' names no layout", s);
    free(copy);
    return rc;
}

/* Every layout must fit a node before anything is launched: `hybench run`
 * refuses more workers per node than cores, and a matrix that launched it
 * anyway would only record a failure. Nodes are taken to be like the one the
 * matrix starts on (it runs the serial baselines and 1-node layouts). */
static int check_cores(const matrix *m, int cores) {
    for (size_t i = 0; i < m->nlayouts; i++) {
        char lay[64];
        const hb_layout *l = &m->layouts[i];
        int workers = l->ranks_per_node * l->threads;
        if (workers > cores)
            return hb_fail(HB_ELAYOUT,
                           "--layouts: %s needs %d workers per node but this node has %d cores",
                           hb_layout_name(l, lay, sizeof lay), workers, cores);
    }
    return 0;
}

/* Every layout must fit the hosts before anything is launched: its node
 * count within the list, its ranks per node within each host's slots. */
static int check_hosts(const matrix *m) {
    for (size_t i = 0; i < m->nlayouts; i++) {
        char lay[64];
        const hb_layout *l = &m->layouts[i];
        int rc = hb_hosts_check_layout(&m->hosts, hb_layout_name(l, lay, sizeof lay), l->nodes,
                                       l->ranks_per_node);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_options(matrix *m, const hb_args *a, int cores) {
    int rc;
    const char *v;
    long n;
    uint64_t seed = 1;
    m->chunk_text = (v = hb_args_get(a, "chunk")) ? v : "1";
    if ((rc = hb_parse_size_list("--chunk", m->chunk_text, 1, (size_t)1 << 40, &m->chunks,
                                 &m->nchunks)))
        return rc;
    m->repeat = (v = hb_args_get(a, "repeat")) ? v : "3";
    if ((rc = hb_parse_long("--repeat", m->repeat, 1, 1000000, &n)))
        return rc;
    m->warmup = (v = hb_args_get(a, "warmup")) ? v : "1";
    if ((rc = hb_parse_long("--warmup", m->warmup, 0, 1000000, &n)))
        return rc;
    m->seed = (v = hb_args_get(a, "seed")) ? v : "1";
    if ((rc = hb_parse_u64("--seed", m->seed, &seed)))
        return rc;
    hb_bind b;
    hb_dist d;
    m->bind = (v = hb_args_get(a, "bind")) ? v : "core";
    if ((rc = hb_bind_parse(m->bind, &b)))
        return rc;
    m->distribute = (v = hb_args_get(a, "distribute")) ? v : "compact";
    if ((rc = hb_dist_parse(m->distribute, &d)))
        return rc;
    double t = 600;
    if ((v = hb_args_get(a, "timeout")) && (rc = hb_parse_double("--timeout", v, 0.001, 1e7, &t)))
        return rc;
    m->timeout = t;
    m->launcher = hb_args_get(a, "launcher");
    if (m->launcher) { /* check the template now, before anything is written */
        hb_launch_vars probe = {1, 1, 1, 1, "localhost", "1x1", "hybench"};
        hb_launch_argv tmp;
        if ((rc = hb_launch_expand(hb_launch_template(m->launcher, 0), &probe, NULL, 0, &tmp)))
            return rc;
        hb_launch_argv_free(&tmp);
    }
    m->resume = hb_args_has(a, "resume");
    m->dry_run = hb_args_has(a, "dry-run");
    m->progress = !hb_args_has(a, "quiet") && isatty(STDERR_FILENO);
    if ((rc = parse_layouts(m, (v = hb_args_get(a, "layouts")) ? v : "auto", cores)) ||
        (rc = parse_schedules("--schedules",
                              (v = hb_args_get(a, "schedules")) ? v : "static,dynamic",
                              m->schedules, &m->nschedules)))
        return rc;

    /* Kernels: --kernels names, then every --kernel text, in order given. */
    const char *names = hb_args_get(a, "kernels");
    if (!names && hb_args_count(a, "kernel") == 0)
        names = "pi,mc,pow";
    if (names) {
        char copy[256];
        if (strlen(names) >= sizeof copy)
            return hb_fail(HB_EUSAGE, "--kernels: '%s' is too long", names);
        if ((rc = check_items("--kernels", names)))
            return rc;
        strcpy(copy, names);
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            if ((rc = add_kernel(m, tok)))
                return rc == HB_EUSAGE ? hb_fail(rc,
                                                 "--kernels: unknown kernel '%s' (hybench "
                                                 "--list)",
                                                 tok)
                                       : rc;
    }
    for (size_t i = 0; i < hb_args_count(a, "kernel"); i++)
        if ((rc = add_kernel(m, hb_args_nth(a, "kernel", i))))
            return rc;
    for (size_t i = 0; i < m->nkernels; i++)
        if ((rc = kspec_probe(&m->kernels[i], m, seed)))
            return rc;
    return 0;
}

static int default_options(matrix *m, int cores) {
    int rc;
    m->chunk_text = "1";
    if ((rc = hb_parse_size_list("--chunk", "1", 1, 1, &m->chunks, &m->nchunks)))
        return rc;
    m->repeat = "3";
    m->warmup = "1";
    m->seed = "1";
    m->bind = "core";
    m->distribute = "compact";
    m->timeout = 120;
    m->progress = isatty(STDERR_FILENO);
    if ((rc = parse_layouts(m, "auto", cores)) ||
        (rc = parse_schedules("--schedules", "static,dynamic", m->schedules, &m->nschedules)))
        return rc;
    for (size_t i = 0; i < sizeof default_kernels / sizeof default_kernels[0]; i++)
        if ((rc = add_kernel(m, default_kernels[i])) || (rc = kspec_probe(&m->kernels[i], m, 1)))
            return rc;
    return 0;
}

/* ---- the runs file ---- */

/* The hosts of an n-node launch for a template's {hosts} ("a,b"), or for
 * the CSV's hosts column ("a;b", as `hybench run` writes it). Without a
 * host list: this machine. */
static void launch_hosts(const matrix *m, int nodes, char sep, char *buf, size_t len) {
    if (m->hosts.n == 0 || hb_hosts_join(&m->hosts, (size_t)nodes, buf, len) != 0) {
        snprintf(buf, len, "%s", m->host);
        return;
    }
    for (char *c = buf; *c; c++)
        if (*c == ',')
            *c = sep;
}

/* Does runs.csv hold a row (an ok one with need_ok) for this configuration,
 * from row index `from` on? Serial rows match on kernel and params alone:
 * the baseline of a kernel+params is the same whatever the chunk and
 * schedule of the parallel runs. */
static bool has_row(const hb_csv_table *t, size_t from, const char *kernel, const char *params,
                    bool serial, const hb_layout *l, const char *schedule, size_t chunk,
                    bool need_ok) {
    int ck = hb_csv_col(t, "kernel"), cp = hb_csv_col(t, "params"), cm = hb_csv_col(t, "mode"),
        cn = hb_csv_col(t, "nodes"), cr = hb_csv_col(t, "ranks"), ct = hb_csv_col(t, "threads"),
        cs = hb_csv_col(t, "schedule"), cc = hb_csv_col(t, "chunk"), st = hb_csv_col(t, "status");
    if (ck < 0 || cp < 0 || cm < 0 || cn < 0 || cr < 0 || ct < 0 || cs < 0 || cc < 0 || st < 0)
        return false;
    char nodes[16], ranks[16], threads[16], ch[32];
    if (l) {
        snprintf(nodes, sizeof nodes, "%d", l->nodes);
        snprintf(ranks, sizeof ranks, "%d", l->nodes * l->ranks_per_node);
        snprintf(threads, sizeof threads, "%d", l->threads);
    }
    snprintf(ch, sizeof ch, "%zu", chunk);
    for (size_t r = from; r < t->nrows; r++) {
        char **f = t->rows[r];
        if (strcmp(f[ck], kernel) || strcmp(f[cp], params) ||
            strcmp(f[cm], serial ? "serial" : "parallel") || (need_ok && strcmp(f[st], "ok") != 0))
            continue;
        if (serial || (!strcmp(f[cc], ch) && !strcmp(f[cn], nodes) && !strcmp(f[cr], ranks) &&
                       !strcmp(f[ct], threads) && !strcmp(f[cs], schedule)))
            return true;
    }
    return false;
}

/* ---- launching ---- */

/* One launch: a serial baseline of one chunk value of a configuration, or
 * every chunk value of a configuration under one layout and schedule. */
typedef struct job {
    const kspec *s;
    bool serial;
    size_t chunk;       /* serial: the index of its chunk value */
    const hb_layout *l; /* NULL for serial */
    const char *schedule;
} job;

/* The chunk indices a job covers: [*first, *first + *n). */
static void job_chunks(const job *j, size_t *first, size_t *n) {
    *first = j->serial ? j->chunk : 0;
    *n = j->serial ? 1 : j->s->nchunks;
}

/* One row for a configuration whose launch ended with `status`, no timings:
 * in place of the rows the launch did not write, or next to those it did
 * ("timeout-after-rows"). */
static int append_status(const matrix *m, const job *j, size_t c, const char *status) {
    char ts[32], nodes[16], ranks[16], threads[16], workers[16], chunk[32], tasks[32], hosts[4096];
    const kspec *s = j->s;
    bool serial = j->serial;
    int nn = serial ? 1 : j->l->nodes, rr = serial ? 1 : j->l->nodes * j->l->ranks_per_node,
        tt = serial ? 1 : j->l->threads;
    snprintf(nodes, sizeof nodes, "%d", nn);
    snprintf(ranks, sizeof ranks, "%d", rr);
    snprintf(threads, sizeof threads, "%d", tt);
    snprintf(workers, sizeof workers, "%d", rr * tt);
    snprintf(chunk, sizeof chunk, "%zu", s->chunks[c]);
    snprintf(tasks, sizeof tasks, "%zu", s->tasks[c]);
    if (serial)
        snprintf(hosts, sizeof hosts, "%s", m->host);
    else
        launch_hosts(m, nn, ';', hosts, sizeof hosts);
    hb_csv_row row;
    static char empty[] = "";
    for (int i = 0; i < HB_NCOLS; i++)
        row.f[i] = empty;
    row.f[HB_COL_schema] = (char *)HB_CSV_SCHEMA;
    row.f[HB_COL_timestamp] = (char *)hb_meta_timestamp(ts, sizeof ts);
    row.f[HB_COL_host] = (char *)m->host;
    row.f[HB_COL_hosts] = hosts;
    row.f[HB_COL_kernel] = (char *)s->k->name;
    row.f[HB_COL_params] = s->params[c];
    row.f[HB_COL_mode] = (char *)(serial ? "serial" : "parallel");
    row.f[HB_COL_nodes] = nodes;
    row.f[HB_COL_ranks] = ranks;
    row.f[HB_COL_threads] = threads;
    row.f[HB_COL_workers] = workers;
    row.f[HB_COL_bind] = (char *)m->bind;
    row.f[HB_COL_distribute] = (char *)m->distribute;
    row.f[HB_COL_schedule] = (char *)(serial ? "serial" : j->schedule);
    row.f[HB_COL_chunk] = chunk;
    row.f[HB_COL_tasks] = tasks;
    row.f[HB_COL_status] = (char *)status;
    return hb_csv_append(m->runs, &row, 1);
}

static int build_argv(const matrix *m, const job *j, hb_launch_argv *out) {
    char threads[16], nodes[16], chunk[32];
    char *extra[64 + 2 * 16];
    size_t n = 0;
    const kspec *s = j->s;
    if ((size_t)s->nwords > 64)
        return hb_fail(HB_EUSAGE, "--kernel '%s': too many words", s->text);
    extra[n++] = "run";
    extra[n++] = "--kernel";
    extra[n++] = (char *)s->k->name;
    for (int i = 0; i < s->nwords; i++)
        extra[n++] = s->words[i];
    snprintf(chunk, sizeof chunk, "%zu", s->chunks[j->chunk]);
    extra[n++] = "--chunk";
    extra[n++] = j->serial ? chunk : (char *)s->chunk_text;
    extra[n++] = "--repeat";
    extra[n++] = (char *)m->repeat;
    extra[n++] = "--warmup";
    extra[n++] = (char *)m->warmup;
    extra[n++] = "--seed";
    extra[n++] = (char *)m->seed;
    extra[n++] = "--bind";
    extra[n++] = (char *)m->bind;
    extra[n++] = "--distribute";
    extra[n++] = (char *)m->distribute;
    extra[n++] = "--csv";
    extra[n++] = (char *)m->runs;
    extra[n++] = "--quiet";
    if (j->serial) {
        extra[n++] = "--serial";
        hb_launch_vars none = {.program = m->self};
        return hb_launch_expand("{program}", &none, extra, n, out);
    }
    snprintf(threads, sizeof threads, "%d", j->l->threads);
    snprintf(nodes, sizeof nodes, "%d", j->l->nodes);
    extra[n++] = "--threads";
    extra[n++] = threads;
    extra[n++] = "--schedule";
    extra[n++] = (char *)j->schedule;
    /* The run refuses a launch that spans another node count than the
     * layout's (e.g. hydra spreading a 1-node layout over an allocation). */
    extra[n++] = "--nodes";
    extra[n++] = nodes;
    char lay[64], hosts[4096];
    launch_hosts(m, j->l->nodes, ',', hosts, sizeof hosts);
    hb_launch_vars v = {.nodes = j->l->nodes,
                        .ranks = j->l->nodes * j->l->ranks_per_node,
                        .ranks_per_node = j->l->ranks_per_node,
                        .threads = j->l->threads,
                        .hosts = hosts,
                        .layout = hb_layout_name(j->l, lay, sizeof lay),
                        .program = m->self};
    /* hydra places a 1-node layout on the machine the matrix runs on (or,
     * inside an allocation, on its first node), like the serial baseline. */
    const char *tmpl = hb_launch_template(m->launcher, m->hosts.n > 0 && j->l->nodes > 1);
    return hb_launch_expand(tmpl, &v, extra, n, out);
}

static bool job_done(const matrix *m, const job *j) {
    size_t first, n;
    if (!m->have_done)
        return false;
    job_chunks(j, &first, &n);
    for (size_t c = first; c < first + n; c++)
        if (!has_row(&m->done, 0, j->s->k->name, j->s->params[c], j->serial, j->l, j->schedule,
                     j->s->chunks[c], true))
            return false;
    return true;
}

static void progress(const matrix *m, size_t i, size_t n, const job *j, double t0) {
    if (!m->progress)
        return;
    char lay[64];
    double el = hb_time_now() - t0;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s %s  elapsed %.0fs", i + 1, n, j->s->k->name,
            j->serial ? "serial" : hb_layout_name(j->l, lay, sizeof lay),
            j->serial ? "" : j->schedule, el);
    if (i > 0)
        fprintf(stderr, "  ETA %.0fs", el / (double)i * (double)(n - i));
    fflush(stderr);
}

/* Run one job. When the launch fails, every chunk it covers gets a row with
 * the launch status: in place of timings where it left none, and next to
 * the rows it did write otherwise (a launch that hangs in MPI_Finalize after
 * its rows: the timings stand, and the report says the launch then timed
 * out). Returns 0, HB_ELAUNCH (*after_rows set when every chunk had its
 * rows; the matrix goes on), HB_EINTR, or another negative code when the
 * runs file cannot be written. */
static int run_job(matrix *m, const job *j, bool *after_rows) {
    hb_launch_argv av;
    int rc = build_argv(m, j, &av);
    if (rc)
        return rc;
    size_t before = 0;
    hb_csv_table t;
    if (access(m->runs, F_OK) == 0 && hb_csv_read(m->runs, &t) == 0) {
        before = t.nrows;
        hb_csv_table_free(&t);
    }
    hb_launch_outcome o;
    int code = 0;
    FILE *log = fopen(m->log, "a");
    if (log) {
        fputs("$", log);
        for (size_t i = 0; i < av.n; i++)
            fprintf(log, " %s", av.v[i]);
        fputc('\n', log);
        fclose(log);
    }
    *after_rows = false;
    rc = hb_launch_run(av.v, m->timeout, m->log, &o, &code);
    if (rc == 0 && o != HB_LAUNCH_OK) {
        size_t first, n, with_rows = 0;
        job_chunks(j, &first, &n);
        bool have = access(m->runs, F_OK) == 0 && hb_csv_read(m->runs, &t) == 0;
        for (size_t c = first; c < first + n && rc == 0; c++) {
            char late[64];
            bool rows = have && has_row(&t, before, j->s->k->name, j->s->params[c], j->serial, j->l,
                                        j->schedule, j->s->chunks[c], false);
            snprintf(late, sizeof late, "%s%s", hb_launch_status(o), HB_EFF_AFTER_ROWS);
            rc = append_status(m, j, c, rows ? late : hb_launch_status(o));
            with_rows += rows;
        }
        if (have)
            hb_csv_table_free(&t);
        *after_rows = with_rows == n;
        char lay[64];
        if (m->progress)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "hybench matrix: %s %s %s: %s", j->s->k->name,
                j->serial ? "serial" : hb_layout_name(j->l, lay, sizeof lay),
                j->serial ? "" : j->schedule, hb_launch_status(o));
        if (o == HB_LAUNCH_FAILED || o == HB_LAUNCH_CRASHED)
            fprintf(stderr, " (%s %d)", o == HB_LAUNCH_FAILED ? "exit status" : "signal", code);
        if (*after_rows)
            fputs(" after writing all its rows, which are kept", stderr);
        else if (with_rows)
            fprintf(stderr, " after writing rows for %zu of %zu chunk values", with_rows, n);
        fprintf(stderr, "; see %s\n", m->log);
        if (rc == 0)
            rc = o == HB_LAUNCH_INTERRUPTED ? hb_fail(HB_EINTR, "interrupted")
                                            : hb_fail(HB_ELAUNCH, "a launch failed");
    }
    hb_launch_argv_free(&av);
    return rc;
}

/* Serial baselines first, one per kernel+params (a grain sweep has one per
 * grain; configurations that share params share the baseline), then every
 * configuration under every layout and its schedules. */
static size_t make_jobs(const matrix *m, job *jobs) {
    size_t n = 0;
    for (size_t k = 0; k < m->nkernels; k++) {
        const kspec *s = &m->kernels[k];
        for (size_t c = 0; c < s->nchunks; c++) {
            bool dup = false;
            for (size_t i = 0; i < n && !dup; i++)
                dup = jobs[i].s->k == s->k &&
                      strcmp(jobs[i].s->params[jobs[i].chunk], s->params[c]) == 0;
            if (!dup)
                jobs[n++] = (job){s, true, c, NULL, "serial"};
        }
    }
    for (size_t k = 0; k < m->nkernels; k++)
        for (size_t l = 0; l < m->nlayouts; l++)
            for (size_t s = 0; s < m->kernels[k].nschedules; s++)
                jobs[n++] =
                    (job){&m->kernels[k], false, 0, &m->layouts[l], m->kernels[k].schedules[s]};
    return n;
}

static size_t max_jobs(const matrix *m) {
    size_t max = 0;
    for (size_t k = 0; k < m->nkernels; k++)
        max += m->kernels[k].nchunks + m->nlayouts * m->kernels[k].nschedules;
    return max;
}

static int dry_run(const matrix *m, const job *jobs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        hb_launch_argv av;
        int rc = build_argv(m, &jobs[i], &av);
        if (rc)
            return rc;
        for (size_t w = 0; w < av.n; w++)
            printf("%s%s", w ? " " : "", av.v[w]);
        printf("%s\n", job_done(m, &jobs[i]) ? "   # done, skipped by --resume" : "");
        hb_launch_argv_free(&av);
    }
    return 0;
}

static int run_matrix(matrix *m, const hb_topo *topo) {
    size_t max = max_jobs(m);
    job *jobs = calloc(max ? max : 1, sizeof *jobs);
    if (!jobs)
        return hb_fail(HB_ENOMEM, "out of memory");
    size_t n = make_jobs(m, jobs);
    int rc = 0;
    if (m->resume && access(m->runs, F_OK) == 0) {
        if ((rc = hb_csv_read(m->runs, &m->done)))
            goto out;
        m->have_done = true;
    }
    if (m->dry_run) {
        rc = dry_run(m, jobs, n);
        goto out;
    }
    if ((rc = hb_mkdir_p("--out", m->dir)))
        goto out;
    char meta[2200];
    snprintf(meta, sizeof meta, "%s/meta", m->dir);
    if ((rc = hb_meta_write_file(meta, topo)))
        goto out;
    hb_signals_install();
    double t0 = hb_time_now();
    size_t failed = 0, failed_after_rows = 0, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        if (hb_interrupted()) {
            rc = hb_fail(HB_EINTR, "interrupted");
            break;
        }
        if (job_done(m, &jobs[i])) {
            skipped++;
            continue;
        }
        progress(m, i, n, &jobs[i], t0);
        bool after_rows = false;
        rc = run_job(m, &jobs[i], &after_rows);
        if (rc == HB_ELAUNCH) {
            failed++;
            failed_after_rows += after_rows;
            rc = 0;
        } else if (rc) {
            break;
        }
    }
    if (m->progress)
        fputs("\r\033[K", stderr);
    if (rc == HB_EINTR) {
        fprintf(stderr,
                "hybench matrix: interrupted; completed rows are in %s (rerun with "
                "--resume --name to finish)\n",
                m->runs);
        goto out;
    }
    if (rc)
        goto out;
    if (skipped)
        printf("resume: %zu of %zu launches were already complete\n", skipped, n);
    if (access(m->runs, F_OK) != 0) {
        rc = hb_fail(HB_ELAUNCH, "no launch wrote a row to %s", m->runs);
        goto out;
    }
    if ((rc = hb_report_generate(m->runs, m->dir, stdout)))
        goto out;
    printf("results: %s (runs.csv, efficiency.csv, meta, efficiency.svg/png; launch output in "
           "launch.log)\n",
           m->dir);
    if (failed)
        rc = hb_fail(HB_ELAUNCH,
                     "%zu of %zu launches failed, %zu of them after writing all their rows "
                     "(kept); recorded in %s",
                     failed, n, failed_after_rows, m->runs);
out:
    free(jobs);
    return rc;
}

/* ---- --emit-sbatch ---- */

/* The options that configure the batch script, not the matrix it runs. */
static bool sbatch_only(const char *name) {
    return !strcmp(name, "emit-sbatch") || !strcmp(name, "time") || !strcmp(name, "partition") ||
           !strcmp(name, "launcher");
}

/* Write the batch script for this matrix: sized for its largest layout, the
 * time limit from --time or, without it, the most its launches can take
 * (every launch stopped at --timeout) plus ten minutes. argv are the matrix's
 * own words, passed on without the script's options. */
static int emit_sbatch(const matrix *m, const hb_args *a, int argc, char **argv) {
    const char *path = hb_args_get(a, "emit-sbatch"), *tv = hb_args_get(a, "time");
    int rc = 0;
    if (!*path)
        return hb_fail(HB_EUSAGE, "--emit-sbatch: empty file name");
    if (hb_args_has(a, "hosts") || hb_args_has(a, "hostfile") || hb_args_has(a, "dry-run"))
        return hb_fail(HB_EUSAGE, "--emit-sbatch: the batch job takes its hosts from its "
                                  "allocation; drop --hosts, --hostfile and --dry-run");
    hb_sbatch sp = {
        .job_name = "hybench", .partition = hb_args_get(a, "partition"), .self = m->self};
    hb_layout_size *ls = calloc(m->nlayouts + 1, sizeof *ls);
    char **pass = calloc((size_t)argc + 1, sizeof *pass);
    job *jobs = calloc(max_jobs(m) + 1, sizeof *jobs);
    if (!ls || !pass || !jobs) {
        rc = hb_fail(HB_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < m->nlayouts; i++)
        ls[i] = (hb_layout_size){m->layouts[i].nodes, m->layouts[i].ranks_per_node,
                                 m->layouts[i].threads};
    ls[m->nlayouts] = (hb_layout_size){1, 1, 1}; /* the serial baselines */
    if ((rc = hb_sbatch_size(ls, m->nlayouts + 1, &sp)))
        goto out;
    size_t launches = make_jobs(m, jobs);
    if (tv) {
        if ((rc = hb_sbatch_parse_time("--time", tv, &sp.time_s)))
            goto out;
    } else {
        sp.time_s = (long)((double)launches * m->timeout) + 600;
        sp.time_s = (sp.time_s + 59) / 60 * 60;
    }
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        const hb_option *o = NULL;
        size_t len = strcspn(w + 2, "=");
        for (const hb_option *p = hb_matrix_options; !o && p->name && !strncmp(w, "--", 2); p++)
            if (strlen(p->name) == len && !strncmp(p->name, w + 2, len))
                o = p;
        bool pair = o && o->arg && !strchr(w, '=') && i + 1 < argc;
        if (o && sbatch_only(o->name)) {
            i += pair;
            continue;
        }
        pass[sp.argc++] = argv[i];
        if (pair)
            pass[sp.argc++] = argv[++i];
    }
    sp.argv = pass;
    if ((rc = hb_sbatch_write(path, &sp)))
        goto out;
    printf(
        "wrote %s: %d node%s x %d task%s per node x %d cpu%s per task, time limit %ld:%02ld:%02ld "
        "%s, %zu launches; submit it with `sbatch %s` from the directory that should get "
        "the results\n",
        path, sp.nodes, sp.nodes == 1 ? "" : "s", sp.ntasks_per_node,
        sp.ntasks_per_node == 1 ? "" : "s", sp.cpus_per_task, sp.cpus_per_task == 1 ? "" : "s",
        sp.time_s / 3600, sp.time_s / 60 % 60, sp.time_s % 60,
        tv ? "(--time)" : "(launches x --timeout + 10 min; --time sets a tighter one)", launches,
        path);
out:
    free(ls);
    free(pass);
    free(jobs);
    return rc;
}

int hb_matrix_main(int argc, char **argv, const char *self) {
    static const hb_option *const tables[] = {hb_matrix_options, NULL};
    matrix m;
    hb_args a = {0};
    hb_topo *topo = NULL;
    memset(&m, 0, sizeof m);
    int rc = hb_args_parse(argc, argv, tables, &a);
    if (rc)
        goto out;
    if (hb_args_has(&a, "help")) {
        matrix_usage(stdout);
        goto out;
    }
    if (a.npositional) {
        rc = hb_fail(HB_EUSAGE, "matrix: unexpected argument '%s'", a.positional[0]);
        goto out;
    }
    bool emit = hb_args_has(&a, "emit-sbatch");
    if (!emit && (hb_args_has(&a, "time") || hb_args_has(&a, "partition"))) {
        rc = hb_fail(HB_EUSAGE, "--%s: only with --emit-sbatch",
                     hb_args_has(&a, "time") ? "time" : "partition");
        goto out;
    }
    if ((rc = hb_topo_load(&topo, NULL)))
        goto out;
    int cores = hb_topo_cores(topo);
    rc = argc == 0 ? default_options(&m, cores) : parse_options(&m, &a, cores);
    if (rc)
        goto out;
    /* The program to launch: the running binary, found through /proc so a
     * bare `hybench` on PATH works under mpiexec too. */
    static char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        m.self = exe;
    } else {
        m.self = self;
    }
    if (emit) {
        rc = emit_sbatch(&m, &a, argc, argv);
        goto out;
    }
    /* Hosts: --hosts, else --hostfile, else the Slurm allocation; every
     * layout is checked against them before anything is written. A hostfile
     * that is not there is bad input, like any other bad value. */
    const char *hostfile = hb_args_get(&a, "hostfile");
    if (hostfile && !hb_args_has(&a, "hosts") && access(hostfile, R_OK) != 0) {
        rc = hb_fail(HB_EUSAGE, "--hostfile: cannot read '%s': %s", hostfile, strerror(errno));
        goto out;
    }
    if ((rc = hb_hosts_resolve(hb_args_get(&a, "hosts"), hb_args_get(&a, "hostfile"), &m.hosts)) ||
        (rc = check_hosts(&m)) || (rc = check_cores(&m, cores)))
        goto out;
    gethostname(m.host, sizeof m.host - 1);
    const char *out = hb_args_get(&a, "out"), *name = hb_args_get(&a, "name");
    char stamp[32];
    if (!name) {
        if (hb_args_has(&a, "resume")) {
            rc = hb_fail(HB_EUSAGE, "--resume: needs --name of the matrix to resume");
            goto out;
        }
        hb_meta_timestamp(stamp, sizeof stamp);
        for (char *c = stamp; *c; c++)
            if (*c == ':')
                *c = '-';
        name = argc == 0 ? "default" : stamp;
    }
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        rc = hb_fail(HB_EUSAGE, "--name: '%s' is not a plain directory name", name);
        goto out;
    }
    if (out && !*out) {
        rc = hb_fail(HB_EUSAGE, "--out: empty directory name");
        goto out;
    }
    snprintf(m.dir, sizeof m.dir, "%s/%s", out ? out : "results", name);
    snprintf(m.runs, sizeof m.runs, "%s/runs.csv", m.dir);
    snprintf(m.log, sizeof m.log, "%s/launch.log", m.dir);
    /* The default matrix starts afresh each time: its directory is reused. */
    if (argc == 0) {
        unlink(m.runs);
        unlink(m.log);
    }
    rc = run_matrix(&m, topo);
out:
    if (rc && rc != HB_EINTR)
        fprintf(stderr, "hybench matrix: %s\n", hb_errmsg(rc));
    matrix_free(&m);
    hb_topo_free(topo);
    hb_args_free(&a);
    return rc;
}
