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
