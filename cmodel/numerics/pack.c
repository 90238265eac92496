/* Packed layouts of quantized tensors (docs/numerics.md 3.6): LSB-first
 * bit streams, MX / BFP / NVFP4 blocks, integer groups, fp16/bf16. */
#include "mpe/pack.h"

#include <stdio.h>
#include <string.h>

#include "mpe/le.h"

size_t mpe_bits_bytes(size_t n, unsigned bits)
{
    return (n * bits + 7) / 8;
}

void mpe_bits_pack(const uint16_t *codes, size_t n, unsigned bits, uint8_t *out)
{
    memset(out, 0, mpe_bits_bytes(n, bits));
    uint32_t mask = (1u << bits) - 1;
    size_t t = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = codes[i] & mask;
        for (unsigned k = 0; k < bits; k++, t++)
            out[t >> 3] |= (uint8_t)(((c >> k) & 1u) << (t & 7));
    }
}

void mpe_bits_unpack(const uint8_t *in, size_t n, unsigned bits, uint16_t *codes)
{
    size_t t = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = 0;
        for (unsigned k = 0; k < bits; k++, t++)
            c |= (uint32_t)((in[t >> 3] >> (t & 7)) & 1u) << k;
        codes[i] = (uint16_t)c;
    }
}

static void put_le32(uint8_t *p, uint32_t v) { mpe_put_le(p, v, 4); }
static uint32_t get_le32(const uint8_t *p) { return (uint32_t)mpe_get_le(p, 4); }

static int is_block_kind(int kind)
{
    return kind == MPE_QK_MX || kind == MPE_QK_BFP || kind == MPE_QK_NVFP4;
}

size_t mpe_pack_size(const mpe_qtensor *q)
{
    const mpe_qspec *s = &q->spec;
    unsigned b = s->elem.bits;
    if (s->kind == MPE_QK_FLOAT)
        return mpe_bits_bytes(q->count, b);
    if (is_block_kind(s->kind)) {
        size_t blk = 1 + mpe_bits_bytes((size_t)s->group, b);
        return (s->kind == MPE_QK_NVFP4 ? 4 : 0) + q->nscales * blk;
    }
    return mpe_bits_bytes(q->count, b) + 4 * q->nscales +
           (s->kind == MPE_QK_UINT ? q->nscales : 0);
}

/* Block layouts: [scale byte][codes] per block (NVFP4: tensor scale first). */
static void pack_blocks(const mpe_qtensor *q, uint8_t *out)
{
    size_t g = (size_t)q->spec.group;
    unsigned b = q->spec.elem.bits;
    if (q->spec.kind == MPE_QK_NVFP4) {
        put_le32(out, q->tensor_scale);
        out += 4;
    }
    for (size_t k = 0; k < q->nscales; k++) {
        *out++ = (uint8_t)q->scales[k];
        mpe_bits_pack(q->codes + k * g, g, b, out);
        out += mpe_bits_bytes(g, b);
    }
}

mpe_status mpe_pack(const mpe_qtensor *q, uint8_t *out, size_t cap)
{
    if (cap < mpe_pack_size(q))
        return MPE_ERR_RANGE;
    unsigned b = q->spec.elem.bits;
    if (is_block_kind(q->spec.kind)) {
        pack_blocks(q, out);
        return MPE_OK;
    }
    mpe_bits_pack(q->codes, q->count, b, out);
    if (q->spec.kind == MPE_QK_FLOAT)
        return MPE_OK;
    out += mpe_bits_bytes(q->count, b);
    for (size_t k = 0; k < q->nscales; k++, out += 4)
        put_le32(out, q->scales[k]);
    if (q->zero_points)
        memcpy(out, q->zero_points, q->nscales);
    return MPE_OK;
}

static void unpack_blocks(mpe_qtensor *q, const uint8_t *in)
{
    size_t g = (size_t)q->spec.group;
    unsigned b = q->spec.elem.bits;
    if (q->spec.kind == MPE_QK_NVFP4) {
        q->tensor_scale = get_le32(in);
        in += 4;
    }
    for (size_t k = 0; k < q->nscales; k++) {
        q->scales[k] = *in++;
        mpe_bits_unpack(in, g, b, q->codes + k * g);
        in += mpe_bits_bytes(g, b);
    }
}

mpe_status mpe_unpack(const mpe_qspec *s, int ndim, const int64_t *dims,
                      const uint8_t *in, size_t len, mpe_qtensor *q, char *err,
                      size_t errlen)
{
    mpe_status st = mpe_qt_alloc(q, s, ndim, dims, err, errlen);
    if (st != MPE_OK)
        return st;
    size_t need = mpe_pack_size(q);
    if (len != need) {
        if (err && errlen)
            snprintf(err, errlen, "%s: packed data has %zu bytes, expected %zu",
                     mpe_qspec_name(s), len, need);
        mpe_qt_free(q);
        return MPE_ERR_FORMAT;
    }
    if (is_block_kind(s->kind)) {
        unpack_blocks(q, in);
        return MPE_OK;
    }
    unsigned b = s->elem.bits;
    mpe_bits_unpack(in, q->count, b, q->codes);
    in += mpe_bits_bytes(q->count, b);
    if (s->kind == MPE_QK_FLOAT)
        return MPE_OK;
    for (size_t k = 0; k < q->nscales; k++, in += 4)
        q->scales[k] = get_le32(in);
    for (size_t k = 0; q->zero_points && k < q->nscales; k++) {
        q->zero_points[k] = in[k];
        if (in[k] > mpe_dt_mask(s->elem)) {
            if (err && errlen)
                snprintf(err, errlen, "%s: zero point %u out of range", mpe_qspec_name(s),
                         in[k]);
            mpe_qt_free(q);
            return MPE_ERR_FORMAT;
        }
    }
    return MPE_OK;
}
