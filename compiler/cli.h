/*
 * cli: the command line of DESIGN section 3.  A table of commands, each with
 * an option table that both parses arguments and prints --help.  Exit codes:
 * 0 ok, 1 the work failed, 2 usage or config error.
 */
#ifndef INGEN_CLI_H
#define INGEN_CLI_H

enum cli_exit { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

int cli_main(int argc, char **argv);

#endif
