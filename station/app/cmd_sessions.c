/* Placeholder until the owning issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_sessions(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "station: 'sessions' is not available in this build yet.\n");
    return 1;
}
