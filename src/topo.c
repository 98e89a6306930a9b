/* `hybench topo`: the machine's topology in one line and, for a layout, the
 * cpuset and core every worker of one node would be pinned to, without
 * launching anything. The same planner as `hybench run`, so what this prints
 * is what a run gets. */
#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/pin.h"
#include "hybench/topo.h"
#include "hybench/layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const hb_option hb_topo_options[] = {
    {"layout", "[N:]RxT", "plan R ranks x T threads per node (N nodes is only echoed)"},
    {"synthetic", "SPEC",
     "plan on an hwloc synthetic topology, e.g. \"pack:2 core:4 pu:2\" (another machine's shape)"},
    {"help", NULL, "show this help"},
    {NULL, NULL, NULL},
};

typedef struct topo_cfg {
    hb_args args;
    const char *layout; /* as given, for messages and the echo */
    long nodes;
    hb_pin_req pin;
    const char *synthetic;
} topo_cfg;

static int parse_options(int argc, char **argv, topo_cfg *c) {
    const hb_option *const tables[] = {hb_topo_options, hb_pin_options, NULL};
    int rc = hb_args_parse(argc, argv, tables, &c->args);
    if (rc)
        return rc;
    if (c->args.npositional > 0)
        return hb_fail(HB_EUSAGE, "topo: unexpected argument '%s' (it takes options only)",
                       c->args.positional[0]);
    if ((rc = hb_pin_from_args(&c->args, &c->pin)))
        return rc;
    c->synthetic = hb_args_get(&c->args, "synthetic");
    c->layout = hb_args_get(&c->args, "layout");
    if (c->layout) {
        hb_layout l;
        if ((rc = hb_layout_parse("--layout", c->layout, &l)))
            return rc;
        c->nodes = l.nodes;
        c->pin.local_ranks = l.ranks_per_node;
        c->pin.threads = l.threads;
    }
    return rc;
}

static void print_help(void) {
    puts("usage: hybench topo [--layout [N:]RxT] [--bind core|pu|none]\n"
         "                    [--distribute compact|spread] [--oversubscribe] [--synthetic SPEC]\n"
         "\n"
         "Print this machine's topology (or a synthetic one) and, with --layout, the cpuset\n"
         "and core each worker of one node would be pinned to. Cpusets are hwloc OS PU\n"
         "numbers, cores hwloc logical indices.\n");
    hb_options_print(stdout, hb_topo_options);
    hb_options_print(stdout, hb_pin_options);
}

/* The plan of every node worker; the whole plan is checked before any line
 * is printed, so a refusal prints nothing but its message. */
static int print_plan(const hb_topo *t, const topo_cfg *c) {
    const hb_pin_req *req = &c->pin;
    int workers = req->local_ranks * req->threads;
    char(*sets)[64] = calloc((size_t)workers, sizeof *sets);
    int *cores = calloc((size_t)workers, sizeof *cores);
    int rc = sets && cores ? 0 : hb_fail(HB_ENOMEM, "out of memory for %d workers", workers);
    for (int k = 0; rc == 0 && k < workers; k++)
        rc = hb_pin_plan(t, req, k, sets[k], sizeof sets[k], &cores[k]);
    if (rc == 0) {
        printf("layout %s: %ld node%s x %d rank%s x %d thread%s, %d worker%s per node; bind %s, "
               "distribute %s%s\n",
               c->layout, c->nodes, c->nodes == 1 ? "" : "s", req->local_ranks,
               req->local_ranks == 1 ? "" : "s", req->threads, req->threads == 1 ? "" : "s",
               workers, workers == 1 ? "" : "s", hb_bind_name(req->bind), hb_dist_name(req->dist),
               req->oversubscribe ? ", oversubscribed" : "");
        printf("%10s %6s  %-16s %4s\n", "local_rank", "thread", "cpuset", "core");
        for (int k = 0; k < workers; k++) {
            int shared = 0;
            for (int j = 0; j < workers && cores[k] >= 0; j++)
                shared += j != k && cores[j] == cores[k];
            printf("%10d %6d  %-16s %4d%s\n", k / req->threads, k % req->threads, sets[k], cores[k],
                   shared ? "  (shares its core)" : "");
        }
    }
    free(sets);
    free(cores);
    return rc;
}

int hb_topo_main(int argc, char **argv) {
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help();
            return 0;
        }
    topo_cfg c = {.nodes = 1};
    hb_topo *t = NULL;
    char line[256];
    int rc = parse_options(argc, argv, &c);
    if (rc)
        goto out_args;
    rc = hb_topo_load(&t, c.synthetic);
    if (rc)
        goto out_args;
    if (c.layout && (rc = hb_pin_check(t, &c.pin))) {
        /* name the option: the planner's message does not know it */
        char why[512];
        snprintf(why, sizeof why, "%s", hb_errmsg(rc)); /* copied: hb_fail rewrites it */
        rc = hb_fail(rc, "--layout: '%s': %s%s", c.layout, why,
                     !c.synthetic && rc == HB_ELAYOUT
                         ? "; for another machine, plan on its shape with --synthetic "
                           "(e.g. \"pack:2 core:8 pu:2\")"
                         : "");
        goto out_topo;
    }
    printf("topology: %s\n", hb_topo_describe(t, line, sizeof line));
    if (c.layout)
        rc = print_plan(t, &c);

out_topo:
    hb_topo_free(t);
out_args:
    hb_args_free(&c.args);
    if (rc)
        fprintf(stderr, "hybench: %s\n", hb_errmsg(rc));
    return rc;
}
