/* Host tensors <-> the stored codes of a tensor descriptor (docs/isa.md
 * section 6): value conversion and memory layouts.
 *
 * Into memory (inputs), by the descriptor's host type and stored element:
 *   - quantization flag set: the host tensor is float32 and each value is
 *     quantized as ONNX QuantizeLinear, q = sat(RNE(x / scale) + zp) with
 *     x / scale one FP32 division (NaN gives zp), into the range of the
 *     stored integer type;
 *   - integer host types: the element's value (int/uint/bfpint mantissa,
 *     binary +-1, ternary -1/0/1, pow2 0/+-2^e) or, for FP elements, the raw
 *     code; a value the element cannot hold is an error;
 *   - float32 into an FP element: RNE with saturation (fp8/fp6/fp4), FP16
 *     and BF16 output formats RNE, FP32 bits as they are;
 *   - float16 into fp16: the raw bits.
 * Out of memory (outputs): integer codes as their values (sign-extended for
 * signed formats); with the quantization flag and a float32 host type,
 * dequantized as ONNX DequantizeLinear, (q - zp) * scale in FP32; FP codes
 * as float32 (exact) or float16 (raw bits).
 * Layout padding codes are 0; im2col padding pixels hold the zero point's
 * code (0 without the quantization flag). */
#ifndef MPE_TENSORIO_H
#define MPE_TENSORIO_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/binary.h"
#include "mpe/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The memory image (mpe_tdesc_bytes bytes, malloc'ed) of a host tensor.
 * Errors (one line, starting with the tensor name): wrong host type, wrong
 * shape, a value the stored element cannot hold. */
mpe_status mpe_tdesc_encode(const mpe_tdesc *d, const mpe_tensor *t, uint8_t **bytes,
                            size_t *len, char *err, size_t errlen);
/* The host tensor of a memory image (layouts row_major, tiled, tiled_nchw). */
mpe_status mpe_tdesc_decode(const mpe_tdesc *d, const uint8_t *bytes, size_t len,
                            mpe_tensor *out, char *err, size_t errlen);

/* Code i of width cw bits (1..32) in a little-endian bit stream. */
uint32_t mpe_code_get(const uint8_t *bytes, uint64_t i, uint32_t cw);
void mpe_code_put(uint8_t *bytes, uint64_t i, uint32_t cw, uint32_t code);

#ifdef __cplusplus
}
#endif
#endif
