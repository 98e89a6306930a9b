/* `hybench topo [--layout L] [...]`: the machine's topology and the placement a
 * layout would get, without launching anything. */
#ifndef HYBENCH_TOPO_H
#define HYBENCH_TOPO_H

#include "hybench/args.h"

extern const hb_option hb_topo_options[];

int hb_topo_main(int argc, char **argv);

#endif
