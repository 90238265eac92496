/* GGUF (llama.cpp) block layouts Q4_0, Q8_0, TQ2_0, MXFP4: packing of the
 * project's quantized tensors into them, reading them back, and llama.cpp's
 * dequantization. Layouts from ggml-common.h as restated in
 * shared/reference/numerics-facts.md section 6. */
#include "mpe/pack.h"

#include <stdio.h>
#include <string.h>

#include "mpe/fp32.h"

static const struct {
    const char *name;
    const char *qname; /* mpe quantizer storing the codes */
    int elems, bytes, group;
} gguf_types[MPE_GGUF_COUNT] = {
    {"q4_0", "int4", 32, 18, 32},
    {"q8_0", "int8", 32, 34, 32},
    {"tq2_0", "ternary", 256, 66, 256},
    {"mxfp4", "mxfp4", 32, 17, 32},
};

static int bad_type(mpe_gguf_type t) { return (unsigned)t >= MPE_GGUF_COUNT; }

const char *mpe_gguf_name(mpe_gguf_type t)
{
    return bad_type(t) ? "?" : gguf_types[t].name;
}

int mpe_gguf_block_elems(mpe_gguf_type t)
{
    return bad_type(t) ? 0 : gguf_types[t].elems;
}

int mpe_gguf_block_bytes(mpe_gguf_type t)
{
    return bad_type(t) ? 0 : gguf_types[t].bytes;
}

mpe_status mpe_gguf_spec(mpe_gguf_type t, mpe_qspec *s)
{
    if (bad_type(t))
        return MPE_ERR_ARG;
    mpe_status st = mpe_qspec_parse(gguf_types[t].qname, s);
    s->group = gguf_types[t].group;
    return st;
}

static int same_format(const mpe_qspec *a, const mpe_qspec *b)
{
    return a->kind == b->kind && a->elem.kind == b->elem.kind &&
           a->elem.bits == b->elem.bits && a->elem.fmt == b->elem.fmt &&
           a->group == b->group;
}

static uint16_t f16_of(uint32_t f32) { return mpe_f32_to_f16(f32); }

static uint32_t f32_of_f16(const uint8_t *p)
{
    uint16_t h = (uint16_t)(p[0] | p[1] << 8);
    return mpe_fp_encode(MPE_FMT_FP32, mpe_fp_unpack(MPE_FMT_FP16, h), MPE_RNE, 0, 0);
}

static void put_f16(uint8_t *p, uint32_t f32)
{
    uint16_t h = f16_of(f32);
    p[0] = (uint8_t)h;
    p[1] = (uint8_t)(h >> 8);
}

/* Block b of q into out (one GGUF block). */
static void pack_block(mpe_gguf_type t, const mpe_qtensor *q, size_t b, uint8_t *out)
{
    const uint16_t *c = q->codes + b * (size_t)gguf_types[t].elems;
    switch (t) {
    case MPE_GGUF_Q4_0:
        put_f16(out, q->scales[b]);
        for (int j = 0; j < 16; j++)
            out[2 + j] = (uint8_t)(((c[j] + 8) & 15) | ((c[j + 16] + 8) & 15) << 4);
        break;
    case MPE_GGUF_Q8_0:
        put_f16(out, q->scales[b]);
        for (int j = 0; j < 32; j++)
            out[2 + j] = (uint8_t)c[j];
        break;
    case MPE_GGUF_TQ2_0:
        memset(out, 0, 64);
        for (int e = 0; e < 256; e++) { /* byte 32c+m holds 128c+m+32n at bit 2n */
            int cc = e / 128, n = (e % 128) / 32, m = e % 32;
            uint8_t v = (uint8_t)(mpe_dt_int_value(q->spec.elem, c[e]) + 1);
            out[32 * cc + m] |= (uint8_t)(v << (2 * n));
        }
        put_f16(out + 64, q->scales[b]);
        break;
    default: /* MXFP4 */
        out[0] = (uint8_t)q->scales[b];
        for (int j = 0; j < 16; j++)
            out[1 + j] = (uint8_t)((c[j] & 15) | (c[j + 16] & 15) << 4);
        break;
    }
}

mpe_status mpe_gguf_pack(mpe_gguf_type t, const mpe_qtensor *q, uint8_t *out,
                         size_t cap, size_t *len)
{
    mpe_qspec s;
    *len = 0;
    if (mpe_gguf_spec(t, &s) != MPE_OK || !same_format(&s, &q->spec))
        return MPE_ERR_ARG;
    size_t need = q->nscales * (size_t)gguf_types[t].bytes;
    if (cap < need)
        return MPE_ERR_RANGE;
    for (size_t b = 0; b < q->nscales; b++)
        pack_block(t, q, b, out + b * (size_t)gguf_types[t].bytes);
    *len = need;
    return MPE_OK;
}

/* One GGUF block into codes c[] and scale *sc; -1 on an invalid code. */
static int unpack_block(mpe_gguf_type t, const uint8_t *in, uint16_t *c, uint32_t *sc)
{
    switch (t) {
    case MPE_GGUF_Q4_0:
        *sc = f32_of_f16(in);
        for (int j = 0; j < 16; j++) {
            c[j] = (uint16_t)(((in[2 + j] & 15) - 8) & 15);
            c[j + 16] = (uint16_t)(((in[2 + j] >> 4) - 8) & 15);
        }
        return 0;
    case MPE_GGUF_Q8_0:
        *sc = f32_of_f16(in);
        for (int j = 0; j < 32; j++)
            c[j] = in[2 + j];
        return 0;
    case MPE_GGUF_TQ2_0:
        for (int e = 0; e < 256; e++) {
            int cc = e / 128, n = (e % 128) / 32, m = e % 32;
            int v = (in[32 * cc + m] >> (2 * n)) & 3;
            if (v == 3)
                return -1;
            c[e] = (uint16_t)((v - 1) & 3);
        }
        *sc = f32_of_f16(in + 64);
        return 0;
    default:
        *sc = in[0];
        for (int j = 0; j < 16; j++) {
            c[j] = in[1 + j] & 15;
            c[j + 16] = in[1 + j] >> 4;
        }
        return 0;
    }
}

mpe_status mpe_gguf_unpack(mpe_gguf_type t, const uint8_t *in, size_t len,
                           int ndim, const int64_t *dims, mpe_qtensor *q,
                           char *err, size_t errlen)
{
    mpe_qspec s;
    memset(q, 0, sizeof *q);
    if (mpe_gguf_spec(t, &s) != MPE_OK)
        return MPE_ERR_ARG;
    mpe_status st = mpe_qt_alloc(q, &s, ndim, dims, err, errlen);
    if (st != MPE_OK)
        return st;
    size_t bytes = (size_t)gguf_types[t].bytes, need = q->nscales * bytes;
    const char *why = NULL;
    if (len != need)
        why = "wrong data length";
    for (size_t b = 0; !why && b < q->nscales; b++)
        if (unpack_block(t, in + b * bytes, q->codes + b * (size_t)gguf_types[t].elems,
                         &q->scales[b]))
            why = "2-bit code 3 is not a ternary value";
    if (why) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s (%zu bytes, %zu expected)", gguf_types[t].name,
                     why, len, need);
        mpe_qt_free(q);
        return MPE_ERR_FORMAT;
    }
    return MPE_OK;
}

static const int8_t mxfp4_kvalues[16] = {0, 1, 2, 3, 4, 6, 8, 12,
                                         0, -1, -2, -3, -4, -6, -8, -12};

/* ggml's E8M0 "half" scale 2^(e-128) as FP32 bits (e = 0 gives 2^-128). */
static uint32_t e8m0_half(uint8_t e)
{
    return e < 2 ? 0x00200000u << e : (uint32_t)(e - 1) << 23;
}

/* Element j of one block as llama.cpp computes it (an FP32 product). */
static uint32_t dequant_one(mpe_gguf_type t, const uint8_t *in, int j)
{
    int q;
    switch (t) {
    case MPE_GGUF_Q4_0:
        q = j < 16 ? (in[2 + j] & 15) : (in[2 + j - 16] >> 4);
        return mpe_f32_mul(mpe_f32_from_int(q - 8, 0), f32_of_f16(in));
    case MPE_GGUF_Q8_0:
        return mpe_f32_mul(mpe_f32_from_int((int8_t)in[2 + j], 0), f32_of_f16(in));
    case MPE_GGUF_TQ2_0:
        q = (in[32 * (j / 128) + j % 32] >> (2 * ((j % 128) / 32))) & 3;
        return mpe_f32_mul(mpe_f32_from_int(q - 1, 0), f32_of_f16(in + 64));
    default:
        q = j < 16 ? (in[1 + j] & 15) : (in[1 + j - 16] >> 4);
        return mpe_f32_mul(mpe_f32_from_int(mxfp4_kvalues[q], 0), e8m0_half(in[0]));
    }
}

mpe_status mpe_gguf_dequant(mpe_gguf_type t, const uint8_t *in, size_t len,
                            size_t n, float *out)
{
    if (bad_type(t))
        return MPE_ERR_ARG;
    size_t be = (size_t)gguf_types[t].elems, bb = (size_t)gguf_types[t].bytes;
    if (n % be || len != n / be * bb)
        return MPE_ERR_SHAPE;
    for (size_t i = 0; i < n; i++)
        out[i] = mpe_f32_from_bits(dequant_one(t, in + i / be * bb, (int)(i % be)));
    return MPE_OK;
}
