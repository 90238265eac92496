/* The RTL top as an mpe_backend for tools linked with libmpe only (`mpe run
 * --backend rtl`, `mpe test-onnx --backend rtl`): the Verilated model is a
 * separate program, build/sim/accel/mpe-rtl (`make rtl-sim`), and each run
 * is one call of `mpe-rtl serve REQUEST RESPONSE` with files that carry the
 * code, the memory pages written before the run, and back the run state,
 * trap, statistics, commit trace and the memory pages written.
 * The simulator is found through $MPE_RTL_SIM, else next to the running
 * executable (BIN/../sim/accel/mpe-rtl, BIN/../../sim/accel/mpe-rtl). */
#ifndef MPE_BACKEND_RTL_H
#define MPE_BACKEND_RTL_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const mpe_backend mpe_backend_rtl;

/* The backend of name "cmodel" or "rtl"; NULL for another name. */
const mpe_backend *mpe_backend_find(const char *name);

/* The server side (mpe-rtl serve): reads REQUEST, runs it on `be` (the
 * in-process RTL model), writes RESPONSE. `dirty` lists the 4 KiB pages the
 * run may have written (written before it or by the store unit). */
typedef size_t (*mpe_rtl_dirty_fn)(void *ctx, uint64_t *pages, size_t max);
mpe_status mpe_rtl_serve(const mpe_backend *be, const char *req, const char *resp,
                         mpe_rtl_dirty_fn dirty, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
