/* Writing output files so that nothing is lost: a regular file is written to
 * a new temporary file in the target's directory and renamed over the target
 * only after every write, the flush and the close succeeded; on any failure
 * only that temporary file is removed, and a file that was there before is
 * untouched. "-" is standard output; a target that exists and is not a
 * regular file (a device, a pipe) is written in place, streaming, with no
 * seek and no removal. A symbolic link is followed: the file it names is
 * replaced and the link stays. Every writer of the project goes through here
 * (binaries, listings, reports, .npy outputs, traces). */
#ifndef MPE_OUTFILE_H
#define MPE_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    FILE *f;      /* write with stdio; mpe_out_close checks every error */
    char *target; /* the file that is replaced (symbolic links resolved) */
    char *tmp;    /* the temporary file, NULL when streaming */
    int is_stdout;
} mpe_outfile;

/* Opens `path` for writing. On failure o->f is NULL and err says why. */
mpe_status mpe_out_open(mpe_outfile *o, const char *path, char *err, size_t errlen);
/* Flushes, closes and renames into place. Any error (also one of an earlier
 * write: stdio keeps it) removes the temporary file and returns MPE_ERR_IO
 * with "PATH: cannot write (reason)". The environment variable
 * MPE_FAULT_WRITE=1 makes every close fail with ENOSPC (tests). */
mpe_status mpe_out_close(mpe_outfile *o, char *err, size_t errlen);
/* Abandons the output: closes it and removes only the temporary file. */
void mpe_out_abort(mpe_outfile *o);
/* A whole buffer to `path` through the above. */
mpe_status mpe_out_write_file(const char *path, const void *data, size_t len, char *err,
                              size_t errlen);
/* Flushes and checks standard output once a command is done; -1 with a
 * message on stderr ("prog: standard output: reason") if anything failed. */
int mpe_out_check_stdout(const char *prog);

#ifdef __cplusplus
}
#endif
#endif
