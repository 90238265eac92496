// The integer quantizer against the ONNX backend test data (Debian
// libonnx-testdata), bit for bit: QuantizeLinear, DequantizeLinear (scalar
// and per-axis) through mpe_q_linear / mpe_dq_linear, and
// DynamicQuantizeLinear through the uint8 per-tensor quantizer
// (scale, zero point and codes). Skips when the data is absent (fails
// under MPE_REQUIRE_ONNX_DATA=1, see onnx_node_data.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "mpe/quant.h"
#include "onnx_tensor.h"
}

#include "onnx_node_data.h"

namespace {

using onnxdata::node_dir;

// test_data_set_0 of one node test plus the node's "axis" attribute.
struct Case {
    std::vector<mpe_tensor> in, out;
    int64_t axis = 1;  // ONNX default for (De)QuantizeLinear
    std::string err;
    ~Case() {
        for (auto &t : in) mpe_tensor_free(&t);
        for (auto &t : out) mpe_tensor_free(&t);
    }
};

bool read_axis(const std::string &dir, Case *c) {
    uint8_t *buf;
    size_t len;
    if (mpe_read_file((dir + "/model.onnx").c_str(), (size_t)1 << 24, &buf, &len) != MPE_OK) {
        c->err = dir + "/model.onnx: cannot read";
        return false;
    }
    Onnx__ModelProto *m = onnx__model_proto__unpack(nullptr, len, buf);
    free(buf);
    if (!m || !m->graph || m->graph->n_node < 1) {
        if (m) onnx__model_proto__free_unpacked(m, nullptr);
        c->err = dir + "/model.onnx: not an ONNX model";
        return false;
    }
    const Onnx__NodeProto *n = m->graph->node[0];
    for (size_t k = 0; k < n->n_attribute; k++)
        if (!strcmp(n->attribute[k]->name, "axis")) c->axis = n->attribute[k]->i;
    onnx__model_proto__free_unpacked(m, nullptr);
    return true;
}

bool load(const std::string &name, int nin, int nout, Case *c) {
    std::string dir = node_dir() + "/" + name;
    if (!read_axis(dir, c)) return false;
    char err[512];
    for (int k = 0; k < nin + nout; k++) {
        bool is_in = k < nin;
        std::string p = dir + "/test_data_set_0/" + (is_in ? "input_" : "output_") +
                        std::to_string(is_in ? k : k - nin) + ".pb";
        mpe_tensor t{};
        if (mpe_tensor_load_pb(p.c_str(), &t, nullptr, 0, err, sizeof err) != MPE_OK) {
            c->err = p + ": " + err;
            return false;
        }
        (is_in ? c->in : c->out).push_back(t);
    }
    return true;
}

// Skips (fails under MPE_REQUIRE_ONNX_DATA=1) without the data.
#define SKIP_IF_NO_DATA()                                                       \
    MPE_ONNX_REQUIRE_DIR(node_dir(), "ONNX node test data not found at "        \
                                         << node_dir()                          \
                                         << " (Debian package libonnx-testdata)")

float f32(const mpe_tensor &t, size_t i) {
    float v;
    std::memcpy(&v, (const uint8_t *)t.data + 4 * i, 4);
    return v;
}
uint32_t u32(const mpe_tensor &t, size_t i) {
    uint32_t v;
    std::memcpy(&v, (const uint8_t *)t.data + 4 * i, 4);
    return v;
}

// Index along `axis` of flat element i (scalar parameters: 0).
size_t chan(const mpe_tensor &x, const mpe_tensor &param, int64_t axis, size_t i) {
    if (param.count == 1) return 0;
    if (axis < 0) axis += x.ndim;
    size_t inner = 1;
    for (int d = (int)axis + 1; d < x.ndim; d++) inner *= (size_t)x.dims[d];
    return (i / inner) % (size_t)x.dims[axis];
}

void quantize_case(const char *name) {
    Case c;
    ASSERT_TRUE(load(name, 3, 1, &c)) << c.err;
    const mpe_tensor &x = c.in[0], &s = c.in[1], &zp = c.in[2], &y = c.out[0];
    ASSERT_EQ(x.dtype, MPE_T_FLOAT);
    ASSERT_EQ(y.count, x.count);
    bool is_u8 = zp.dtype == MPE_T_UINT8;
    int32_t qmin = is_u8 ? 0 : -128, qmax = is_u8 ? 255 : 127;
    for (size_t i = 0; i < x.count; i++) {
        size_t k = chan(x, s, c.axis, i);
        int32_t q = mpe_q_linear(f32(x, i), f32(s, k), (int32_t)mpe_tensor_get_i64(&zp, k),
                                 qmin, qmax, MPE_RNE);
        EXPECT_EQ(q, mpe_tensor_get_i64(&y, i)) << name << " element " << i;
    }
}

void dequantize_case(const char *name) {
    Case c;
    ASSERT_TRUE(load(name, 3, 1, &c)) << c.err;
    const mpe_tensor &x = c.in[0], &s = c.in[1], &zp = c.in[2], &y = c.out[0];
    ASSERT_EQ(y.dtype, MPE_T_FLOAT);
    ASSERT_EQ(y.count, x.count);
    for (size_t i = 0; i < x.count; i++) {
        size_t k = chan(x, s, c.axis, i);
        uint32_t v = mpe_dq_linear((int32_t)mpe_tensor_get_i64(&x, i),
                                   (int32_t)mpe_tensor_get_i64(&zp, k), f32(s, k));
        EXPECT_EQ(v, u32(y, i)) << name << " element " << i;
    }
}

void dynamic_case(const char *name) {
    Case c;
    ASSERT_TRUE(load(name, 1, 3, &c)) << c.err;
    const mpe_tensor &x = c.in[0];
    mpe_qspec s;
    ASSERT_EQ(mpe_qspec_parse("uint8", &s), MPE_OK);
    mpe_qtensor q;
    char err[256];
    ASSERT_EQ(mpe_quantize(&s, (const float *)x.data, x.ndim, x.dims, &q, err, sizeof err),
              MPE_OK) << err;
    EXPECT_EQ(q.scales[0], u32(c.out[1], 0)) << name << " y_scale";
    EXPECT_EQ(q.zero_points[0], mpe_tensor_get_i64(&c.out[2], 0)) << name << " y_zero_point";
    ASSERT_EQ(c.out[0].count, q.count);
    for (size_t i = 0; i < q.count; i++)
        EXPECT_EQ(q.codes[i], mpe_tensor_get_i64(&c.out[0], i)) << name << " element " << i;
    mpe_qt_free(&q);
}

TEST(OnnxQuant, QuantizeLinear) { SKIP_IF_NO_DATA(); quantize_case("test_quantizelinear"); }
TEST(OnnxQuant, QuantizeLinearAxis) {
    SKIP_IF_NO_DATA();
    quantize_case("test_quantizelinear_axis");
}
TEST(OnnxQuant, DequantizeLinear) { SKIP_IF_NO_DATA(); dequantize_case("test_dequantizelinear"); }
TEST(OnnxQuant, DequantizeLinearAxis) {
    SKIP_IF_NO_DATA();
    dequantize_case("test_dequantizelinear_axis");
}
TEST(OnnxQuant, DynamicQuantizeLinear) {
    SKIP_IF_NO_DATA();
    for (const char *n : {"test_dynamicquantizelinear", "test_dynamicquantizelinear_expanded",
                          "test_dynamicquantizelinear_max_adjusted",
                          "test_dynamicquantizelinear_max_adjusted_expanded",
                          "test_dynamicquantizelinear_min_adjusted",
                          "test_dynamicquantizelinear_min_adjusted_expanded"})
        dynamic_case(n);
}

// The loader fails cleanly on a missing test directory.
TEST(OnnxQuant, MissingCaseIsAnError) {
    Case c;
    EXPECT_FALSE(load("no_such_test_xyz", 3, 1, &c));
    EXPECT_NE(c.err.find("model.onnx"), std::string::npos);
}

}  // namespace
