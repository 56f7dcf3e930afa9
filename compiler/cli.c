/* placeholder until the command table lands */
#include <stdio.h>
#include "cli.h"
int cli_main(int argc, char **argv) { (void)argc; (void)argv; fputs("not built yet\n", stderr); return CLI_EXIT_FAILURE; }
