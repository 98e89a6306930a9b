/* hybench: which layout of nodes x ranks x threads, pinned how, runs a
 * many-task workload fastest, and how far from ideal is it?
 *
 * The outline: pick the subcommand, let it parse, set up, run and report,
 * and turn its result into the exit status (0 ok, 1 failed or not verified,
 * 2 bad input). */
#include <stdio.h>
#include <string.h>

#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/kernel.h"
#include "hybench/matrix.h"
#include "hybench/report.h"
#include "hybench/run.h"
#include "hybench/topo.h"

static void usage(FILE *f) {
    fputs("usage: hybench [run|matrix|report|topo] [options]\n"
          "\n"
          "  hybench                 run the default matrix for this machine\n"
          "  hybench run     --kernel K [options]   one kernel under one MPI launch\n"
          "                          (start it with mpiexec -n R / srun)\n"
          "  hybench matrix  [options]              every layout, serial baselines, report\n"
          "  hybench report  RUNS.csv [--out DIR]   efficiency report from saved runs\n"
          "  hybench topo    [--layout L]           topology and the placement L would get\n"
          "  hybench --list                         the kernels\n"
          "  hybench SUBCOMMAND --help              the options of a subcommand\n",
          f);
}

static void list_kernels(void) {
    size_t n;
    const hb_kernel *const *k = hb_kernels(&n);
    for (size_t i = 0; i < n; i++)
        printf("%-6s %s\n", k[i]->name, k[i]->summary);
}

int main(int argc, char **argv) {
    const char *cmd = argc > 1 ? argv[1] : NULL;
    int rc;

    if (!cmd)
        rc = hb_matrix_main(0, NULL, argv[0]);
    else if (strcmp(cmd, "run") == 0)
        rc = hb_run_main(argc - 2, argv + 2);
    else if (strcmp(cmd, "matrix") == 0)
        rc = hb_matrix_main(argc - 2, argv + 2, argv[0]);
    else if (strcmp(cmd, "report") == 0)
        rc = hb_report_main(argc - 2, argv + 2);
    else if (strcmp(cmd, "topo") == 0)
        rc = hb_topo_main(argc - 2, argv + 2);
    else if (strcmp(cmd, "--list") == 0 || strcmp(cmd, "list") == 0) {
        list_kernels();
        return 0;
    } else if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    } else {
        fprintf(stderr, "hybench: unknown subcommand '%s' (try hybench --help)\n", cmd);
        return 2;
    }
    return hb_exit_status(rc);
}
