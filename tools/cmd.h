/* Subcommands of the mpe tool; each returns the process exit status, one of
 * MPE_EXIT_* (the table in docs/cli.md). */
#ifndef MPE_TOOLS_CMD_H
#define MPE_TOOLS_CMD_H

#define MPE_TOOL_VERSION "0.19.0"

enum {
    MPE_EXIT_OK = 0,
    MPE_EXIT_FAIL = 1,       /* the command failed: bad input, a mismatch, a trap */
    MPE_EXIT_USAGE = 2,      /* bad command line */
    MPE_EXIT_NO_BACKEND = 3, /* the requested backend (e.g. the RTL simulator) is not built */
};

#define CMD(name, fn, summary) int fn(int argc, char **argv);
#include "commands.def"
#undef CMD

#endif
