// Assembler and disassembler: known answers, every error message, and the
// round trip disassemble -> assemble -> same bytes on random instructions of
// every opcode and on whole random programs (labels and raw words included).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" {
#include "mpe/accel.h"
#include "mpe/asm.h"
#include "mpe/isa.h"
#include "mpe/outstage.h"
#include "mpe/tensor.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

// Assembles; returns the error text ("" on success).
std::string assemble(const std::string &src, Bytes *out = nullptr) {
    uint8_t *code = nullptr;
    size_t n = 0;
    char err[256] = "";
    mpe_status st = mpe_asm(src.c_str(), "t.s", &code, &n, err, sizeof err);
    if (st == MPE_OK && out) out->assign(code, code + 16 * n);
    if (st != MPE_OK) {
        EXPECT_EQ(code, nullptr);
    }
    free(code);
    return st == MPE_OK ? "" : err;
}

Bytes enc(mpe_insn_id id, std::vector<std::pair<int, int64_t>> f) {
    mpe_insn in;
    mpe_insn_init(&in, id);
    for (auto &x : f) in.f[x.first] = x.second;
    Bytes b(16);
    EXPECT_EQ(mpe_insn_encode(&in, b.data()), MPE_OK);
    return b;
}

Bytes cat(std::vector<Bytes> v) {
    Bytes out;
    for (auto &b : v) out.insert(out.end(), b.begin(), b.end());
    return out;
}

TEST(Asm, KnownAnswer) {
    Bytes b;
    ASSERT_EQ(assemble("li rd=r3 imm=0x12345678\n", &b), "");
    const uint8_t want[16] = {0x61, 0x00, 0x78, 0x56, 0x34, 0x12};
    EXPECT_EQ(b, Bytes(want, want + 16));
    ASSERT_EQ(assemble("load deps=push_next sp=wsp spaddr=16 rbase=r2 mem=-1 rows=3 "
                       "rowbytes=64 stride=128",
                       &b),
              "");
    const uint8_t want2[16] = {0x08, 0x83, 0x00, 0x00, 0xf9, 0xff, 0xff, 0xff,
                               0x1f, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00};
    EXPECT_EQ(b, Bytes(want2, want2 + 16));
}

TEST(Asm, SyntaxFeatures) {
    Bytes b;
    std::string src =
        "# a comment line\n"
        "\n"
        "start:\tli rd=r1 imm=3   # trailing comment\n"
        "  loop:\n"
        "    addi rd=r1 rs=r1 imm=-0x1\n"
        "    dbnz rs=r1 target=loop\n"
        "    dbnz rs=r2 target=end\n"
        "    dbnz rs=r2 target=0\n"
        "    cfgpe mode=bfp akind=fp afmt=fp8_e4m3 abits=8 wkind=int wbits=4 group=32 sfmt=e8m0\n"
        "    cfgout rq=dyadic out=int8 lo=-128 hi=127 deps=pop_prev,push_next\n"
        "    cfgpe mode=7 deps=15\n"
        "    .insn 0x1e\n"
        "end: halt\r\n";
    ASSERT_EQ(assemble(src, &b), "");
    Bytes want = cat({enc(MPE_I_LI, {{MPE_F_LI_rd, 1}, {MPE_F_LI_imm, 3}}),
                      enc(MPE_I_ADDI, {{MPE_F_ADDI_rd, 1}, {MPE_F_ADDI_rs, 1}, {MPE_F_ADDI_imm, -1}}),
                      enc(MPE_I_DBNZ, {{MPE_F_DBNZ_rs, 1}, {MPE_F_DBNZ_target, 1}}),
                      enc(MPE_I_DBNZ, {{MPE_F_DBNZ_rs, 2}, {MPE_F_DBNZ_target, 9}}),
                      enc(MPE_I_DBNZ, {{MPE_F_DBNZ_rs, 2}}),
                      enc(MPE_I_CFGPE, {{MPE_F_CFGPE_mode, 3}, {MPE_F_CFGPE_akind, 6},
                                        {MPE_F_CFGPE_afmt, 3}, {MPE_F_CFGPE_abits, 8},
                                        {MPE_F_CFGPE_wkind, 0}, {MPE_F_CFGPE_wbits, 4},
                                        {MPE_F_CFGPE_group, 32}, {MPE_F_CFGPE_sfmt, 8}}),
                      enc(MPE_I_CFGOUT, {{MPE_F_CFGOUT_rq, 2}, {MPE_F_CFGOUT_out, 2},
                                         {MPE_F_CFGOUT_lo, -128}, {MPE_F_CFGOUT_hi, 127},
                                         {MPE_F_CFGOUT_deps, 9}}),
                      enc(MPE_I_CFGPE, {{MPE_F_CFGPE_mode, 7}, {MPE_F_CFGPE_deps, 15}}),
                      enc(MPE_I_NOP, {}), enc(MPE_I_HALT, {})});
    EXPECT_EQ(b, want);
    EXPECT_EQ(assemble("", &b), "");
    EXPECT_TRUE(b.empty());
}

TEST(Asm, EveryErrorHasFileLineAndReason) {
    const struct {
        const char *src, *want;
    } cases[] = {
        {"nop\nfoo rd=r1\n", "t.s:2: unknown mnemonic 'foo'"},
        {"li rd=r1 val=3", "t.s:1: unknown field 'val' for 'li'"},
        {"li rd=r1 rd=r2", "t.s:1: field 'rd' given twice"},
        {"li rd=r1 imm=0x100000000",
         "t.s:1: value 0x100000000 out of range for field 'imm' (0..4294967295)"},
        {"li rd=r1 imm=-1", "t.s:1: value -1 out of range for field 'imm' (0..4294967295)"},
        {"addi rd=r1 rs=r1 imm=2147483648",
         "out of range for field 'imm' (-2147483648..2147483647)"},
        {"load rows=65536", "value 65536 out of range for field 'rows' (0..65535)"},
        {"li rd=r1 imm=99999999999999999999", "bad number '99999999999999999999' for field 'imm'"},
        {"li rd=r1 imm=12ab", "bad number '12ab'"},
        {"li rd=r1 imm=0x", "bad number '0x'"},
        {"li rd=r1 imm=-", "bad number '-'"},
        {"\n\nli rd=r16", "t.s:3: bad register 'r16' (r0..r15)"},
        {"li rd=x1", "bad register 'x1'"},
        {"li rd=3", "bad register '3'"},
        {"li rd=r01", "bad register 'r01'"},
        {"li rd=r", "bad register 'r'"},
        {"dbnz rs=r1 target=nowhere\n", "t.s:1: unknown label 'nowhere'"},
        {"a: nop\na: nop", "t.s:2: label 'a' defined twice (first on line 1)"},
        {"1a: nop", "bad label name '1a'"},
        {"halt: nop", "label 'halt' is a mnemonic"},
        {"cfgpe mode=fma",
         "unknown value 'fma' for field 'mode' (mac, lut, shiftadd, bfp, bitserial)"},
        {"cfgpe mode=8", "value 8 out of range for field 'mode' (0..7)"},
        {"load sp=xsp", "unknown value 'xsp' for field 'sp' (asp, wsp, psp, osp)"},
        {"cfgout rq=round", "unknown value 'round' for field 'rq' (none, float, dyadic)"},
        {"cfgpe afmt=fp7", "unknown value 'fp7' for field 'afmt'"},
        {"cfgout out=int2", "unknown value 'int2' for field 'out'"},
        {"cfgpe akind=float",
         "unknown value 'float' for field 'akind' (int, uint, binary, ternary, pow2, bfpint, fp)"},
        {"load deps=pop_prev,wait", "unknown dependency flag 'wait'"},
        {"load deps=push_next,push_next", "dependency flag 'push_next' given twice"},
        {"load deps=push_next,", "empty dependency flag"},
        {"load deps=16", "value 16 out of range for field 'deps' (0..15)"},
        {"li rd r1", "expected name=value, got 'rd'"},
        {"li =3", "expected name=value, got '=3'"},
        {"li rd=", "expected name=value, got 'rd='"},
        {"nop x=1", "unknown field 'x' for 'nop'"},
        {".insn", ".insn takes one hex word"},
        {".insn 12", ".insn takes one hex word"},
        {".insn 0x1g", ".insn takes one hex word"},
        {".insn 0x111111111111111111111111111111111", ".insn takes one hex word"},
        {".insn 0x1 0x2", ".insn takes one hex word"},
    };
    for (auto &c : cases) {
        std::string got = assemble(c.src);
        EXPECT_NE(got.find(c.want), std::string::npos) << "src '" << c.src << "': got '" << got << "'";
        EXPECT_EQ(got.rfind("t.s:", 0), 0u) << got;
    }
    // A line that is too long, and too many fields.
    EXPECT_NE(assemble(std::string(5000, ' ') + "nop").find("line longer"), std::string::npos);
    std::string many = "nop";
    for (int i = 0; i < 70; i++) many += " x=1";
    EXPECT_NE(assemble(many).find("too many fields"), std::string::npos);
    // A label beyond the 16-bit target field.
    std::string big = "dbnz rs=r1 target=far\n";
    for (int i = 0; i < 65536; i++) big += "nop\n";
    big += "far: halt\n";
    EXPECT_NE(assemble(big).find("t.s:1: label 'far' (instruction 65537) out of range"),
              std::string::npos);
}

TEST(Asm, SingleInstructionParser) {
    mpe_insn in;
    char err[200] = "";
    ASSERT_EQ(mpe_asm_insn("store rows=2 rowbytes=32 stride=64 rbase=r9", &in, err, sizeof err), MPE_OK);
    EXPECT_EQ(in.id, MPE_I_STORE);
    EXPECT_EQ(in.f[MPE_F_STORE_rbase], 9);
    EXPECT_NE(mpe_asm_insn("dbnz rs=r1 target=lbl", &in, err, sizeof err), MPE_OK);
    EXPECT_STREQ(err, "unknown label 'lbl'");
    EXPECT_NE(mpe_asm_insn("   ", &in, err, sizeof err), MPE_OK);
    EXPECT_STREQ(err, "empty instruction");
}

TEST(Disasm, PrintsNonZeroFieldsInTableOrder) {
    char buf[256];
    Bytes b = enc(MPE_I_LOAD, {{MPE_F_LOAD_stride, 0x20000}, {MPE_F_LOAD_mem, -70000},
                               {MPE_F_LOAD_sp, MPE_SP_PSP}, {MPE_F_LOAD_deps, 10}});
    ASSERT_EQ(mpe_disasm_insn(b.data(), buf, sizeof buf), MPE_OK);
    EXPECT_STREQ(buf, "load deps=pop_next,push_next sp=psp mem=-0x11170 stride=0x20000");
    b = enc(MPE_I_CFGPE, {{MPE_F_CFGPE_mode, 6}, {MPE_F_CFGPE_afmt, 12}, {MPE_F_CFGPE_akind, 1}});
    ASSERT_EQ(mpe_disasm_insn(b.data(), buf, sizeof buf), MPE_OK);
    EXPECT_STREQ(buf, "cfgpe mode=6 akind=uint afmt=12");
    b = enc(MPE_I_HALT, {});
    ASSERT_EQ(mpe_disasm_insn(b.data(), buf, sizeof buf), MPE_OK);
    EXPECT_STREQ(buf, "halt");
    b[15] = 0x80;
    EXPECT_EQ(mpe_disasm_insn(b.data(), buf, sizeof buf), MPE_ERR_FORMAT);
    EXPECT_STREQ(buf, ".insn 0x8000000000000000000000000000001f");
    // Truncation never overruns and reports the full length.
    char small[8];
    b = enc(MPE_I_LI, {{MPE_F_LI_rd, 1}, {MPE_F_LI_imm, 5}});
    mpe_insn in;
    ASSERT_EQ(mpe_insn_decode(b.data(), &in), MPE_OK);
    EXPECT_EQ(mpe_insn_format(&in, nullptr, small, sizeof small), strlen("li rd=r1 imm=5"));
    EXPECT_STREQ(small, "li rd=r");
}

// Random instruction of opcode `id`, fields uniform in range (extremes often).
Bytes random_insn(std::mt19937_64 &rng, int id) {
    mpe_insn in;
    mpe_insn_init(&in, (mpe_insn_id)id);
    int first, n;
    mpe_insn_fields((mpe_insn_id)id, &first, &n);
    for (int f = first; f < first + n; f++) {
        int64_t lo, hi;
        mpe_field_range(&mpe_field_table[f], &lo, &hi);
        int pick = (int)(rng() % 6);
        in.f[f] = pick == 0 ? lo : pick == 1 ? hi : pick == 2 ? 0
                  : lo + (int64_t)(rng() % ((uint64_t)(hi - lo) + 1));
    }
    Bytes b(16);
    EXPECT_EQ(mpe_insn_encode(&in, b.data()), MPE_OK);
    return b;
}

TEST(Disasm, RandomInstructionsOfEveryOpcodeRoundTrip) {
    const unsigned seed = 7;
    std::mt19937_64 rng(seed);
    for (int id = 0; id < MPE_I_COUNT; id++) {
        for (int iter = 0; iter < 400; iter++) {
            Bytes b = random_insn(rng, id);
            char text[512];
            ASSERT_EQ(mpe_disasm_insn(b.data(), text, sizeof text), MPE_OK);
            mpe_insn in;
            char err[256] = "";
            ASSERT_EQ(mpe_asm_insn(text, &in, err, sizeof err), MPE_OK) << text << ": " << err;
            Bytes back(16);
            ASSERT_EQ(mpe_insn_encode(&in, back.data()), MPE_OK);
            ASSERT_EQ(back, b) << text << " (seed " << seed << ")";
        }
    }
}

TEST(Disasm, RandomProgramsRoundTrip) {
    const unsigned seed = 99;
    std::mt19937_64 rng(seed);
    for (int prog = 0; prog < 50; prog++) {
        size_t n = 1 + rng() % 60;
        Bytes code;
        for (size_t i = 0; i < n; i++) {
            Bytes b;
            int kind = (int)(rng() % 10);
            if (kind == 0) {  // a dbnz into the program (gets a label)
                b = enc(MPE_I_DBNZ, {{MPE_F_DBNZ_rs, (int64_t)(rng() % 16)},
                                     {MPE_F_DBNZ_target, (int64_t)(rng() % n)}});
            } else if (kind == 1) {  // a word that does not decode
                b.resize(16);
                for (auto &x : b) x = (uint8_t)rng();
                b[0] = 0x05;  // reserved opcode
            } else {
                b = random_insn(rng, (int)(rng() % MPE_I_COUNT));
            }
            code.insert(code.end(), b.begin(), b.end());
        }
        for (unsigned flags : {0u, (unsigned)MPE_DISASM_PC}) {
            char *text = mpe_disasm(code.data(), n, flags);
            ASSERT_NE(text, nullptr);
            Bytes back;
            std::string err = assemble(text, &back);
            ASSERT_EQ(err, "") << text;
            ASSERT_EQ(back, code) << "seed " << seed << " program " << prog << "\n" << text;
            free(text);
        }
    }
}

TEST(Disasm, LabelsAtDbnzTargets) {
    Bytes b;
    ASSERT_EQ(assemble("li rd=r1 imm=4\ntop: nop\ndbnz rs=r1 target=top\ndbnz rs=r1 target=500\nhalt\n", &b), "");
    char *text = mpe_disasm(b.data(), b.size() / 16, 0);
    ASSERT_NE(text, nullptr);
    EXPECT_STREQ(text,
                 "    li rd=r1 imm=4\n"
                 "L1:\n"
                 "    nop\n"
                 "    dbnz rs=r1 target=L1\n"
                 "    dbnz rs=r1 target=500\n"
                 "    halt\n");
    free(text);
    text = mpe_disasm(b.data(), 1, MPE_DISASM_PC);
    ASSERT_NE(text, nullptr);
    EXPECT_EQ(std::string(text), "    li rd=r1 imm=4" + std::string(60 - 18, ' ') + "# 0\n");
    free(text);
    text = mpe_disasm(b.data(), 0, 0);
    ASSERT_NE(text, nullptr);
    EXPECT_STREQ(text, "");
    free(text);
}

// ---- directives -------------------------------------------------------------

// Assembles a whole program; returns the error text ("" on success).
std::string assemble_prog(const std::string &src, mpe_program *p, const mpe_arch *arch = nullptr) {
    char err[400] = "";
    mpe_status st = mpe_asm_program(src.c_str(), "t.s", arch, p, err, sizeof err);
    if (st != MPE_OK) {
        EXPECT_EQ(p->ninsns, 0u);
        EXPECT_EQ(p->ntensors, 0u);
        EXPECT_EQ(p->ndata, 0u);
        EXPECT_EQ(p->meta, nullptr);
    }
    return st == MPE_OK ? "" : err;
}

Bytes image(const mpe_program *p) {
    uint8_t *buf = nullptr;
    size_t len = 0;
    char err[300] = "";
    EXPECT_EQ(mpe_program_write(p, &buf, &len, err, sizeof err), MPE_OK) << err;
    Bytes b(buf, buf + len);
    free(buf);
    return b;
}

// disasm -> asm -> the same binary image.
void expect_round_trip(const mpe_program *p, unsigned flags = 0) {
    char *text = mpe_disasm_program(p, "x.mpeb", flags);
    ASSERT_NE(text, nullptr);
    mpe_program q;
    std::string err = assemble_prog(text, &q);
    ASSERT_EQ(err, "") << text;
    EXPECT_EQ(image(&q), image(p)) << text;
    mpe_program_free(&q);
    free(text);
}

mpe_tdesc tensor(const char *name, int role, int ttype, uint64_t addr, std::vector<uint32_t> dims) {
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    snprintf(d.name, sizeof d.name, "%s", name);
    d.role = (uint8_t)role;
    d.ttype = (uint8_t)ttype;
    d.elem = MPE_ELEM_DTYPE;
    d.dt = mpe_dt_int(8);
    d.addr = addr;
    d.ndim = (uint8_t)dims.size();
    for (size_t i = 0; i < dims.size(); i++) d.dims[i] = dims[i];
    return d;
}

TEST(AsmDirectives, KnownAnswer) {
    const char *src =
        "# every directive\n"
        ".arch rows=8 lanes=32\n"
        ".arch mem_bytes=0x100000   # a comment\n"
        ".meta \"producer: t\\n\"\n"
        ".meta \"tab\\there, quote \\\" and \\\\, byte \\x7f # not a comment\"\n"
        ".input x host=float32 dtype=int8 shape=2,64 addr=0x1000 layout=tiled "
        "params=8,32,8,64 scale=0.5 zp=-3\n"
        ".output \"y#1\" out=fp32 addr=8192 shape=2,24 host=float32\n"
        ".input w host=uint8 dtype=fp8_e4m3 shape=3 addr=0x3000 scale=0.25\n"
        "top: nop\n"
        "    dbnz rs=r1 target=top\n"
        ".data 0x4000\n"
        "    .hex 01 02 0a0B\n"
        "    .zero 3\n"
        "    .hex ff\n"
        ".data 0x10\n"
        "    .zero 1\n"
        "    halt\n";
    mpe_program p;
    ASSERT_EQ(assemble_prog(src, &p), "");
    EXPECT_EQ(p.arch.rows, 8u);
    EXPECT_EQ(p.arch.lanes, 32u);
    EXPECT_EQ(p.arch.mem_bytes, 0x100000u);
    EXPECT_EQ(p.arch.cols, 4u);  // the default
    ASSERT_NE(p.meta, nullptr);
    EXPECT_STREQ(p.meta, "producer: t\ntab\there, quote \" and \\, byte \x7f # not a comment");
    ASSERT_EQ(p.ninsns, 3u);
    ASSERT_EQ(p.ntensors, 3u);
    const mpe_tdesc &x = p.tensors[0], &y = p.tensors[1], &w = p.tensors[2];
    EXPECT_STREQ(x.name, "x");
    EXPECT_EQ(x.role, MPE_ROLE_INPUT);
    EXPECT_EQ(x.ttype, MPE_T_FLOAT);
    EXPECT_EQ(x.elem, MPE_ELEM_DTYPE);
    EXPECT_EQ(x.dt.kind, MPE_DT_INT);
    EXPECT_EQ(x.dt.bits, 8);
    EXPECT_EQ(x.ndim, 2);
    EXPECT_EQ(x.dims[0], 2u);
    EXPECT_EQ(x.dims[1], 64u);
    EXPECT_EQ(x.addr, 0x1000u);
    EXPECT_EQ(x.layout, MPE_LAYOUT_TILED);
    ASSERT_EQ(x.nparams, 4);
    EXPECT_EQ(x.params[3], 64);
    EXPECT_EQ(x.has_quant, 1);
    EXPECT_EQ(x.scale, 0x3f000000u);
    EXPECT_EQ(x.zero_point, -3);
    EXPECT_STREQ(y.name, "y#1");
    EXPECT_EQ(y.role, MPE_ROLE_OUTPUT);
    EXPECT_EQ(y.elem, MPE_ELEM_OUT);
    EXPECT_EQ(y.out, MPE_OUT_FP32);
    EXPECT_EQ(y.addr, 8192u);
    EXPECT_EQ(y.has_quant, 0);
    EXPECT_EQ(w.dt.kind, MPE_DT_FP);
    EXPECT_EQ(w.dt.fmt, MPE_FMT_E4M3);
    EXPECT_EQ(w.scale, 0x3e800000u);
    EXPECT_EQ(w.zero_point, 0);
    ASSERT_EQ(p.ndata, 2u);
    EXPECT_EQ(p.data[0].addr, 0x4000u);
    const uint8_t want[] = {1, 2, 10, 11, 0, 0, 0, 0xff};
    EXPECT_EQ(Bytes(p.data[0].bytes, p.data[0].bytes + p.data[0].len), Bytes(want, want + 8));
    EXPECT_EQ(p.data[1].addr, 0x10u);
    EXPECT_EQ(p.data[1].len, 1u);
    char err[200];
    EXPECT_EQ(mpe_program_check(&p, err, sizeof err), MPE_OK) << err;
    expect_round_trip(&p);
    expect_round_trip(&p, MPE_DISASM_PC);
    mpe_program_free(&p);
}

TEST(AsmDirectives, NoMetaAndEmptyMeta) {
    mpe_program p;
    ASSERT_EQ(assemble_prog("nop\n", &p), "");
    EXPECT_EQ(p.meta, nullptr);  // mpe asm then writes its own producer line
    mpe_program_free(&p);
    ASSERT_EQ(assemble_prog(".meta \"\"\nnop\n", &p), "");
    ASSERT_NE(p.meta, nullptr);
    EXPECT_STREQ(p.meta, "");
    mpe_program_free(&p);
    ASSERT_EQ(assemble_prog(".meta \"a\"\nnop\n.meta \"b\"\n", &p), "");  // anywhere
    EXPECT_STREQ(p.meta, "ab");
    mpe_program_free(&p);
}

TEST(AsmDirectives, PrintedProgram) {
    Bytes code;
    ASSERT_EQ(assemble("top: nop\ndbnz rs=r1 target=top\nhalt\n", &code), "");
    mpe_program p;
    mpe_program_init(&p);
    p.arch.rows = 8;
    ASSERT_EQ(mpe_program_set_code(&p, code.data(), 3), MPE_OK);
    uint8_t bytes[60] = {0};
    for (int i = 0; i < 20; i++) bytes[i] = (uint8_t)(i + 1);
    bytes[59] = 0x5a;
    ASSERT_EQ(mpe_program_add_data(&p, 0x100, bytes, 60), MPE_OK);
    mpe_tdesc d = tensor("y", MPE_ROLE_OUTPUT, MPE_T_INT8, 0x200, {3, 5});
    d.elem = MPE_ELEM_OUT;
    d.dt = mpe_dtype{0, 0, 0};
    d.out = MPE_OUT_INT8;
    d.layout = MPE_LAYOUT_TILED;
    d.nparams = 4;
    d.params[0] = 8, d.params[1] = 16, d.params[2] = 8, d.params[3] = 16;
    d.has_quant = 1;
    d.scale = 0x3f800000;
    d.zero_point = -1;
    ASSERT_EQ(mpe_program_add_tensor(&p, &d), MPE_OK);
    ASSERT_EQ(mpe_program_set_meta(&p, "producer: test\nline 2"), MPE_OK);
    char err[256];
    ASSERT_EQ(mpe_program_check(&p, err, sizeof err), MPE_OK) << err;
    char *text = mpe_disasm_program(&p, "x.mpeb", 0);
    ASSERT_NE(text, nullptr);
    std::string t = text;
    std::string head = t.substr(0, t.find('\n') + 1);
    EXPECT_EQ(head.rfind("# x.mpeb: 3 instructions, ISA version 1, architecture CRC 0x", 0), 0u)
        << head;
    EXPECT_EQ(t.substr(head.size()),
              ".arch rows=8 cols=4 lanes=16 asp_bytes=65536 wsp_bytes=65536 psp_bytes=16384\n"
              ".arch osp_bytes=32768 beat_bytes=16 mem_latency=16 mem_bytes=67108864\n"
              ".arch queue_depth=8 imem_insns=16384 lut_ppc=2\n"
              ".meta \"producer: test\\n\"\n"
              ".meta \"line 2\"\n"
              ".output y host=int8 out=int8 shape=3,5 addr=0x200 layout=tiled params=8,16,8,16 "
              "scale=1 zp=-1\n"
              "\n"
              "L0:\n    nop\n    dbnz rs=r1 target=L0\n    halt\n"
              "\n"
              "# data: 1 record, 60 bytes\n"
              ".data 0x100    # 60 bytes\n"
              "    .hex 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10\n"
              "    .hex 11 12 13 14\n"
              "    .zero 39\n"
              "    .hex 5a\n");
    free(text);
    text = mpe_disasm_program(&p, "x.mpeb", MPE_DISASM_PC);
    ASSERT_NE(text, nullptr);
    t = text;
    EXPECT_NE(t.find("    .hex 11 12 13 14" + std::string(60 - 20, ' ') + "# 0x110\n"),
              std::string::npos) << t;
    EXPECT_NE(t.find("    .zero 39" + std::string(60 - 12, ' ') + "# 0x114\n"), std::string::npos);
    free(text);
    text = mpe_disasm_program(&p, "x.mpeb", MPE_DISASM_NO_DATA);
    ASSERT_NE(text, nullptr);
    t = text;
    EXPECT_NE(t.find("# data: 1 record, 60 bytes (not shown"), std::string::npos) << t;
    EXPECT_EQ(t.find(".data"), std::string::npos) << t;
    free(text);
    expect_round_trip(&p);
    mpe_program_free(&p);
}

// Names that need quotes, meta text of every byte value, long lines.
TEST(AsmDirectives, AwkwardNamesAndMetaRoundTrip) {
    Bytes code;
    ASSERT_EQ(assemble("halt\n", &code), "");
    mpe_program p;
    mpe_program_init(&p);
    ASSERT_EQ(mpe_program_set_code(&p, code.data(), 1), MPE_OK);
    const char *names[] = {"a#b", "\"q", "back\\slash", "x=1", "in:0", "~!@$%^&*()", "#",
                           "a\"b"};
    uint64_t addr = 0;
    for (const char *n : names) {
        mpe_tdesc d = tensor(n, MPE_ROLE_INPUT, MPE_T_INT8, addr, {4});
        ASSERT_EQ(mpe_program_add_tensor(&p, &d), MPE_OK);
        addr += 16;
    }
    std::string meta;
    for (int i = 1; i < 256; i++) meta += (char)i;
    meta += std::string(300, 'x') + "\n\n\"\\";
    ASSERT_EQ(mpe_program_set_meta(&p, meta.c_str()), MPE_OK);
    char err[256];
    ASSERT_EQ(mpe_program_check(&p, err, sizeof err), MPE_OK) << err;
    expect_round_trip(&p);
    mpe_program_free(&p);
}

// Every scale bit pattern prints as a decimal that reads back to the same bits
// (a sample across the whole finite positive range, subnormals included).
TEST(AsmDirectives, ScalesRoundTripExactly) {
    Bytes code;
    ASSERT_EQ(assemble("halt\n", &code), "");
    std::vector<uint32_t> bits = {1, 2, 0x007fffff, 0x00800000, 0x3f800000, 0x7f7fffff};
    for (uint32_t b = 3; b < 0x7f800000; b += 0x1E377) bits.push_back(b);
    for (size_t first = 0; first < bits.size(); first += 4000) {
        mpe_program p;
        mpe_program_init(&p);
        ASSERT_EQ(mpe_program_set_code(&p, code.data(), 1), MPE_OK);
        for (size_t i = first; i < bits.size() && i < first + 4000; i++) {
            mpe_tdesc d = tensor(("t" + std::to_string(i)).c_str(), MPE_ROLE_INPUT, MPE_T_FLOAT,
                                 0, {1});
            d.has_quant = 1;
            d.scale = bits[i];
            ASSERT_EQ(mpe_program_add_tensor(&p, &d), MPE_OK);
        }
        expect_round_trip(&p);
        mpe_program_free(&p);
    }
}

// Random programs: data records with zero runs anywhere, tensors of random
// element types, quantization and names, random meta text.
TEST(AsmDirectives, RandomProgramsRoundTrip) {
    const unsigned seed = 2024;
    std::mt19937_64 rng(seed);
    const char *dtypes[] = {"int1", "int4", "int8", "int16", "uint2", "uint8", "binary",
                            "ternary", "pow2", "bfpint6", "fp8_e5m2", "fp4_e2m1", "bf16"};
    const int hosts[] = {MPE_T_FLOAT, MPE_T_INT8, MPE_T_UINT8, MPE_T_INT32, MPE_T_FLOAT16,
                         MPE_T_BOOL, MPE_T_UINT64};
    for (int iter = 0; iter < 200; iter++) {
        mpe_program p;
        mpe_program_init(&p);
        Bytes code = random_insn(rng, (int)(rng() % MPE_I_COUNT));
        ASSERT_EQ(mpe_program_set_code(&p, code.data(), 1), MPE_OK);
        uint64_t addr = rng() % 64;
        for (int r = 0, nrec = (int)(rng() % 4); r < nrec; r++) {
            Bytes b(1 + rng() % 200);
            for (auto &x : b) x = rng() % 3 ? 0 : (uint8_t)rng();
            if (rng() % 2) std::fill(b.begin(), b.begin() + (long)(b.size() / 2), 0);
            ASSERT_EQ(mpe_program_add_data(&p, addr, b.data(), b.size()), MPE_OK);
            addr += b.size() + rng() % 3;
        }
        for (int t = 0, nt = (int)(rng() % 4); t < nt; t++) {
            std::string name;
            for (int k = 0, n = 1 + (int)(rng() % 12); k < n; k++) name += (char)(0x21 + rng() % 94);
            name += std::to_string(t);
            mpe_tdesc d = tensor(name.c_str(), (int)(rng() % 2), hosts[rng() % 7], rng() % 4096,
                                 {(uint32_t)(1 + rng() % 9), (uint32_t)(1 + rng() % 9)});
            d.ndim = (uint8_t)(1 + rng() % 2);
            d.dims[1] = d.ndim == 2 ? d.dims[1] : 0;
            if (rng() % 3 == 0) {
                d.elem = MPE_ELEM_OUT;
                d.dt = mpe_dtype{0, 0, 0};
                d.out = (uint8_t)(rng() % 10);
            } else {
                ASSERT_EQ(mpe_dt_parse(dtypes[rng() % 13], &d.dt), 0);
            }
            if (rng() % 2) {
                d.has_quant = 1;
                d.scale = (uint32_t)(1 + rng() % 0x7f7fffff);
                int64_t lo = 0, hi = 0;
                if (d.elem == MPE_ELEM_OUT) mpe_out_range(d.out, &lo, &hi);
                else if (d.dt.kind == MPE_DT_INT) lo = -(1 << (d.dt.bits - 1)), hi = -lo - 1;
                else if (d.dt.kind == MPE_DT_UINT) hi = (1 << d.dt.bits) - 1;
                d.zero_point = (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
            }
            ASSERT_EQ(mpe_program_add_tensor(&p, &d), MPE_OK);
        }
        if (rng() % 2) {
            std::string meta;
            for (int k = 0, n = (int)(rng() % 200); k < n; k++) meta += (char)(1 + rng() % 255);
            ASSERT_EQ(mpe_program_set_meta(&p, meta.c_str()), MPE_OK);
        }
        char err[256];
        ASSERT_EQ(mpe_program_check(&p, err, sizeof err), MPE_OK) << err << " (iter " << iter << ")";
        SCOPED_TRACE("seed " + std::to_string(seed) + " iter " + std::to_string(iter));
        expect_round_trip(&p, rng() % 2 ? MPE_DISASM_PC : 0);
        mpe_program_free(&p);
    }
}

TEST(AsmDirectives, CommentRightAfterAToken) {
    mpe_program p;
    ASSERT_EQ(assemble_prog("nop#one\n.meta \"a#b\"#two\n.data 0#three\n.hex 01#four\n", &p), "");
    EXPECT_EQ(p.ninsns, 1u);
    EXPECT_STREQ(p.meta, "a#b");
    ASSERT_EQ(p.ndata, 1u);
    EXPECT_EQ(p.data[0].len, 1u);
    mpe_program_free(&p);
    mpe_insn in;
    char err[100];
    EXPECT_NE(mpe_asm_insn(std::string(5000, ' ').c_str(), &in, err, sizeof err), MPE_OK);
    EXPECT_STREQ(err, "line longer than 4095 characters");
}

TEST(AsmDirectives, ArchitectureGivenByTheCaller) {
    mpe_arch arch;
    mpe_arch_default(&arch);
    arch.rows = 8;
    mpe_program p;
    ASSERT_EQ(assemble_prog("nop\n", &p, &arch), "");
    EXPECT_EQ(p.arch.rows, 8u);
    mpe_program_free(&p);
    ASSERT_EQ(assemble_prog(".arch rows=8 cols=4\nnop\n", &p, &arch), "");
    mpe_program_free(&p);
    EXPECT_EQ(assemble_prog(".arch cols=4 rows=4\nnop\n", &p, &arch),
              "t.s:1: rows=4, but the assembler was given the architecture with rows=8");
    // the caller's architecture bounds the data and tensors
    arch.mem_bytes = 65536;
    EXPECT_EQ(assemble_prog(".data 0x10000\n.hex 00\n", &p, &arch),
              "t.s:1: data address 0x10000 outside the 65536-byte memory");
}

TEST(AsmDirectives, CodeOnlyAssemblerReadsAndDropsThem) {
    Bytes b;
    ASSERT_EQ(assemble(".arch rows=8\n.input x host=int8 dtype=int8 shape=4 addr=0\nnop\n"
                       ".data 0\n.hex 01\n",
                       &b),
              "");
    EXPECT_EQ(b, enc(MPE_I_NOP, {}));
    EXPECT_EQ(assemble(".data 0\n"), "t.s:1: .data without bytes (.hex or .zero lines must follow it)");
    mpe_insn in;
    char err[100];
    EXPECT_EQ(mpe_asm_insn("nop # comment", &in, err, sizeof err), MPE_OK);
    EXPECT_NE(mpe_asm_insn("nop \"x", &in, err, sizeof err), MPE_OK);
    EXPECT_STREQ(err, "unterminated string");
}

TEST(AsmDirectives, EveryErrorHasFileLineAndReason) {
    const std::string in = ".input x host=int8 dtype=int8 shape=4 addr=0 ";
    std::string big = "1";
    for (int i = 0; i < 300; i++) big += ",1";
    const struct {
        std::string src, want;
    } cases[] = {
        // strings
        {".meta \"abc", "t.s:1: unterminated string"},
        {".meta \"a\"b", "t.s:1: text after the closing quote of a string"},
        {".meta abc", "t.s:1: expected a \"quoted string\", got 'abc'"},
        {".meta \"a\\x00\"", "t.s:1: a string cannot hold a NUL byte (\\x00)"},
        {".meta \"\\q\"", "t.s:1: bad escape '\\q' in a string"},
        {".meta \"\\x4\"", "t.s:1: bad escape '\\x' in a string"},
        {".meta", "t.s:1: .meta takes one \"quoted string\""},
        {".meta \"a\" \"b\"", "t.s:1: .meta takes one \"quoted string\""},
        // .arch
        {".arch", "t.s:1: .arch takes key=value pairs"},
        {".arch rows", "t.s:1: expected key=value, got 'rows'"},
        {".arch =4", "t.s:1: expected key=value, got '=4'"},
        {".arch speed=4", "t.s:1: unknown architecture key 'speed'"},
        {".arch rows=4\n.arch rows=4", "t.s:2: architecture key 'rows' given twice"},
        {".arch rows=-1", "t.s:1: bad value '-1' for architecture key 'rows'"},
        {".arch rows=0x100000000", "t.s:1: bad value '0x100000000' for architecture key 'rows'"},
        {".arch rows=four", "t.s:1: bad value 'four' for architecture key 'rows'"},
        {"nop\n.arch rows=4", "t.s:2: .arch must come before the code, data and tensors"},
        {".input x host=int8 dtype=int8 shape=4 addr=0\n.arch rows=4",
         "t.s:2: .arch must come before"},
        {".data 0\n.hex 00\n.arch rows=4", "t.s:3: .arch must come before"},
        {"x:\n.arch rows=4", "t.s:2: .arch must come before"},
        {".arch lanes=18\n\n.arch rows=2\nnop", "t.s:3: .arch: lanes: "},
        {".arch lanes=18", "t.s:1: .arch: lanes: "},
        {".arch rows=0\n.data 0\n.hex 00", "t.s:1: .arch: rows: "},
        // .data, .hex, .zero
        {".data", "t.s:1: .data takes one memory byte address"},
        {".data 1 2", "t.s:1: .data takes one memory byte address"},
        {".data -16", "t.s:1: .data takes one memory byte address"},
        {".data 0x4000000", "t.s:1: data address 0x4000000 outside the 67108864-byte memory"},
        {".data 0x100\nnop", "t.s:1: .data without bytes (.hex or .zero lines must follow it)"},
        {".data 0x100\n.data 0x200\n.hex 00", "t.s:1: .data without bytes"},
        {".data 0x100", "t.s:1: .data without bytes"},
        {".hex 00", "t.s:1: .hex outside a data record (it continues a .data, .hex or .zero line)"},
        {".data 0\n.hex 00\nnop\n.zero 4", "t.s:4: .zero outside a data record"},
        {".data 0\n.hex 00\n.meta \"\"\n.hex 01", "t.s:4: .hex outside a data record"},
        {".data 0\n.hex", "t.s:2: .hex takes bytes as pairs of hex digits"},
        {".data 0\n.hex 0", "t.s:2: bad hex bytes '0' (pairs of hex digits)"},
        {".data 0\n.hex 0x01", "t.s:2: bad hex bytes '0x01'"},
        {".data 0\n.hex 00 zz", "t.s:2: bad hex bytes 'zz'"},
        {".data 0\n.zero", "t.s:2: .zero takes one byte count >= 1"},
        {".data 0\n.zero 0", "t.s:2: .zero takes one byte count >= 1"},
        {".data 0\n.zero 4k", "t.s:2: .zero takes one byte count >= 1"},
        {".data 0x3fffffe\n.hex 00 00\n.hex 00",
         "t.s:3: the data record at 0x3fffffe (line 1) runs past the end of the 67108864-byte memory"},
        {".data 0\n.zero 0x7fffffffffffffff", "t.s:2: the data record at 0x0 (line 1) runs past"},
        {".arch mem_bytes=65536\n.data 0xfff0\n.zero 17",
         "t.s:3: the data record at 0xfff0 (line 2) runs past the end of the 65536-byte memory"},
        {".data 0x100\n.hex 00 01\n.data 0x101\n.hex 02",
         "t.s:3: the data record at 0x101 (1 bytes) overlaps the one of line 1"},
        {".data 0x101\n.hex 01\nnop\n.data 0x100\n.zero 2",
         "t.s:4: the data record at 0x100 (2 bytes) overlaps the one of line 1"},
        // .input / .output
        {".input", "t.s:1: .input takes a name and name=value fields"},
        {".output", "t.s:1: .output takes a name and name=value fields"},
        {".input " + std::string(128, 'n') + " host=int8",
         "t.s:1: tensor name of 128 characters (at most 127)"},
        {".input \"a\\q\" host=int8", "t.s:1: bad escape '\\q'"},
        {".input x host", "t.s:1: expected name=value, got 'host'"},
        {".input x size=4",
         "t.s:1: unknown tensor field 'size' (host, dtype, out, shape, addr, layout, "
         "params, scale, zp)"},
        {in + "host=int8", "t.s:1: tensor field 'host' given twice"},
        {".input x host=float dtype=int8 shape=4 addr=0",
         "t.s:1: bad value 'float' for tensor field 'host' (float32, uint8, int8, uint16, "
         "int16, int32, int64, bool, float16, float64, uint32, uint64, bfloat16)"},
        {".input x host=undefined dtype=int8 shape=4 addr=0",
         "bad value 'undefined' for tensor field 'host'"},
        {".input x host=int8 dtype=int17 shape=4 addr=0",
         "t.s:1: bad value 'int17' for tensor field 'dtype' (an operand type"},
        {".input x host=int8 out=int2 shape=4 addr=0",
         "t.s:1: bad value 'int2' for tensor field 'out' (int4, uint4, int8, uint8, "
         "int16, uint16, int32, fp16, bf16, fp32)"},
        {".input x host=int8 dtype=int8 shape=0 addr=0",
         "t.s:1: bad value '0' for tensor field 'shape' (1 to 4 comma-separated dimensions >= 1)"},
        {".input x host=int8 dtype=int8 shape=1,,2 addr=0",
         "bad value '1,,2' for tensor field 'shape'"},
        {".input x host=int8 dtype=int8 shape=1,2,3,4,5 addr=0",
         "bad value '1,2,3,4,5' for tensor field 'shape'"},
        {".input x host=int8 dtype=int8 shape=2147483648 addr=0",
         "bad value '2147483648' for tensor field 'shape'"},
        {".input x host=int8 dtype=int8 shape=" + big + " addr=0", "t.s:1: bad value '1,1,1,"},
        {".input x host=int8 dtype=int8 shape=4 addr=-1",
         "t.s:1: bad value '-1' for tensor field 'addr' (a memory byte address)"},
        {in + "layout=nchw",
         "t.s:1: bad value 'nchw' for tensor field 'layout' (row_major, tiled, im2col or "
         "tiled_nchw)"},
        {in + "params=1,x",
         "t.s:1: bad value '1,x' for tensor field 'params' (up to 16 comma-separated "
         "int32 values)"},
        {in + "params=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "for tensor field 'params'"},
        {in + "params=2147483648", "bad value '2147483648' for tensor field 'params'"},
        {in + "scale=0",
         "t.s:1: bad value '0' for tensor field 'scale' (a finite decimal number > 0)"},
        {in + "scale=-1", "bad value '-1' for tensor field 'scale'"},
        {in + "scale=1e39", "bad value '1e39' for tensor field 'scale'"},
        {in + "scale=1e-50", "bad value '1e-50' for tensor field 'scale'"},
        {in + "scale=inf", "bad value 'inf' for tensor field 'scale'"},
        {in + "scale=nan", "bad value 'nan' for tensor field 'scale'"},
        {in + "scale=0x3f800000", "bad value '0x3f800000' for tensor field 'scale'"},
        {in + "scale=1.5.5", "bad value '1.5.5' for tensor field 'scale'"},
        {in + "scale=1 zp=2147483648",
         "t.s:1: bad value '2147483648' for tensor field 'zp' (an int32)"},
        {".input x dtype=int8 shape=4 addr=0", "t.s:1: tensor field 'host' missing"},
        {".input x host=int8 dtype=int8 addr=0", "t.s:1: tensor field 'shape' missing"},
        {".input x host=int8 dtype=int8 shape=4", "t.s:1: tensor field 'addr' missing"},
        {".input x host=int8 shape=4 addr=0",
         "t.s:1: a tensor takes one of 'dtype' (an operand type) and 'out' (an output format)"},
        {in + "out=int8", "t.s:1: a tensor takes one of 'dtype'"},
        {in + "zp=1", "t.s:1: tensor field 'zp' without 'scale'"},
        {in + "scale=1 zp=200", "t.s:1: tensor 'x': zero point 200 outside -128..127"},
        {".input x host=int8 dtype=int8 shape=4 addr=0x3fffffe",
         "t.s:1: tensor 'x': [0x3fffffe, +4 bytes) outside the 67108864-byte memory"},
        {in + "layout=tiled", "t.s:1: tensor 'x': layout tiled takes 4 parameters, not 0"},
        {".input \"\" host=int8 dtype=int8 shape=4 addr=0",
         "t.s:1: tensor '': name must be 1..127 characters"},
        {".input \"a b\" host=int8 dtype=int8 shape=4 addr=0",
         "t.s:1: tensor 'a b': name character 1 is not printable ASCII"},
        {in + "\nnop\n.output x host=int8 out=int8 shape=4 addr=16",
         "t.s:3: tensor 'x' declared twice (first on line 1)"},
        // others
        {".foo 1",
         "t.s:1: unknown directive '.foo' (.arch, .meta, .input, .output, .insn, .data, "
         ".hex, .zero)"},
        {"x: .bar", "t.s:1: unknown directive '.bar'"},
    };
    for (auto &c : cases) {
        mpe_program p;
        std::string got = assemble_prog(c.src, &p);
        EXPECT_NE(got.find(c.want), std::string::npos) << "src '" << c.src << "': got '" << got << "'";
        EXPECT_EQ(got.rfind("t.s:", 0), 0u) << got;
        mpe_program_free(&p);
    }
}

// Random token soup, directives included: never a crash; an error always has
// a location; an accepted program survives disassemble -> assemble.
TEST(Asm, RandomTextNeverCrashes) {
    const unsigned seed = 555;
    std::mt19937 rng(seed);
    const char *atoms[] = {"load", "store", "li", "addi", "dbnz", "matmul", "cfgpe", "cfgout",
                           "halt", "x:", "y:", "rd=r1", "rs=r15", "imm=-5", "imm=0xffffffff",
                           "target=x", "target=y", "target=3", "deps=pop_prev,push_next",
                           "sp=wsp", "mode=lut", "out=bf16", "rows=65535", "lo=-2147483648",
                           "akind=fp", "afmt=fp4_e2m1", "=", "r", "0x", "#", ":", ",", "\t",
                           ".insn", "0x1f", "rd=r99", "hi=", "mem=-0x80000000", ".data",
                           ".hex", "00", "0a0b", ".zero", "4", ".meta", "\"m\\x41\"", "\"",
                           ".arch", "rows=8", ".input", ".output", "x", "host=int8",
                           "dtype=int8", "out=int32", "shape=4", "addr=0x40", "scale=0.5",
                           "\n.meta \"a#b\\n\"\n", "\n.data 0x80\n.hex 0102\n.zero 3\n",
                           "\n.input t host=int8 dtype=int8 shape=4 addr=0x200\n",
                           "\n.arch rows=4\n"};
    int accepted = 0;
    size_t directives = 0;
    for (int iter = 0; iter < 4000; iter++) {
        std::string src;
        int lines = 1 + (int)(rng() % 8);
        for (int l = 0; l < lines; l++) {
            int n = (int)(rng() % 6);
            for (int t = 0; t < n; t++) {
                src += atoms[rng() % (sizeof atoms / sizeof atoms[0])];
                src += ' ';
            }
            src += '\n';
        }
        mpe_program p;
        std::string err = assemble_prog(src, &p);
        if (!err.empty()) {
            ASSERT_EQ(err.rfind("t.s:", 0), 0u) << err;
            continue;
        }
        accepted++;
        if (p.ninsns) {  // a whole binary: disasm -> asm gives the same image
            SCOPED_TRACE("seed " + std::to_string(seed) + " iter " + std::to_string(iter) +
                         "\n" + src);
            expect_round_trip(&p);
        }
        Bytes code(p.code, p.code + 16 * p.ninsns);
        char *text = mpe_disasm(code.data(), p.ninsns, 0);
        ASSERT_NE(text, nullptr);
        Bytes back;
        ASSERT_EQ(assemble(text, &back), "") << text;
        EXPECT_EQ(back, code) << "seed " << seed << " iter " << iter << "\n" << src;
        free(text);
        directives += p.ndata + p.ntensors + (p.meta != nullptr);
        mpe_program_free(&p);
    }
    EXPECT_GT(accepted, 100);
    EXPECT_GT(directives, 10);
}

// The example programs assemble and run to completion on the C model; a
// reserved opcode written with .insn traps at its pc.
std::string read_text(const std::string &path) {
    FILE *f = fopen(path.c_str(), "rb");
    if (!f) return "";
    std::string s;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    fclose(f);
    return s;
}

mpe_run_state run_on_model(const Bytes &code, std::string *trap) {
    mpe_arch arch;
    mpe_arch_default(&arch);
    mpe_accel *acc = nullptr;
    EXPECT_EQ(mpe_accel_create(&arch, &acc), MPE_OK);
    if (!acc) return MPE_RUN_TRAP;
    EXPECT_EQ(mpe_accel_load_code(acc, code.data(), code.size() / 16), MPE_OK);
    mpe_run_state st = mpe_accel_run(acc, 1000000);
    if (st == MPE_RUN_TRAP) *trap = mpe_accel_trap(acc)->msg;
    mpe_accel_destroy(acc);
    return st;
}

TEST(AsmExamples, RunOnTheCModel) {
    std::string dir = __FILE__;
    dir = dir.substr(0, dir.rfind("tests/")) + "examples/asm/";
    for (const char *name : {"gemm_dbuf.s", "gemm_io.s", "loop_dbnz.s", "sync_gemm.s"}) {
        std::string src = read_text(dir + name);
        ASSERT_FALSE(src.empty()) << dir + name;
        Bytes code;
        ASSERT_EQ(assemble(src, &code), "") << name;
        std::string trap;
        EXPECT_EQ(run_on_model(code, &trap), MPE_RUN_DONE) << name << ": " << trap;
    }
    Bytes code;
    ASSERT_EQ(assemble("nop\nnop\n.insn 0x05\nhalt\n", &code), "");
    std::string trap;
    EXPECT_EQ(run_on_model(code, &trap), MPE_RUN_TRAP);
    EXPECT_NE(trap.find("pc 2"), std::string::npos) << trap;
    EXPECT_NE(trap.find("reserved opcode 0x05"), std::string::npos) << trap;
}

}  // namespace
