// Cycle counts of small directed programs against hand derivations from
// docs/isa.md section 5, with the default architecture: R = C = 4, K = 16,
// beat 16 bytes, mem_latency L = 16, queue_depth 8. Each derivation is in
// the comment above its test; "end" is the reported cycle count (the first
// cycle in which the controller is halted and every unit idle).
#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include "mpe/accel.h"
#include "mpe/codebuf.h"
#include "mpe/outstage.h"
}

namespace {

enum { POP_PREV = 1, POP_NEXT = 2, PUSH_PREV = 4, PUSH_NEXT = 8 };

struct Commit {
    uint64_t cycle;
    int unit;
    uint32_t pc;
};

struct Sim {
    mpe_accel *acc = nullptr;
    std::vector<Commit> trace;
    mpe_run_state state = MPE_RUN_RUNNING;
    ~Sim() { mpe_accel_destroy(acc); }
    const mpe_accel_stats &stats() const { return *mpe_accel_stats_get(acc); }
    const mpe_trap &trap() const { return *mpe_accel_trap(acc); }
    // Cycle in which instruction `pc` committed (t_e), or -1.
    long long done(uint32_t pc) const {
        for (const Commit &c : trace)
            if (c.pc == pc)
                return (long long)c.cycle;
        return -1;
    }
};

void on_commit(void *user, const mpe_commit *c) {
    static_cast<Sim *>(user)->trace.push_back({c->cycle, c->unit, c->pc});
}

void run(Sim &r, mpe_codebuf &cb, const mpe_arch *arch = nullptr,
         uint64_t limit = 100000) {
    mpe_arch a;
    if (arch)
        a = *arch;
    else
        mpe_arch_default(&a);
    ASSERT_EQ(cb.err, MPE_OK) << cb.msg;
    ASSERT_EQ(mpe_accel_create(&a, &r.acc), MPE_OK);
    ASSERT_EQ(mpe_accel_load_code(r.acc, cb.code, cb.n), MPE_OK);
    mpe_accel_set_trace(r.acc, on_commit, &r);
    r.state = mpe_accel_run(r.acc, limit);
    mpe_cb_free(&cb);
}

mpe_pe_cfg mac8() {
    mpe_pe_cfg c = {};
    c.mode = MPE_MODE_MAC;
    c.a = mpe_dt_int(8);
    c.w = mpe_dt_int(8);
    return c;
}

// cfgpe, cfgout (int32, no requantization), cfggemm: dispatched in cycles
// 0, 1, 2; they execute (t_s = t_e) in cycles 1, 2, 3.
void configure(mpe_codebuf &cb, const mpe_pe_cfg &pe, uint32_t mt, uint32_t nt, uint32_t ks) {
    mpe_cb_cfgpe(&cb, 0, &pe);
    mpe_cb_cfgout(&cb, 0, MPE_RQ_NONE, MPE_OUT_INT32, 0, 0, INT32_MIN, INT32_MAX);
    uint32_t okt = (nt * 4 + 15) / 16;
    mpe_cb_cfggemm(&cb, 0, mt, nt, ks, ks, ks, okt);
}

// halt executes in cycle 0; cycle 1 finds the controller halted: end 1.
TEST(AccelTiming, HaltOnly) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.state, MPE_RUN_DONE);
    EXPECT_EQ(r.stats().cycles, 1u);
    ASSERT_EQ(r.trace.size(), 1u);
    EXPECT_EQ(r.trace[0].cycle, 0u);
}

// Scalar instructions take one cycle each: li 0, addi 1, dbnz 2 (r1 = 2,
// jump), addi 3, dbnz 4 (r1 = 1), addi 5, dbnz 6 (r1 = 0, falls through),
// halt 7: end 8, r2 = 3.
TEST(AccelTiming, ScalarLoop) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_cb_li(&cb, 1, 3);
    mpe_cb_addi(&cb, 2, 2, 1);
    mpe_cb_dbnz(&cb, 1, 1);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.stats().cycles, 8u);
    EXPECT_EQ(mpe_accel_reg(r.acc, 2), 3u);
    EXPECT_EQ(mpe_accel_reg(r.acc, 1), 0u);
    EXPECT_EQ(r.stats().insns[MPE_I_ADDI], 3u);
    EXPECT_EQ(r.stats().insns[MPE_I_DBNZ], 3u);
}

// load of n beats: dispatched in cycle 0, t_s = 1, beat b granted in 1 + b,
// the last (n - 1) granted in n and arriving in n + L = t_e; halt in cycle
// 1: end n + L + 1.
TEST(AccelTiming, LoadBeats) {
    for (uint32_t rows : {1u, 2u, 5u}) {
        for (uint32_t rb : {16u, 48u}) {
            mpe_codebuf cb;
            mpe_cb_init(&cb);
            mpe_cb_load(&cb, 0, MPE_SP_ASP, 0, 0, 0x1000, rows, rb, 256);
            mpe_cb_halt(&cb);
            Sim r;
            run(r, cb);
            uint32_t n = rows * rb / 16;
            EXPECT_EQ(r.done(0), (long long)(n + 16)) << rows << "x" << rb;
            EXPECT_EQ(r.stats().cycles, n + 17) << rows << "x" << rb;
            EXPECT_EQ(r.stats().unit_busy[MPE_UNIT_LOAD], n + 16);
            EXPECT_EQ(r.stats().beats_read, n);
        }
    }
}

// store of n beats: t_s = 1 reads beat 0 from the OSP, first request in 2,
// beats granted 2 .. n + 1 = t_e: end n + 2.
TEST(AccelTiming, StoreBeats) {
    for (uint32_t n : {1u, 3u, 8u}) {
        mpe_codebuf cb;
        mpe_cb_init(&cb);
        mpe_cb_store(&cb, 0, 0, 0, 0x2000, n, 16, 16);
        mpe_cb_halt(&cb);
        Sim r;
        run(r, cb);
        EXPECT_EQ(r.done(0), (long long)(n + 1));
        EXPECT_EQ(r.stats().cycles, n + 2);
        EXPECT_EQ(r.stats().beats_written, n);
    }
}

// load (4 beats) and store (4 beats) share the port. load: t_s = 1, beat 0
// granted in 1 (alone), beat 1 in 2 (the store started in 2 and requests
// from 3). Cycle 3: both request, load was granted last -> store beat 0;
// 4: load beat 2; 5: store beat 1; 6: load beat 3; 7: store beat 2;
// 8: store beat 3 (alone). load t_e = 6 + 16 = 22, store t_e = 8; end 23.
TEST(AccelTiming, PortRoundRobin) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_cb_load(&cb, 0, MPE_SP_ASP, 0, 0, 0x1000, 1, 64, 64);
    mpe_cb_store(&cb, 0, 0, 0, 0x2000, 1, 64, 64);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.done(0), 22);
    EXPECT_EQ(r.done(1), 8);
    EXPECT_EQ(r.stats().cycles, 23u);
    EXPECT_EQ(r.stats().port_stall[MPE_UNIT_LOAD], 2u);  // cycles 3, 5
    EXPECT_EQ(r.stats().port_stall[MPE_UNIT_STORE], 2u); // cycles 4, 6
}

// A load reads memory as of its grant cycle and writes the scratchpad in
// grant + L; the store writes memory when granted. The loaded beat must be
// the value before the store's write if granted first.
TEST(AccelTiming, DataMovesThroughScratchpads) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_cb_load(&cb, 0, MPE_SP_ASP, 32, 0, 0x1000, 2, 16, 32);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    uint8_t src[64], got[32];
    for (int i = 0; i < 64; i++)
        src[i] = (uint8_t)(i * 3 + 1);
    // reload with data: the run above had zeros; write memory and rerun
    ASSERT_EQ(mpe_accel_mem_write(r.acc, 0x1000, src, 64), MPE_OK);
    mpe_accel_reset(r.acc);
    EXPECT_EQ(mpe_accel_run(r.acc, 1000), MPE_RUN_DONE);
    ASSERT_EQ(mpe_accel_sp_read(r.acc, MPE_SP_ASP, 32, got, 32), MPE_OK);
    for (int i = 0; i < 16; i++) {
        EXPECT_EQ(got[i], src[i]);           // row 0: memory 0x1000..
        EXPECT_EQ(got[16 + i], src[32 + i]); // row 1: stride 32
    }
}

// cfgs execute in 1, 2, 3; matmul dispatched in 3, t_s = 4 fetches op 0,
// op 0 occupies 5 (1 cycle), h = 6, drain 6..9 = t_e; halt in 4: end 10.
TEST(AccelTiming, MatmulOneOp) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    configure(cb, mac8(), 1, 1, 1);
    mpe_cb_matmul(&cb, 0, 0, 0, 0, 0, 0);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.done(1), 2);
    EXPECT_EQ(r.done(2), 3);
    EXPECT_EQ(r.done(3), 9);
    EXPECT_EQ(r.stats().cycles, 10u);
    EXPECT_EQ(r.stats().pe_busy, 1u);
    EXPECT_EQ(r.stats().macs, 256u);
    EXPECT_EQ(r.stats().unit_busy[MPE_UNIT_COMPUTE], 3u + 6u);
}

// mt = 2, nt = 2, ks = 3 (12 one-cycle ops). Tile 0: ops in 5, 6, 7, h0 = 8,
// drain 8..11. Tile 1: ops 8, 9, 10, h1 = max(11, 12) = 12, drain 12..15.
// Tile 2: ops 12..14, h2 = max(15, 16) = 16. Tile 3: ops 16..18, h3 = 20,
// drain 20..23 = t_e: end 24; three drain stalls of one cycle.
TEST(AccelTiming, MatmulDrainBound) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    configure(cb, mac8(), 2, 2, 3);
    mpe_cb_matmul(&cb, 0, 0, 0, 0, 0, 0);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.done(3), 23);
    EXPECT_EQ(r.stats().cycles, 24u);
    EXPECT_EQ(r.stats().pe_busy, 12u);
    EXPECT_EQ(r.stats().drain_stall, 3u);
}

// ks = 1, nt = 3: op 0 fetched 4, in 5, h0 = 6 (drain 6..9); op 1 fetched
// 5, in 6, h1 = max(7, 10) = 10; op 2 fetched 9, in 10, h2 = max(11, 14) =
// 14, drain 14..17 = t_e: end 18.
TEST(AccelTiming, MatmulOneStepTiles) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    configure(cb, mac8(), 1, 3, 1);
    mpe_cb_matmul(&cb, 0, 0, 0, 0, 0, 0);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.done(3), 17);
    EXPECT_EQ(r.stats().cycles, 18u);
    EXPECT_EQ(r.stats().drain_stall, 3u + 3u);
}

// Bit-serial int8 x int8: 8 cycles per op. mt = nt = 1, ks = 2: op 0 in
// 5..12, op 1 in 13..20, h = 21, drain 21..24 = t_e: end 25.
TEST(AccelTiming, MatmulMultiCycleOps) {
    mpe_pe_cfg c = mac8();
    c.mode = MPE_MODE_BITSERIAL;
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    configure(cb, c, 1, 1, 2);
    mpe_cb_matmul(&cb, 0, 0, 0, 0, 0, 0);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.done(3), 24);
    EXPECT_EQ(r.stats().cycles, 25u);
    EXPECT_EQ(r.stats().pe_busy, 16u);
}

// Both-serial int4 x int3 activations/weights: 4 * 3 = 12 cycles per op;
// one op in 5..16, h = 17, drain 17..20: end 21.
TEST(AccelTiming, MatmulBothSerial) {
    mpe_pe_cfg c = {};
    c.mode = MPE_MODE_BITSERIAL;
    c.a = mpe_dt_int(4);
    c.w = mpe_dt_int(3);
    c.both_serial = 1;
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    configure(cb, c, 1, 1, 1);
    mpe_cb_matmul(&cb, 0, 0, 0, 0, 0, 0);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.stats().cycles, 21u);
    EXPECT_EQ(r.stats().pe_busy, 12u);
}

// load (1 beat, push_next L2C) and matmul (pop_prev): cfgs in 1..3, load
// dispatched in 3, t_s = 4, granted 4, t_e = 20 (token visible in 21);
// matmul dispatched in 4, waits 5..20, t_s = 21, op in 22, h = 23, drain
// 23..26: end 27. Compute token stall: 16 cycles.
TEST(AccelTiming, TokenLoadToCompute) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    configure(cb, mac8(), 1, 1, 1);
    mpe_cb_load(&cb, PUSH_NEXT, MPE_SP_ASP, 0, 0, 0x1000, 1, 16, 16);
    mpe_cb_matmul(&cb, POP_PREV, 0, 0, 0, 0, 0);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.done(3), 20);
    EXPECT_EQ(r.done(4), 26);
    EXPECT_EQ(r.stats().cycles, 27u);
    EXPECT_EQ(r.stats().token_stall[MPE_UNIT_COMPUTE], 16u);
    EXPECT_EQ(mpe_accel_tokens(r.acc, MPE_TOK_L2C), 0);
}

// matmul (push_next C2S) then store (pop_prev): matmul t_e = 9 (as in
// MatmulOneOp), token visible in 10: store t_s = 10, request 11 = t_e;
// end 12.
TEST(AccelTiming, TokenComputeToStore) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    configure(cb, mac8(), 1, 1, 1);
    mpe_cb_matmul(&cb, PUSH_NEXT, 0, 0, 0, 0, 0);
    mpe_cb_store(&cb, POP_PREV, 0, 0, 0x2000, 1, 16, 16);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.done(3), 9);
    EXPECT_EQ(r.done(4), 11);
    EXPECT_EQ(r.stats().cycles, 12u);
}

// Ten 1-beat loads: load k runs 1 + 17k .. 17 + 17k. load k is dispatched
// in cycle k while the occupancy at the start of k (k - 1 for k >= 2) is
// below 8: loads 0..8 in cycles 0..8; load 9 stalls in 9..18 (occupancy 8
// until load 1 starts in 18) and is dispatched in 19; halt in 20. load 9
// ends in 17 + 153 = 170: end 171.
TEST(AccelTiming, QueueFullStalls) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    for (int k = 0; k < 10; k++)
        mpe_cb_load(&cb, 0, MPE_SP_ASP, 16 * k, 0, 0x1000, 1, 16, 16);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.stats().ctrl_stall_queue, 10u);
    EXPECT_EQ(r.done(9), 170);
    EXPECT_EQ(r.done(10), 20); // the halt
    EXPECT_EQ(r.stats().cycles, 171u);
}

// sync waits for every queue and unit: load 1..17; sync stalls in 1..17
// and executes in 18; nop 19; halt 20: end 21.
TEST(AccelTiming, SyncWaits) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_cb_load(&cb, 0, MPE_SP_ASP, 0, 0, 0x1000, 1, 16, 16);
    mpe_cb_sync(&cb);
    mpe_cb_nop(&cb);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    EXPECT_EQ(r.done(1), 18);
    EXPECT_EQ(r.stats().ctrl_stall_sync, 17u);
    EXPECT_EQ(r.stats().cycles, 21u);
}

// Commit order inside one cycle: controller, load, compute, store.
TEST(AccelTiming, CommitOrderWithinCycle) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    configure(cb, mac8(), 1, 1, 1);
    mpe_cb_halt(&cb);
    Sim r;
    run(r, cb);
    // cycle 1: controller dispatches cfggemm (no commit) while cfgpe executes
    ASSERT_GE(r.trace.size(), 4u);
    for (size_t i = 1; i < r.trace.size(); i++)
        EXPECT_TRUE(r.trace[i - 1].cycle < r.trace[i].cycle ||
                    (r.trace[i - 1].cycle == r.trace[i].cycle &&
                     r.trace[i - 1].unit < r.trace[i].unit));
}

// step() and run() agree cycle for cycle.
TEST(AccelTiming, StepEqualsRun) {
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    configure(cb, mac8(), 2, 2, 3);
    mpe_cb_load(&cb, PUSH_NEXT, MPE_SP_ASP, 0, 0, 0x1000, 3, 32, 48);
    mpe_cb_matmul(&cb, POP_PREV | PUSH_NEXT, 0, 0, 0, 0, 0);
    mpe_cb_store(&cb, POP_PREV, 0, 0, 0x2000, 2, 32, 64);
    mpe_cb_halt(&cb);
    mpe_arch a;
    mpe_arch_default(&a);
    mpe_accel *acc;
    ASSERT_EQ(mpe_accel_create(&a, &acc), MPE_OK);
    ASSERT_EQ(mpe_accel_load_code(acc, cb.code, cb.n), MPE_OK);
    uint64_t steps = 0;
    while (mpe_accel_step(acc) == MPE_RUN_RUNNING)
        steps++;
    uint64_t stepped = mpe_accel_stats_get(acc)->cycles;
    EXPECT_EQ(steps, stepped);
    mpe_accel_reset(acc);
    EXPECT_EQ(mpe_accel_run(acc, 0), MPE_RUN_DONE);
    EXPECT_EQ(mpe_accel_stats_get(acc)->cycles, stepped);
    // a cycle limit stops the run and it can continue
    mpe_accel_reset(acc);
    EXPECT_EQ(mpe_accel_run(acc, 10), MPE_RUN_LIMIT);
    EXPECT_EQ(mpe_accel_cycle(acc), 10u);
    EXPECT_EQ(mpe_accel_run(acc, 0), MPE_RUN_DONE);
    EXPECT_EQ(mpe_accel_stats_get(acc)->cycles, stepped);
    mpe_accel_destroy(acc);
    mpe_cb_free(&cb);
}

} // namespace
