/* Placeholder until the matrix driver lands. */
#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/matrix.h"
#include <stdio.h>

const hb_option hb_matrix_options[] = {{NULL, NULL, NULL}};

int hb_matrix_main(int argc, char **argv, const char *self)
{
    (void)argc, (void)argv, (void)self;
    fprintf(stderr, "hybench matrix: not built yet\n");
    return HB_EUSAGE;
}
