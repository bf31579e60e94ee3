/* Placeholder until the owning issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "station: 'run' is not available in this build yet.\n");
    return 1;
}
