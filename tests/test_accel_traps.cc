// Every trap cause of the accelerator model (docs/isa.md sections 4 and 5):
// the cause, the pc, the cycle, and that the message names the problem.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

extern "C" {
#include "mpe/accel.h"
#include "mpe/asm.h"
#include "mpe/codebuf.h"
#include "mpe/outstage.h"
}

namespace {

enum { POP_PREV = 1, POP_NEXT = 2, PUSH_PREV = 4, PUSH_NEXT = 8 };

struct Trap {
    mpe_run_state state;
    mpe_trap trap;
    uint64_t cycles;
};

Trap run_code(const uint8_t *code, size_t n, const mpe_arch *arch = nullptr) {
    mpe_arch a;
    if (arch)
        a = *arch;
    else
        mpe_arch_default(&a);
    mpe_accel *acc = nullptr;
    Trap t = {};
    EXPECT_EQ(mpe_accel_create(&a, &acc), MPE_OK);
    EXPECT_EQ(mpe_accel_load_code(acc, code, n), MPE_OK);
    t.state = mpe_accel_run(acc, 1000000);
    t.trap = *mpe_accel_trap(acc);
    t.cycles = mpe_accel_stats_get(acc)->cycles;
    mpe_accel_destroy(acc);
    return t;
}

Trap run_cb(mpe_codebuf &cb, const mpe_arch *arch = nullptr) {
    EXPECT_EQ(cb.err, MPE_OK) << cb.msg;
    Trap t = run_code(cb.code, cb.n, arch);
    mpe_cb_free(&cb);
    return t;
}

Trap run_asm(const char *src) {
    uint8_t *code = nullptr;
    size_t n = 0;
    char err[200] = "";
    EXPECT_EQ(mpe_asm(src, "test.s", &code, &n, err, sizeof err), MPE_OK) << err;
    Trap t = run_code(code, n);
    free(code);
    return t;
}

#define EXPECT_TRAP(t, cause_, pc_, text)                                            \
    do {                                                                             \
        EXPECT_EQ((t).state, MPE_RUN_TRAP);                                          \
        EXPECT_EQ((t).trap.cause, (cause_)) << (t).trap.msg;                         \
        EXPECT_EQ((t).trap.pc, (uint32_t)(pc_)) << (t).trap.msg;                     \
        EXPECT_NE(std::string((t).trap.msg).find(text), std::string::npos)           \
            << (t).trap.msg;                                                         \
    } while (0)

const char *kCfg =
    "cfgpe mode=mac akind=int abits=8 wkind=int wbits=8\n"
    "cfgout out=int32 lo=-0x80000000 hi=0x7fffffff\n"
    "cfggemm mt=1 nt=1 ks=1 akt=1 wkt=1 okt=1\n";

// A dispatch trap in cycle t ends the run with t + 1 cycles.
TEST(AccelTraps, ReservedOpcode) {
    Trap t = run_asm("nop\n.insn 0x05\nhalt\n");
    EXPECT_TRAP(t, MPE_TRAP_ENCODING, 1, "reserved opcode");
    EXPECT_EQ(t.trap.cycle, 1u);
    EXPECT_EQ(t.cycles, 2u);
}

TEST(AccelTraps, StrayBits) {
    Trap t = run_asm(".insn 0x8000000000000000000000000000001e\n");
    EXPECT_TRAP(t, MPE_TRAP_ENCODING, 0, "outside");
}

// Running past the loaded code reaches zeroed memory: opcode 0.
TEST(AccelTraps, RunOffTheCode) {
    Trap t = run_asm("nop\nnop\n");
    EXPECT_TRAP(t, MPE_TRAP_ENCODING, 2, "0x00");
}

// Past the last instruction-memory word: a pc trap.
TEST(AccelTraps, PcOutsideImem) {
    mpe_arch a;
    mpe_arch_default(&a);
    a.imem_insns = 16;
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    for (int i = 0; i < 16; i++)
        mpe_cb_nop(&cb);
    Trap t = run_cb(cb, &a);
    EXPECT_TRAP(t, MPE_TRAP_PC, 16, "instruction memory");
    EXPECT_EQ(t.cycles, 17u);
}

TEST(AccelTraps, JumpOutsideImem) {
    Trap t = run_asm("li rd=r1 imm=2\ndbnz rs=r1 target=60000\nhalt\n");
    EXPECT_TRAP(t, MPE_TRAP_PC, 1, "target 60000");
}

TEST(AccelTraps, FlagsTheUnitLacks) {
    EXPECT_TRAP(run_asm("load deps=pop_prev rows=1 rowbytes=16\nhalt\n"), MPE_TRAP_FLAGS, 0,
                "pop_prev");
    EXPECT_TRAP(run_asm("load deps=push_prev rows=1 rowbytes=16\nhalt\n"), MPE_TRAP_FLAGS, 0,
                "push_prev");
    EXPECT_TRAP(run_asm("nop\nstore deps=pop_next rows=1 rowbytes=16\nhalt\n"), MPE_TRAP_FLAGS,
                1, "pop_next");
    EXPECT_TRAP(run_asm("store deps=push_next rows=1 rowbytes=16\nhalt\n"), MPE_TRAP_FLAGS, 0,
                "push_next");
}

TEST(AccelTraps, BadOperands) {
    EXPECT_TRAP(run_asm("load sp=osp rows=1 rowbytes=16\n"), MPE_TRAP_OPERAND, 0, "OSP");
    EXPECT_TRAP(run_asm("load rows=0 rowbytes=16\n"), MPE_TRAP_OPERAND, 0, "rows");
    EXPECT_TRAP(run_asm("cfggemm mt=0 nt=1 ks=1 akt=1 wkt=1 okt=1\n"), MPE_TRAP_OPERAND, 0,
                "mt, nt and ks");
    EXPECT_TRAP(run_asm("cfggemm mt=1 nt=1 ks=2 akt=1 wkt=2 okt=1\n"), MPE_TRAP_OPERAND, 0,
                "akt");
    EXPECT_TRAP(run_asm("cfggemm mt=1 nt=8 ks=1 akt=1 wkt=1 okt=1\n"), MPE_TRAP_OPERAND, 0,
                "okt");
    EXPECT_TRAP(run_asm("cfgout rq=3 out=int8\n"), MPE_TRAP_OPERAND, 0, "requantization");
    EXPECT_TRAP(run_asm("cfgout out=15\n"), MPE_TRAP_OPERAND, 0, "output format");
    EXPECT_TRAP(run_asm("cfgout out=int8 lo=5 hi=4\n"), MPE_TRAP_OPERAND, 0, "lo 5 > hi 4");
}

TEST(AccelTraps, Misaligned) {
    EXPECT_TRAP(run_asm("load spaddr=8 rows=1 rowbytes=16\n"), MPE_TRAP_ALIGN, 0, "ASP address");
    EXPECT_TRAP(run_asm("load rows=1 rowbytes=24\n"), MPE_TRAP_ALIGN, 0, "rowbytes 24");
    EXPECT_TRAP(run_asm("load rows=1 rowbytes=0\n"), MPE_TRAP_ALIGN, 0, "rowbytes 0");
    EXPECT_TRAP(run_asm("load rows=2 rowbytes=16 stride=8\n"), MPE_TRAP_ALIGN, 0, "stride 8");
    EXPECT_TRAP(run_asm("load mem=4 rows=1 rowbytes=16\n"), MPE_TRAP_ALIGN, 0,
                "memory address 0x4");
    // the register is part of the address
    EXPECT_TRAP(run_asm("li rd=r3 imm=8\nload rbase=r3 rows=1 rowbytes=16\n"), MPE_TRAP_ALIGN, 1,
                "memory address 0x8");
    std::string s = std::string(kCfg) + "matmul a=32\n"; // A vectors are 64 bytes
    EXPECT_TRAP(run_asm(s.c_str()), MPE_TRAP_ALIGN, 3, "activation block address 0x20");
    s = std::string(kCfg) + "matmul o=64\n"; // int32 output vectors are 256 bytes
    EXPECT_TRAP(run_asm(s.c_str()), MPE_TRAP_ALIGN, 3, "output block");
    s = std::string(kCfg) + "matmul p=8\n";
    EXPECT_TRAP(run_asm(s.c_str()), MPE_TRAP_ALIGN, 3, "parameter");
}

TEST(AccelTraps, OutOfRange) {
    EXPECT_TRAP(run_asm("load mem=-16 rows=1 rowbytes=16\n"), MPE_TRAP_RANGE, 0, "outside memory");
    EXPECT_TRAP(run_asm("load mem=0x3fffff0 rows=2 rowbytes=16 stride=16\n"), MPE_TRAP_RANGE, 0,
                "outside memory");
    EXPECT_TRAP(run_asm("load sp=psp spaddr=16368 rows=2 rowbytes=16\n"), MPE_TRAP_RANGE, 0,
                "outside the PSP");
    EXPECT_TRAP(run_asm("store spaddr=32752 rows=1 rowbytes=32\n"), MPE_TRAP_RANGE, 0,
                "outside the OSP");
    std::string s = std::string(kCfg) + "matmul a=65536 w=0\n";
    EXPECT_TRAP(run_asm(s.c_str()), MPE_TRAP_RANGE, 3, "activation block");
    s = "cfgpe mode=mac akind=int abits=8 wkind=int wbits=8\n"
        "cfgout out=int8\n"
        "cfggemm mt=1 nt=4 ks=1 akt=1 wkt=1 okt=1\n";
    // 16 records of 16 bytes: from 16128 they end at 16384 (fits), from 16144 not
    Trap ok = run_asm((s + "matmul p=16128\nhalt\n").c_str());
    EXPECT_EQ(ok.state, MPE_RUN_DONE) << ok.trap.msg;
    EXPECT_TRAP(run_asm((s + "matmul p=16144\n").c_str()), MPE_TRAP_RANGE, 3, "parameters");
}

TEST(AccelTraps, IllegalPeConfig) {
    EXPECT_TRAP(run_asm("cfgpe mode=7\n"), MPE_TRAP_PECFG, 0, "mode");
    EXPECT_TRAP(run_asm("cfgpe mode=mac akind=ternary abits=3 wkind=int wbits=8\n"),
                MPE_TRAP_PECFG, 0, "ternary");
    // bfp elements in the MAC mode
    EXPECT_TRAP(run_asm("cfgpe mode=mac akind=fp abits=8 afmt=fp8_e4m3 wkind=int wbits=8\n"),
                MPE_TRAP_PECFG, 0, "");
}

// Dyadic requantization needs the integer accumulator.
TEST(AccelTraps, OutputConfigForAccumulator) {
    Trap t = run_asm("cfgpe mode=bfp akind=fp abits=8 afmt=fp8_e4m3 wkind=fp wbits=8 "
                     "wfmt=fp8_e4m3 group=32 sfmt=e8m0\n"
                     "cfgout rq=dyadic out=int8\n"
                     "cfggemm mt=1 nt=1 ks=2 akt=2 wkt=2 okt=1\n"
                     "matmul\n");
    EXPECT_TRAP(t, MPE_TRAP_OUTCFG, 3, "output configuration");
}

TEST(AccelTraps, MatmulWithoutConfig) {
    EXPECT_TRAP(run_asm("matmul\n"), MPE_TRAP_NOCFG, 0, "cfgpe");
    EXPECT_TRAP(run_asm("cfgpe mode=mac akind=int abits=8 wkind=int wbits=8\nmatmul\n"),
                MPE_TRAP_NOCFG, 1, "cfgout");
    EXPECT_TRAP(run_asm("cfgpe mode=mac akind=int abits=8 wkind=int wbits=8\n"
                        "cfgout out=int8\nmatmul\n"),
                MPE_TRAP_NOCFG, 2, "cfggemm");
}

// A group of 32 with ks*K = 16 is not a whole number of blocks.
TEST(AccelTraps, PartialScaleBlock) {
    Trap t = run_asm("cfgpe mode=bfp akind=fp abits=8 afmt=fp8_e4m3 wkind=fp wbits=8 "
                     "wfmt=fp8_e4m3 group=32 sfmt=e8m0\n"
                     "cfgout rq=float out=int8\n"
                     "cfggemm mt=1 nt=1 ks=1 akt=1 wkt=1 okt=1\n"
                     "matmul\n");
    EXPECT_TRAP(t, MPE_TRAP_OPERAND, 3, "blocks");
}

// 256 pushes of C2L with nobody popping: cfggemm k (k = 0..255) is
// dispatched in 1 + 2k and pushes in its t_e = 2 + 2k; the 256th push (in
// cycle 512) would take the counter to 256: trap at pc 1, 513 cycles.
TEST(AccelTraps, TokenOverflow) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_cb_li(&cb, 1, 256);
    mpe_cb_cfggemm(&cb, PUSH_PREV, 1, 1, 1, 1, 1, 1);
    mpe_cb_dbnz(&cb, 1, 1);
    mpe_cb_halt(&cb);
    Trap t = run_cb(cb);
    EXPECT_TRAP(t, MPE_TRAP_TOKEN, 1, "C2L");
    EXPECT_EQ(t.trap.cycle, 512u);
    EXPECT_EQ(t.cycles, 513u);
}

// 255 pushes are fine.
TEST(AccelTraps, TokenCounterHolds255) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_cb_li(&cb, 1, 255);
    mpe_cb_cfggemm(&cb, PUSH_NEXT, 1, 1, 1, 1, 1, 1);
    mpe_cb_dbnz(&cb, 1, 1);
    mpe_cb_halt(&cb);
    mpe_arch a;
    mpe_arch_default(&a);
    mpe_accel *acc;
    ASSERT_EQ(mpe_accel_create(&a, &acc), MPE_OK);
    ASSERT_EQ(mpe_accel_load_code(acc, cb.code, cb.n), MPE_OK);
    EXPECT_EQ(mpe_accel_run(acc, 0), MPE_RUN_DONE);
    EXPECT_EQ(mpe_accel_tokens(acc, MPE_TOK_C2S), 255);
    mpe_accel_destroy(acc);
    mpe_cb_free(&cb);
}

// A matmul waiting for an L2C token nobody gives: cfgs in 1..3, the matmul
// is at the head of the compute queue from cycle 4, halt executes in 4.
// Cycle 5: controller halted, no unit busy or able to start: deadlock trap
// in cycle 5 at the matmul's pc, 6 cycles.
TEST(AccelTraps, DeadlockOnMissingToken) {
    std::string s = std::string(kCfg) + "matmul deps=pop_prev\nhalt\n";
    Trap t = run_asm(s.c_str());
    EXPECT_TRAP(t, MPE_TRAP_DEADLOCK, 3, "compute pc 3 waits for L2C");
    EXPECT_EQ(t.trap.cycle, 5u);
    EXPECT_EQ(t.cycles, 6u);
}

// Deadlock with the controller stalled (not halted) on a full queue: two
// loads wait for C2L forever; with queue_depth 1 the second stalls the
// controller.
TEST(AccelTraps, DeadlockControllerStalled) {
    mpe_arch a;
    mpe_arch_default(&a);
    a.queue_depth = 1;
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_cb_load(&cb, POP_NEXT, MPE_SP_ASP, 0, 0, 0, 1, 16, 16);
    mpe_cb_load(&cb, POP_NEXT, MPE_SP_ASP, 0, 0, 0, 1, 16, 16);
    mpe_cb_halt(&cb);
    Trap t = run_cb(cb, &a);
    EXPECT_TRAP(t, MPE_TRAP_DEADLOCK, 0, "stalled");
    // cycle 0 dispatches load 0; cycle 1: its head is blocked, the
    // controller stalls on the full queue: no progress, trap in 1.
    EXPECT_EQ(t.trap.cycle, 1u);
}

// Deadlock through sync: a store waits for C2S, the controller waits in sync.
TEST(AccelTraps, DeadlockInSync) {
    Trap t = run_asm("store deps=pop_prev rows=1 rowbytes=16\nsync\nhalt\n");
    EXPECT_TRAP(t, MPE_TRAP_DEADLOCK, 0, "store pc 0 waits for C2S");
}

// An infinite scalar loop is not a deadlock: the cycle limit stops it.
TEST(AccelTraps, LivelockHitsLimit) {
    uint8_t *code = nullptr;
    size_t n = 0;
    char err[100];
    ASSERT_EQ(mpe_asm("top: nop\nli rd=r1 imm=2\ndbnz rs=r1 target=top\n", "t.s", &code, &n,
                      err, sizeof err),
              MPE_OK);
    mpe_arch a;
    mpe_arch_default(&a);
    mpe_accel *acc;
    ASSERT_EQ(mpe_accel_create(&a, &acc), MPE_OK);
    ASSERT_EQ(mpe_accel_load_code(acc, code, n), MPE_OK);
    EXPECT_EQ(mpe_accel_run(acc, 5000), MPE_RUN_LIMIT);
    EXPECT_EQ(mpe_accel_trap(acc)->cause, MPE_TRAP_NONE);
    mpe_accel_destroy(acc);
    free(code);
}

// Every cause has a name.
TEST(AccelTraps, Names) {
    for (int c = 0; c < MPE_TRAP_COUNT; c++)
        EXPECT_STRNE(mpe_trap_name((mpe_trap_cause)c), "?");
    EXPECT_STREQ(mpe_trap_name(MPE_TRAP_COUNT), "?");
}

// Bad context arguments.
TEST(AccelTraps, CreateAndLoadErrors) {
    mpe_arch a;
    mpe_arch_default(&a);
    mpe_accel *acc = nullptr;
    a.beat_bytes = 24;
    EXPECT_EQ(mpe_accel_create(&a, &acc), MPE_ERR_ARG);
    EXPECT_EQ(acc, nullptr);
    mpe_arch_default(&a);
    a.imem_insns = 16;
    ASSERT_EQ(mpe_accel_create(&a, &acc), MPE_OK);
    uint8_t code[17 * 16] = {};
    EXPECT_EQ(mpe_accel_load_code(acc, code, 17), MPE_ERR_RANGE);
    uint8_t b[4];
    EXPECT_EQ(mpe_accel_mem_read(acc, a.mem_bytes - 2, b, 4), MPE_ERR_RANGE);
    EXPECT_EQ(mpe_accel_sp_read(acc, 4, 0, b, 4), MPE_ERR_RANGE);
    EXPECT_EQ(mpe_accel_sp_write(acc, MPE_SP_OSP, a.osp_bytes, b, 1), MPE_ERR_RANGE);
    mpe_accel_destroy(acc);
}

} // namespace
