/* mpe run --profile: cycles and PE utilization per layer, the layers being
 * the binary's layer table (META, mpe/progmeta.h: the names of
 * `mpe compile --report`). A layer's cycles run from the end of the
 * previous layer to the cycle of its own last completed instruction (from
 * the commit trace); its PE cycles are the compiler's count of its PE-op
 * cycles, whose sum the run checks against the measured pe_busy. */
#ifndef MPE_TOOLS_RUN_PROFILE_H
#define MPE_TOOLS_RUN_PROFILE_H

#include <stdint.h>
#include <stdio.h>

#include "mpe/accel.h"
#include "mpe/progmeta.h"

typedef struct {
    mpe_meta_layer *layer; /* n layers, or none */
    int n, malformed;
    int *pc_layer;         /* layer of each instruction, -1: none */
    size_t npc;
    uint64_t *end;         /* per layer: last completion cycle + 1, 0: none yet */
} run_profile;

/* Reads the layer table; -1 only when out of memory. */
int run_profile_init(run_profile *pr, const mpe_program *p);
void run_profile_commit(run_profile *pr, const mpe_commit *c);
void run_profile_print(const run_profile *pr, const mpe_accel_stats *st, FILE *f);
void run_profile_free(run_profile *pr);

#endif
