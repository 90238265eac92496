#include <stdio.h>

#include "mpe/err.h"
#include "mpe/status.h"

const char *mpe_status_str(mpe_status s)
{
    switch (s) {
    case MPE_OK: return "ok";
    case MPE_ERR_ARG: return "invalid argument";
    case MPE_ERR_SHAPE: return "shape does not fit";
    case MPE_ERR_FORMAT: return "malformed input";
    case MPE_ERR_IO: return "i/o error";
    case MPE_ERR_NOMEM: return "out of memory";
    case MPE_ERR_UNSUPPORTED: return "unsupported";
    case MPE_ERR_RANGE: return "value out of range";
    }
    return "unknown error";
}

mpe_status mpe_verrf(char *err, size_t len, mpe_status st, const char *fmt, va_list ap)
{
    if (err && len)
        vsnprintf(err, len, fmt, ap);
    return st;
}

mpe_status mpe_errf(char *err, size_t len, mpe_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mpe_verrf(err, len, st, fmt, ap);
    va_end(ap);
    return st;
}

void mpe_err_prefix(char *err, size_t len, const char *fmt, ...)
{
    if (!err || !len)
        return;
    char old[MPE_ERR_LEN];
    snprintf(old, sizeof old, "%s", err);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < len)
        snprintf(err + n, len - (size_t)n, "%s", old);
}
