/* Running compiled programs with host tensors (test-onnx, demo), and the
 * graph inputs of a model. */
#ifndef MPE_EXEC_H
#define MPE_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "mpe/backend.h"
#include "mpe/binary.h"
#include "mpe/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *name; /* model tensor name */
    const mpe_tensor *t;
} mpe_exec_io;

typedef struct {
    /* in: a cycle limit (0 none) and a progress callback (NULL none) */
    uint64_t max_cycles;
    mpe_progress_fn progress;
    void *progress_user;
    /* out */
    int limited; /* the run reached max_cycles */
    uint64_t cycles, pe_busy;
    double utilization;
    /* optional per-layer timing: the layer of each instruction (pc), and
     * per layer the cycle of its last completed instruction */
    const int *pc_layer;
    size_t npc;
    uint64_t *layer_end; /* [nlayers], filled when pc_layer is set */
    int nlayers;
} mpe_exec_stats;

/* Runs p on backend be. `out` receives one tensor per output descriptor,
 * in descriptor order (caller frees). 0, or -1 with a one-line reason. */
int mpe_exec(const mpe_backend *be, const mpe_program *p, const mpe_exec_io *in, int nin,
             mpe_tensor *out, mpe_exec_stats *st, char *err, size_t errlen);
/* The backend "cmodel" or "rtl" (mpe/backend_rtl.h: the Verilated top run as
 * a separate program), checked to be usable for arch; NULL with a reason
 * when the name is unknown or the backend is not available. */
const mpe_backend *mpe_exec_backend(const char *name, const mpe_arch *arch, char *err,
                                    size_t errlen);


#ifdef __cplusplus
}
#endif
#endif
