/* GGUF block bytes (cmodel/numerics/gguf.c): mpe_gguf_unpack and mpe_gguf_dequant.
 * Input: byte 0 the type (0..3 Q4_0, Q8_0, TQ2_0, MXFP4; 4 an invalid type),
 * byte 1 bit 0 the rank - 1, bits 1..4 the leading dimension of a rank-2
 * shape, bytes 2..3 (LE, low 12 bits) the last dimension, the rest the
 * blocks. Unpacked codes must pack and unpack back unchanged. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "mpe/pack.h"

static void round_trip(mpe_gguf_type t, const mpe_qtensor *q)
{
    size_t cap = q->nscales * (size_t)mpe_gguf_block_bytes(t), len;
    uint8_t *buf = malloc(cap ? cap : 1);
    mpe_qtensor r;
    char err[256];
    if (!buf || mpe_gguf_pack(t, q, buf, cap, &len) != MPE_OK || len != cap)
        fuzz_fail("unpacked GGUF blocks do not pack");
    if (mpe_gguf_unpack(t, buf, len, q->ndim, q->dims, &r, err, sizeof err) != MPE_OK)
        fuzz_fail("packed GGUF blocks do not unpack");
    if (r.count != q->count || memcmp(r.codes, q->codes, q->count * sizeof *q->codes))
        fuzz_fail("GGUF unpack -> pack -> unpack changed the codes");
    mpe_qt_free(&r);
    free(buf);
}

static void dequant(mpe_gguf_type t, const uint8_t *in, size_t len, size_t n)
{
    float *out = malloc((n ? n : 1) * sizeof *out);
    if (!out)
        fuzz_fail("out of memory");
    (void)mpe_gguf_dequant(t, in, len, n, out);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    mpe_gguf_type t = (mpe_gguf_type)(data[0] % (MPE_GGUF_COUNT + 1));
    int ndim = 1 + (data[1] & 1);
    int64_t last = (data[2] | data[3] << 8) & 0xfff;
    int64_t dims[2] = {ndim == 2 ? (data[1] >> 1) & 15 : last, last};
    const uint8_t *in = data + 4;
    size_t len = size - 4;
    char err[256];
    mpe_qtensor q;
    if (mpe_gguf_unpack(t, in, len, ndim, dims, &q, err, sizeof err) == MPE_OK) {
        round_trip(t, &q);
        mpe_qt_free(&q);
    }
    int bb = mpe_gguf_block_bytes(t), be = mpe_gguf_block_elems(t);
    size_t n = bb ? len / (size_t)bb * (size_t)be : 0;
    dequant(t, in, len, n);         /* whole blocks (an error if len is not) */
    dequant(t, in, len, n + 1);     /* never a whole number of blocks */
    return 0;
}
