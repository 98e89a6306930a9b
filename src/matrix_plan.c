/* The matrix's plan: its options, its kernel configurations (each planned
 * with the kernel's plan(), so bad kernel options are refused before
 * anything runs), the default matrix, and the checks of layouts against
 * cores and hosts (see matrix.h). Nothing here launches or writes. */
#define _DEFAULT_SOURCE /* strdup, gethostname */
#include "matrix.h"

#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/parse.h"
#include "hybench/run.h"
#include "hybench/sched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const hb_option hb_matrix_options[] = {
    {"layouts", "LIST", "layouts [N:]RxT,... or auto (1x1 and every RxT that fits the cores)"},
    {"kernels", "LIST",
     "kernels with their default configurations (hybench --list; default pi,mc,pow)"},
    {"kernel", "'K OPTS'...",
     "one configuration, e.g. 'pow --elements 1e6 --chunk 10,100' (its own --chunk and "
     "--schedules win; quotes group words); repeat for more"},
    {"schedules", "LIST", "static,cyclic,dynamic (default static,dynamic)"},
    {"chunk", "LIST", "tasks per hand-out (pow: elements per task), passed to run (default 1)"},
    {"rounds", "N", "launch every configuration, serial baselines included, N times (default 3)"},
    {"order", "HOW", "random (shuffled anew each round, default) or fixed"},
    {"order-seed", "S", "seed of the round order (default: from the clock; recorded in meta)"},
    {"precision", "P",
     "add rounds until every speedup's 95% interval is within +-P of it (e.g. 0.02)"},
    {"max-rounds", "N", "most rounds --precision may run (default 10)"},
    {"budget", "SECONDS", "with --precision: start no round after this much time"},
    {"seed", "S", "seed of every random stream (default 1)"},
    {"out", "DIR", "results directory (default results)"},
    {"name", "NAME", "this matrix's subdirectory of --out (default: the UTC time)"},
    {"timeout", "SECONDS", "stop a launch that runs longer (default 600)"},
    {"resume", NULL, "complete the matrix --name: run exactly the repeats runs.csv lacks"},
    {"force", NULL, "run configurations whose estimated work is beyond the size check"},
    {"launcher", "TEMPLATE",
     "mpiexec (hydra), mpirun (Open MPI), srun (default: the one of the MPI in use), or a "
     "template naming {ranks} {ranks_per_node} {nodes} {threads} {hosts} {host_slots} {layout} "
     "{program} {mpiexec} {mpirun} {as_root} {export}"},
    {"hosts", "LIST", "hosts h1,h2[:slots],...: an N:RxT layout runs on the first N"},
    {"hostfile", "FILE", "hosts, one per line (host[:slots]; # comments)"},
    {"emit-sbatch", "FILE", "write a Slurm batch script that runs this matrix, and exit"},
    {"time", "LIMIT",
     "--emit-sbatch time limit (MM, HH:MM:SS, D-HH:MM:SS; default: the most "
     "the launches can take)"},
    {"partition", "NAME", "--emit-sbatch partition (default: the cluster's default)"},
    {"dry-run", NULL, "print the launch commands and exit"},
    {"quiet", NULL, "no progress lines"},
    {"help", NULL, "show this help"},
    {NULL, NULL, NULL},
};

static const hb_option *const matrix_tables[] = {hb_matrix_options, hb_pin_options,
                                                 hb_timing_options, NULL};

/* The default configurations: of `hybench` with no arguments, and of each
 * kernel named by --kernels. Sizes take at least ~0.2 s serial, so timings
 * are not noise, yet the default matrix finishes in about a minute on two
 * cores. A kernel with an --out-dir option writes under the matrix's
 * directory (see with_out_dir). */
static const char *const default_kernels[] = {
    "pi --streams 64 --samples 4000000",
    /* 12 points whose Metropolis chains mix well (beta/slices >= 0.25, at
     * least 64 bins of 10 tau_int each), so the 5-sigma check against the
     * exact lattice value decides: the verdict is "ok", not "unverified"
     * (docs/mc.md). 32 slices keep the sweep vectorised. ~0.3 s serial. */
    "mc --beta 8,10,12,16 --m 0.5,1,2 --h 1 --slices 32 --iterations 150000",
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
#define NDEFAULTS (sizeof default_kernels / sizeof default_kernels[0])

void hb_mplan_usage(FILE *f) {
    fputs("usage: hybench matrix [options]\n"
          "Run every kernel configuration under every layout and schedule, serial baselines\n"
          "included, once per round in an order shuffled anew each round, and write\n"
          "results/<name>/{runs.csv, efficiency.csv, meta, plots}.\n\n"
          "Kernels: --kernels pi,mc takes each kernel's default configurations; --kernel\n"
          "'pi --streams 64 --samples 1e6' gives one configuration with options (repeat it, or\n"
          "mix both). A configuration may carry its own --chunk LIST and --schedules LIST:\n"
          "--kernel 'pow --elements 4000000 --chunk 10,100,1000' is a grain sweep. Kernel\n"
          "output files (mc's --out-dir) go under the matrix's directory unless given.\n\n"
          "Hosts: an N:RxT layout runs on the first N hosts of --hosts, else --hostfile, else\n"
          "the Slurm allocation the matrix runs in; with hosts, every launch (serial baselines\n"
          "and 1-node layouts too) runs through the launcher on them, so the machine the\n"
          "matrix starts on may be a login node.\n\n"
          "Launchers: the default goes with the MPI library hybench runs with (its\n"
          "MPI_Get_library_version). --launcher mpiexec (MPICH, Intel MPI: hydra) stands for\n"
          "  " HB_LAUNCH_HYDRA "\n"
          "and for layouts on hosts\n"
          "  " HB_LAUNCH_HYDRA_HOSTS "\n"
          "--launcher mpirun (Open MPI) for\n"
          "  " HB_LAUNCH_MPIRUN "\n"
          "  " HB_LAUNCH_MPIRUN_HOSTS "\n"
          "--launcher srun, inside a Slurm allocation, for (pmix with Open MPI)\n"
          "  " HB_LAUNCH_SRUN "\n"
          "--emit-sbatch FILE [--time T] writes a batch script that runs this matrix in one\n"
          "allocation sized for its largest layout, each layout launched the way the MPI in\n"
          "use launches inside an allocation (srun; mpirun for Open MPI) unless --launcher\n"
          "says otherwise, and exits.\n\n"
          "Results: a --name that exists is refused unless --resume, which runs exactly\n"
          "the repeats its runs.csv lacks; one matrix at a time owns a directory.\n\n",
          f);
    hb_mpi_kind kind = hb_mpi_running();
    fprintf(f, "Here {mpiexec} is %s, {mpirun} is %s, and the default launcher is %s.\n\n",
            hb_launch_mpiexec(), hb_launch_mpirun(),
            kind == HB_MPI_OPENMPI ? "mpirun"
            : kind == HB_MPI_SLURM ? "srun"
                                   : "mpiexec");
    for (size_t t = 0; matrix_tables[t]; t++)
        hb_options_print(f, matrix_tables[t]);
}

static void kspec_free(hb_kspec *s) {
    free(s->text);
    hb_words_free(s->words);
    if (s->params)
        for (size_t i = 0; i < s->nchunks; i++)
            free(s->params[i]);
    free(s->params);
    free(s->tasks);
    free(s->work);
    free(s->chunks);
}

void hb_mplan_free(hb_mplan *p) {
    for (size_t i = 0; i < p->nkernels; i++)
        kspec_free(&p->kernels[i]);
    free(p->kernels);
    free(p->layouts);
    hb_hosts_free(&p->hosts);
    hb_args_free(&p->args);
    memset(p, 0, sizeof *p);
}

/* A list option must not hold an empty item ("1x1,,2x1", "pi,"): strtok
 * would skip it silently. */
static int check_items(const char *opt, const char *s) {
    size_t n = strlen(s);
    if (n == 0 || s[0] == ',' || s[n - 1] == ',' || strstr(s, ",,"))
        return hb_fail(HB_EUSAGE, "%s: '%s' has an empty item", opt, s);
    return 0;
}

/* "static,dynamic" into out[0..*n) (at most 3, no repeats). */
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
static int kspec_parse(const char *text, hb_kspec *s) {
    memset(s, 0, sizeof *s);
    char **w = NULL;
    int n, rc;
    if (!(s->text = strdup(text)))
        return hb_fail(HB_ENOMEM, "out of memory");
    if ((rc = hb_words_split("--kernel", text, &w, &n)))
        return rc;
    /* The kernel's own words move to s->words; w keeps the rest. */
    if (!(s->words = calloc((size_t)n + 2, sizeof *s->words))) {
        hb_words_free(w);
        return hb_fail(HB_ENOMEM, "out of memory");
    }
    if (n == 0)
        rc = hb_fail(HB_EUSAGE, "--kernel: empty kernel configuration");
    else if (!(s->k = hb_kernel_find(w[0])))
        rc = hb_fail(HB_EUSAGE, "--kernel: unknown kernel '%s' (one of: %s)", w[0],
                     hb_kernel_names());
    for (int i = 1; i < n && !rc; i++) {
        const char *v;
        bool chunk = harness_word(w[i], "chunk", &v);
        if (!chunk && !harness_word(w[i], "schedules", &v)) {
            s->words[s->nwords++] = w[i];
            w[i] = w[0]; /* still owned by w, freed once below */
            continue;
        }
        if (!v && i + 1 == n) {
            rc = hb_fail(HB_EUSAGE, "--kernel '%s': --%s: missing value", text,
                         chunk ? "chunk" : "schedules");
            break;
        }
        if (!v)
            v = w[++i];
        rc = chunk ? hb_parse_size_list("--chunk", v, 1, (size_t)1 << 40, &s->chunks, &s->nchunks)
                   : parse_schedules("--schedules", v, s->schedules, &s->nschedules);
        if (rc)
            rc = hb_fail_prefix(rc, "--kernel '%s'", text);
    }
    /* Free what is left in w: the name and the harness words, each once. */
    for (int i = 0; i < n; i++)
        if (i == 0 || w[i] != w[0])
            free(w[i]);
    free(w);
    return rc;
}

/* A kernel that writes files (an --out-dir option) writes them under the
 * matrix's directory unless the configuration names its own, so a matrix
 * never scatters files into the working directory. */
static int with_out_dir(hb_kspec *s, const char *dir) {
    bool has_opt = false;
    for (const hb_option *o = s->k->options; o && o->name && !has_opt; o++)
        has_opt = strcmp(o->name, "out-dir") == 0;
    for (int i = 0; i < s->nwords && has_opt; i++)
        if (strcmp(s->words[i], "--out-dir") == 0 || strncmp(s->words[i], "--out-dir=", 10) == 0)
            return 0;
    if (!has_opt)
        return 0;
    char path[PATH_MAX];
    int rc = hb_path(path, sizeof path, "--out", "--out-dir=%s/%s_data", dir, s->k->name);
    if (rc)
        return rc;
    char **w = realloc(s->words, (size_t)(s->nwords + 2) * sizeof *w);
    if (!w)
        return hb_fail(HB_ENOMEM, "out of memory");
    s->words = w;
    if (!(w[s->nwords] = strdup(path)))
        return hb_fail(HB_ENOMEM, "out of memory");
    w[++s->nwords] = NULL;
    return 0;
}

/* What the configuration does not set itself comes from the matrix; then
 * plan the kernel per chunk value: bad input is refused before anything
 * runs, and its rows' params and task counts are known. */
static int kspec_plan(hb_kspec *s, const hb_mplan *p, const size_t *chunks, size_t nchunks,
                      const char *const *scheds, size_t nscheds) {
    if (!s->chunks) {
        if (!(s->chunks = malloc(nchunks * sizeof *s->chunks)))
            return hb_fail(HB_ENOMEM, "out of memory");
        memcpy(s->chunks, chunks, nchunks * sizeof *s->chunks);
        s->nchunks = nchunks;
    }
    if (!s->nschedules) {
        memcpy(s->schedules, scheds, nscheds * sizeof *scheds);
        s->nschedules = nscheds;
    }
    int rc = with_out_dir(s, p->dir);
    if (rc)
        return rc;
    const hb_option *const tables[] = {s->k->options, NULL};
    hb_args a;
    if ((rc = hb_args_parse(s->nwords, s->words, tables, &a)))
        return hb_fail_prefix(rc, "--kernel '%s'", s->text);
    if (a.npositional) {
        rc = hb_fail(HB_EUSAGE, "--kernel '%s': unexpected word '%s'", s->text, a.positional[0]);
        hb_args_free(&a);
        return rc;
    }
    s->params = calloc(s->nchunks, sizeof *s->params);
    s->tasks = calloc(s->nchunks, sizeof *s->tasks);
    s->work = calloc(s->nchunks, sizeof *s->work);
    if (!s->params || !s->tasks || !s->work)
        rc = hb_fail(HB_ENOMEM, "out of memory");
    for (size_t c = 0; c < s->nchunks && rc == 0; c++) {
        hb_kernel_cfg cfg = {.seed = p->seed,
                             .chunk = s->chunks[c],
                             .nodes = 1,
                             .ranks = 1,
                             .threads = 1,
                             .serial = true,
                             .comm = MPI_COMM_NULL};
        hb_kernel_plan plan = {0};
        hb_err_clear();
        if ((rc = s->k->plan(&a, &cfg, &plan))) {
            rc = hb_fail_prefix(rc, "--kernel '%s'", s->text);
            break;
        }
        s->params[c] = plan.params;
        s->tasks[c] = plan.ntasks;
        s->work[c] = plan.work_s;
    }
    hb_args_free(&a);
    return rc;
}

static int add_kernel(hb_mplan *p, const char *text) {
    hb_kspec *v = realloc(p->kernels, (p->nkernels + 1) * sizeof *v);
    if (!v)
        return hb_fail(HB_ENOMEM, "out of memory");
    p->kernels = v;
    int rc = kspec_parse(text, &p->kernels[p->nkernels]);
    p->nkernels++; /* freed by hb_mplan_free even when parsing failed */
    return rc;
}

/* --kernels pi,mc: every default configuration of each named kernel. */
static int add_defaults_of(hb_mplan *p, const char *names) {
    char copy[256];
    int rc;
    if (strlen(names) >= sizeof copy)
        return hb_fail(HB_EUSAGE, "--kernels: '%s' is too long", names);
    if ((rc = check_items("--kernels", names)))
        return rc;
    strcpy(copy, names);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (!hb_kernel_find(tok))
            return hb_fail(HB_EUSAGE, "--kernels: unknown kernel '%s' (one of: %s)", tok,
                           hb_kernel_names());
        bool any = false;
        for (size_t i = 0; i < NDEFAULTS; i++) {
            size_t n = strcspn(default_kernels[i], " ");
            if (n == strlen(tok) && strncmp(default_kernels[i], tok, n) == 0) {
                if ((rc = add_kernel(p, default_kernels[i])))
                    return rc;
                any = true;
            }
        }
        if (!any && (rc = add_kernel(p, tok))) /* a kernel without a default: its own */
            return rc;
    }
    return 0;
}

static int parse_layouts(hb_mplan *p, const char *s, int cores) {
    if (strcmp(s, "auto") == 0) {
        size_t n = hb_layout_auto(cores, NULL, 0);
        if (!(p->layouts = calloc(n, sizeof *p->layouts)))
            return hb_fail(HB_ENOMEM, "out of memory");
        p->nlayouts = hb_layout_auto(cores, p->layouts, n);
        return 0;
    }
    int rc = check_items("--layouts", s);
    if (rc)
        return rc;
    char *copy = strdup(s);
    if (!copy || !(p->layouts = calloc(strlen(s) + 1, sizeof *p->layouts))) {
        free(copy);
        return hb_fail(HB_ENOMEM, "out of memory");
    }
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save))
        rc = hb_layout_parse("--layouts", tok, &p->layouts[p->nlayouts++]);
    free(copy);
    return rc;
}

/* Layouts that run on this machine must fit its cores before anything is
 * launched (`hybench run` refuses them, and a matrix that launched them
 * anyway would only record failures). With hosts every launch runs on them,
 * whose cores this machine cannot know (a login node): their slots are
 * checked instead, and a run that does not fit its node says so itself. A
 * dry run plans for any machine. */
static int check_layouts(const hb_mplan *p, int cores) {
    for (size_t i = 0; i < p->nlayouts; i++) {
        char lay[HB_LAYOUT_NAME_MAX];
        const hb_layout *l = &p->layouts[i];
        int w = hb_layout_node_workers(l), rc;
        hb_layout_name(l, lay);
        if ((p->hosts.n > 0 || l->nodes > 1) &&
            (rc = hb_hosts_check_layout(&p->hosts, lay, l->nodes, l->ranks_per_node)))
            return rc;
        if (p->hosts.n == 0 && !p->dry_run && !p->oversubscribe && w > cores)
            return hb_fail(HB_ELAYOUT,
                           "--layouts: %s needs %d workers per node but this node has %d cores "
                           "(--oversubscribe to share them; --dry-run to plan for another "
                           "machine)",
                           lay, w, cores);
    }
    return 0;
}

/* Every configuration's estimated work per repeat must be within the size
 * check (kernel.h) unless --force: a run of hours is a typo far more often
 * than a benchmark. */
static int check_work(const hb_mplan *p) {
    for (size_t k = 0; k < p->nkernels && !p->force; k++)
        for (size_t c = 0; c < p->kernels[k].nchunks; c++)
            if (p->kernels[k].work[c] > HB_WORK_LIMIT_S)
                return hb_fail(HB_EUSAGE,
                               "--kernel '%s': about %.3g s of work per repeat on one core "
                               "(estimated), beyond the %.0f s size check; --force runs it",
                               p->kernels[k].text, p->kernels[k].work[c], HB_WORK_LIMIT_S);
    return 0;
}

/* Options that belong to a kernel, not to the matrix: say how to give them. */
static int kernel_option_hint(int argc, char **argv) {
    size_t n;
    const hb_kernel *const *all = hb_kernels(&n);
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0)
            continue;
        size_t len = strcspn(argv[i] + 2, "=");
        bool known = false;
        for (size_t t = 0; matrix_tables[t] && !known; t++)
            for (const hb_option *o = matrix_tables[t]; o->name && !known; o++)
                known = strlen(o->name) == len && strncmp(o->name, argv[i] + 2, len) == 0;
        for (size_t k = 0; k < n && !known; k++)
            for (const hb_option *o = all[k]->options; o && o->name; o++)
                if (strlen(o->name) == len && strncmp(o->name, argv[i] + 2, len) == 0)
                    return hb_fail(HB_EUSAGE,
                                   "unknown option '%.*s': it is a %s kernel option; give it "
                                   "with its kernel, --kernel '%s %.*s ...'",
                                   (int)len + 2, argv[i], all[k]->name, all[k]->name, (int)len + 2,
                                   argv[i]);
    }
    return 0;
}

static int parse_count(const hb_args *a, const char *name, long min, long max, long dflt,
                       int *out) {
    const char *v = hb_args_get(a, name);
    char opt[32];
    long x = dflt;
    snprintf(opt, sizeof opt, "--%s", name);
    int rc = v ? hb_parse_long(opt, v, min, max, &x) : 0;
    *out = (int)x;
    return rc;
}

/* --out/--name into the directory paths. */
static int set_paths(hb_mplan *p, const hb_args *a, bool is_default) {
    const char *out = hb_args_get(a, "out"), *name = hb_args_get(a, "name");
    char stamp[32];
    int rc;
    if (!name) {
        if (p->resume)
            return hb_fail(HB_EUSAGE, "--resume: needs --name of the matrix to resume");
        time_t now = time(NULL);
        struct tm tm;
        if (!gmtime_r(&now, &tm) || !strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%SZ", &tm))
            snprintf(stamp, sizeof stamp, "matrix");
        name = is_default ? "default" : stamp;
    }
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        strlen(name) >= sizeof p->name)
        return hb_fail(HB_EUSAGE, "--name: '%s' is not a plain directory name", name);
    if (out && !*out)
        return hb_fail(HB_EUSAGE, "--out: empty directory name");
    snprintf(p->name, sizeof p->name, "%s", name);
    if ((rc = hb_path(p->dir, sizeof p->dir, "--out", "%s/%s", out ? out : "results", name)) ||
        (rc = hb_path(p->runs, sizeof p->runs, "--out", "%s/runs.csv", p->dir)) ||
        (rc = hb_path(p->log, sizeof p->log, "--out", "%s/launch.log", p->dir)))
        return rc;
    return 0;
}

static int parse_options(hb_mplan *p, const hb_args *a, int cores) {
    int rc;
    const char *v;
    size_t *chunks = NULL, nchunks;
    const char *scheds[3];
    size_t nscheds;
    p->seed = 1;
    p->resume = hb_args_has(a, "resume");
    p->dry_run = hb_args_has(a, "dry-run");
    p->quiet = hb_args_has(a, "quiet");
    p->force = hb_args_has(a, "force");
    hb_pin_req pin;
    if ((rc = hb_pin_from_args(a, &pin)))
        return rc;
    p->bind = pin.bind;
    p->dist = pin.dist;
    p->oversubscribe = pin.oversubscribe;
    if ((rc = parse_count(a, "repeat", 1, 1000000, 3, &p->repeat)) ||
        (rc = parse_count(a, "warmup", 0, 1000000, 1, &p->warmup)) ||
        (rc = parse_count(a, "rounds", 1, 100000, 3, &p->rounds)) ||
        (rc = parse_count(a, "max-rounds", 1, 100000, 10, &p->max_rounds)))
        return rc;
    if ((v = hb_args_get(a, "seed")) && (rc = hb_parse_u64("--seed", v, &p->seed)))
        return rc;
    v = hb_args_get(a, "order");
    if (v && strcmp(v, "random") != 0 && strcmp(v, "fixed") != 0)
        return hb_fail(HB_EUSAGE, "--order: '%s' is not random or fixed", v);
    p->random_order = !v || strcmp(v, "random") == 0;
    if ((v = hb_args_get(a, "order-seed")) &&
        (rc = hb_parse_u64("--order-seed", v, &p->order_seed)))
        return rc;
    if ((v = hb_args_get(a, "precision")) &&
        (rc = hb_parse_double("--precision", v, 1e-6, 1, &p->precision)))
        return rc;
    if ((v = hb_args_get(a, "budget")) && (rc = hb_parse_double("--budget", v, 1, 1e9, &p->budget)))
        return rc;
    if ((hb_args_has(a, "max-rounds") || hb_args_has(a, "budget")) && p->precision == 0)
        return hb_fail(HB_EUSAGE, "--%s: only with --precision",
                       hb_args_has(a, "max-rounds") ? "max-rounds" : "budget");
    if (p->max_rounds < p->rounds || p->precision == 0)
        p->max_rounds = p->rounds;
    p->timeout = 600;
    if ((v = hb_args_get(a, "timeout")) &&
        (rc = hb_parse_double("--timeout", v, 0.001, 1e7, &p->timeout)))
        return rc;
    p->launcher = hb_args_get(a, "launcher");
    if (p->launcher) { /* check the template now, before anything is written */
        hb_launch_vars probe = {1, 1, 1, 1, "localhost", "1x1", "hybench"};
        hb_launch_argv tmp;
        if ((rc = hb_launch_expand(hb_launch_template(p->launcher, 0), &probe, NULL, 0, &tmp)))
            return rc;
        hb_launch_argv_free(&tmp);
    }
    if ((rc = hb_parse_size_list("--chunk", (v = hb_args_get(a, "chunk")) ? v : "1", 1,
                                 (size_t)1 << 40, &chunks, &nchunks)))
        return rc;
    if ((rc = parse_layouts(p, (v = hb_args_get(a, "layouts")) ? v : "auto", cores)) ||
        (rc = parse_schedules("--schedules",
                              (v = hb_args_get(a, "schedules")) ? v : "static,dynamic", scheds,
                              &nscheds)))
        goto out;

    /* Kernels: --kernels names, then every --kernel text, in the order given. */
    const char *names = hb_args_get(a, "kernels");
    if (!names && hb_args_count(a, "kernel") == 0)
        names = "pi,mc,pow";
    if (names && (rc = add_defaults_of(p, names)))
        goto out;
    for (size_t i = 0; i < hb_args_count(a, "kernel") && !rc; i++)
        rc = add_kernel(p, hb_args_nth(a, "kernel", i));
    for (size_t i = 0; i < p->nkernels && !rc; i++)
        rc = kspec_plan(&p->kernels[i], p, chunks, nchunks, scheds, nscheds);
out:
    free(chunks);
    return rc;
}

static int default_options(hb_mplan *p, int cores) {
    static const size_t one = 1;
    static const char *const scheds[] = {"static", "dynamic"};
    int rc;
    p->repeat = 3;
    p->warmup = 1;
    p->rounds = p->max_rounds = 3;
    p->random_order = true;
    p->seed = 1;
    p->timeout = 120;
    p->is_default = true;
    if ((rc = parse_layouts(p, "auto", cores)))
        return rc;
    for (size_t i = 0; i < NDEFAULTS; i++)
        if ((rc = add_kernel(p, default_kernels[i])) ||
            (rc = kspec_plan(&p->kernels[i], p, &one, 1, scheds, 2)))
            return rc;
    return 0;
}

int hb_mplan_parse(int argc, char **argv, int cores, const char *self, hb_mplan *p) {
    memset(p, 0, sizeof *p);
    const hb_args *a = &p->args;
    p->self = self;
    gethostname(p->host, sizeof p->host - 1);
    int rc = hb_args_parse(argc, argv, matrix_tables, &p->args);
    if (rc) {
        int hint = kernel_option_hint(argc, argv);
        return hint ? hint : rc;
    }
    if (a->npositional) {
        rc = hb_fail(HB_EUSAGE, "matrix: unexpected argument '%s'", a->positional[0]);
        goto out;
    }
    p->resume = hb_args_has(a, "resume");
    if ((rc = set_paths(p, a, argc == 0)))
        goto out;
    rc = argc == 0 ? default_options(p, cores) : parse_options(p, a, cores);
    if (!rc && !hb_args_has(a, "order-seed")) {
        /* Not reproducible by default, as a shuffle should be; the seed is
         * in meta, so --order-seed replays an order. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        p->order_seed =
            (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
    }
    if (rc)
        goto out;
    /* Hosts: --hosts, else --hostfile, else the Slurm allocation. */
    if (!hb_args_has(a, "emit-sbatch") &&
        ((rc = hb_hosts_resolve(hb_args_get(a, "hosts"), hb_args_get(a, "hostfile"), &p->hosts)) ||
         (rc = check_layouts(p, cores))))
        goto out;
    rc = check_work(p);
out:
    return rc;
}

hb_runid hb_kspec_id(const hb_mplan *p, const hb_kspec *s, size_t c, const hb_layout *l,
                     const char *schedule) {
    return (hb_runid){.kernel = s->k->name,
                      .params = s->params[c],
                      .serial = l == NULL,
                      .nodes = l ? l->nodes : 1,
                      .ranks = l ? l->nodes * l->ranks_per_node : 1,
                      .threads = l ? l->threads : 1,
                      .bind = hb_bind_name(p->bind),
                      .distribute = hb_dist_name(p->dist),
                      .schedule = l ? schedule : "serial",
                      .chunk = s->chunks[c]};
}
