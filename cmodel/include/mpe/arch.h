/* Architecture parameters (arch/default.cfg), read by the C model, the
 * compiler and the RTL parameter generator. docs/isa.md section 1. */
#ifndef MPE_ARCH_H
#define MPE_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(key, default, min, max) -- the one list of parameters. */
#define MPE_ARCH_PARAMS(X)                          \
    X(rows, 4, 1, 64)                               \
    X(cols, 4, 1, 64)                               \
    X(lanes, 16, 4, 64)                             \
    X(asp_bytes, 65536, 1024, 1048576)              \
    X(wsp_bytes, 65536, 1024, 1048576)              \
    X(psp_bytes, 16384, 256, 262144)                \
    X(osp_bytes, 32768, 1024, 1048576)              \
    X(beat_bytes, 16, 4, 256)                       \
    X(mem_latency, 16, 1, 1024)                     \
    X(mem_bytes, 67108864, 65536, 1073741824)       \
    X(queue_depth, 8, 1, 256)                       \
    X(imem_insns, 16384, 16, 1048576)               \
    X(lut_ppc, 2, 1, 4)

typedef struct {
#define X(key, def, lo, hi) uint32_t key;
    MPE_ARCH_PARAMS(X)
#undef X
} mpe_arch;

void mpe_arch_default(mpe_arch *a);
/* Parses `key value` lines (# comments); unknown keys, bad numbers, values
 * out of range and inconsistent combinations (lanes % 4, lanes % cols,
 * beat_bytes a power of two, ...) are errors with `file:line: reason`. */
mpe_status mpe_arch_parse(const char *text, const char *fname, mpe_arch *a,
                          char *err, size_t errlen);
mpe_status mpe_arch_load(const char *path, mpe_arch *a, char *err, size_t errlen);
/* The range and consistency checks of mpe_arch_parse on a struct: every key
 * inside [min, max], lanes % 4 == 0, lanes % cols == 0, beat_bytes a power
 * of two dividing every memory size, lut_ppc 1, 2 or 4, scratchpads and the instruction memory
 * addressable by the ISA's address fields. `msg` gets "key: reason". */
mpe_status mpe_arch_check(const mpe_arch *a, char *msg, size_t msglen);
/* 0 when equal; else -1 and `msg` names the first differing key
 * ("rows: 8 here, 4 in the binary" with the given labels). */
int mpe_arch_compare(const mpe_arch *a, const char *alabel, const mpe_arch *b,
                     const char *blabel, char *msg, size_t msglen);
/* Canonical text (every key, fixed order) and its CRC32. */
size_t mpe_arch_format(const mpe_arch *a, char *buf, size_t len);
#define MPE_ARCH_TEXT_MAX 512 /* the canonical text always fits */
uint32_t mpe_arch_crc(const mpe_arch *a);

#ifdef __cplusplus
}
#endif
#endif
