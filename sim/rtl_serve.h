/* The server side of the RTL backend (sim/rtl_serve.c). */
#ifndef MPE_SIM_RTL_SERVE_H
#define MPE_SIM_RTL_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "mpe/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The server side (mpe-rtl serve): reads REQUEST, runs it on `be` (the
 * in-process RTL model), writes RESPONSE. `dirty` lists the 4 KiB pages the
 * run may have written (written before it or by the store unit). With
 * `fst` (may be NULL) and fst->path set, fst->open(ctx, path) is called
 * before the run. Progress goes to the descriptor named by
 * $MPE_RTL_PROGRESS_FD when it is set. */
typedef size_t (*mpe_rtl_dirty_fn)(void *ctx, uint64_t *pages, size_t max);
typedef struct {
    int (*open)(void *ctx, const char *path); /* 0 or -1 */
    const char *path;
} mpe_rtl_fst;
mpe_status mpe_rtl_serve(const mpe_backend *be, const char *req, const char *resp,
                         mpe_rtl_dirty_fn dirty, const mpe_rtl_fst *fst, char *err,
                         size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
