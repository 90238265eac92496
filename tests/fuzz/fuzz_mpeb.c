/* .mpeb binaries (cmodel/io/binary.c, isa/disasm_prog.c, the C model): the
 * input is read with mpe_program_read; when that fails, once more with the
 * header's size and CRC fields set to match (so that mutations get past the
 * checksum into the sections). An accepted program must serialize to the
 * same bytes (the reader accepts exactly what the writer makes), is
 * disassembled, and runs on the C model for at most FUZZ_MAX_CYCLES cycles,
 * as `mpe run` does (tools/cmd_run.c); small output tensors are decoded. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common.h"
#include "mpe/asm.h"
#include "mpe/backend.h"
#include "mpe/binary.h"
#include "mpe/tensorio.h"

#ifndef FUZZ_MAX_CYCLES
#define FUZZ_MAX_CYCLES 2000
#endif
#define FUZZ_MAX_DECODE ((uint64_t)1 << 20)

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The header's file size (bytes 12..15) and CRC of bytes 32.. (8..11). */
static void fix_header(uint8_t *b, size_t len)
{
    uLong c = crc32(0L, Z_NULL, 0);
    size_t off = MPE_BIN_HEADER_BYTES;
    while (off < len) {
        uInt k = len - off > 1u << 30 ? 1u << 30 : (uInt)(len - off);
        c = crc32(c, b + off, k);
        off += k;
    }
    put_le32(b + 8, (uint32_t)c);
    put_le32(b + 12, (uint32_t)len);
}

static void check_write(const mpe_program *p, const uint8_t *in, size_t len)
{
    uint8_t *out;
    size_t n;
    char err[256];
    if (mpe_program_write(p, &out, &n, err, sizeof err) != MPE_OK)
        fuzz_fail("an accepted program does not serialize");
    if (n != len || memcmp(out, in, len))
        fuzz_fail("read -> write changed the bytes of an accepted binary");
    free(out);
}

static void decode_outputs(const mpe_backend *be, void *ctx, const mpe_program *p)
{
    for (size_t k = 0; k < p->ntensors; k++) {
        const mpe_tdesc *d = &p->tensors[k];
        uint64_t nb;
        if (d->role != MPE_ROLE_OUTPUT || mpe_tdesc_bytes(d, &nb) != MPE_OK ||
            nb > FUZZ_MAX_DECODE)
            continue;
        uint8_t *bytes = malloc(nb ? nb : 1);
        mpe_tensor t;
        char err[256];
        if (bytes && be->mem_read(ctx, d->addr, bytes, nb) == MPE_OK &&
            mpe_tdesc_decode(d, bytes, nb, &t, err, sizeof err) == MPE_OK)
            mpe_tensor_free(&t);
        free(bytes);
    }
}

static void run(const mpe_program *p)
{
    const mpe_backend *be = &mpe_backend_cmodel;
    void *ctx;
    char err[256];
    if (be->create(&p->arch, &ctx, err, sizeof err) != MPE_OK)
        return;
    mpe_status st = be->load_code(ctx, p->code, p->ninsns);
    for (size_t i = 0; st == MPE_OK && i < p->ndata; i++)
        st = be->mem_write(ctx, p->data[i].addr, p->data[i].bytes, p->data[i].len);
    if (st == MPE_OK && be->run(ctx, FUZZ_MAX_CYCLES) == MPE_RUN_DONE)
        decode_outputs(be, ctx, p);
    be->destroy(ctx);
}

static void use(const mpe_program *p, const uint8_t *bytes, size_t len)
{
    check_write(p, bytes, len);
    free(mpe_disasm_program(p, "fuzz.mpeb", MPE_DISASM_PC));
    run(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mpe_program p;
    char err[256];
    if (mpe_program_read(data, size, &p, err, sizeof err) == MPE_OK) {
        use(&p, data, size);
        mpe_program_free(&p);
        return 0;
    }
    if (size < MPE_BIN_HEADER_BYTES)
        return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed)
        fuzz_fail("out of memory");
    memcpy(fixed, data, size);
    fix_header(fixed, size);
    if (mpe_program_read(fixed, size, &p, err, sizeof err) == MPE_OK) {
        use(&p, fixed, size);
        mpe_program_free(&p);
    }
    free(fixed);
    return 0;
}
