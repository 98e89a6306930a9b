/* Placeholder until the report lands. */
#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/report.h"
#include <stdio.h>

const hb_option hb_report_options[] = {{NULL, NULL, NULL}};

int hb_report_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "hybench report: not built yet\n");
    return HB_EUSAGE;
}
