/* Placeholder until the topology subcommand lands. */
#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/topo.h"
#include <stdio.h>

const hb_option hb_topo_options[] = {{NULL, NULL, NULL}};

int hb_topo_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "hybench topo: not built yet\n");
    return HB_EUSAGE;
}
