/* hybench: which layout of nodes x ranks x threads, pinned how, runs a
 * many-task workload fastest, and how far from ideal is it?
 *
 * The outline: pick the subcommand from the table, let it parse, set up, run
 * and report, and turn its result into the exit status (0 ok, 1 failed or
 * not verified, 2 bad input). `hybench` alone runs the default matrix. */
#include <stdio.h>
#include <string.h>

#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/kernel.h"
#include "hybench/matrix.h"
#include "hybench/meta.h"
#include "hybench/predict.h"
#include "hybench/report.h"
#include "hybench/run.h"
#include "hybench/topo.h"

static const char *self;

static int run_matrix(int argc, char **argv) {
    return hb_matrix_main(argc, argv, self);
}

static int list_kernels(int argc, char **argv) {
    (void)argc, (void)argv;
    size_t n;
    const hb_kernel *const *k = hb_kernels(&n);
    for (size_t i = 0; i < n; i++)
        printf("%-6s %s\n", k[i]->name, k[i]->summary);
    return 0;
}

static int version(int argc, char **argv) {
    (void)argc, (void)argv;
    printf("hybench %s (git %s)\n", hb_meta_version(), hb_meta_commit());
    return 0;
}

static int help(int argc, char **argv);

static const struct subcommand {
    const char *name, *alias;
    int (*main)(int argc, char **argv); /* the words after the subcommand */
    const char *usage;
} subcommands[] = {
    {"run", NULL, hb_run_main, "run     --kernel K [options]   one kernel under one MPI launch"},
    {"matrix", NULL, run_matrix,
     "matrix  [options]              every layout, serial baselines, report"},
    {"report", NULL, hb_report_main,
     "report  RUNS.csv [--out DIR]   efficiency report from saved runs"},
    {"predict", NULL, hb_predict_main,
     "predict SOURCE --workers LIST  efficiency at other scales from measured task times"},
    {"topo", NULL, hb_topo_main,
     "topo    [--layout L]           topology and the placement L would get"},
    {"--list", "list", list_kernels, "--list                         the kernels"},
    {"--version", "version", version, "--version                      version and git commit"},
    {"--help", "-h", help, "SUBCOMMAND --help              the options of a subcommand"},
};
#define NSUB (sizeof subcommands / sizeof subcommands[0])

static int help(int argc, char **argv) {
    (void)argc, (void)argv;
    puts("usage: hybench [SUBCOMMAND] [options]\n\n"
         "  hybench                 run the default matrix for this machine");
    for (size_t i = 0; i < NSUB; i++)
        printf("  hybench %s\n", subcommands[i].usage);
    puts("\n`hybench run` is started by the MPI launcher (mpiexec -n R / srun); the others are\n"
         "started directly.");
    return 0;
}

int main(int argc, char **argv) {
    self = argv[0];
    if (argc < 2)
        return hb_exit_status(hb_matrix_main(0, NULL, self));
    for (size_t i = 0; i < NSUB; i++) {
        const struct subcommand *c = &subcommands[i];
        if (strcmp(argv[1], c->name) == 0 || (c->alias && strcmp(argv[1], c->alias) == 0))
            return hb_exit_status(c->main(argc - 2, argv + 2));
    }
    fprintf(stderr, "hybench: unknown subcommand '%s' (try hybench --help)\n", argv[1]);
    return 2;
}
