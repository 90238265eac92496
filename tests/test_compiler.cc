// The ONNX compiler as a library: the streamed .mpeb writer gives exactly
// the bytes of the reference writer (mpe_program_write), the program loads
// back, the IR dump and the pass list, bound inputs, errors are one line.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <string>
#include <vector>

extern "C" {
#include "compile.h"
#include "mpe/binary.h"
#include "mpe/pe.h"
#include "mpe/tensor.h"
}

namespace {

const char *kModels[] = {"tests/onnx/qdq_mlp_mixed", "tests/onnx/qdq_conv_i8_channel",
                         "tests/onnx/nbits_b4_zp", "examples/mlp_mixed"};

std::string model(const char *dir) { return std::string(dir) + "/model.onnx"; }

std::vector<uint8_t> slurp(const char *path) {
    std::vector<uint8_t> v;
    FILE *f = fopen(path, "rb");
    if (!f) return v;
    int c;
    while ((c = fgetc(f)) != EOF) v.push_back((uint8_t)c);
    fclose(f);
    return v;
}

comp *compile(const std::string &path, int mode = -1) {
    mpe_comp_opts o;
    memset(&o, 0, sizeof o);
    o.model_path = path.c_str();
    o.mode = mode;
    comp *c = mpe_comp_new(&o);
    EXPECT_NE(c, nullptr);
    return c;
}

TEST(Compiler, StreamedBinaryEqualsReferenceWriter) {
    for (const char *dir : kModels) {
        std::string m = model(dir);
        comp *c = compile(m);
        ASSERT_EQ(mpe_comp_run(c), 0) << dir << ": " << mpe_comp_error(c);
        char tmpl[] = "/tmp/mpe_test_compiler_XXXXXX";
        int fd = mkstemp(tmpl);
        ASSERT_GE(fd, 0);
        close(fd);
        ASSERT_EQ(mpe_comp_write(c, tmpl), 0) << mpe_comp_error(c);
        std::vector<uint8_t> streamed = slurp(tmpl);
        uint8_t *ref = nullptr;
        size_t len = 0;
        char err[256];
        ASSERT_EQ(mpe_program_write(mpe_comp_program(c), &ref, &len, err, sizeof err), MPE_OK)
            << err;
        ASSERT_EQ(streamed.size(), len) << dir;
        EXPECT_EQ(memcmp(streamed.data(), ref, len), 0) << dir;
        mpe_program back;
        EXPECT_EQ(mpe_program_read(streamed.data(), streamed.size(), &back, err, sizeof err),
                  MPE_OK)
            << err;
        EXPECT_EQ(back.ninsns, mpe_comp_program(c)->ninsns);
        EXPECT_EQ(back.ndata, mpe_comp_program(c)->ndata);
        mpe_program_free(&back);
        free(ref);
        remove(tmpl);
        mpe_comp_free(c);
    }
}

TEST(Compiler, PassListAndDump) {
    ASSERT_EQ(mpe_comp_npasses(), 10);
    EXPECT_STREQ(mpe_comp_pass_name(0), "import");
    EXPECT_STREQ(mpe_comp_pass_name(9), "emit");
    EXPECT_EQ(mpe_comp_pass_name(10), nullptr);
    int mode_pass = -1;
    for (int i = 0; i < mpe_comp_npasses(); i++)
        if (!strcmp(mpe_comp_pass_name(i), "choose_mode"))
            mode_pass = i;
    ASSERT_GT(mode_pass, 2);
    for (int i = 0; i < mpe_comp_npasses(); i++) {
        std::string m = model("tests/onnx/qdq_mlp_mixed");
        mpe_comp_opts o;
        memset(&o, 0, sizeof o);
        o.model_path = m.c_str();
        o.mode = -1;
        o.dump_after = mpe_comp_pass_name(i);
        char *buf = nullptr;
        size_t n = 0;
        o.dump_file = open_memstream(&buf, &n);
        comp *c = mpe_comp_new(&o);
        ASSERT_EQ(mpe_comp_run(c), 0) << mpe_comp_error(c);
        fclose(o.dump_file);
        std::string text(buf, n);
        free(buf);
        EXPECT_NE(text.find(std::string("# IR after ") + mpe_comp_pass_name(i)), std::string::npos);
        if (i >= 2) {
            EXPECT_NE(text.find("layer 3"), std::string::npos) << text;
        }
        if (i >= mode_pass) {
            EXPECT_NE(text.find("mode: lut"), std::string::npos) << text;
        }
        mpe_comp_free(c);
    }
}

TEST(Compiler, LayerInfoAndForcedMode) {
    comp *c = compile(model("examples/mlp_mixed"));
    ASSERT_EQ(mpe_comp_run(c), 0) << mpe_comp_error(c);
    ASSERT_EQ(mpe_comp_nlayers(c), 5);
    const char *want[] = {"mac", "shiftadd", "shiftadd", "lut", "bitserial"};
    for (int i = 0; i < 5; i++) {
        mpe_comp_layer L;
        mpe_comp_layer_info(c, i, &L);
        EXPECT_STREQ(L.mode, want[i]) << i;
        EXPECT_GT(L.est_cycles, L.pe_cycles / 2) << i;
    }
    size_t n;
    const int *pl = mpe_comp_insn_layers(c, &n);
    ASSERT_EQ(n, mpe_comp_program(c)->ninsns);
    EXPECT_EQ(pl[0], 0);
    EXPECT_EQ(pl[n - 1], -1); // halt
    mpe_comp_free(c);
    c = compile(model("examples/mlp_mixed"), 4 /* bitserial */);
    ASSERT_EQ(mpe_comp_run(c), 0) << mpe_comp_error(c);
    for (int i = 0; i < 5; i++) {
        mpe_comp_layer L;
        mpe_comp_layer_info(c, i, &L);
        EXPECT_STREQ(L.mode, "bitserial");
    }
    mpe_comp_free(c);
}

// --mode bfp runs int8 layers as MXINT8 (bfp_exact.c) where that is proven
// bit exact; auto never picks bfp; a layer without the proof is an error.
TEST(Compiler, BfpRunsInt8LayersAsMxint8) {
    comp *c = compile(model("tests/onnx/qdq_bfp_conv3x3_pow2"), MPE_MODE_BFP);
    ASSERT_EQ(mpe_comp_run(c), 0) << mpe_comp_error(c);
    ASSERT_EQ(mpe_comp_nlayers(c), 2);
    for (int i = 0; i < 2; i++) {
        mpe_comp_layer L;
        mpe_comp_layer_info(c, i, &L);
        EXPECT_STREQ(L.mode, "bfp") << i;
        EXPECT_STREQ(L.wtype, "bfpint8 g32") << i;
    }
    mpe_comp_free(c);
    c = compile(model("tests/onnx/qdq_bfp_conv3x3_pow2"));
    ASSERT_EQ(mpe_comp_run(c), 0) << mpe_comp_error(c);
    for (int i = 0; i < 2; i++) {
        mpe_comp_layer L;
        mpe_comp_layer_info(c, i, &L);
        EXPECT_STRNE(L.mode, "bfp") << i;
    }
    mpe_comp_free(c);
    c = compile(model("examples/mlp_mixed"), MPE_MODE_BFP);
    ASSERT_NE(mpe_comp_run(c), 0);
    std::string e = mpe_comp_error(c);
    EXPECT_NE(e.find("layer 'L0_matmul' (MatMul): --mode bfp cannot run this layer: not provably "
                     "exact"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    mpe_comp_free(c);
}

TEST(Compiler, ErrorsAreOneLine) {
    comp *c = compile("tests/onnx/does_not_exist/model.onnx");
    EXPECT_NE(mpe_comp_run(c), 0);
    EXPECT_NE(strstr(mpe_comp_error(c), "cannot open"), nullptr);
    EXPECT_EQ(strchr(mpe_comp_error(c), '\n'), nullptr);
    mpe_comp_free(c);
    std::string m = model("tests/onnx/qdq_mlp_mixed");
    mpe_comp_opts o;
    memset(&o, 0, sizeof o);
    o.model_path = m.c_str();
    o.mode = -1;
    o.dump_after = "nope";
    c = mpe_comp_new(&o);
    EXPECT_NE(mpe_comp_run(c), 0);
    EXPECT_NE(strstr(mpe_comp_error(c), "unknown pass 'nope'"), nullptr);
    mpe_comp_free(c);
}

} // namespace
