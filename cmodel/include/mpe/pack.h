/* Packed memory layouts of quantized tensors (docs/numerics.md 3.6) and the
 * GGUF (llama.cpp) block layouts Q4_0, Q8_0, TQ2_0 and MXFP4.
 * All multi-byte fields are little endian. */
#ifndef MPE_PACK_H
#define MPE_PACK_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/quant.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- LSB-first bit streams: code i occupies stream bits [i*b, (i+1)*b),
 * stream bit t is bit t%8 of byte t/8. bits = 1..16. ---- */
size_t mpe_bits_bytes(size_t n, unsigned bits);
/* Writes mpe_bits_bytes(n, bits) bytes (unused high bits of the last byte 0). */
void mpe_bits_pack(const uint16_t *codes, size_t n, unsigned bits, uint8_t *out);
void mpe_bits_unpack(const uint8_t *in, size_t n, unsigned bits, uint16_t *codes);

/* ---- whole quantized tensors ----
 * integer family: codes as one bit stream (padded to a byte), then the FP32
 *     scales, then (uintN) the uint8 zero points;
 * MX, BFP: per block 1 byte scale, then the block's codes as a bit stream;
 * NVFP4: FP32 tensor scale, then per block 1 byte ue4m3 + 8 bytes E2M1;
 * fp16/bf16: the 16-bit codes. */
size_t mpe_pack_size(const mpe_qtensor *q);
mpe_status mpe_pack(const mpe_qtensor *q, uint8_t *out, size_t cap);
/* Reads a packed image of exactly mpe_pack_size bytes for spec and shape. */
mpe_status mpe_unpack(const mpe_qspec *s, int ndim, const int64_t *dims,
                      const uint8_t *in, size_t len, mpe_qtensor *q, char *err,
                      size_t errlen);

/* ---- GGUF blocks (llama.cpp ggml-common.h layouts) ---- */
typedef enum {
    MPE_GGUF_Q4_0,  /* 32 elems, 18 B: fp16 d, nibbles (j low, j+16 high), (q-8)*d */
    MPE_GGUF_Q8_0,  /* 32 elems, 34 B: fp16 d, int8 qs[32], q*d */
    MPE_GGUF_TQ2_0, /* 256 elems, 66 B: qs[64] (2-bit, {0,1,2} -> -1,0,1), fp16 d */
    MPE_GGUF_MXFP4, /* 32 elems, 17 B: e8m0 e, E2M1 nibbles (j low, j+16 high) */
    MPE_GGUF_COUNT
} mpe_gguf_type;

const char *mpe_gguf_name(mpe_gguf_type t);
int mpe_gguf_block_elems(mpe_gguf_type t);
int mpe_gguf_block_bytes(mpe_gguf_type t);
/* The quantizer whose codes a GGUF type stores: Q4_0 int4 group 32 (nibble
 * = code + 8), Q8_0 int8 group 32, TQ2_0 ternary group 256, MXFP4 mxfp4. */
mpe_status mpe_gguf_spec(mpe_gguf_type t, mpe_qspec *s);
/* Writes q (of the type's spec, any rounding) as GGUF blocks. The FP32
 * group scales become FP16 (RNE): the one lossy step. *len = bytes used. */
mpe_status mpe_gguf_pack(mpe_gguf_type t, const mpe_qtensor *q, uint8_t *out,
                         size_t cap, size_t *len);
/* Reads GGUF blocks into a quantized tensor of the type's spec (FP16 scales
 * widen exactly). TQ2_0 code 3 is rejected. */
mpe_status mpe_gguf_unpack(mpe_gguf_type t, const uint8_t *in, size_t len,
                           int ndim, const int64_t *dims, mpe_qtensor *q,
                           char *err, size_t errlen);
/* llama.cpp's dequantize_row_* for n elements (n a multiple of the block):
 * one FP32 product per element (MXFP4 e = 0xFF gives 2^127 there, where
 * OCP and mpe_dequantize give NaN). */
mpe_status mpe_gguf_dequant(mpe_gguf_type t, const uint8_t *in, size_t len,
                            size_t n, float *out);

#ifdef __cplusplus
}
#endif
#endif
