/* The external-memory interface of the accelerator: callbacks through which
 * a host simulator (the SystemC/TLM model in sim/tlm/) supplies the memory
 * behind the DMA port instead of the model's own array. The cycle rules of
 * docs/isa.md section 5 do not change; only where the bytes of a load beat
 * come from and where the bytes of a store beat go.
 *
 * `cycle` is the accelerator cycle of the access: a read is needed by the
 * grant of its first beat in that cycle or later (the data is the memory
 * content at the time of the call), a write is performed in that cycle.
 * A callback returns MPE_OK, or an error that stops the run (bus error).
 *
 * mpe_accel_set_mem (mpe/accel.h) installs it in the model: one call per
 * beat in its grant cycle. sim/tlm/accel_ext.h also offers one call per DMA
 * row (staged through the model's memory array). */
#ifndef MPE_ACCEL_MEM_H
#define MPE_ACCEL_MEM_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    void *user;
    /* External memory [addr, addr + len) -> dst. */
    mpe_status (*read)(void *user, uint64_t addr, void *dst, size_t len, uint64_t cycle);
    /* src -> external memory [addr, addr + len). */
    mpe_status (*write)(void *user, uint64_t addr, const void *src, size_t len,
                        uint64_t cycle);
} mpe_accel_mem;

#ifdef __cplusplus
}
#endif
#endif
