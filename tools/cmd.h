/* Subcommands of the mpe tool; each returns the process exit status
 * (0 ok, 1 failure, 2 usage error). */
#ifndef MPE_TOOLS_CMD_H
#define MPE_TOOLS_CMD_H

#define CMD(name, fn, summary) int fn(int argc, char **argv);
#include "commands.def"
#undef CMD

#endif
