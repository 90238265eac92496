// Packed layouts (docs/numerics.md 3.6): bit streams, MX / NVFP4 / BFP
// blocks, integer groups, and GGUF Q4_0 / Q8_0 / TQ2_0 / MXFP4 blocks.
// Known-answer bytes built by hand from the layout descriptions, and
// pack/unpack round trips of every format on random data.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "mpe/fp32.h"
#include "mpe/pack.h"
#include "mpe/quant.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

uint32_t bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

struct Rng {
    uint32_t s;
    explicit Rng(uint32_t seed) : s(seed * 2654435761u + 1) {}
    uint32_t next() { s = s * 1664525u + 1013904223u; return s; }
    float normal() {  // Irwin-Hall: sum of 12 uniforms
        float a = 0;
        for (int k = 0; k < 12; k++) a += (float)(next() >> 8) / 16777216.0f;
        return a - 6.0f;
    }
};

TEST(PackBits, KnownStreams) {
    uint16_t c2[] = {1, 2, 3};
    uint8_t out[4] = {0xAA, 0xAA, 0xAA, 0xAA};
    mpe_bits_pack(c2, 3, 2, out);
    EXPECT_EQ(out[0], 0x39);  // 01 | 10 << 2 | 11 << 4
    EXPECT_EQ(mpe_bits_bytes(3, 2), 1u);
    uint16_t c4[] = {0xA, 0x5, 0xF};
    mpe_bits_pack(c4, 3, 4, out);
    EXPECT_EQ(out[0], 0x5A);  // element 0 in the low nibble
    EXPECT_EQ(out[1], 0x0F);  // unused high bits are 0
    uint16_t c6[] = {0x3F, 0x00, 0x15, 0x2A};
    mpe_bits_pack(c6, 4, 6, out);
    EXPECT_EQ(out[0], 0x3F);
    EXPECT_EQ(out[1], 0x50);
    EXPECT_EQ(out[2], 0xA9);
    uint16_t c16[] = {0x1234};
    mpe_bits_pack(c16, 1, 16, out);
    EXPECT_EQ(out[0], 0x34);
    EXPECT_EQ(out[1], 0x12);
    uint16_t c3[] = {5, 7, 1};  // stream bits (LSB first) 101 111 10|0
    mpe_bits_pack(c3, 3, 3, out);
    EXPECT_EQ(out[0], 0x7D);
    EXPECT_EQ(out[1], 0x00);
    uint16_t back[4];
    mpe_bits_unpack(out, 3, 3, back);
    EXPECT_EQ(back[0], 5);
    EXPECT_EQ(back[1], 7);
    EXPECT_EQ(back[2], 1);
}

TEST(PackBits, RoundTripEveryWidth) {
    Rng r(7);
    for (unsigned b = 1; b <= 16; b++)
        for (size_t n : {1u, 7u, 8u, 33u, 100u}) {
            std::vector<uint16_t> c(n), d(n);
            for (auto &v : c) v = (uint16_t)(r.next() >> 16) & (uint16_t)((1u << b) - 1);
            Bytes p(mpe_bits_bytes(n, b));
            mpe_bits_pack(c.data(), n, b, p.data());
            mpe_bits_unpack(p.data(), n, b, d.data());
            EXPECT_EQ(c, d) << "bits " << b << " n " << n;
        }
}

struct QT {
    mpe_qtensor q{};
    QT(const char *name, const std::vector<float> &x, std::vector<int64_t> dims, int group = -1,
       int axis = -1) {
        mpe_qspec s;
        EXPECT_EQ(mpe_qspec_parse(name, &s), MPE_OK);
        if (group >= 0) s.group = group;
        if (axis >= 0) { s.axis = axis; if (group < 0) s.group = 0; }
        char e[256];
        EXPECT_EQ(mpe_quantize(&s, x.data(), (int)dims.size(), dims.data(), &q, e, sizeof e),
                  MPE_OK) << e;
    }
    ~QT() { mpe_qt_free(&q); }
};

TEST(PackLayout, BlockSizes) {
    std::vector<float> x(2 * 64, 1.0f);
    struct { const char *f; int group; size_t bytes; } c[] = {
        {"mxfp4", -1, 4 * 17}, {"mxfp6_e3m2", -1, 4 * 25}, {"mxfp6_e2m3", -1, 4 * 25},
        {"mxfp8_e4m3", -1, 4 * 33}, {"mxfp8_e5m2", -1, 4 * 33}, {"mxint8", -1, 4 * 33},
        {"nvfp4", -1, 4 + 8 * 9}, {"bfp12", -1, 8 * 9}, {"bfp16", -1, 8 * 17},
        {"bfp12", 64, 2 * 33}, {"bfp16", 8, 16 * 9},
        {"int4", -1, 64 + 4}, {"int4", 16, 64 + 8 * 4}, {"uint4", 16, 64 + 8 * 5},
        {"uint3", -1, 48 + 5}, {"ternary", 32, 32 + 4 * 4}, {"pow2", -1, 64 + 4},
        {"int8", -1, 128 + 4}, {"fp16", -1, 256}, {"bf16", -1, 256}};
    for (auto &k : c) {
        QT t(k.f, x, {2, 64}, k.group);
        EXPECT_EQ(mpe_pack_size(&t.q), k.bytes) << k.f << " group " << k.group;
    }
}

TEST(PackLayout, MxBlockBytes) {
    // mxfp4, X = 1 (amax 4): codes 1 (0.5), 2 (1.0), 0xB (-1.5), 6 (4), rest 0.
    std::vector<float> x(32, 0.0f);
    x[0] = 0.5f; x[1] = 1.0f; x[2] = -1.5f; x[31] = 4.0f;
    QT t("mxfp4", x, {32});
    Bytes p(mpe_pack_size(&t.q));
    ASSERT_EQ(p.size(), 17u);
    ASSERT_EQ(mpe_pack(&t.q, p.data(), p.size()), MPE_OK);
    EXPECT_EQ(p[0], 127);   // e8m0 scale first
    EXPECT_EQ(p[1], 0x21);  // element 0 low nibble, element 1 high
    EXPECT_EQ(p[2], 0x0B);
    EXPECT_EQ(p[16], 0x60);  // element 31 in the high nibble of the last byte
    EXPECT_EQ(mpe_pack(&t.q, p.data(), p.size() - 1), MPE_ERR_RANGE);
}

TEST(PackLayout, Nvfp4AndIntegerGroupBytes) {
    std::vector<float> x(16, 0.0f);
    x[0] = 5376; x[1] = -2688;  // St = 2, sb = 448, d = 896: codes 7 (6), 0xD (-3)
    QT n("nvfp4", x, {16});
    Bytes p(mpe_pack_size(&n.q));
    ASSERT_EQ(p.size(), 13u);
    ASSERT_EQ(mpe_pack(&n.q, p.data(), p.size()), MPE_OK);
    EXPECT_EQ(Bytes(p.begin(), p.begin() + 6), (Bytes{0x00, 0x00, 0x00, 0x40, 0x7E, 0xD7}));
    // uint4 per tensor: codes stream, FP32 scale, zero point
    QT u("uint4", {-1, 14, 0, 2}, {4});  // scale 1, zp 1: codes 0, 15, 1, 3
    Bytes q(mpe_pack_size(&u.q));
    ASSERT_EQ(q.size(), 2u + 4u + 1u);
    ASSERT_EQ(mpe_pack(&u.q, q.data(), q.size()), MPE_OK);
    EXPECT_EQ(q, (Bytes{0xF0, 0x31, 0x00, 0x00, 0x80, 0x3F, 0x01}));
}

// Every format: quantize random data, pack, unpack, same codes/scales/values.
TEST(PackLayout, RoundTripEveryFormat) {
    for (int fi = 0; fi < mpe_qformat_count(); fi++) {
        const mpe_qformat *f = mpe_qformat_at(fi);
        for (uint32_t seed : {1u, 2u, 3u}) {
            Rng r(seed + 17 * fi);
            std::vector<float> x(3 * 128);
            for (auto &v : x) v = r.normal() * (seed == 3 ? 1e-30f : 1.0f);
            if (seed == 2) x[5] = 0, x[200] = -0.0f;
            int group = f->group_min == f->group_max ? -1 : (seed == 1 ? f->group_min : -1);
            int axis = (f->axis_ok && seed == 3) ? 0 : -1;
            SCOPED_TRACE(std::string(f->name) + " seed " + std::to_string(seed));
            QT t(f->name, x, {3, 128}, axis >= 0 ? -1 : group, axis);
            Bytes p(mpe_pack_size(&t.q));
            ASSERT_EQ(mpe_pack(&t.q, p.data(), p.size()), MPE_OK);
            mpe_qtensor u;
            char err[256];
            ASSERT_EQ(mpe_unpack(&t.q.spec, t.q.ndim, t.q.dims, p.data(), p.size(), &u, err,
                                 sizeof err), MPE_OK) << err;
            ASSERT_EQ(u.count, t.q.count);
            ASSERT_EQ(u.nscales, t.q.nscales);
            EXPECT_EQ(0, std::memcmp(u.codes, t.q.codes, u.count * 2));
            EXPECT_EQ(0, std::memcmp(u.scales, t.q.scales, u.nscales * 4));
            if (t.q.zero_points) {
                EXPECT_EQ(0, std::memcmp(u.zero_points, t.q.zero_points, u.nscales));
            }
            EXPECT_EQ(u.tensor_scale, t.q.tensor_scale);
            Bytes p2(p.size());
            ASSERT_EQ(mpe_pack(&u, p2.data(), p2.size()), MPE_OK);
            EXPECT_EQ(p, p2);
            // wrong length is an error
            mpe_qtensor w;
            EXPECT_EQ(mpe_unpack(&t.q.spec, t.q.ndim, t.q.dims, p.data(), p.size() - 1, &w,
                                 err, sizeof err), MPE_ERR_FORMAT);
            EXPECT_NE(std::string(err).find("expected"), std::string::npos) << err;
            mpe_qt_free(&u);
        }
    }
}

TEST(PackLayout, UnpackRejectsBadZeroPoint) {
    mpe_qspec s;
    mpe_qspec_parse("uint4", &s);
    int64_t dims[1] = {2};
    Bytes p = {0x21, 0x00, 0x00, 0x80, 0x3F, 16};  // zero point 16 > 15
    mpe_qtensor q;
    char err[256];
    EXPECT_EQ(mpe_unpack(&s, 1, dims, p.data(), p.size(), &q, err, sizeof err), MPE_ERR_FORMAT);
    EXPECT_NE(std::string(err).find("zero point"), std::string::npos);
    p[5] = 15;
    ASSERT_EQ(mpe_unpack(&s, 1, dims, p.data(), p.size(), &q, err, sizeof err), MPE_OK);
    EXPECT_EQ(q.codes[0], 1);
    EXPECT_EQ(q.codes[1], 2);
    mpe_qt_free(&q);
}

// ---- GGUF ------------------------------------------------------------------

std::vector<float> gguf_dq(mpe_gguf_type t, const Bytes &b, size_t n) {
    std::vector<float> y(n);
    EXPECT_EQ(mpe_gguf_dequant(t, b.data(), b.size(), n, y.data()), MPE_OK);
    return y;
}

// Unpacks into a quantized tensor; its dequantization must equal llama.cpp's.
void check_unpack_agrees(mpe_gguf_type t, const Bytes &b, size_t n) {
    int64_t dims[1] = {(int64_t)n};
    mpe_qtensor q;
    char err[256];
    ASSERT_EQ(mpe_gguf_unpack(t, b.data(), b.size(), 1, dims, &q, err, sizeof err), MPE_OK) << err;
    std::vector<float> y(n), g = gguf_dq(t, b, n);
    mpe_dequantize(&q, y.data());
    for (size_t i = 0; i < n; i++) {
        // ggml's MXFP4 table has no -0: code 8 gives +0 there, -0 here
        bool negzero = t == MPE_GGUF_MXFP4 && y[i] == 0.0f && g[i] == 0.0f;
        if (!negzero) {
            EXPECT_EQ(bits(y[i]), bits(g[i])) << mpe_gguf_name(t) << " " << i;
        }
    }
    Bytes back(b.size());
    size_t len;
    ASSERT_EQ(mpe_gguf_pack(t, &q, back.data(), back.size(), &len), MPE_OK);
    EXPECT_EQ(len, b.size());
    EXPECT_EQ(back, b) << mpe_gguf_name(t);
    mpe_qt_free(&q);
}

TEST(Gguf, BlockSizes) {
    EXPECT_EQ(mpe_gguf_block_bytes(MPE_GGUF_Q4_0), 18);
    EXPECT_EQ(mpe_gguf_block_bytes(MPE_GGUF_Q8_0), 34);
    EXPECT_EQ(mpe_gguf_block_bytes(MPE_GGUF_TQ2_0), 66);
    EXPECT_EQ(mpe_gguf_block_bytes(MPE_GGUF_MXFP4), 17);
    EXPECT_EQ(mpe_gguf_block_elems(MPE_GGUF_TQ2_0), 256);
    EXPECT_EQ(mpe_gguf_block_elems(MPE_GGUF_Q4_0), 32);
    EXPECT_EQ(mpe_gguf_block_bytes((mpe_gguf_type)9), 0);
}

TEST(Gguf, Q4_0KnownBlock) {
    // d = fp16 2.0 (0x4000); qs[j] = j | (15 - j) << 4
    Bytes b = {0x00, 0x40};
    for (int j = 0; j < 16; j++) b.push_back((uint8_t)(j | (15 - j) << 4));
    auto y = gguf_dq(MPE_GGUF_Q4_0, b, 32);
    for (int j = 0; j < 16; j++) {
        EXPECT_EQ(y[j], (j - 8) * 2.0f) << j;
        EXPECT_EQ(y[j + 16], (7 - j) * 2.0f) << j;
    }
    check_unpack_agrees(MPE_GGUF_Q4_0, b, 32);
}

TEST(Gguf, Q8_0KnownBlock) {
    // d = fp16 -0.5 (0xB800); qs = -16..15
    Bytes b = {0x00, 0xB8};
    for (int j = 0; j < 32; j++) b.push_back((uint8_t)(int8_t)(j - 16));
    auto y = gguf_dq(MPE_GGUF_Q8_0, b, 32);
    for (int j = 0; j < 32; j++) EXPECT_EQ(y[j], (j - 16) * -0.5f) << j;
    EXPECT_EQ(bits(y[16]), 0x80000000u);  // 0 * -0.5 = -0 in FP32
    check_unpack_agrees(MPE_GGUF_Q8_0, b, 32);
}

TEST(Gguf, Tq2_0KnownBlock) {
    // qs all 0x55 (every code 1 -> 0); qs[0] = 0x92: elements 0 (+1), 32 (-1),
    // 64 (0), 96 (+1); qs[33] = 0x56: element 128 + 1 = 129 (+1); d = 0.5
    Bytes b(66, 0x55);
    b[0] = 0x92;
    b[33] = 0x56;
    b[64] = 0x00;
    b[65] = 0x38;
    auto y = gguf_dq(MPE_GGUF_TQ2_0, b, 256);
    for (int e = 0; e < 256; e++) {
        float want = (e == 0 || e == 96 || e == 129) ? 0.5f : e == 32 ? -0.5f : 0.0f;
        EXPECT_EQ(y[e], want) << e;
    }
    check_unpack_agrees(MPE_GGUF_TQ2_0, b, 256);
    // code 3 is not ternary: dequant follows llama.cpp (2 * d), unpack rejects it
    b[1] = 0x03;
    EXPECT_EQ(gguf_dq(MPE_GGUF_TQ2_0, b, 256)[1], 1.0f);
    int64_t dims[1] = {256};
    mpe_qtensor q;
    char err[256];
    EXPECT_EQ(mpe_gguf_unpack(MPE_GGUF_TQ2_0, b.data(), b.size(), 1, dims, &q, err, sizeof err),
              MPE_ERR_FORMAT);
    EXPECT_NE(std::string(err).find("code 3"), std::string::npos);
}

TEST(Gguf, Mxfp4KnownBlock) {
    // e = 128 (X = 2); qs[0] = 0x71: element 0 code 1 (0.5), element 16 code 7 (6);
    // qs[1] = 0xF9: element 1 code 9 (-0.5), element 17 code 15 (-6)
    Bytes b(17, 0);
    b[0] = 128;
    b[1] = 0x71;
    b[2] = 0xF9;
    auto y = gguf_dq(MPE_GGUF_MXFP4, b, 32);
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[16], 12.0f);
    EXPECT_EQ(y[1], -1.0f);
    EXPECT_EQ(y[17], -12.0f);
    EXPECT_EQ(y[2], 0.0f);
    check_unpack_agrees(MPE_GGUF_MXFP4, b, 32);
    // smallest scales: e = 0 gives 2^-127 (ggml: 2^-128 times doubled values)
    b[0] = 0;
    y = gguf_dq(MPE_GGUF_MXFP4, b, 32);
    EXPECT_EQ(y[16], 6.0f * std::ldexp(1.0f, -127));
    check_unpack_agrees(MPE_GGUF_MXFP4, b, 32);
    b[0] = 1;
    check_unpack_agrees(MPE_GGUF_MXFP4, b, 32);
}

TEST(Gguf, PackFromQuantizers) {
    Rng r(5);
    std::vector<float> x(512);
    for (auto &v : x) v = r.normal();
    struct { mpe_gguf_type t; const char *f; int group; } c[] = {
        {MPE_GGUF_Q4_0, "int4", 32}, {MPE_GGUF_Q8_0, "int8", 32},
        {MPE_GGUF_TQ2_0, "ternary", 256}, {MPE_GGUF_MXFP4, "mxfp4", -1}};
    for (auto &k : c) {
        SCOPED_TRACE(mpe_gguf_name(k.t));
        QT q(k.f, x, {2, 256}, k.group);
        size_t nb = 512 / mpe_gguf_block_elems(k.t);
        Bytes b(nb * mpe_gguf_block_bytes(k.t));
        size_t len;
        ASSERT_EQ(mpe_gguf_pack(k.t, &q.q, b.data(), b.size(), &len), MPE_OK);
        EXPECT_EQ(len, b.size());
        EXPECT_EQ(mpe_gguf_pack(k.t, &q.q, b.data(), b.size() - 1, &len), MPE_ERR_RANGE);
        int64_t dims[2] = {2, 256};
        mpe_qtensor u;
        char err[256];
        ASSERT_EQ(mpe_gguf_unpack(k.t, b.data(), b.size(), 2, dims, &u, err, sizeof err),
                  MPE_OK) << err;
        EXPECT_EQ(0, std::memcmp(u.codes, q.q.codes, 512 * 2));
        for (size_t s = 0; s < u.nscales; s++) {
            uint32_t want = k.t == MPE_GGUF_MXFP4
                                ? q.q.scales[s]
                                : mpe_fp_encode(MPE_FMT_FP32,
                                                mpe_fp_unpack(MPE_FMT_FP16,
                                                              mpe_f32_to_f16(q.q.scales[s])),
                                                MPE_RNE, 0, 0);
            EXPECT_EQ(u.scales[s], want) << s;  // FP16 scale: the one lossy step
        }
        check_unpack_agrees(k.t, b, 512);
        mpe_qt_free(&u);
    }
    // a tensor of another format is refused
    QT w("int4", x, {2, 256}, 16);
    Bytes b(1000);
    size_t len;
    EXPECT_EQ(mpe_gguf_pack(MPE_GGUF_Q4_0, &w.q, b.data(), b.size(), &len), MPE_ERR_ARG);
    EXPECT_EQ(mpe_gguf_dequant(MPE_GGUF_Q4_0, b.data(), 17, 32, nullptr), MPE_ERR_SHAPE);
}

}  // namespace
