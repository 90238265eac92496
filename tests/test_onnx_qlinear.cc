// The output stage against the ONNX backend test data (Debian libonnx-testdata),
// bit for bit: QLinearMatMul, QLinearConv, MatMulInteger, ConvInteger. The
// integer accumulation is a plain int64 loop here (matmul with batch
// broadcasting, direct convolution with the node's pads, strides, dilations,
// group read from model.onnx); the requantization is the output stage's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "mpe/fp32.h"
#include "mpe/outstage.h"
#include "onnx_tensor.h"
}

#include "onnx_node_data.h"

namespace {

// The data directory (onnx_node_data.h): tests skip when it is absent, or
// fail under MPE_REQUIRE_ONNX_DATA=1.
using onnxdata::node_dir;

// One ONNX node test: the node, its inputs (empty tensors for omitted
// optional inputs) and the expected output.
struct NodeCase {
    Onnx__ModelProto *model = nullptr;
    const Onnx__NodeProto *node = nullptr;
    std::vector<mpe_tensor> in;
    mpe_tensor out{};
    std::string err;

    ~NodeCase() {
        for (auto &t : in) mpe_tensor_free(&t);
        mpe_tensor_free(&out);
        if (model) onnx__model_proto__free_unpacked(model, nullptr);
    }
    bool has(size_t i) const { return i < in.size() && in[i].data && in[i].count; }
    int64_t attr_i(const char *name, int64_t dflt) const {
        for (size_t k = 0; k < node->n_attribute; k++)
            if (!strcmp(node->attribute[k]->name, name)) return node->attribute[k]->i;
        return dflt;
    }
    std::vector<int64_t> attr_ints(const char *name, std::vector<int64_t> dflt) const {
        for (size_t k = 0; k < node->n_attribute; k++) {
            const Onnx__AttributeProto *a = node->attribute[k];
            if (!strcmp(a->name, name)) return std::vector<int64_t>(a->ints, a->ints + a->n_ints);
        }
        return dflt;
    }
    std::string attr_s(const char *name) const {
        for (size_t k = 0; k < node->n_attribute; k++) {
            const Onnx__AttributeProto *a = node->attribute[k];
            if (!strcmp(a->name, name) && a->has_s)
                return std::string((const char *)a->s.data, a->s.len);
        }
        return "";
    }
};

// Loads model.onnx and test_data_set_0; false with c->err set on failure.
bool load_case(const std::string &name, NodeCase *c) {
    std::string dir = node_dir() + "/" + name;
    uint8_t *buf;
    size_t len;
    if (mpe_read_file((dir + "/model.onnx").c_str(), (size_t)1 << 26, &buf, &len) != MPE_OK) {
        c->err = dir + "/model.onnx: cannot read";
        return false;
    }
    c->model = onnx__model_proto__unpack(nullptr, len, buf);
    free(buf);
    if (!c->model || !c->model->graph || c->model->graph->n_node != 1) {
        c->err = dir + "/model.onnx: not a one-node ONNX model";
        return false;
    }
    c->node = c->model->graph->node[0];
    char err[512];
    for (size_t i = 0; i < c->node->n_input; i++) {
        mpe_tensor t{};
        if (c->node->input[i][0]) { // an empty name is an omitted optional input
            std::string p = dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb";
            if (mpe_tensor_load_pb(p.c_str(), &t, nullptr, 0, err, sizeof err) != MPE_OK) {
                c->err = err;
                return false;
            }
        }
        c->in.push_back(t);
    }
    std::string p = dir + "/test_data_set_0/output_0.pb";
    if (mpe_tensor_load_pb(p.c_str(), &c->out, nullptr, 0, err, sizeof err) != MPE_OK) {
        c->err = err;
        return false;
    }
    return true;
}

int64_t get(const mpe_tensor &t, size_t i) { return mpe_tensor_get_i64(&t, i); }
uint32_t get_f32(const mpe_tensor &t, size_t i) {
    uint32_t u;
    std::memcpy(&u, (const uint8_t *)t.data + 4 * i, 4);
    return u;
}
float ffrom(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
// Zero point / scale element for index k of an axis: scalar or per index.
size_t pick(const mpe_tensor &t, size_t k) { return t.count == 1 ? 0 : k; }

// ---- integer accumulation ---------------------------------------------------

struct Acc {
    std::vector<int64_t> v;
    std::vector<int64_t> dims;
    std::vector<size_t> chan; // output channel (weight column) of each element
};

// Y = (A - a_zp) x (B - b_zp), numpy matmul broadcasting of batch dims.
// a_zp is per row of A (M) or scalar, b_zp per column of B (N) or scalar.
bool matmul(const mpe_tensor &A, const mpe_tensor *azp, const mpe_tensor &B,
            const mpe_tensor *bzp, Acc *y, std::string *err) {
    if (A.ndim < 2 || B.ndim < 2) { *err = "matmul: rank < 2"; return false; }
    int64_t M = A.dims[A.ndim - 2], K = A.dims[A.ndim - 1];
    int64_t K2 = B.dims[B.ndim - 2], N = B.dims[B.ndim - 1];
    if (K != K2) { *err = "matmul: K mismatch"; return false; }
    int nb = std::max(A.ndim, B.ndim) - 2;
    std::vector<int64_t> bd(nb);
    for (int i = 0; i < nb; i++) {
        int ia = A.ndim - 3 - i, ib = B.ndim - 3 - i;
        int64_t da = ia >= 0 ? A.dims[ia] : 1, db = ib >= 0 ? B.dims[ib] : 1;
        if (da != db && da != 1 && db != 1) { *err = "matmul: batch mismatch"; return false; }
        bd[nb - 1 - i] = std::max(da, db);
    }
    int64_t batches = 1;
    for (int64_t d : bd) batches *= d;
    y->dims = bd;
    y->dims.push_back(M);
    y->dims.push_back(N);
    for (int64_t b = 0; b < batches; b++) {
        // batch offsets with broadcasting (right-aligned)
        int64_t rem = b, offa = 0, offb = 0, stra = M * K, strb = K * N;
        for (int i = nb - 1; i >= 0; i--) {
            int64_t idx = rem % bd[i];
            rem /= bd[i];
            int ia = A.ndim - 2 - (nb - i), ib = B.ndim - 2 - (nb - i);
            if (ia >= 0) { offa += (A.dims[ia] == 1 ? 0 : idx) * stra; stra *= A.dims[ia]; }
            if (ib >= 0) { offb += (B.dims[ib] == 1 ? 0 : idx) * strb; strb *= B.dims[ib]; }
        }
        for (int64_t m = 0; m < M; m++)
            for (int64_t n = 0; n < N; n++) {
                int64_t s = 0;
                for (int64_t k = 0; k < K; k++) {
                    int64_t a = get(A, offa + m * K + k) - (azp ? get(*azp, pick(*azp, m)) : 0);
                    int64_t w = get(B, offb + k * N + n) - (bzp ? get(*bzp, pick(*bzp, n)) : 0);
                    s += a * w;
                }
                y->v.push_back(s);
                y->chan.push_back((size_t)n);
            }
    }
    return true;
}

// 2-D convolution, NCHW x MCkk, with ONNX attributes; w_zp scalar or per M.
bool conv2d(const NodeCase &c, const mpe_tensor &X, const mpe_tensor *xzp,
            const mpe_tensor &W, const mpe_tensor *wzp, Acc *y, std::string *err) {
    if (X.ndim != 4 || W.ndim != 4) { *err = "conv: only 2-D convolution"; return false; }
    int64_t Nb = X.dims[0], C = X.dims[1], H = X.dims[2], Wd = X.dims[3];
    int64_t Mo = W.dims[0], Cg = W.dims[1], kh = W.dims[2], kw = W.dims[3];
    int64_t group = c.attr_i("group", 1);
    std::vector<int64_t> ks = c.attr_ints("kernel_shape", {kh, kw});
    std::vector<int64_t> st = c.attr_ints("strides", {1, 1});
    std::vector<int64_t> dl = c.attr_ints("dilations", {1, 1});
    std::vector<int64_t> pd = c.attr_ints("pads", {0, 0, 0, 0});
    std::string ap = c.attr_s("auto_pad");
    if (ks[0] != kh || ks[1] != kw || st.size() != 2 || dl.size() != 2 || pd.size() != 4 ||
        group < 1 || C != Cg * group || Mo % group) {
        *err = "conv: inconsistent attributes";
        return false;
    }
    if (ap == "VALID") pd = {0, 0, 0, 0};
    if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
        int64_t in[2] = {H, Wd}, k[2] = {kh, kw};
        for (int a = 0; a < 2; a++) {
            int64_t o = (in[a] + st[a] - 1) / st[a];
            int64_t tot = std::max<int64_t>(0, (o - 1) * st[a] + (k[a] - 1) * dl[a] + 1 - in[a]);
            int64_t small = tot / 2, big = tot - small;
            pd[a] = ap == "SAME_UPPER" ? small : big;
            pd[a + 2] = ap == "SAME_UPPER" ? big : small;
        }
    }
    int64_t Ho = (H + pd[0] + pd[2] - ((kh - 1) * dl[0] + 1)) / st[0] + 1;
    int64_t Wo = (Wd + pd[1] + pd[3] - ((kw - 1) * dl[1] + 1)) / st[1] + 1;
    y->dims = {Nb, Mo, Ho, Wo};
    int64_t mg = Mo / group;
    for (int64_t n = 0; n < Nb; n++)
        for (int64_t m = 0; m < Mo; m++)
            for (int64_t oh = 0; oh < Ho; oh++)
                for (int64_t ow = 0; ow < Wo; ow++) {
                    int64_t s = 0, g = m / mg;
                    for (int64_t ci = 0; ci < Cg; ci++)
                        for (int64_t i = 0; i < kh; i++)
                            for (int64_t j = 0; j < kw; j++) {
                                int64_t ih = oh * st[0] - pd[0] + i * dl[0];
                                int64_t iw = ow * st[1] - pd[1] + j * dl[1];
                                if (ih < 0 || ih >= H || iw < 0 || iw >= Wd) continue;
                                int64_t cin = g * Cg + ci;
                                int64_t xv = get(X, ((n * C + cin) * H + ih) * Wd + iw) -
                                             (xzp ? get(*xzp, 0) : 0);
                                int64_t wv = get(W, ((m * Cg + ci) * kh + i) * kw + j) -
                                             (wzp ? get(*wzp, pick(*wzp, m)) : 0);
                                s += xv * wv;
                            }
                    y->v.push_back(s);
                    y->chan.push_back((size_t)m);
                }
    return true;
}

// ---- checks -------------------------------------------------------------------

int out_of(int ttype) {
    switch (ttype) {
    case MPE_T_UINT8: return MPE_OUT_UINT8;
    case MPE_T_INT8: return MPE_OUT_INT8;
    case MPE_T_INT32: return MPE_OUT_INT32;
    default: return -1;
    }
}

bool same_shape(const Acc &y, const mpe_tensor &t) {
    if ((int)y.dims.size() != t.ndim) return false;
    for (int i = 0; i < t.ndim; i++)
        if (y.dims[i] != t.dims[i]) return false;
    return y.v.size() == t.count;
}

// Integer ops (MatMulInteger, ConvInteger): int32 output, no requantization.
void check_integer_op(const NodeCase &c, const Acc &y) {
    ASSERT_TRUE(same_shape(y, c.out));
    ASSERT_EQ(c.out.dtype, MPE_T_INT32);
    mpe_outcfg cfg = mpe_outcfg_default(MPE_RQ_NONE, MPE_OUT_INT32);
    ASSERT_EQ(mpe_outcfg_check(&cfg, 0, nullptr, 0), MPE_OK);
    for (size_t i = 0; i < y.v.size(); i++)
        ASSERT_EQ((int32_t)mpe_out_from_int(&cfg, y.v[i]), (int32_t)get(c.out, i)) << "element " << i;
}

// What the data can tell apart: exact ties, saturation, the closest distance
// of acc * M to a tie, and how many elements two other formulations would get
// wrong (ORT-style FP32 product fp32(fp32(acc) * M); M formed in double).
struct QStats {
    size_t n = 0, ties = 0, clipped = 0, f32_product_wrong = 0, double_m_wrong = 0;
    double min_tie_dist = 1.0;
};

// QLinear ops: multiplier per output channel, zero point and format from y_zp.
// Also checks the ONNX Python reference formulation: float64 product, + zp in
// float64, then rint and clip.
void check_qlinear_op(const NodeCase &c, const Acc &y, const mpe_tensor &a_scale,
                      const mpe_tensor &b_scale, const mpe_tensor &y_scale,
                      const mpe_tensor &y_zp, const mpe_tensor *bias, QStats *st) {
    ASSERT_TRUE(same_shape(y, c.out));
    ASSERT_EQ(c.out.dtype, y_zp.dtype);
    int out = out_of(y_zp.dtype);
    ASSERT_GE(out, 0);
    int64_t qmin, qmax;
    mpe_out_range(out, &qmin, &qmax);
    for (size_t i = 0; i < y.v.size(); i++) {
        size_t ch = y.chan[i];
        mpe_outcfg cfg = mpe_outcfg_default(MPE_RQ_FLOAT, out);
        cfg.mult = mpe_rq_float_multiplier(get_f32(a_scale, 0), get_f32(b_scale, pick(b_scale, ch)),
                                           get_f32(y_scale, 0));
        cfg.zp = (int32_t)get(y_zp, 0);
        if (bias) {
            cfg.has_bias = 1;
            cfg.bias = (uint32_t)get(*bias, ch);
        }
        ASSERT_EQ(mpe_outcfg_check(&cfg, 0, nullptr, 0), MPE_OK);
        int64_t want = get(c.out, i);
        uint32_t code = mpe_out_from_int(&cfg, y.v[i]);
        int64_t got = qmin < 0 ? mpe_sext(code, mpe_out_bits(out)) : (int64_t)code;
        ASSERT_EQ(got, want) << "element " << i << " acc " << y.v[i];
        // ONNX Python reference formulation.
        int64_t acc = y.v[i] + (bias ? (int32_t)cfg.bias : 0);
        ASSERT_LT(std::llabs(acc), 1LL << 29); // the exact region of section 6
        double m = (double)ffrom(cfg.mult);
        double d = (double)acc * m + (double)cfg.zp;
        double r = std::nearbyint(d);
        r = r < qmin ? qmin : (r > qmax ? qmax : r);
        ASSERT_EQ((int64_t)r, want) << "float64 formulation, element " << i;
        st->n++;
        double p = (double)acc * m;
        st->ties += p - std::floor(p) == 0.5;
        st->clipped += std::nearbyint(p) + cfg.zp < qmin || std::nearbyint(p) + cfg.zp > qmax;
        st->min_tie_dist = std::min(st->min_tie_dist, std::fabs(p - std::floor(p) - 0.5));
        auto clip = [&](double v) { return v < qmin ? qmin : (v > qmax ? qmax : v); };
        float pf = (float)acc * ffrom(cfg.mult); // host FP32: RNE, FLT_EVAL_METHOD 0
        st->f32_product_wrong += (int64_t)clip(std::nearbyint(pf) + cfg.zp) != want;
        double md = (double)ffrom(get_f32(a_scale, 0)) * ffrom(get_f32(b_scale, pick(b_scale, ch))) /
                    ffrom(get_f32(y_scale, 0));
        st->double_m_wrong += (int64_t)clip(std::nearbyint(acc * md) + cfg.zp) != want;
    }
}

void print_stats(const char *name, const QStats &st) {
    std::printf("[ info ] %s: %zu outputs, %zu exact .5 ties, %zu saturated, closest to a tie "
                "%.3g; FP32-product formulation wrong on %zu, double-M on %zu\n",
                name, st.n, st.ties, st.clipped, st.min_tie_dist, st.f32_product_wrong,
                st.double_m_wrong);
}

#define LOAD_OR_SKIP(name, c)                                                   \
    do {                                                                        \
        MPE_ONNX_REQUIRE_DIR(node_dir() + "/" + (name),                         \
                             node_dir() << "/" << (name) << " not installed");  \
        ASSERT_TRUE(load_case((name), &(c))) << (c).err;                        \
    } while (0)

void run_qlinearmatmul(const char *name) {
    NodeCase c;
    LOAD_OR_SKIP(name, c);
    ASSERT_STREQ(c.node->op_type, "QLinearMatMul");
    ASSERT_EQ(c.in.size(), 8u);
    Acc y;
    std::string err;
    ASSERT_TRUE(matmul(c.in[0], &c.in[2], c.in[3], &c.in[5], &y, &err)) << err;
    QStats st;
    check_qlinear_op(c, y, c.in[1], c.in[4], c.in[6], c.in[7], nullptr, &st);
    EXPECT_EQ(st.n, c.out.count);
    print_stats(name, st);
}

TEST(OnnxData, QLinearMatMul2D) { run_qlinearmatmul("test_qlinearmatmul_2D"); }
TEST(OnnxData, QLinearMatMul3D) { run_qlinearmatmul("test_qlinearmatmul_3D"); }

TEST(OnnxData, QLinearConv) {
    NodeCase c;
    LOAD_OR_SKIP("test_qlinearconv", c);
    ASSERT_STREQ(c.node->op_type, "QLinearConv");
    ASSERT_GE(c.in.size(), 8u);
    Acc y;
    std::string err;
    ASSERT_TRUE(conv2d(c, c.in[0], &c.in[2], c.in[3], &c.in[5], &y, &err)) << err;
    QStats st;
    check_qlinear_op(c, y, c.in[1], c.in[4], c.in[6], c.in[7], c.has(8) ? &c.in[8] : nullptr, &st);
    print_stats("test_qlinearconv", st);
}

TEST(OnnxData, MatMulInteger) {
    NodeCase c;
    LOAD_OR_SKIP("test_matmulinteger", c);
    ASSERT_STREQ(c.node->op_type, "MatMulInteger");
    Acc y;
    std::string err;
    ASSERT_TRUE(matmul(c.in[0], c.has(2) ? &c.in[2] : nullptr, c.in[1],
                       c.has(3) ? &c.in[3] : nullptr, &y, &err)) << err;
    check_integer_op(c, y);
}

void run_convinteger(const char *name) {
    NodeCase c;
    LOAD_OR_SKIP(name, c);
    ASSERT_STREQ(c.node->op_type, "ConvInteger");
    Acc y;
    std::string err;
    ASSERT_TRUE(conv2d(c, c.in[0], c.has(2) ? &c.in[2] : nullptr, c.in[1],
                       c.has(3) ? &c.in[3] : nullptr, &y, &err)) << err;
    check_integer_op(c, y);
}

TEST(OnnxData, BasicConvInteger) { run_convinteger("test_basic_convinteger"); }
TEST(OnnxData, ConvIntegerWithPadding) { run_convinteger("test_convinteger_with_padding"); }
TEST(OnnxData, ConvIntegerWithoutPadding) { run_convinteger("test_convinteger_without_padding"); }

// ---- where the definitions part ------------------------------------------------

// Single rounding (the stage) vs the ONNX Python reference's float64 path:
// identical for |acc| < 2^29 (acc * M then has at most 29 + 24 = 53 bits).
TEST(OnnxData, Float64FormulationAgreesBelow2To29) {
    const uint32_t seed = 1234u;
    uint64_t s = seed;
    auto rnd = [&]() { s = s * 6364136223846793005ull + 1442695040888963407ull; return s >> 17; };
    for (int i = 0; i < 1000000; i++) {
        int64_t acc = (int64_t)(rnd() % (1ull << 30)) - (1LL << 29) + 1; // |acc| < 2^29
        uint32_t m = (uint32_t)((100 + rnd() % 27) << 23) | (uint32_t)(rnd() & 0x7FFFFFu);
        if (i % 4 == 0) { // force exact .5 ties: acc * M = k + 1/2
            int e = 1 + (int)(rnd() % 20);
            m = (uint32_t)((127 - e) << 23);  // M = 2^-e
            acc = (int64_t)((2 * (rnd() % (1u << 20)) + 1) << (e - 1)) % (1LL << 29);
        }
        int64_t mine = mpe_rq_float(acc, m, 0, INT64_MIN / 4, INT64_MAX / 4);
        double ref = std::nearbyint((double)acc * (double)ffrom(m));
        ASSERT_EQ(mine, (int64_t)ref) << acc << " * " << std::hex << m << " seed " << seed;
    }
}

TEST(OnnxData, Float64FormulationDiffersAbove2To29) {
    // Hand-checked: M = 0x37801485 = 8393861 * 2^-39, acc = 1074478003 (> 2^29):
    // acc * M = 16405.5 - 2^-39 exactly (a 54-bit product). One rounding gives
    // 16405; the float64 product (ulp 2^-38 here) rounds to the tie 16405.5
    // and rint makes it 16406.
    const uint32_t m = 0x37801485u;
    const int64_t acc = 1074478003;
    __int128 p = (__int128)acc * 8393861; // acc * M * 2^39
    __int128 half = (__int128)16405 * ((__int128)1 << 39) + ((__int128)1 << 38);
    ASSERT_EQ(p, half - 1);
    EXPECT_EQ(mpe_rq_float(acc, m, 0, -32768, 32767), 16405);
    EXPECT_EQ(std::nearbyint((double)acc * (double)ffrom(m)), 16406.0);
    mpe_outcfg cfg = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_INT16);
    cfg.mult = m;
    EXPECT_EQ(mpe_out_from_int(&cfg, acc), 16405u);
    EXPECT_EQ(mpe_out_from_int(&cfg, -acc), (uint32_t)(uint16_t)-16405);

    // A second witness class: |acc| near 2^47, M = 0.5 + 2^-24.
    EXPECT_EQ(mpe_rq_float((1LL << 47) - 1, 0x3F000001u, 0, INT64_MIN / 4, INT64_MAX / 4),
              (1LL << 46) + (1LL << 23) - 1);
    EXPECT_EQ(std::nearbyint((double)((1LL << 47) - 1) * (double)ffrom(0x3F000001u)),
              (double)((1LL << 46) + (1LL << 23)));
}

// The other place they part: ONNX's Python reference adds the zero point
// before rint; the stage (and the ONNX QuantizeLinear formula) rounds first.
// They differ on an exact .5 tie with an odd zero point.
TEST(OnnxData, ZeroPointBeforeRoundingDiffersOnTiesWithOddZeroPoint) {
    mpe_outcfg cfg = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_UINT8);
    cfg.mult = 0x3F000000u; // 0.5
    cfg.zp = 1;
    EXPECT_EQ(mpe_out_from_int(&cfg, 1), 1u);                 // RNE(0.5) + 1
    EXPECT_EQ(std::nearbyint(1 * 0.5 + 1), 2.0);              // rint(1.5)
    cfg.zp = 2;
    EXPECT_EQ(mpe_out_from_int(&cfg, 1), 2u);                 // even zp: the same
    EXPECT_EQ(std::nearbyint(1 * 0.5 + 2), 2.0);
}

}  // namespace
