/* Small file helpers shared by the mpe subcommands. */
#ifndef MPE_TOOLS_TOOL_IO_H
#define MPE_TOOLS_TOOL_IO_H

#include <stddef.h>

/* Reads a whole text file into a NUL-terminated malloc'ed string; on error
 * prints "prog: path: reason" to stderr and returns NULL. A NUL byte inside
 * the file is an error. */
char *tool_read_text(const char *prog, const char *path);
/* Writes `len` bytes to path; prints the error and returns -1 on failure. */
int tool_write_file(const char *prog, const char *path, const void *data, size_t len);

/* Creates directory `path` and any missing parents (mode 0777 before umask);
 * an existing directory is fine. Prints the error and returns -1 on failure. */
int tool_make_dir(const char *prog, const char *path);

/* Option parsing shared by the subcommands. mpe.c names the running command
 * once (tool_set_command) for the messages. tool_opt: 1 when `arg` is the
 * value-taking option `flag`; when no value follows (`more` 0) it prints
 * "mpe CMD: option 'FLAG' needs a value" and exits with status 2. */
void tool_set_command(const char *name);
int tool_opt(const char *arg, const char *flag, int more);

#endif
