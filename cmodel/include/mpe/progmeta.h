/* What tools read from a binary's META text (docs/isa.md section 6): the
 * producer's cycle estimate and its layer table. Both are optional lines of
 * the free text, so binaries without them (hand-written assembler, older
 * compilers) stay valid:
 *   estimated_cycles N
 *   layer INDEX FIRST_PC END_PC EST_CYCLES PE_CYCLES NAME
 * A layer owns the instructions [FIRST_PC, END_PC); NAME is the rest of the
 * line (the layer names of `mpe compile --report`). */
#ifndef MPE_PROGMETA_H
#define MPE_PROGMETA_H

#include <stdint.h>
#include "mpe/binary.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPE_META_NAME_MAX 127

typedef struct {
    char name[MPE_META_NAME_MAX + 1]; /* truncated when longer */
    uint32_t pc_lo, pc_hi;            /* instructions [pc_lo, pc_hi) */
    uint64_t est_cycles, pe_cycles;   /* the producer's estimate, its PE-op cycles */
} mpe_meta_layer;

/* The producer's estimate of the cycles of a run; 0 when there is none. */
uint64_t mpe_meta_estimate(const mpe_program *p);
/* The layer table: the number of layer lines (0: none), their first `max`
 * in out[]; -1 when a line is malformed, out of order (INDEX is the line's
 * position) or its instructions are not after the previous layer's and
 * inside the program. */
int mpe_meta_layers(const mpe_program *p, mpe_meta_layer *out, int max);

#ifdef __cplusplus
}
#endif
#endif
