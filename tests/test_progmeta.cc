// The META lines the tools read (mpe/progmeta.h): the cycle estimate and the
// layer table, and what makes a layer table malformed.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

extern "C" {
#include "mpe/progmeta.h"
}

namespace {

// A program of `n` zero instructions with the given META text.
struct Prog {
    mpe_program p;
    Prog(const char *meta, size_t n) {
        mpe_program_init(&p);
        std::string code(n * 16, '\0');
        EXPECT_EQ(mpe_program_set_code(&p, (const uint8_t *)code.data(), n), MPE_OK);
        if (meta) {
            EXPECT_EQ(mpe_program_set_meta(&p, meta), MPE_OK);
        }
    }
    ~Prog() { mpe_program_free(&p); }
};

uint64_t estimate(const char *meta) {
    Prog g(meta, 1);
    return mpe_meta_estimate(&g.p);
}
int layers(const char *meta, size_t n, mpe_meta_layer *out, int max) {
    Prog g(meta, n);
    return mpe_meta_layers(&g.p, out, max);
}

TEST(ProgMeta, Estimate) {
    EXPECT_EQ(estimate(nullptr), 0u);
    EXPECT_EQ(estimate("producer: mpe asm\n"), 0u);
    EXPECT_EQ(estimate("a\nestimated_cycles 9750\nb\n"), 9750u);
    EXPECT_EQ(estimate("x\nestimated_cycles 18446744073709551615"),
              UINT64_MAX);
    // not a number, trailing text, a longer key: no estimate
    EXPECT_EQ(estimate("estimated_cycles many\n"), 0u);
    EXPECT_EQ(estimate("estimated_cycles 12 cycles\n"), 0u);
    EXPECT_EQ(estimate("estimated_cycles_total 12\n"), 0u);
}

TEST(ProgMeta, Layers) {
    Prog g("producer mpe compile\nlayers 2\n"
           "layer 0 0 36 4834 1024 L0_matmul\n"
           "layer 1 40 73 2786 512 a name with spaces\n",
           80);
    mpe_meta_layer L[4];
    ASSERT_EQ(mpe_meta_layers(&g.p, L, 4), 2);
    EXPECT_STREQ(L[0].name, "L0_matmul");
    EXPECT_EQ(L[0].pc_lo, 0u);
    EXPECT_EQ(L[0].pc_hi, 36u);
    EXPECT_EQ(L[0].est_cycles, 4834u);
    EXPECT_EQ(L[0].pe_cycles, 1024u);
    EXPECT_STREQ(L[1].name, "a name with spaces");
    EXPECT_EQ(L[1].pc_lo, 40u);
    EXPECT_EQ(mpe_meta_layers(&g.p, nullptr, 0), 2);  // the count alone
    EXPECT_EQ(layers("producer: mpe asm\n", 4, L, 4), 0);
    EXPECT_EQ(layers(nullptr, 4, L, 4), 0);
}

TEST(ProgMeta, MalformedLayerTables) {
    mpe_meta_layer L[4];
    const char *bad[] = {
        "layer 0 0 4 1 1\n",                      // no name
        "layer 0 0 4 1\n",                        // a field missing
        "layer 1 0 4 1 1 a\n",                    // index not its position
        "layer 0 0 4 1 1 a\nlayer 0 4 8 1 1 b\n", // index repeated
        "layer 0 4 2 1 1 a\n",                    // range backwards
        "layer 0 0 9 1 1 a\n",                    // beyond the 8 instructions
        "layer 0 0 4 1 1 a\nlayer 1 3 8 1 1 b\n", // overlapping the previous layer
        "layer 0 0 4 x 1 a\n",                    // not a number
        "layer 0 -1 4 1 1 a\n",                   // negative
    };
    for (const char *m : bad) EXPECT_EQ(layers(m, 8, L, 4), -1) << m;
}

}  // namespace
