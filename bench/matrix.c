/* `hybench matrix`: every kernel configuration under every layout and
 * schedule, one launch of `hybench run` each through a launcher template,
 * serial baselines first; rows land in results/<name>/runs.csv as each launch
 * completes (the child appends them), a failed launch gets a row of its own,
 * and the report is made at the end. Never initialises MPI itself. */
#define _DEFAULT_SOURCE /* gethostname, strdup, mkdir */
#include "hybench/args.h"
#include "hybench/matrix.h"

#include "hybench/csv.h"
#include "hybench/error.h"
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

#define HB_DEFAULT_LAUNCHER "mpiexec -n {ranks} -bind-to none {program}"
#define HB_DEFAULT_LAUNCHER_NODES                                                                  \
    "mpiexec -n {ranks} -ppn {ranks_per_node} -hosts {hosts} -bind-to none {program}"

const hb_option hb_matrix_options[] = {
    {"layouts", "LIST", "layouts [N:]RxT,... or auto (1x1 and every RxT that fits the cores)"},
    {"kernels", "LIST", "kernels with their default options: pi,mc,pow,host (default pi,mc,pow)"},
    {"kernel", "'K OPTS'",
     "one kernel configuration with options, e.g. 'pi --streams 64'; "
     "repeat for more"},
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
     "launch command; {ranks} {ranks_per_node} {nodes} {threads} "
     "{hosts} {layout} {program} (default " HB_DEFAULT_LAUNCHER ")"},
    {"hosts", "LIST", "host list for layouts with N > 1 nodes ({hosts})"},
    {"dry-run", NULL, "print the launch commands and exit"},
    {"quiet", NULL, "no progress line"},
    {"help", NULL, "show this help"},
    {NULL, NULL, NULL},
};

/* One kernel configuration: a kernel and the words of its options. */
typedef struct kspec {
    const hb_kernel *k;
    char *text;   /* as given: "pi --streams 64" (owned) */
    char **words; /* option words after the name (point into a copy of text) */
    int nwords;
    char *buf;
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
    const char *launcher, *hosts;
    double timeout;
    bool resume, dry_run, progress;
    char dir[2048], runs[2100], log[2100];
    const char *self;
    char host[256];
    hb_csv_table done; /* rows already in runs.csv (resume) */
    bool have_done;
} matrix;

/* The defaults of `hybench` with no arguments: sizes that finish in about a
 * minute in all on two cores. */
static const char *const default_kernels[] = {
    "pi --streams 64 --samples 1000000",
    /* The lesson's seven (beta, m) points: 7 tasks, so 2 workers idle one in 8. */
    "mc --zip --beta 0.5,0.5,1.0,1.0,1.0,2.0,2.0 --m 0.5,1.0,0.5,1.0,2.0,1.0,2.0 "
    "--iterations 20000 --out-dir results/default/mc_data",
    "pow --elements 1000000",
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
          "mix both). Launchers: the default is MPICH's hydra,\n"
          "  " HB_DEFAULT_LAUNCHER "\n"
          "and with N > 1 nodes\n"
          "  " HB_DEFAULT_LAUNCHER_NODES "\n"
          "Under Slurm use\n"
          "  --launcher 'srun -N {nodes} --ntasks-per-node {ranks_per_node} --cpus-per-task "
          "{threads} --mpi=pmi2 {program}'\n\n",
          f);
    hb_options_print(f, hb_matrix_options);
}

static void kspec_free(kspec *s, size_t nchunks) {
    free(s->text);
    free(s->words);
    free(s->buf);
    if (s->params)
        for (size_t i = 0; i < nchunks; i++)
            free(s->params[i]);
    free(s->params);
    free(s->tasks);
}

static void matrix_free(matrix *m) {
    for (size_t i = 0; i < m->nkernels; i++)
        kspec_free(&m->kernels[i], m->nchunks);
    free(m->kernels);
    free(m->layouts);
    free(m->chunks);
    if (m->have_done)
        hb_csv_table_free(&m->done);
}

/* Split a --kernel text into the kernel and its option words. */
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
    memmove(s->words, s->words + 1, (size_t)n * sizeof *s->words);
    s->nwords = n - 1;
    return 0;
}

/* Create the kernel once per chunk value, untimed and without MPI, to check
 * its options now (bad input before anything runs) and to learn the params
 * text and task count its runs will record. */
static int kspec_probe(kspec *s, const matrix *m, uint64_t seed) {
    const hb_option *const tables[] = {s->k->options, NULL};
    hb_args a;
    int rc = hb_args_parse(s->nwords, s->words, tables, &a);
    if (rc)
        return hb_fail(rc, "--kernel '%s': %s", s->text, hb_errmsg(rc));
    if (!(s->params = calloc(m->nchunks, sizeof *s->params)) ||
        !(s->tasks = calloc(m->nchunks, sizeof *s->tasks))) {
        hb_args_free(&a);
        return hb_fail(HB_ENOMEM, "out of memory");
    }
    for (size_t c = 0; c < m->nchunks && rc == 0; c++) {
        hb_kernel_cfg cfg = {.seed = seed,
                             .chunk = m->chunks[c],
                             .nodes = 1,
                             .ranks = 1,
                             .threads = 1,
                             .serial = true,
                             .rank = 0};
        void *state = NULL;
        hb_err_clear();
        if ((rc = s->k->create(&a, &cfg, &state))) {
            rc = hb_fail(rc, "--kernel '%s': %s", s->text, hb_errmsg(rc));
            break;
        }
        s->params[c] = strdup(s->k->params(state));
        s->tasks[c] = s->k->ntasks(state);
        s->k->destroy(state);
        if (!s->params[c])
            rc = hb_fail(HB_ENOMEM, "out of memory");
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
    char *copy = strdup(s);
    if (!copy || !(m->layouts = calloc(strlen(s) + 1, sizeof *m->layouts))) {
        free(copy);
        return hb_fail(HB_ENOMEM, "out of memory");
    }
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save))
        rc = hb_layout_parse("--layouts", tok, &m->layouts[m->nlayouts++]);
    if (rc == 0 && m->nlayouts == 0)
        rc = hb_fail(HB_EUSAGE, "--layouts: '%s' names no layout", s);
    free(copy);
    return rc;
}

static int parse_schedules(matrix *m, const char *s) {
    char copy[128];
    if (strlen(s) >= sizeof copy)
        return hb_fail(HB_EUSAGE, "--schedules: '%s' is too long", s);
    strcpy(copy, s);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        hb_sched_kind kind;
        if (hb_sched_parse(tok, &kind) != 0)
            return hb_fail(HB_EUSAGE, "--schedules: '%s' is not static, cyclic or dynamic", tok);
        bool dup = false;
        for (size_t i = 0; i < m->nschedules; i++)
            dup |= strcmp(m->schedules[i], hb_sched_name(kind)) == 0;
        if (!dup)
            m->schedules[m->nschedules++] = hb_sched_name(kind);
    }
    if (m->nschedules == 0)
        return hb_fail(HB_EUSAGE, "--schedules: '%s' names no schedule", s);
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
    m->hosts = hb_args_get(a, "hosts");
    if (m->launcher) { /* check the template now, before anything is written */
        hb_launch_vars probe = {1, 1, 1, 1, "localhost", "1x1", "hybench"};
        hb_launch_argv tmp;
        if ((rc = hb_launch_expand(m->launcher, &probe, NULL, 0, &tmp)))
            return rc;
        hb_launch_argv_free(&tmp);
    }
    m->resume = hb_args_has(a, "resume");
    m->dry_run = hb_args_has(a, "dry-run");
    m->progress = !hb_args_has(a, "quiet") && isatty(STDERR_FILENO);
    if ((rc = parse_layouts(m, (v = hb_args_get(a, "layouts")) ? v : "auto", cores)) ||
        (rc = parse_schedules(m, (v = hb_args_get(a, "schedules")) ? v : "static,dynamic")))
        return rc;
    for (size_t i = 0; i < m->nlayouts; i++)
        if (m->layouts[i].nodes > 1 && !m->hosts && !m->launcher)
            return hb_fail(HB_EUSAGE,
                           "--layouts: a layout with %d nodes needs --hosts (or a "
                           "--launcher such as srun that knows the nodes)",
                           m->layouts[i].nodes);

    /* Kernels: --kernels names, then every --kernel text, in order given. */
    const char *names = hb_args_get(a, "kernels");
    if (!names && hb_args_count(a, "kernel") == 0)
        names = "pi,mc,pow";
    if (names) {
        char copy[256];
        if (strlen(names) >= sizeof copy)
            return hb_fail(HB_EUSAGE, "--kernels: '%s' is too long", names);
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
    if ((rc = parse_layouts(m, "auto", cores)) || (rc = parse_schedules(m, "static,dynamic")))
        return rc;
    for (size_t i = 0; i < sizeof default_kernels / sizeof default_kernels[0]; i++)
        if ((rc = add_kernel(m, default_kernels[i])) || (rc = kspec_probe(&m->kernels[i], m, 1)))
            return rc;
    return 0;
}

/* ---- the runs file ---- */

static int make_dirs(const char *dir) {
    char path[2048];
    snprintf(path, sizeof path, "%s", dir);
    for (char *c = path + 1; *c; c++)
        if (*c == '/') {
            *c = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                return hb_fail(HB_EIO, "%s: cannot create: %s", path, strerror(errno));
            *c = '/';
        }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return hb_fail(HB_EIO, "%s: cannot create: %s", path, strerror(errno));
    return 0;
}

/* Does runs.csv hold an ok row for this configuration? (rows from index
 * `from` on; mode "serial" ignores layout and schedule). */
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
        if (strcmp(f[ck], kernel) || strcmp(f[cp], params) || strcmp(f[cc], ch) ||
            strcmp(f[cm], serial ? "serial" : "parallel") || (need_ok && strcmp(f[st], "ok") != 0))
            continue;
        if (serial || (!strcmp(f[cn], nodes) && !strcmp(f[cr], ranks) && !strcmp(f[ct], threads) &&
                       !strcmp(f[cs], schedule)))
            return true;
    }
    return false;
}

/* One row for a configuration whose launch left none: its status, no timings. */
static int append_failure(const matrix *m, const kspec *s, size_t c, bool serial,
                          const hb_layout *l, const char *schedule, const char *status) {
    char ts[32], nodes[16], ranks[16], threads[16], workers[16], chunk[32], tasks[32];
    int nn = serial ? 1 : l->nodes, rr = serial ? 1 : l->nodes * l->ranks_per_node,
        tt = serial ? 1 : l->threads;
    snprintf(nodes, sizeof nodes, "%d", nn);
    snprintf(ranks, sizeof ranks, "%d", rr);
    snprintf(threads, sizeof threads, "%d", tt);
    snprintf(workers, sizeof workers, "%d", rr * tt);
    snprintf(chunk, sizeof chunk, "%zu", m->chunks[c]);
    snprintf(tasks, sizeof tasks, "%zu", s->tasks[c]);
    hb_csv_row row;
    static char empty[] = "";
    for (int i = 0; i < HB_NCOLS; i++)
        row.f[i] = empty;
    row.f[HB_COL_schema] = (char *)HB_CSV_SCHEMA;
    row.f[HB_COL_timestamp] = (char *)hb_meta_timestamp(ts, sizeof ts);
    row.f[HB_COL_host] = (char *)m->host;
    row.f[HB_COL_hosts] = (char *)(serial || !m->hosts ? m->host : m->hosts);
    row.f[HB_COL_kernel] = (char *)s->k->name;
    row.f[HB_COL_params] = s->params[c];
    row.f[HB_COL_mode] = (char *)(serial ? "serial" : "parallel");
    row.f[HB_COL_nodes] = nodes;
    row.f[HB_COL_ranks] = ranks;
    row.f[HB_COL_threads] = threads;
    row.f[HB_COL_workers] = workers;
    row.f[HB_COL_bind] = (char *)m->bind;
    row.f[HB_COL_distribute] = (char *)m->distribute;
    row.f[HB_COL_schedule] = (char *)(serial ? "serial" : schedule);
    row.f[HB_COL_chunk] = chunk;
    row.f[HB_COL_tasks] = tasks;
    row.f[HB_COL_status] = (char *)status;
    return hb_csv_append(m->runs, &row, 1);
}

/* ---- launching ---- */

typedef struct job {
    const kspec *s;
    bool serial;
    const hb_layout *l; /* NULL for serial */
    const char *schedule;
} job;

static int build_argv(const matrix *m, const job *j, hb_launch_argv *out) {
    char threads[16], nodes[16];
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
    extra[n++] = "--chunk";
    extra[n++] = (char *)m->chunk_text;
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
    if (j->l->nodes > 1) {
        extra[n++] = "--nodes";
        extra[n++] = nodes;
    }
    char lay[64];
    hb_launch_vars v = {.nodes = j->l->nodes,
                        .ranks = j->l->nodes * j->l->ranks_per_node,
                        .ranks_per_node = j->l->ranks_per_node,
                        .threads = j->l->threads,
                        .hosts = m->hosts ? m->hosts : m->host,
                        .layout = hb_layout_name(j->l, lay, sizeof lay),
                        .program = m->self};
    const char *tmpl = m->launcher       ? m->launcher
                       : j->l->nodes > 1 ? HB_DEFAULT_LAUNCHER_NODES
                                         : HB_DEFAULT_LAUNCHER;
    return hb_launch_expand(tmpl, &v, extra, n, out);
}

static bool job_done(const matrix *m, const job *j) {
    if (!m->have_done)
        return false;
    for (size_t c = 0; c < m->nchunks; c++)
        if (!has_row(&m->done, 0, j->s->k->name, j->s->params[c], j->serial, j->l, j->schedule,
                     m->chunks[c], true))
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

/* Run one job; on a failed launch append rows for the chunks it left without
 * any. Returns 0, or HB_ELAUNCH/HB_EINTR (the matrix goes on after
 * HB_ELAUNCH), or another negative code when the runs file cannot be written. */
static int run_job(matrix *m, const job *j) {
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
    rc = hb_launch_run(av.v, m->timeout, m->log, &o, &code);
    if (rc == 0 && o != HB_LAUNCH_OK) {
        char lay[64];
        if (m->progress)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "hybench matrix: %s %s %s: %s", j->s->k->name,
                j->serial ? "serial" : hb_layout_name(j->l, lay, sizeof lay),
                j->serial ? "" : j->schedule, hb_launch_status(o));
        if (o == HB_LAUNCH_FAILED || o == HB_LAUNCH_CRASHED)
            fprintf(stderr, " (%s %d)", o == HB_LAUNCH_FAILED ? "exit status" : "signal", code);
        fprintf(stderr, "; see %s\n", m->log);
        /* Chunks the launch left without rows get one row with the status. */
        bool have = access(m->runs, F_OK) == 0 && hb_csv_read(m->runs, &t) == 0;
        for (size_t c = 0; c < m->nchunks && rc == 0; c++)
            if (!have || !has_row(&t, before, j->s->k->name, j->s->params[c], j->serial, j->l,
                                  j->schedule, m->chunks[c], false))
                rc = append_failure(m, j->s, c, j->serial, j->l, j->schedule, hb_launch_status(o));
        if (have)
            hb_csv_table_free(&t);
        if (rc == 0)
            rc = o == HB_LAUNCH_INTERRUPTED ? hb_fail(HB_EINTR, "interrupted")
                                            : hb_fail(HB_ELAUNCH, "a launch failed");
    }
    hb_launch_argv_free(&av);
    return rc;
}

static size_t make_jobs(const matrix *m, job *jobs) {
    size_t n = 0;
    for (size_t k = 0; k < m->nkernels; k++)
        jobs[n++] = (job){&m->kernels[k], true, NULL, "serial"};
    for (size_t k = 0; k < m->nkernels; k++)
        for (size_t l = 0; l < m->nlayouts; l++)
            for (size_t s = 0; s < m->nschedules; s++)
                jobs[n++] = (job){&m->kernels[k], false, &m->layouts[l], m->schedules[s]};
    return n;
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
    size_t max = m->nkernels * (1 + m->nlayouts * m->nschedules);
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
    if ((rc = make_dirs(m->dir)))
        goto out;
    char meta[2200];
    snprintf(meta, sizeof meta, "%s/meta", m->dir);
    if ((rc = hb_meta_write_file(meta, topo)))
        goto out;
    hb_signals_install();
    double t0 = hb_time_now();
    size_t failed = 0, skipped = 0;
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
        rc = run_job(m, &jobs[i]);
        if (rc == HB_ELAUNCH) {
            failed++;
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
        rc = hb_fail(HB_ELAUNCH, "%zu of %zu launches failed (recorded in %s)", failed, n, m->runs);
out:
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
