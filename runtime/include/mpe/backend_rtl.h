/* The RTL top as an mpe_backend for tools linked with libmpe only (`mpe run
 * --backend rtl`, `mpe test-onnx --backend rtl`): the Verilated model is a
 * separate program, build/sim/accel/mpe-rtl (`make rtl-sim`), and each run
 * is one call of `mpe-rtl serve REQUEST RESPONSE` with files that carry the
 * code, the memory pages written before the run, and back the run state,
 * trap, statistics, commit trace and the memory pages written. The files
 * live in a fresh directory $TMPDIR/mpe-rtl-XXXXXX (default /tmp), removed
 * after the run. While it runs, the simulator reports its cycle count
 * through a pipe (run_progress). It is started with PR_SET_PDEATHSIG
 * (killed when the tool dies), and during a run SIGINT, SIGTERM and SIGHUP
 * (unless ignored) kill it, remove the directory and are then re-raised
 * with the disposition the caller had.
 * The simulator is found through $MPE_RTL_SIM, else next to the running
 * executable (BIN/../sim/accel/mpe-rtl, BIN/../../sim/accel/mpe-rtl); when
 * it is missing, create fails with MPE_ERR_UNSUPPORTED. */
#ifndef MPE_BACKEND_RTL_H
#define MPE_BACKEND_RTL_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const mpe_backend mpe_backend_rtl;


/* Makes the runs of an mpe_backend_rtl context write an FST waveform to
 * `path` (the simulator writes it; `mpe-rtl serve ... --fst FILE`). */
mpe_status mpe_backend_rtl_set_fst(void *ctx, const char *path);


#ifdef __cplusplus
}
#endif
#endif
