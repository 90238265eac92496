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
        {"li rd=r1 imm=0x100000000", "t.s:1: value 0x100000000 out of range for field 'imm' (0..4294967295)"},
        {"li rd=r1 imm=-1", "t.s:1: value -1 out of range for field 'imm' (0..4294967295)"},
        {"addi rd=r1 rs=r1 imm=2147483648", "out of range for field 'imm' (-2147483648..2147483647)"},
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
        {"cfgpe mode=fma", "unknown value 'fma' for field 'mode' (mac, lut, shiftadd, bfp, bitserial)"},
        {"cfgpe mode=8", "value 8 out of range for field 'mode' (0..7)"},
        {"load sp=xsp", "unknown value 'xsp' for field 'sp' (asp, wsp, psp, osp)"},
        {"cfgout rq=round", "unknown value 'round' for field 'rq' (none, float, dyadic)"},
        {"cfgpe afmt=fp7", "unknown value 'fp7' for field 'afmt'"},
        {"cfgout out=int2", "unknown value 'int2' for field 'out'"},
        {"cfgpe akind=float", "unknown value 'float' for field 'akind' (int, uint, binary, ternary, pow2, bfpint, fp)"},
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

TEST(Disasm, WholeProgramWithTensorsAndData) {
    Bytes code;
    ASSERT_EQ(assemble("top: nop\ndbnz rs=r1 target=top\nhalt\n", &code), "");
    mpe_program p;
    mpe_program_init(&p);
    p.arch.rows = 8;
    ASSERT_EQ(mpe_program_set_code(&p, code.data(), 3), MPE_OK);
    uint8_t bytes[20];
    for (int i = 0; i < 20; i++) bytes[i] = (uint8_t)i;
    ASSERT_EQ(mpe_program_add_data(&p, 0x100, bytes, 20), MPE_OK);
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    snprintf(d.name, sizeof d.name, "y");
    d.role = MPE_ROLE_OUTPUT;
    d.ttype = MPE_T_INT8;
    d.elem = MPE_ELEM_OUT;
    d.out = MPE_OUT_INT8;
    d.ndim = 2;
    d.dims[0] = 3;
    d.dims[1] = 5;
    d.addr = 0x200;
    d.layout = MPE_LAYOUT_TILED;
    d.nparams = 4;
    d.params[0] = 8;
    d.params[1] = 16;
    d.params[2] = 8;
    d.params[3] = 16;
    d.has_quant = 1;
    d.scale = 0x3f800000;
    d.zero_point = -1;
    ASSERT_EQ(mpe_program_add_tensor(&p, &d), MPE_OK);
    ASSERT_EQ(mpe_program_set_meta(&p, "producer: test\nline 2"), MPE_OK);
    char err[256];
    ASSERT_EQ(mpe_program_check(&p, err, sizeof err), MPE_OK) << err;
    char *text = mpe_disasm_program(&p, "x.mpeb", MPE_DISASM_DATA);
    ASSERT_NE(text, nullptr);
    std::string t = text;
    const char *want[] = {
        "# x.mpeb: 3 instructions, ISA version 1, architecture CRC 0x",
        "#   rows 8\n#   cols 4\n",
        "# meta:\n#   producer: test\n#   line 2\n",
        "L0:\n    nop\n    dbnz rs=r1 target=L0\n    halt\n",
        "# tensors:\n#   output y: host int8, stored int8, shape [3,5], at 0x200 (128 bytes), "
        "layout tiled {8,16,8,16}, scale 0x3f800000, zero point -1\n",
        "# data: 1 records\n#   0x100: 20 bytes, crc32 0x",
        "#     00000100: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n"
        "#     00000110: 10 11 12 13\n",
    };
    for (const char *w : want) EXPECT_NE(t.find(w), std::string::npos) << "missing: " << w << "\nin:\n" << t;
    Bytes back;
    EXPECT_EQ(assemble(t, &back), "");
    EXPECT_EQ(back, code);
    free(text);
    mpe_program_free(&p);
}

// Random token soup: never a crash; an error always has a location; an
// accepted program survives disassemble -> assemble.
TEST(Asm, RandomTextNeverCrashes) {
    const unsigned seed = 555;
    std::mt19937 rng(seed);
    const char *atoms[] = {"load", "store", "li", "addi", "dbnz", "matmul", "cfgpe", "cfgout",
                           "halt", "x:", "y:", "rd=r1", "rs=r15", "imm=-5", "imm=0xffffffff",
                           "target=x", "target=y", "target=3", "deps=pop_prev,push_next",
                           "sp=wsp", "mode=lut", "out=bf16", "rows=65535", "lo=-2147483648",
                           "akind=fp", "afmt=fp4_e2m1", "=", "r", "0x", "#", ":", ",", "\t",
                           ".insn", "0x1f", "rd=r99", "hi=", "mem=-0x80000000"};
    int accepted = 0;
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
        Bytes code;
        std::string err = assemble(src, &code);
        if (!err.empty()) {
            ASSERT_EQ(err.rfind("t.s:", 0), 0u) << err;
            continue;
        }
        accepted++;
        char *text = mpe_disasm(code.data(), code.size() / 16, 0);
        ASSERT_NE(text, nullptr);
        Bytes back;
        ASSERT_EQ(assemble(text, &back), "") << text;
        EXPECT_EQ(back, code) << "seed " << seed << " iter " << iter << "\n" << src;
        free(text);
    }
    EXPECT_GT(accepted, 100);
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
    for (const char *name : {"gemm_dbuf.s", "loop_dbnz.s", "sync_gemm.s"}) {
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
