/* mpe quant: placeholder until the quantizers land. */
#include <stdio.h>
#include "cmd.h"

int cmd_quant(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mpe quant: not implemented yet\n");
    return 1;
}
