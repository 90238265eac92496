/* The file protocol of the RTL backend, shared by its client
 * (runtime/backend_rtl.c, in the mpe tool) and its server (sim/rtl_serve.c,
 * in the simulator).
 *
 * REQUEST (little endian): "MPERTLQ1"; u32 n + n bytes of canonical arch
 * text; u64 max_cycles (0 = none); u32 ninsns + 16 * ninsns code bytes;
 * u32 npages + per page {u64 index, min(4096, mem_bytes - 4096 * index)
 * bytes}.
 * RESPONSE: "MPERTLA1"; u32 run state; u32 trap cause, u32 trap pc, u64
 * trap cycle, 192 bytes trap message; u32 nwords + nwords u64 of
 * mpe_accel_stats (all of its fields are u64); u64 nrec + per commit
 * {u64 cycle, u32 pc, u8 unit}; u32 npages + pages as in the request. */
#ifndef MPE_RTL_PROTO_H
#define MPE_RTL_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mpe/accel.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPE_RTL_PAGE 4096u
#define MPE_RTL_PROGRESS_FD 3 /* the pipe's descriptor in the server */
#define MPE_RTL_PROGRESS_ENV "MPE_RTL_PROGRESS_FD"
#define MPE_RTL_STAT_WORDS (sizeof(mpe_accel_stats) / sizeof(uint64_t))

/* n (1..8) little-endian bytes; 0 or -1 (EOF / write error). */
int mpe_rtl_put(FILE *f, uint64_t v, int n);
int mpe_rtl_get(FILE *f, uint64_t *v, int n);
/* Bytes of page p of a memory of mem_bytes (0 past its end). */
size_t mpe_rtl_page_len(uint32_t mem_bytes, uint64_t p);
/* u32 count + per page {u64 index, its bytes of mem}. */
int mpe_rtl_put_pages(FILE *f, const uint8_t *mem, uint32_t mem_bytes, const uint64_t *pages,
                      size_t n);
/* Reads pages into mem (marking them in `dirty` when given). */
int mpe_rtl_get_pages(FILE *f, uint8_t *mem, uint32_t mem_bytes, uint8_t *dirty);

#ifdef __cplusplus
}
#endif
#endif
