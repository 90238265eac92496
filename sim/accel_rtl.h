/* The Verilated accelerator top (rtl/mpe_top.v) with its memory model, as an
 * mpe_backend (runtime/include/mpe/backend.h): loads code into the
 * instruction memory during reset, DATA into the external memory, runs
 * cycle by cycle (memory port: one request per cycle, read data returned
 * mem_latency cycles after the grant, writes performed when granted), and
 * reports the commit trace, traps, cycles and statistics.
 * Built by sim/accel.mk into build/sim/accel/. */
#ifndef MPE_SIM_ACCEL_RTL_H
#define MPE_SIM_ACCEL_RTL_H

#include "mpe/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The RTL backend, in this process. */
extern const mpe_backend accel_rtl_backend;

/* Writes an FST waveform of the run to `path` (call before running). */
int accel_rtl_fst(void *ctx, const char *path);
/* The architecture the model was built for (compile-time parameters). */
void accel_rtl_arch(mpe_arch *a);
/* Memory pages (4 KiB) written by mem_write or by the store unit. */
size_t accel_rtl_dirty_pages(void *ctx, uint64_t *pages, size_t max);

#ifdef __cplusplus
}
#endif
#endif
