/* `hybench run`: options, MPI and worker set-up, then the timed repetitions
 * of one kernel (see run.h). The timed loop itself is in run_loop.c. */
#define _DEFAULT_SOURCE /* strdup */
#include "hybench/run.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <unistd.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/args.h"
#include "hybench/csv.h"
#include "hybench/error.h"
#include "hybench/kernel.h"
#include "hybench/meta.h"
#include "hybench/parse.h"
#include "hybench/pin.h"
#include "run_internal.h"
#include "hybench/sched.h"
#include "hybench/signals.h"

const hb_option hb_timing_options[] = {
    {"repeat", "N", "timed repetitions (default 3)"},
    {"warmup", "N", "discarded repetitions before timing (default 1)"},
    {NULL, NULL, NULL},
};

const hb_option hb_run_options[] = {
    {"kernel", "K", "kernel to run (hybench --list)"},
    {"threads", "T", "OpenMP threads per rank (default: OMP_NUM_THREADS if set, else 1)"},
    {"schedule", "S", "static, cyclic or dynamic (default static)"},
    {"handout", "H",
     "dynamic: auto (flat on one node, two levels across nodes), flat or two-level "
     "(default auto)"},
    {"chunk", "LIST", "tasks per hand-out (pow: elements per task); a list runs each (default 1)"},
    {"first-repeat", "K", "number the timed repetitions K..repeat-1 (the matrix's resume)"},
    {"serial", NULL, "serial baseline: plain loop on one pinned core, no MPI/OpenMP when timed"},
    {"seed", "S", "seed of every random stream (default 1)"},
    {"resume", NULL, "kernels with output files skip tasks whose files are complete"},
    {"csv", "FILE", "append one row per timed repetition to FILE (- for stdout)"},
    {"task-times", "FILE",
     "after the timed repetitions, one more, untimed, that appends every task's worker, start "
     "and duration to FILE"},
    {"nodes", "N", "expected node count; refused if the launch spans a different number"},
    {"round", "R", "the matrix round this run belongs to (the rows' round column)"},
    {"launch-id", "ID", "the matrix's id of this launch (the rows' launch column)"},
    {"force", NULL, "run even when the estimated work is beyond the size check"},
    {"quiet", NULL, "no line per repetition: only the kernel report and the summary"},
    {"help", NULL, "show this help"},
    {NULL, NULL, NULL},
};

static void print_help(const hb_kernel *k) {
    printf("usage: mpiexec -n R hybench run --kernel K [options] [kernel options]\n\n");
    hb_options_print(stdout, hb_run_options);
    hb_options_print(stdout, hb_pin_options);
    hb_options_print(stdout, hb_timing_options);
    size_t n;
    const hb_kernel *const *all = hb_kernels(&n);
    for (size_t i = 0; i < n; i++) {
        if (k && all[i] != k)
            continue;
        printf("\nkernel %s: %s\n", all[i]->name, all[i]->summary);
        if (all[i]->options)
            hb_options_print(stdout, all[i]->options);
    }
}

/* Find --kernel before the full parse, since its options join the table.
 * The last one counts, as for every other option. */
static const char *prescan_kernel(int argc, char **argv) {
    const char *name = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--kernel") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strncmp(argv[i], "--kernel=", 9) == 0)
            name = argv[i] + 9;
    }
    return name;
}

static int parse_int_opt(const hb_args *a, const char *name, long min, long max, int *out) {
    const char *s = hb_args_get(a, name);
    if (!s)
        return 0;
    char opt[32];
    snprintf(opt, sizeof opt, "--%s", name);
    long v;
    int rc = hb_parse_long(opt, s, min, max, &v);
    if (!rc)
        *out = (int)v;
    return rc;
}

/* Without --threads, OMP_NUM_THREADS gives the threads per rank, as for any
 * OpenMP program; a value that is not one thread count is refused rather
 * than ignored. */
static int threads_from_env(hb_run_cfg *c) {
    const char *env = getenv("OMP_NUM_THREADS");
    if (hb_args_has(&c->args, "threads") || !env || !*env)
        return 0;
    long v;
    if (hb_parse_long("OMP_NUM_THREADS", env, 1, 4096, &v) != 0)
        return hb_fail(HB_EUSAGE,
                       "OMP_NUM_THREADS: '%s' is not one thread count in 1..4096 (give --threads "
                       "T, or unset it)",
                       env);
    c->threads = (int)v;
    c->threads_from_env = true;
    return 0;
}

/* Everything that can be checked before MPI starts. */
static int parse_options(int argc, char **argv, hb_run_cfg *c, bool *help) {
    const char *kname = prescan_kernel(argc, argv);
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            *help = true;
    if (*help) {
        c->kernel = kname ? hb_kernel_find(kname) : NULL;
        return 0;
    }
    if (!kname)
        return hb_fail(HB_EUSAGE, "--kernel: missing (one of: %s)", hb_kernel_names());
    c->kernel = hb_kernel_find(kname);
    if (!c->kernel)
        return hb_fail(HB_EUSAGE, "--kernel: unknown kernel '%s' (hybench --list)", kname);
    const hb_option *tables[] = {hb_run_options, hb_pin_options, hb_timing_options,
                                 c->kernel->options, NULL};
    int rc = hb_args_parse(argc, argv, tables, &c->args);
    if (rc)
        return rc;
    if (c->args.npositional)
        return hb_fail(HB_EUSAGE, "unexpected argument '%s'", c->args.positional[0]);
    const char *s;
    if ((rc = parse_int_opt(&c->args, "threads", 1, 4096, &c->threads)) ||
        (rc = parse_int_opt(&c->args, "repeat", 1, 1000000, &c->repeat)) ||
        (rc = parse_int_opt(&c->args, "warmup", 0, 1000000, &c->warmup)) ||
        (rc = parse_int_opt(&c->args, "nodes", 1, 1000000, &c->nodes_expected)))
        return rc;
    if ((rc = threads_from_env(c)) || (rc = hb_pin_from_args(&c->args, &c->pin)) ||
        (rc = parse_int_opt(&c->args, "first-repeat", 0, 1000000, &c->first_repeat)) ||
        (rc = parse_int_opt(&c->args, "round", 1, 1000000, &c->round)))
        return rc;
    if (c->first_repeat >= c->repeat)
        return hb_fail(HB_EUSAGE, "--first-repeat: %d leaves no repetition of --repeat %d",
                       c->first_repeat, c->repeat);
    c->launch_id = hb_args_get(&c->args, "launch-id");
    c->force = hb_args_has(&c->args, "force");
    if ((s = hb_args_get(&c->args, "schedule")) && (rc = hb_sched_parse(s, &c->sched)))
        return rc;
    if ((s = hb_args_get(&c->args, "handout")) && (rc = hb_handout_parse(s, &c->handout)))
        return rc;
    if ((s = hb_args_get(&c->args, "seed")) && (rc = hb_parse_u64("--seed", s, &c->seed)))
        return rc;
    if ((s = hb_args_get(&c->args, "chunk"))) {
        free(c->chunks);
        c->chunks = NULL;
        if ((rc = hb_parse_size_list("--chunk", s, 1, (size_t)1 << 40, &c->chunks, &c->nchunks)))
            return rc;
    }
    c->serial = hb_args_has(&c->args, "serial");
    c->resume = hb_args_has(&c->args, "resume");
    c->quiet = hb_args_has(&c->args, "quiet");
    c->pin.threads = c->threads;
    c->csv = hb_args_get(&c->args, "csv");
    if (c->csv && !c->csv[0])
        return hb_fail(HB_EUSAGE, "--csv: empty file name");
    c->task_times = hb_args_get(&c->args, "task-times");
    if (c->task_times && (!c->task_times[0] || strcmp(c->task_times, "-") == 0))
        return hb_fail(HB_EUSAGE, "--task-times: '%s' is not a file name", c->task_times);
    if (c->serial && c->threads != 1)
        return hb_fail(HB_EUSAGE, "--serial: runs one worker, but %s is %d",
                       c->threads_from_env ? "OMP_NUM_THREADS" : "--threads", c->threads);
    return 0;
}

static void cfg_defaults(hb_run_cfg *c) {
    memset(c, 0, sizeof *c);
    c->threads = 1;
    c->repeat = 3;
    c->warmup = 1;
    c->seed = 1;
    c->sched = HB_SCHED_STATIC;
    c->pin.bind = HB_BIND_CORE;
    c->pin.dist = HB_DIST_COMPACT;
    c->pin.threads = 1;
    c->chunks = malloc(sizeof *c->chunks);
    if (c->chunks)
        c->chunks[0] = 1;
    c->nchunks = c->chunks ? 1 : 0;
}

static const char *level_name(int level) {
    switch (level) {
    case MPI_THREAD_SINGLE:
        return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED:
        return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED:
        return "MPI_THREAD_SERIALIZED";
    default:
        return "MPI_THREAD_MULTIPLE";
    }
}

/* Ranks, nodes and hosts of the launch. */
static int setup_mpi(hb_run_cfg *c) {
    c->comm = MPI_COMM_WORLD;
    MPI_Comm_rank(c->comm, &c->rank);
    MPI_Comm_size(c->comm, &c->size);
    int len;
    MPI_Get_processor_name(c->host, &len);
    MPI_Comm node;
    if (MPI_Comm_split_type(c->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) failed");
    MPI_Comm_rank(node, &c->local_rank);
    MPI_Comm_size(node, &c->pin.local_ranks);
    MPI_Comm_free(&node);
    int leader = c->local_rank == 0;
    MPI_Allreduce(&leader, &c->nodes, 1, MPI_INT, MPI_SUM, c->comm);
    return 0;
}

/* Find an unwritable --csv or --task-times (opt) before any work rather than
 * at the first row; creates nothing. */
static int check_out_path(const char *opt, const char *path) {
    if (!path || strcmp(path, "-") == 0)
        return 0;
    if (access(path, F_OK) == 0) {
        int fd = open(path, O_WRONLY | O_APPEND);
        if (fd < 0)
            return hb_fail(HB_EIO, "%s: cannot write '%s': %s", opt, path, strerror(errno));
        close(fd);
        return 0;
    }
    char *dir = strdup(path);
    if (!dir)
        return hb_fail(HB_ENOMEM, "out of memory");
    int ok = access(dirname(dir), W_OK | X_OK) == 0;
    int err = errno;
    free(dir);
    if (!ok)
        return hb_fail(HB_EIO, "%s: cannot create '%s': %s", opt, path, strerror(err));
    return 0;
}

static int check_layout(hb_run_cfg *c) {
    if (c->serial && c->size != 1)
        return hb_fail(HB_EUSAGE, "--serial: runs one worker, but the launch has %d ranks",
                       c->size);
    if (c->nodes_expected && c->nodes_expected != c->nodes)
        return hb_fail(HB_ELAYOUT, "--nodes: expected %d nodes but the launch spans %d",
                       c->nodes_expected, c->nodes);
    int rc = c->rank == 0 ? check_out_path("--csv", c->csv) : 0;
    if (!rc && c->rank == 0)
        rc = check_out_path("--task-times", c->task_times);
    if (rc)
        return rc;
    return hb_topo_load(&c->topo, NULL);
}

/* Every rank of a node learns the CPU masks the node's ranks were started
 * with (taskset, srun --cpu-bind, mpirun --bind-to), so all of them plan
 * inside the same CPUs and agree on who gets which (pin.h); then the layout
 * must fit in them. Collective over the launch. */
static int share_masks(hb_run_cfg *c) {
    char mine[4096] = "";
    int rc = hb_topo_process_mask(c->topo, mine, sizeof mine);
    MPI_Comm node;
    if (MPI_Comm_split_type(c->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) failed");
    int n, me, len = (int)strlen(mine) + 1;
    MPI_Comm_size(node, &n);
    MPI_Comm_rank(node, &me);
    int *lens = calloc((size_t)n, sizeof *lens), *at = calloc((size_t)n, sizeof *at);
    char **masks = calloc((size_t)n, sizeof *masks);
    if (!lens || !at || !masks) {
        fprintf(stderr, "[rank %d] hybench: out of memory for %d CPU masks\n", c->rank, n);
        MPI_Abort(c->comm, 1);
    }
    int total = 0;
    if (MPI_Allgather(&len, 1, MPI_INT, lens, 1, MPI_INT, node) != MPI_SUCCESS)
        rc = hb_fail(HB_EMPI, "MPI_Allgather of the CPU masks failed");
    for (int r = 0; r < n; r++) {
        at[r] = total;
        total += lens[r];
    }
    char *all = malloc(total > 0 ? (size_t)total : 1);
    if (!all) {
        fprintf(stderr, "[rank %d] hybench: out of memory for %d CPU masks\n", c->rank, n);
        MPI_Abort(c->comm, 1);
    }
    if (MPI_Allgatherv(mine, len, MPI_CHAR, all, lens, at, MPI_CHAR, node) != MPI_SUCCESS && !rc)
        rc = hb_fail(HB_EMPI, "MPI_Allgatherv of the CPU masks failed");
    for (int r = 0; r < n; r++)
        masks[r] = all + at[r];
    if (!rc)
        rc = hb_topo_restrict(c->topo, masks, n, me);
    free(all);
    free(masks);
    free(at);
    free(lens);
    MPI_Comm_free(&node);
    return rc ? rc : hb_pin_check(c->topo, &c->pin);
}

int hb_run_main(int argc, char **argv) {
    hb_run_cfg c;
    bool help = false;
    cfg_defaults(&c);
    int rc = c.chunks ? parse_options(argc, argv, &c, &help) : hb_fail(HB_ENOMEM, "out of memory");
    if (help) {
        /* Under mpiexec every rank sees --help; only rank 0 answers. */
        int rank = 0;
        if (MPI_Init(&argc, &argv) == MPI_SUCCESS) {
            MPI_Comm_rank(MPI_COMM_WORLD, &rank);
            if (rank == 0)
                print_help(c.kernel);
            MPI_Finalize();
        }
        free(c.chunks);
        hb_args_free(&c.args);
        return 0;
    }

    /* Initialise MPI even after a parse error, so that only rank 0 reports it. */
    int want = c.serial ? MPI_THREAD_FUNNELED : hb_sched_thread_level(c.sched, c.threads);
    int got;
    if (MPI_Init_thread(&argc, &argv, want, &got) != MPI_SUCCESS) {
        fprintf(stderr, "hybench: MPI_Init_thread failed\n");
        return HB_EMPI;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    hb_signals_install();
    int rc_setup = setup_mpi(&c);
    if (!rc)
        rc = rc_setup;
    if (!rc && got < want)
        rc = hb_fail(HB_EMPI, "the MPI library gives %s but --schedule %s with %d threads needs %s",
                     level_name(got), hb_sched_name(c.sched), c.threads, level_name(want));
    if (!rc)
        rc = check_layout(&c);
    rc = hb_run_agree(&c, rc);
    if (!rc)
        rc = hb_run_agree(&c, share_masks(&c));
    if (!rc) {
        if (c.serial)
            c.comm = MPI_COMM_NULL; /* the serial baseline makes no MPI call when timed */
        rc = hb_run_execute(&c);
    }
    if (c.topo)
        hb_topo_free(c.topo);
    free(c.chunks);
    hb_args_free(&c.args);
    MPI_Finalize();
    return rc;
}
