/* Error messages of the libraries, one helper family. Three tiers:
 *  - bad input (a malformed file, an unsupported model, a bad argument): an
 *    mpe_status other than MPE_OK and a one-line reason in the caller's
 *    buffer, written with mpe_errf (the tools print it and exit 1);
 *  - internal error (a bug: the project produced something its own rules
 *    reject): the same path, the reason starting with "internal error: ";
 *  - trap: the accelerator stopping a program (mpe/accel.h), not an error of
 *    the library call and not reported through these helpers.
 * A buffer of MPE_ERR_LEN bytes holds every message. */
#ifndef MPE_ERR_H
#define MPE_ERR_H

#include <stdarg.h>
#include <stddef.h>

#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPE_ERR_LEN 1024

/* Formats the reason into err (nothing when err is NULL or len 0) and
 * returns st, so that `return mpe_errf(err, len, MPE_ERR_FORMAT, ...);`. */
mpe_status mpe_errf(char *err, size_t len, mpe_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
mpe_status mpe_verrf(char *err, size_t len, mpe_status st, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* Puts formatted text in front of the message already in err (e.g. a path
 * and ": "); the old message is kept up to MPE_ERR_LEN - 1 bytes. */
void mpe_err_prefix(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
