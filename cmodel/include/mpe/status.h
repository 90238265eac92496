/* Status codes returned by every C-model entry point (no exit(), no globals). */
#ifndef MPE_STATUS_H
#define MPE_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MPE_OK = 0,
    MPE_ERR_ARG,      /* invalid argument or configuration */
    MPE_ERR_SHAPE,    /* shape does not fit (block, group, tile) */
    MPE_ERR_FORMAT,   /* malformed input file or data */
    MPE_ERR_IO,       /* file could not be read or written */
    MPE_ERR_NOMEM,    /* allocation failed */
    MPE_ERR_UNSUPPORTED,
    MPE_ERR_RANGE     /* value out of range */
} mpe_status;

const char *mpe_status_str(mpe_status s);

#ifdef __cplusplus
}
#endif
#endif
