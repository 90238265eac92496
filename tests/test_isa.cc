// The ISA tables and the 128-bit encoding: table self-check (on the real
// table and on broken ones), known-answer encodings computed outside the C
// code, exhaustive decode rejection, random encode/decode round trips.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" {
#include "mpe/isa.h"
}

namespace {

std::vector<uint8_t> hex_bytes(const char *h) {
    std::vector<uint8_t> b;
    for (size_t i = 0; h[i] && h[i + 1]; i += 2) b.push_back((uint8_t)std::stoi(std::string(h + i, 2), nullptr, 16));
    return b;
}

TEST(Isa, RealTablePassesTheCheck) {
    char msg[256] = "";
    EXPECT_EQ(mpe_isa_check_table(msg, sizeof msg), MPE_OK) << msg;
}

TEST(Isa, TablesComeFromTheDefFile) {
    // A few spot checks against isa/insns.def as written.
    EXPECT_STREQ(mpe_insn_table[MPE_I_LOAD].mnemonic, "load");
    EXPECT_EQ(mpe_insn_table[MPE_I_LOAD].opcode, 0x08);
    EXPECT_EQ(mpe_insn_table[MPE_I_LOAD].unit, MPE_UNIT_LOAD);
    EXPECT_EQ(mpe_insn_table[MPE_I_HALT].opcode, 0x1F);
    EXPECT_STREQ(mpe_field_table[MPE_F_LOAD_stride].name, "stride");
    EXPECT_EQ(mpe_field_table[MPE_F_LOAD_stride].lsb, 99);
    EXPECT_EQ(mpe_field_table[MPE_F_LOAD_stride].width, 29);
    EXPECT_EQ(mpe_field_table[MPE_F_ADDI_imm].kind, MPE_FK_S);
    EXPECT_EQ(mpe_field_table[MPE_F_MATMUL_s].insn, MPE_I_MATMUL);
    int first, n;
    mpe_insn_fields(MPE_I_LOAD, &first, &n);
    EXPECT_EQ(first, MPE_F_LOAD_deps);
    EXPECT_EQ(n, 8);
    mpe_insn_fields(MPE_I_HALT, &first, &n);
    EXPECT_EQ(n, 0);
    EXPECT_EQ(mpe_insn_by_mnemonic("matmul"), MPE_I_MATMUL);
    EXPECT_EQ(mpe_insn_by_mnemonic("mul"), -1);
    EXPECT_EQ(mpe_insn_by_opcode(0x13), MPE_I_MATMUL);
    EXPECT_EQ(mpe_insn_by_opcode(0), -1);
    EXPECT_EQ(mpe_field_by_name(MPE_I_STORE, "rows"), MPE_F_STORE_rows);
    EXPECT_EQ(mpe_field_by_name(MPE_I_STORE, "sp"), -1);  // store has no sp field
}

// Bytes computed with Python integers (bit i of the word is bit i%8 of byte i/8).
TEST(Isa, KnownAnswerEncodings) {
    struct {
        mpe_insn_id id;
        std::vector<std::pair<int, int64_t>> f;
        const char *hex;
    } cases[] = {
        {MPE_I_HALT, {}, "1f000000000000000000000000000000"},
        {MPE_I_LI, {{MPE_F_LI_rd, 3}, {MPE_F_LI_imm, 0x12345678}},
         "61007856341200000000000000000000"},
        {MPE_I_LOAD,
         {{MPE_F_LOAD_deps, 8}, {MPE_F_LOAD_sp, 1}, {MPE_F_LOAD_spaddr, 0x10},
          {MPE_F_LOAD_rbase, 2}, {MPE_F_LOAD_mem, -1}, {MPE_F_LOAD_rows, 3},
          {MPE_F_LOAD_rowbytes, 64}, {MPE_F_LOAD_stride, 128}},
         "08830000f9ffffff1f00000200040000"},
        {MPE_I_MATMUL,
         {{MPE_F_MATMUL_deps, 9}, {MPE_F_MATMUL_a, 0x100}, {MPE_F_MATMUL_w, 0x200},
          {MPE_F_MATMUL_o, 0x40}, {MPE_F_MATMUL_p, 0x30}, {MPE_F_MATMUL_s, 0x3fff0}},
         "3301020040008000000600f8ff010000"},
    };
    for (auto &c : cases) {
        mpe_insn in, back;
        mpe_insn_init(&in, c.id);
        for (auto &fv : c.f) in.f[fv.first] = fv.second;
        uint8_t b[16];
        ASSERT_EQ(mpe_insn_encode(&in, b), MPE_OK);
        EXPECT_EQ(std::vector<uint8_t>(b, b + 16), hex_bytes(c.hex)) << mpe_insn_table[c.id].mnemonic;
        ASSERT_EQ(mpe_insn_decode(b, &back), MPE_OK);
        EXPECT_EQ(memcmp(&in, &back, sizeof in), 0);
    }
}

TEST(Isa, BitHelpersMatchA128BitReference) {
    std::mt19937_64 rng(12345);
    for (int iter = 0; iter < 2000; iter++) {
        uint8_t b[16];
        unsigned __int128 ref = 0;
        for (int i = 0; i < 16; i++) {
            b[i] = (uint8_t)rng();
            ref |= (unsigned __int128)b[i] << (8 * i);
        }
        unsigned w = 1 + (unsigned)(rng() % 64), lsb = (unsigned)(rng() % (129 - w));
        uint64_t mask = w == 64 ? ~0ull : (1ull << w) - 1;
        EXPECT_EQ(mpe_bits_get(b, lsb, w), (uint64_t)(ref >> lsb) & mask) << "seed 12345 iter " << iter;
        uint64_t v = rng();
        mpe_bits_set(b, lsb, w, v);
        ref = (ref & ~((unsigned __int128)mask << lsb)) | ((unsigned __int128)(v & mask) << lsb);
        for (int i = 0; i < 16; i++) EXPECT_EQ(b[i], (uint8_t)(ref >> (8 * i))) << iter;
    }
}

TEST(Isa, EveryReservedOpcodeIsRejected) {
    int known = 0;
    for (unsigned op = 0; op < 32; op++) {
        uint8_t b[16] = {(uint8_t)op};
        mpe_insn in;
        char msg[128] = "";
        mpe_status st = mpe_insn_decode_msg(b, &in, msg, sizeof msg);
        if (mpe_insn_by_opcode(op) >= 0) {
            EXPECT_EQ(st, MPE_OK) << op;
            known++;
            continue;
        }
        EXPECT_EQ(st, MPE_ERR_FORMAT) << op;
        EXPECT_EQ(in.id, MPE_I_COUNT);
        char want[64];
        snprintf(want, sizeof want, "reserved opcode 0x%02x", op);
        EXPECT_STREQ(msg, want);
    }
    EXPECT_EQ(known, MPE_I_COUNT);
}

// Every single bit: accepted iff it lies in the opcode or a field.
TEST(Isa, DecodeRejectsEveryBitOutsideTheFields) {
    for (int id = 0; id < MPE_I_COUNT; id++) {
        std::vector<bool> covered(128, false);
        for (int b = 0; b < 5; b++) covered[b] = true;
        int first, n;
        mpe_insn_fields((mpe_insn_id)id, &first, &n);
        for (int f = first; f < first + n; f++)
            for (int b = 0; b < mpe_field_table[f].width; b++) covered[mpe_field_table[f].lsb + b] = true;
        for (int bit = 5; bit < 128; bit++) {
            uint8_t w[16] = {mpe_insn_table[id].opcode};
            w[bit / 8] |= (uint8_t)(1u << (bit % 8));
            mpe_insn in;
            char msg[128] = "";
            mpe_status st = mpe_insn_decode_msg(w, &in, msg, sizeof msg);
            if (covered[bit]) {
                EXPECT_EQ(st, MPE_OK) << mpe_insn_table[id].mnemonic << " bit " << bit;
            } else {
                EXPECT_EQ(st, MPE_ERR_FORMAT) << mpe_insn_table[id].mnemonic << " bit " << bit;
                EXPECT_NE(std::string(msg).find("bit " + std::to_string(bit)), std::string::npos) << msg;
            }
        }
    }
}

TEST(Isa, RandomRoundTripEveryOpcode) {
    const unsigned seed = 20261122;
    std::mt19937_64 rng(seed);
    for (int id = 0; id < MPE_I_COUNT; id++) {
        int first, n;
        mpe_insn_fields((mpe_insn_id)id, &first, &n);
        for (int iter = 0; iter < 500; iter++) {
            mpe_insn in, back;
            mpe_insn_init(&in, (mpe_insn_id)id);
            for (int f = first; f < first + n; f++) {
                int64_t lo, hi;
                mpe_field_range(&mpe_field_table[f], &lo, &hi);
                uint64_t span = (uint64_t)(hi - lo) + 1;
                int pick = (int)(rng() % 4);  // extremes often
                in.f[f] = pick == 0 ? lo : pick == 1 ? hi : lo + (int64_t)(rng() % span);
            }
            uint8_t b[16], b2[16];
            ASSERT_EQ(mpe_insn_encode(&in, b), MPE_OK) << "seed " << seed;
            ASSERT_EQ(mpe_insn_decode(b, &back), MPE_OK) << "seed " << seed;
            ASSERT_EQ(memcmp(&in, &back, sizeof in), 0)
                << mpe_insn_table[id].mnemonic << " seed " << seed << " iter " << iter;
            ASSERT_EQ(mpe_insn_encode(&back, b2), MPE_OK);
            ASSERT_EQ(memcmp(b, b2, 16), 0);
        }
    }
}

TEST(Isa, EncodeRejectsValuesOutsideTheirField) {
    for (int f = 0; f < MPE_F_COUNT; f++) {
        const mpe_field_info *fi = &mpe_field_table[f];
        int64_t lo, hi;
        mpe_field_range(fi, &lo, &hi);
        if (fi->kind == MPE_FK_S) {
            EXPECT_EQ(lo, -(int64_t)(1ull << (fi->width - 1)));
        } else {
            EXPECT_EQ(lo, 0);
            EXPECT_EQ(hi, (int64_t)((1ull << fi->width) - 1));
        }
        mpe_insn in;
        uint8_t b[16];
        mpe_insn_init(&in, fi->insn);
        in.f[f] = hi;
        EXPECT_EQ(mpe_insn_encode(&in, b), MPE_OK) << fi->name;
        in.f[f] = hi + 1;
        EXPECT_EQ(mpe_insn_encode(&in, b), MPE_ERR_RANGE) << fi->name;
        in.f[f] = lo - 1;
        EXPECT_EQ(mpe_insn_encode(&in, b), MPE_ERR_RANGE) << fi->name;
        for (int i = 0; i < 16; i++) EXPECT_EQ(b[i], 0);
    }
    mpe_insn in;
    mpe_insn_init(&in, MPE_I_COUNT);
    uint8_t b[16];
    EXPECT_EQ(mpe_insn_encode(&in, b), MPE_ERR_ARG);
}

TEST(Isa, SignedFieldsSignExtend) {
    mpe_insn in, back;
    mpe_insn_init(&in, MPE_I_ADDI);
    in.f[MPE_F_ADDI_imm] = -2147483647 - 1;
    uint8_t b[16];
    ASSERT_EQ(mpe_insn_encode(&in, b), MPE_OK);
    EXPECT_EQ(b[5], 0x80);
    ASSERT_EQ(mpe_insn_decode(b, &back), MPE_OK);
    EXPECT_EQ(back.f[MPE_F_ADDI_imm], -2147483647 - 1);
    mpe_insn_init(&in, MPE_I_LI);  // li imm is unsigned
    in.f[MPE_F_LI_imm] = 0xFFFFFFFFll;
    ASSERT_EQ(mpe_insn_encode(&in, b), MPE_OK);
    ASSERT_EQ(mpe_insn_decode(b, &back), MPE_OK);
    EXPECT_EQ(back.f[MPE_F_LI_imm], 0xFFFFFFFFll);
}

TEST(Isa, EnumerationNames) {
    const struct {
        int kind;
        const char *name;
        int64_t v;
    } cases[] = {{MPE_FK_E_SP, "wsp", MPE_SP_WSP},     {MPE_FK_E_SP, "osp", MPE_SP_OSP},
                 {MPE_FK_E_MODE, "bitserial", 4},      {MPE_FK_E_DTKIND, "pow2", 4},
                 {MPE_FK_E_DTKIND, "fp", 6},           {MPE_FK_E_FMT, "fp8_e4m3", 3},
                 {MPE_FK_E_FMT, "ue4m3", 9},           {MPE_FK_E_RQ, "dyadic", MPE_RQ_DYADIC},
                 {MPE_FK_E_OUT, "int8", MPE_OUT_INT8}, {MPE_FK_E_OUT, "bf16", MPE_OUT_BF16}};
    for (auto &c : cases) {
        int64_t v = -1;
        ASSERT_EQ(mpe_isa_enum_parse(c.kind, c.name, &v), 0) << c.name;
        EXPECT_EQ(v, c.v) << c.name;
        EXPECT_STREQ(mpe_isa_enum_name(c.kind, c.v), c.name);
    }
    for (int k = MPE_FK_E_SP; k <= MPE_FK_E_OUT; k++) {
        int n = mpe_isa_enum_count(k);
        EXPECT_GT(n, 0);
        EXPECT_EQ(mpe_isa_enum_name(k, n), nullptr);
        EXPECT_EQ(mpe_isa_enum_name(k, -1), nullptr);
        for (int i = 0; i < n; i++) {
            int64_t v;
            ASSERT_EQ(mpe_isa_enum_parse(k, mpe_isa_enum_name(k, i), &v), 0);
            EXPECT_EQ(v, i);
        }
    }
    int64_t v;
    EXPECT_NE(mpe_isa_enum_parse(MPE_FK_E_MODE, "fma", &v), 0);
    EXPECT_EQ(mpe_isa_enum_count(MPE_FK_U), 0);
    EXPECT_STREQ(mpe_dep_name(3), "push_next");
    EXPECT_STREQ(mpe_field_kind_name(MPE_FK_E_OUT), "E_OUT");
}

// ---- the checker on broken tables ----------------------------------------

struct Tables {
    std::vector<mpe_insn_info> insns;
    std::vector<mpe_field_info> fields;
};

Tables good() {
    Tables t;
    t.insns = {{"ctl", 0x01, MPE_UNIT_CTRL, ""}, {"ld", 0x02, MPE_UNIT_LOAD, ""}};
    t.fields = {{(mpe_insn_id)0, "rd", 5, 4, MPE_FK_R, ""},
                {(mpe_insn_id)0, "imm", 16, 32, MPE_FK_S, ""},
                {(mpe_insn_id)1, "deps", 5, 4, MPE_FK_DEPS, ""},
                {(mpe_insn_id)1, "mode", 9, 3, MPE_FK_E_MODE, ""},
                {(mpe_insn_id)1, "x", 120, 8, MPE_FK_U, ""}};
    return t;
}

std::string run_check(const Tables &t) {
    char msg[256] = "";
    mpe_status st = mpe_isa_check_tables(t.insns.data(), (int)t.insns.size(), t.fields.data(),
                                         (int)t.fields.size(), msg, sizeof msg);
    return st == MPE_OK ? "ok" : msg;
}

TEST(IsaCheck, CatchesEveryKindOfBrokenTable) {
    EXPECT_EQ(run_check(good()), "ok");
    struct {
        void (*edit)(Tables &);
        const char *want;
    } cases[] = {
        {[](Tables &t) { t.insns[1].opcode = 0x01; }, "'ctl' and 'ld' share opcode 0x01"},
        {[](Tables &t) { t.insns[1].opcode = 0; }, "opcode 0x00 outside"},
        {[](Tables &t) { t.insns[1].opcode = 0x20; }, "opcode 0x20 outside"},
        {[](Tables &t) { t.insns[1].mnemonic = "ctl"; }, "mnemonic 'ctl' defined twice"},
        {[](Tables &t) { t.insns[1].unit = 7; }, "unknown unit 7"},
        {[](Tables &t) { t.fields[0].lsb = 3; }, "fields 'op' and 'rd' overlap at bit 3"},
        {[](Tables &t) { t.fields[1].lsb = 8; }, "fields 'rd' and 'imm' overlap at bit 8"},
        {[](Tables &t) { t.fields[4].lsb = 121; }, "bits [121, 129) outside the 128-bit"},
        {[](Tables &t) { t.fields[4].width = 0; }, "width 0 outside 1..63"},
        {[](Tables &t) { t.fields[1].width = 64; }, "width 64 outside 1..63"},
        {[](Tables &t) { t.fields[0].width = 3; }, "a R field is 4 bits, not 3"},
        {[](Tables &t) { t.fields[2].width = 5; }, "a DEPS field is 4 bits, not 5"},
        {[](Tables &t) { t.fields[1].width = 1; }, "a signed field needs >= 2 bits"},
        {[](Tables &t) { t.fields[3].width = 2; }, "2 bits cannot hold the 5 values of E_MODE"},
        {[](Tables &t) { t.fields[4].kind = 42; }, "unknown kind 42"},
        {[](Tables &t) { t.fields[4].name = "mode"; }, "field 'mode' defined twice"},
        {[](Tables &t) { t.fields[4].name = "op"; }, "empty or reserved name"},
        {[](Tables &t) { t.fields[2].kind = MPE_FK_U; }, "'ld': a queued instruction needs a DEPS field"},
        {[](Tables &t) { t.fields.push_back({(mpe_insn_id)0, "z", 60, 4, MPE_FK_U, ""}); },
         "the fields of 'ctl' are not contiguous"},
        {[](Tables &t) { t.fields[4].insn = (mpe_insn_id)2; }, "unknown instruction 2"},
        {[](Tables &t) { t.fields.resize(2); }, "'ld': a queued instruction needs a DEPS field"},
    };
    for (auto &c : cases) {
        Tables t = good();
        c.edit(t);
        std::string got = run_check(t);
        EXPECT_NE(got.find(c.want), std::string::npos) << "got '" << got << "' want '" << c.want << "'";
    }
    Tables none = good();
    none.insns.clear();
    EXPECT_NE(run_check(none).find("0 instructions"), std::string::npos);
}

}  // namespace
