// Host tensors <-> descriptor codes (mpe/tensorio.h): ONNX QuantizeLinear /
// DequantizeLinear known answers, element conversions, every layout's index
// mapping (hand-computed positions), and the one-line errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "mpe/binary.h"
#include "mpe/outstage.h"
#include "mpe/tensorio.h"
}

namespace {

mpe_tdesc row_major(mpe_dtype dt, int ttype, uint32_t n) {
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    strcpy(d.name, "t");
    d.elem = MPE_ELEM_DTYPE;
    d.dt = dt;
    d.ttype = (uint8_t)ttype;
    d.ndim = 1;
    d.dims[0] = n;
    d.layout = MPE_LAYOUT_ROW_MAJOR;
    return d;
}

mpe_tensor host(int dtype, std::vector<int64_t> dims, const void *data) {
    mpe_tensor t;
    EXPECT_EQ(mpe_tensor_alloc(&t, dtype, (int)dims.size(), dims.data()), MPE_OK);
    memcpy(t.data, data, t.count * mpe_ttype_size(dtype));
    return t;
}

std::vector<uint32_t> encode(const mpe_tdesc &d, const mpe_tensor &t, std::string *err = nullptr) {
    uint8_t *b = nullptr;
    size_t len = 0;
    char e[256] = "";
    std::vector<uint32_t> codes;
    if (mpe_tdesc_encode(&d, &t, &b, &len, e, sizeof e) != MPE_OK) {
        if (err)
            *err = e;
        return codes;
    }
    uint32_t cw = (uint32_t)mpe_tdesc_cw(&d);
    for (size_t i = 0; i < len * 8 / cw; i++)
        codes.push_back(mpe_code_get(b, i, cw));
    free(b);
    return codes;
}

// QuantizeLinear: q = saturate(round_half_even(x / scale) + zp); NaN -> zp.
TEST(TensorIO, QuantizeLinearUint8) {
    mpe_tdesc d = row_major(mpe_dt_uint(8), MPE_T_FLOAT, 8);
    d.has_quant = 1;
    d.scale = 0x3F000000u; // 0.5
    d.zero_point = 3;
    float x[8] = {0.0f, 1.25f, -2.0f, 200.0f, NAN, -1.5f, 0.75f, 1.75f};
    mpe_tensor t = host(MPE_T_FLOAT, {8}, x);
    // x/0.5 = 0, 2.5, -4, 400, NaN, -3, 1.5, 3.5 -> RNE 0, 2, -4, 400, -, -3, 2, 4
    std::vector<uint32_t> want = {3, 5, 0, 255, 3, 0, 5, 7};
    EXPECT_EQ(encode(d, t), want);
    mpe_tensor_free(&t);
}

TEST(TensorIO, QuantizeLinearInt4) {
    mpe_tdesc d = row_major(mpe_dt_int(4), MPE_T_FLOAT, 4);
    d.has_quant = 1;
    d.scale = 0x3F800000u; // 1.0
    float x[4] = {7.5f, -8.5f, 100.0f, -0.5f};
    mpe_tensor t = host(MPE_T_FLOAT, {4}, x);
    // 8 -> 7 (saturated), -8, 7, -0 -> 0; codes are 4-bit two's complement
    std::vector<uint32_t> want = {7, 8, 7, 0};
    EXPECT_EQ(encode(d, t), want);
    mpe_tensor_free(&t);
}

// Integer host values map to codes by value (ternary -1 -> 0b10, pow2 4 ->
// e = 3, -64 -> sign | 7).
TEST(TensorIO, IntegerValues) {
    int8_t tv[3] = {-1, 0, 1};
    mpe_tdesc d = row_major(mpe_dt_ternary(), MPE_T_INT8, 3);
    mpe_tensor t = host(MPE_T_INT8, {3}, tv);
    EXPECT_EQ(encode(d, t), (std::vector<uint32_t>{2, 0, 1, 0}));
    mpe_tensor_free(&t);
    int8_t pv[2] = {4, -64};
    d = row_major(mpe_dt_pow2(), MPE_T_INT8, 2);
    t = host(MPE_T_INT8, {2}, pv);
    EXPECT_EQ(encode(d, t), (std::vector<uint32_t>{3, 15}));
    mpe_tensor_free(&t);
    int8_t bad[1] = {3}; // not a power of two
    d.dims[0] = 1;
    t = host(MPE_T_INT8, {1}, bad);
    std::string err;
    EXPECT_TRUE(encode(d, t, &err).empty());
    EXPECT_NE(err.find("cannot be stored as pow2"), std::string::npos) << err;
    mpe_tensor_free(&t);
    int16_t iv[2] = {-8, 8}; // int4 holds -8..7
    d = row_major(mpe_dt_int(4), MPE_T_INT16, 2);
    t = host(MPE_T_INT16, {2}, iv);
    EXPECT_TRUE(encode(d, t, &err).empty());
    EXPECT_NE(err.find("element 1 (8)"), std::string::npos) << err;
    mpe_tensor_free(&t);
}

// Float into an FP element: RNE with saturation.
TEST(TensorIO, FloatIntoFp8) {
    mpe_tdesc d = row_major(mpe_dt_fp(MPE_FMT_E4M3), MPE_T_FLOAT, 4);
    float x[4] = {1.0f, 500.0f, -0.0f, 1.0625f}; // 1.0625 is a tie -> 1.0
    mpe_tensor t = host(MPE_T_FLOAT, {4}, x);
    EXPECT_EQ(encode(d, t), (std::vector<uint32_t>{0x38, 0x7E, 0x80, 0x38}));
    mpe_tensor_free(&t);
}

// DequantizeLinear of an int8 output: (q - zp) * scale.
TEST(TensorIO, DequantizeOutput) {
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    strcpy(d.name, "y");
    d.role = MPE_ROLE_OUTPUT;
    d.elem = MPE_ELEM_OUT;
    d.out = MPE_OUT_INT8;
    d.ttype = MPE_T_FLOAT;
    d.ndim = 1;
    d.dims[0] = 3;
    d.has_quant = 1;
    d.scale = 0x3E800000u; // 0.25
    d.zero_point = -2;
    uint8_t b[3] = {0x00, 0x7F, 0x80};
    mpe_tensor t;
    char err[200];
    ASSERT_EQ(mpe_tdesc_decode(&d, b, 3, &t, err, sizeof err), MPE_OK) << err;
    const float *y = (const float *)t.data;
    EXPECT_EQ(y[0], 0.5f);
    EXPECT_EQ(y[1], 32.25f);
    EXPECT_EQ(y[2], -31.5f);
    mpe_tensor_free(&t);
    // raw int8 codes without the flag, to an int8 host tensor
    d.has_quant = 0;
    d.scale = 0;
    d.zero_point = 0;
    d.ttype = MPE_T_INT8;
    ASSERT_EQ(mpe_tdesc_decode(&d, b, 3, &t, err, sizeof err), MPE_OK);
    EXPECT_EQ(((int8_t *)t.data)[2], -128);
    mpe_tensor_free(&t);
    // fp16 codes to float32 (exact) and bf16
    d.out = MPE_OUT_FP16;
    d.ttype = MPE_T_FLOAT;
    d.dims[0] = 2;
    uint8_t h[4] = {0x00, 0x3C, 0x00, 0xC0}; // 1.0, -2.0
    ASSERT_EQ(mpe_tdesc_decode(&d, h, 4, &t, err, sizeof err), MPE_OK);
    EXPECT_EQ(((float *)t.data)[0], 1.0f);
    EXPECT_EQ(((float *)t.data)[1], -2.0f);
    mpe_tensor_free(&t);
    EXPECT_EQ(mpe_tdesc_decode(&d, h, 3, &t, err, sizeof err), MPE_ERR_FORMAT);
    EXPECT_NE(std::string(err).find("3 bytes, expected 4"), std::string::npos) << err;
}

// Tiled layout: VR = 2, K = 4, a 3 x 5 matrix padded to 4 x 8. Element
// (m, k) -> ((m/2)*(8/4) + k/4)*8 + (m%2)*4 + k%4; padding codes 0.
TEST(TensorIO, TiledLayout) {
    mpe_tdesc d = row_major(mpe_dt_uint(8), MPE_T_UINT8, 0);
    d.ndim = 2;
    d.dims[0] = 3;
    d.dims[1] = 5;
    d.layout = MPE_LAYOUT_TILED;
    d.nparams = MPE_LP_TILED_COUNT;
    d.params[MPE_LP_VR] = 2;
    d.params[MPE_LP_K] = 4;
    d.params[MPE_LP_MP] = 4;
    d.params[MPE_LP_KP] = 8;
    uint8_t x[15];
    for (int i = 0; i < 15; i++)
        x[i] = (uint8_t)(10 + i); // element (m, k) = 10 + 5m + k
    mpe_tensor t = host(MPE_T_UINT8, {3, 5}, x);
    std::vector<uint32_t> c = encode(d, t);
    ASSERT_EQ(c.size(), 32u);
    EXPECT_EQ(c[0], 10u);      // (0,0)
    EXPECT_EQ(c[4], 15u);      // (1,0): (m%2)*4
    EXPECT_EQ(c[8], 14u);      // (0,4): vector 1
    EXPECT_EQ(c[12], 19u);     // (1,4)
    EXPECT_EQ(c[9], 0u);       // (0,5): padding column
    EXPECT_EQ(c[16], 20u);     // (2,0): vector 2
    EXPECT_EQ(c[20], 0u);      // (3,0): padding row
    EXPECT_EQ(c[24], 24u);     // (2,4)
    // decode inverts encode
    uint8_t *b;
    size_t len;
    char err[200];
    ASSERT_EQ(mpe_tdesc_encode(&d, &t, &b, &len, err, sizeof err), MPE_OK);
    mpe_tensor back;
    ASSERT_EQ(mpe_tdesc_decode(&d, b, len, &back, err, sizeof err), MPE_OK);
    EXPECT_EQ(memcmp(back.data, x, 15), 0);
    free(b);
    mpe_tensor_free(&back);
    mpe_tensor_free(&t);
}

// tiled_nchw: NCHW [1][3][2][2] as the matrix [H*W][C]: (c, h, w) at row
// h*2 + w, column c; VR = 4, K = 4, padded to 4 x 4.
TEST(TensorIO, TiledNchwLayout) {
    mpe_tdesc d = row_major(mpe_dt_int(8), MPE_T_INT8, 0);
    d.ndim = 4;
    d.dims[0] = 1;
    d.dims[1] = 3;
    d.dims[2] = 2;
    d.dims[3] = 2;
    d.layout = MPE_LAYOUT_TILED_NCHW;
    d.nparams = MPE_LP_TILED_COUNT;
    d.params[MPE_LP_VR] = 4;
    d.params[MPE_LP_K] = 4;
    d.params[MPE_LP_MP] = 4;
    d.params[MPE_LP_KP] = 4;
    int8_t x[12];
    for (int i = 0; i < 12; i++)
        x[i] = (int8_t)(i + 1); // (c, h, w) = 1 + 4c + 2h + w
    mpe_tensor t = host(MPE_T_INT8, {1, 3, 2, 2}, x);
    std::vector<uint32_t> c = encode(d, t);
    ASSERT_EQ(c.size(), 16u);
    EXPECT_EQ(c[0 * 4 + 0], 1u);  // row 0 (h0 w0), c0
    EXPECT_EQ(c[0 * 4 + 2], 9u);  // row 0, c2
    EXPECT_EQ(c[3 * 4 + 1], 8u);  // row 3 (h1 w1), c1: 1 + 4 + 2 + 1
    EXPECT_EQ(c[1 * 4 + 3], 0u);  // padding column
    mpe_tensor_free(&t);
}

// im2col of a 1x1x3x3 input, 2x2 kernel, stride 1, pads 1: OH = OW = 4,
// M = 16, Kt = 4; row (oh*4 + ow), column (i*2 + j) holds input (oh - 1 + i,
// ow - 1 + j) or the zero point's code (5) in the padding.
TEST(TensorIO, Im2colLayout) {
    mpe_tdesc d = row_major(mpe_dt_uint(8), MPE_T_FLOAT, 0);
    d.ndim = 4;
    d.dims[0] = 1;
    d.dims[1] = 1;
    d.dims[2] = 3;
    d.dims[3] = 3;
    d.layout = MPE_LAYOUT_IM2COL;
    d.nparams = MPE_LP_IM2COL_COUNT;
    int32_t p[MPE_LP_IM2COL_COUNT] = {4, 4, 16, 4, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1};
    memcpy(d.params, p, sizeof p);
    d.has_quant = 1;
    d.scale = 0x3F800000u;
    d.zero_point = 5;
    float x[9];
    for (int i = 0; i < 9; i++)
        x[i] = (float)(10 * (i + 1)) - 5.0f; // codes 10, 20, ..., 90
    mpe_tensor t = host(MPE_T_FLOAT, {1, 1, 3, 3}, x);
    char err[200];
    std::vector<uint32_t> c = encode(d, t);
    ASSERT_EQ(c.size(), 64u);
    auto at = [&](int m, int k) { return c[(size_t)(m / 4) * 16 + (m % 4) * 4 + k]; };
    EXPECT_EQ(at(0, 0), 5u);   // (oh 0, ow 0), (i 0, j 0): (-1, -1) padding
    EXPECT_EQ(at(0, 3), 10u);  // (i 1, j 1): input (0, 0)
    EXPECT_EQ(at(5, 0), 10u);  // (oh 1, ow 1), (0, 0): input (0, 0)
    EXPECT_EQ(at(5, 3), 50u);  // input (1, 1)
    EXPECT_EQ(at(15, 0), 90u); // (oh 3, ow 3), (0, 0): input (2, 2)
    EXPECT_EQ(at(15, 3), 5u);  // (3, 3): padding
    uint8_t b[64] = {};
    mpe_tensor out;
    EXPECT_EQ(mpe_tdesc_decode(&d, b, 64, &out, err, sizeof err), MPE_ERR_FORMAT);
    EXPECT_NE(std::string(err).find("inputs only"), std::string::npos) << err;
    mpe_tensor_free(&t);
}

TEST(TensorIO, TypeAndShapeErrors) {
    mpe_tdesc d = row_major(mpe_dt_int(8), MPE_T_INT8, 4);
    float f[4] = {};
    mpe_tensor t = host(MPE_T_FLOAT, {4}, f);
    std::string err;
    EXPECT_TRUE(encode(d, t, &err).empty());
    EXPECT_NE(err.find("tensor 't': element type float32, expected int8"), std::string::npos)
        << err;
    mpe_tensor_free(&t);
    int8_t i8[6] = {};
    t = host(MPE_T_INT8, {2, 3}, i8);
    EXPECT_TRUE(encode(d, t, &err).empty());
    EXPECT_NE(err.find("shape 2x3, expected 4"), std::string::npos) << err;
    mpe_tensor_free(&t);
    // float into an integer element without a scale
    d.ttype = MPE_T_FLOAT;
    t = host(MPE_T_FLOAT, {4}, f);
    EXPECT_TRUE(encode(d, t, &err).empty());
    EXPECT_NE(err.find("cannot be stored as int8"), std::string::npos) << err;
    mpe_tensor_free(&t);
}

// Sub-byte codes share bytes LSB first.
TEST(TensorIO, CodeAccessors) {
    uint8_t b[4] = {};
    mpe_code_put(b, 1, 4, 0xA); // bits 4..7
    mpe_code_put(b, 0, 2, 0x3); // bits 0..1
    EXPECT_EQ(b[0], 0xA3);
    EXPECT_EQ(b[1], 0x00);
    mpe_code_put(b, 5, 2, 0x3);
    EXPECT_EQ(b[1], 0x0C);
    EXPECT_EQ(mpe_code_get(b, 1, 4), 0xAu);
    mpe_code_put(b, 1, 16, 0xBEEF);
    EXPECT_EQ(b[2], 0xEF);
    EXPECT_EQ(b[3], 0xBE);
    EXPECT_EQ(mpe_code_get(b, 1, 16), 0xBEEFu);
}

} // namespace
