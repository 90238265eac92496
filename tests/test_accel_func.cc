// Functional results of the accelerator model: random legal programs
// (mpe/progen.h) against the independent reference (each job's GEMM from its
// data with mpe_gemm_fast/structural and the output stage, no scratchpads or
// timing), the fast and structural PE paths against each other, known
// answers, and the GEMM program builder.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "mpe/accel.h"
#include "mpe/codebuf.h"
#include "mpe/gemmprog.h"
#include "mpe/outstage.h"
#include "mpe/progen.h"
}

namespace {

struct Loaded {
    mpe_accel *acc = nullptr;
    ~Loaded() { mpe_accel_destroy(acc); }
};

void load(Loaded &l, const mpe_program &p, mpe_pe_path path = MPE_PE_PATH_FAST) {
    ASSERT_EQ(mpe_accel_create(&p.arch, &l.acc), MPE_OK);
    mpe_accel_set_pe_path(l.acc, path);
    ASSERT_EQ(mpe_accel_load_code(l.acc, p.code, p.ninsns), MPE_OK);
    for (size_t i = 0; i < p.ndata; i++)
        ASSERT_EQ(mpe_accel_mem_write(l.acc, p.data[i].addr, p.data[i].bytes, p.data[i].len),
                  MPE_OK);
}

// Runs a generated program and compares every job with the reference.
void check_program(const mpe_arch &ar, const mpe_pg &pg, const std::string &what) {
    Loaded l;
    load(l, pg.prog);
    mpe_run_state st = mpe_accel_run(l.acc, 50000000);
    ASSERT_EQ(st, MPE_RUN_DONE) << what << ": " << mpe_accel_trap(l.acc)->msg;
    for (int k = 0; k < MPE_TOK_COUNT; k++)
        EXPECT_EQ(mpe_accel_tokens(l.acc, k), 0) << what << " token " << mpe_tok_name(k);
    for (size_t j = 0; j < pg.njobs; j++) {
        const mpe_pg_job &job = pg.jobs[j];
        size_t n = (size_t)job.rows * job.spec.N;
        std::vector<uint32_t> want(n), got(n);
        ASSERT_EQ(mpe_pg_expected(&ar, &job, 0, want.data()), MPE_OK);
        ASSERT_EQ(mpe_pg_actual(l.acc, &job, got.data()), MPE_OK);
        size_t bad = 0, first = 0;
        for (size_t i = 0; i < n; i++)
            if (want[i] != got[i] && !bad++)
                first = i;
        EXPECT_EQ(bad, 0u) << what << " job " << j << " (style " << job.style << ", "
                           << mpe_mode_name((mpe_mode)job.spec.pe.mode) << " "
                           << mpe_dt_name(job.spec.pe.a) << " x " << mpe_dt_name(job.spec.pe.w)
                           << ", out " << mpe_out_name(job.spec.out) << "): first at row "
                           << first / job.spec.N << " col " << first % job.spec.N << ": want 0x"
                           << std::hex << want[first] << " got 0x" << got[first];
    }
}

class RandomPrograms : public ::testing::TestWithParam<int> {};

// Random legal programs of every style: results equal the reference, and
// every token counter ends at 0 (the generator keeps pushes and pops paired).
TEST_P(RandomPrograms, MatchReference) {
    int mode = GetParam();
    mpe_arch ar;
    mpe_arch_default(&ar);
    for (uint64_t seed = 1; seed <= 12; seed++) {
        mpe_pg pg;
        char err[256] = "";
        ASSERT_EQ(mpe_progen(&ar, seed, mode, &pg, err, sizeof err), MPE_OK) << err;
        check_program(ar, pg, std::string("mode ") + mpe_pg_mode_name(mode) + " seed " +
                                  std::to_string(seed));
        mpe_pg_free(&pg);
    }
}

INSTANTIATE_TEST_SUITE_P(Accel, RandomPrograms,
                         ::testing::Values(MPE_PG_MIXED, MPE_PG_SYNC, MPE_PG_DOUBLE,
                                           MPE_PG_TOKENS, MPE_PG_LOOP),
                         [](const ::testing::TestParamInfo<int> &i) {
                             return std::string(mpe_pg_mode_name(i.param));
                         });

// A non-default architecture (2 x 8 PEs of 32 lanes, 32-byte beats, short
// latency, shallow queues).
TEST(AccelFunc, OtherArchitecture) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    ar.rows = 2;
    ar.cols = 8;
    ar.lanes = 32;
    ar.beat_bytes = 32;
    ar.mem_latency = 3;
    ar.queue_depth = 2;
    for (uint64_t seed = 100; seed < 106; seed++) {
        mpe_pg pg;
        char err[256] = "";
        ASSERT_EQ(mpe_progen(&ar, seed, MPE_PG_MIXED, &pg, err, sizeof err), MPE_OK) << err;
        check_program(ar, pg, "arch 2x8x32 seed " + std::to_string(seed));
        mpe_pg_free(&pg);
    }
}

// The structural path (mpe_pe_step per row and op) and the fast path
// (mpe_gemm_fast per tile) give the same memory and the same timing.
TEST(AccelFunc, FastEqualsStructural) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    for (uint64_t seed = 1; seed <= 10; seed++) {
        mpe_pg pg;
        char err[256] = "";
        ASSERT_EQ(mpe_progen(&ar, seed * 7, MPE_PG_MIXED, &pg, err, sizeof err), MPE_OK);
        Loaded f, s;
        load(f, pg.prog, MPE_PE_PATH_FAST);
        load(s, pg.prog, MPE_PE_PATH_STRUCT);
        ASSERT_EQ(mpe_accel_run(f.acc, 0), MPE_RUN_DONE);
        ASSERT_EQ(mpe_accel_run(s.acc, 0), MPE_RUN_DONE);
        EXPECT_EQ(memcmp(mpe_accel_stats_get(f.acc), mpe_accel_stats_get(s.acc),
                         sizeof(mpe_accel_stats)),
                  0)
            << "seed " << seed * 7;
        for (size_t j = 0; j < pg.njobs; j++) {
            const mpe_pg_job &job = pg.jobs[j];
            size_t n = (size_t)job.rows * job.spec.N;
            std::vector<uint32_t> a(n), b(n);
            mpe_pg_actual(f.acc, &job, a.data());
            mpe_pg_actual(s.acc, &job, b.data());
            EXPECT_EQ(a, b) << "seed " << seed * 7 << " job " << j;
        }
        mpe_pg_free(&pg);
    }
}

// The reference itself: structural and fast GEMM agree on the jobs.
TEST(AccelFunc, ReferencePathsAgree) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    for (uint64_t seed = 1; seed <= 6; seed++) {
        mpe_pg pg;
        char err[256] = "";
        ASSERT_EQ(mpe_progen(&ar, seed, MPE_PG_DOUBLE, &pg, err, sizeof err), MPE_OK);
        for (size_t j = 0; j < pg.njobs; j++) {
            size_t n = (size_t)pg.jobs[j].rows * pg.jobs[j].spec.N;
            std::vector<uint32_t> a(n), b(n);
            ASSERT_EQ(mpe_pg_expected(&ar, &pg.jobs[j], 0, a.data()), MPE_OK);
            ASSERT_EQ(mpe_pg_expected(&ar, &pg.jobs[j], 1, b.data()), MPE_OK);
            EXPECT_EQ(a, b) << "seed " << seed << " job " << j;
        }
        mpe_pg_free(&pg);
    }
}

// Known answer, independent of the PE model: int8 weights W[n][k] = 1 if
// k == n else 0 make Y[m][n] = A[m][n] + bias[n] (int32, no requantization).
TEST(AccelFunc, IdentityWeightsKnownAnswer) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    const uint32_t M = 12, N = 32, K = 48;
    mpe_gemm_spec s = {};
    s.pe.mode = MPE_MODE_MAC;
    s.pe.a = mpe_dt_int(8);
    s.pe.w = mpe_dt_int(8);
    s.rq = MPE_RQ_NONE;
    s.out = MPE_OUT_INT32;
    s.bias = 1;
    s.lo = INT32_MIN;
    s.hi = INT32_MAX;
    s.M = M;
    s.N = N;
    s.K = K;
    s.a_addr = 0x10000;
    s.w_addr = 0x20000;
    s.o_addr = 0x30000;
    s.p_addr = 0x40000;
    s.mt = 2; // 2 blocks of 2 tile rows (the last one 1 row): partial blocks
    s.nt = 4;
    mpe_gemm_plan pl;
    char err[200];
    ASSERT_EQ(mpe_gemm_plan_make(&ar, &s, &pl, err, sizeof err), MPE_OK) << err;
    EXPECT_EQ(pl.nmm, 4u);
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_gemm_chain ch = {};
    ASSERT_EQ(mpe_gemm_emit(&ar, &s, &pl, &ch, 1, nullptr, &cb), MPE_OK);
    mpe_cb_halt(&cb);
    std::vector<uint32_t> A(M * K), W(N * K, 0), Y(M * N);
    for (uint32_t i = 0; i < M * K; i++)
        A[i] = (uint8_t)(i * 37 + 11);
    for (uint32_t n = 0; n < N; n++)
        W[n * K + n] = 1;
    std::vector<uint8_t> a(M * K), w(N * K), p(N * 16, 0), y(M * N * 4);
    mpe_tiled_pack(A.data(), M, K, ar.rows, ar.lanes, 8, a.data());
    mpe_tiled_pack(W.data(), N, K, ar.cols, ar.lanes, 8, w.data());
    for (uint32_t n = 0; n < N; n++) {
        int32_t b = (int32_t)n * 1000 - 7;
        memcpy(&p[n * 16], &b, 4);
    }
    Loaded l;
    ASSERT_EQ(mpe_accel_create(&ar, &l.acc), MPE_OK);
    ASSERT_EQ(mpe_accel_load_code(l.acc, cb.code, cb.n), MPE_OK);
    mpe_accel_mem_write(l.acc, s.a_addr, a.data(), a.size());
    mpe_accel_mem_write(l.acc, s.w_addr, w.data(), w.size());
    mpe_accel_mem_write(l.acc, s.p_addr, p.data(), p.size());
    ASSERT_EQ(mpe_accel_run(l.acc, 0), MPE_RUN_DONE) << mpe_accel_trap(l.acc)->msg;
    mpe_accel_mem_read(l.acc, s.o_addr, y.data(), y.size());
    mpe_tiled_unpack(y.data(), M, N, ar.rows, ar.lanes, 32, Y.data());
    for (uint32_t m = 0; m < M; m++)
        for (uint32_t n = 0; n < N; n++)
            ASSERT_EQ((int32_t)Y[m * N + n], (int8_t)A[m * K + n] + (int32_t)n * 1000 - 7)
                << "m " << m << " n " << n;
    mpe_cb_free(&cb);
}

// Every mode of the benchmark on a small GEMM, through mpe_progen_gemm.
struct ModeCase {
    const char *name;
    mpe_pe_cfg pe;
};

std::vector<ModeCase> bench_modes() {
    auto cfg = [](int mode, mpe_dtype a, mpe_dtype w, int group, int sfmt) {
        mpe_pe_cfg c = {};
        c.mode = (uint8_t)mode;
        c.a = a;
        c.w = w;
        c.group = (uint16_t)group;
        c.scale_fmt = (uint8_t)sfmt;
        return c;
    };
    mpe_dtype i8 = mpe_dt_int(8), i4 = mpe_dt_int(4), e4 = mpe_dt_fp(MPE_FMT_E4M3),
              f4 = mpe_dt_fp(MPE_FMT_E2M1);
    return {
        {"mac_int8", cfg(MPE_MODE_MAC, i8, i8, 0, 0)},
        {"lut_w1a8", cfg(MPE_MODE_LUT, i8, mpe_dt_binary(), 0, 0)},
        {"lut_w2a8", cfg(MPE_MODE_LUT, i8, mpe_dt_int(2), 0, 0)},
        {"lut_w4a8", cfg(MPE_MODE_LUT, i8, i4, 0, 0)},
        {"lut_ternary", cfg(MPE_MODE_LUT, i8, mpe_dt_ternary(), 0, 0)},
        {"shiftadd_pow2", cfg(MPE_MODE_SHIFTADD, i8, mpe_dt_pow2(), 0, 0)},
        {"shiftadd_int4_g32", cfg(MPE_MODE_SHIFTADD, i8, i4, 32, MPE_FMT_FP16)},
        {"bfp_mxfp8", cfg(MPE_MODE_BFP, e4, e4, 32, MPE_FMT_E8M0)},
        {"bfp_mxfp4", cfg(MPE_MODE_BFP, f4, f4, 32, MPE_FMT_E8M0)},
        {"bfp_nvfp4", cfg(MPE_MODE_BFP, f4, f4, 16, MPE_FMT_UE4M3)},
        {"bfp_mxint8", cfg(MPE_MODE_BFP, mpe_dt_bfpint(8), mpe_dt_bfpint(8), 32, MPE_FMT_E8M0)},
        {"bitserial_a8w8", cfg(MPE_MODE_BITSERIAL, i8, i8, 0, 0)},
        {"bitserial_a4w4", cfg(MPE_MODE_BITSERIAL, i4, i4, 0, 0)},
    };
}

mpe_gemm_spec spec_for(const mpe_pe_cfg &pe, uint32_t M, uint32_t N, uint32_t K) {
    mpe_gemm_spec s = {};
    s.pe = pe;
    s.rq = MPE_RQ_FLOAT;
    s.out = MPE_OUT_INT8;
    s.bias = 1;
    s.lo = INT32_MIN;
    s.hi = INT32_MAX;
    s.M = M;
    s.N = N;
    s.K = K;
    return s;
}

TEST(AccelFunc, EveryBenchModeSmall) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    for (const ModeCase &mc : bench_modes()) {
        ASSERT_EQ(mpe_pe_cfg_check(&mc.pe, (int)ar.lanes, nullptr, 0), MPE_OK) << mc.name;
        mpe_gemm_spec s = spec_for(mc.pe, 24, 48, 128);
        s.mt = 2;
        s.nt = 4;
        mpe_pg pg;
        char err[256] = "";
        ASSERT_EQ(mpe_progen_gemm(&ar, 5, &s, &pg, err, sizeof err), MPE_OK) << mc.name << err;
        check_program(ar, pg, mc.name);
        mpe_pg_free(&pg);
    }
}

// The same GEMM scheduled differently (loop orders, one or two buffers,
// block sizes, barriers instead of tokens) gives the same outputs.
TEST(AccelFunc, SchedulesAgree) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    mpe_pe_cfg pe = bench_modes()[7].pe; // mxfp8
    std::vector<uint32_t> first;
    struct V {
        uint8_t order, nbuf, sync;
        uint32_t mt, nt;
    } vs[] = {{0, 2, 0, 0, 0}, {1, 2, 0, 1, 4}, {2, 2, 0, 3, 8}, {1, 1, 0, 2, 4}, {0, 2, 1, 2, 4}};
    for (const V &v : vs) {
        mpe_gemm_spec s = spec_for(pe, 32, 64, 96);
        s.order = v.order;
        s.nbuf = v.nbuf;
        s.sync_only = v.sync;
        s.mt = v.mt;
        s.nt = v.nt;
        mpe_pg pg;
        char err[256] = "";
        ASSERT_EQ(mpe_progen_gemm(&ar, 9, &s, &pg, err, sizeof err), MPE_OK) << err;
        Loaded l;
        load(l, pg.prog);
        ASSERT_EQ(mpe_accel_run(l.acc, 0), MPE_RUN_DONE);
        std::vector<uint32_t> got(32 * 64);
        mpe_pg_actual(l.acc, &pg.jobs[0], got.data());
        if (first.empty())
            first = got;
        EXPECT_EQ(got, first) << "order " << (int)v.order << " nbuf " << (int)v.nbuf;
        mpe_pg_free(&pg);
    }
}

// The GEMM builder's plan for the benchmark shape, and its errors.
TEST(AccelFunc, GemmPlan) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    mpe_gemm_spec s = spec_for(bench_modes()[0].pe, 512, 512, 512);
    mpe_gemm_plan pl;
    char err[200] = "";
    ASSERT_EQ(mpe_gemm_plan_make(&ar, &s, &pl, err, sizeof err), MPE_OK) << err;
    EXPECT_EQ(pl.ks, 32u);
    EXPECT_EQ(pl.nmm, pl.mblocks * pl.nblocks);
    EXPECT_LE(pl.mt * pl.ks * pl.va, ar.asp_bytes / 2); // fits a partition
    EXPECT_LE(pl.nt * pl.ks * pl.vw, ar.wsp_bytes / 2);
    // the largest block: 16 tile rows x 32 k-steps x 64 B = 32 KB = half the ASP
    s.mt = 16;
    s.nt = 16;
    ASSERT_EQ(mpe_gemm_plan_make(&ar, &s, &pl, err, sizeof err), MPE_OK) << err;
    EXPECT_EQ(pl.nmm, 64u);
    EXPECT_EQ(pl.asp[1], 32768u);
    s.mt = 17; // does not fit
    EXPECT_EQ(mpe_gemm_plan_make(&ar, &s, &pl, err, sizeof err), MPE_ERR_SHAPE);
    s.mt = s.nt = 0;
    s.M = 510;
    EXPECT_EQ(mpe_gemm_plan_make(&ar, &s, &pl, err, sizeof err), MPE_ERR_SHAPE);
    EXPECT_NE(std::string(err).find("multiple"), std::string::npos) << err;
    s.M = 512;
    s.K = 32768; // one tile row (2048 k-steps x 64 B = 128 KB) exceeds an ASP partition
    EXPECT_EQ(mpe_gemm_plan_make(&ar, &s, &pl, err, sizeof err), MPE_ERR_SHAPE);
    s.K = 512;
    s.a_addr = 8;
    EXPECT_EQ(mpe_gemm_plan_make(&ar, &s, &pl, err, sizeof err), MPE_ERR_SHAPE);
    EXPECT_NE(std::string(err).find("beat"), std::string::npos) << err;
}

// Double buffering keeps the PE array busy: a 256^3 int8 GEMM above 95%.
TEST(AccelFunc, GemmUtilization) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    mpe_gemm_spec s = spec_for(bench_modes()[0].pe, 256, 256, 256);
    mpe_pg pg;
    char err[256] = "";
    ASSERT_EQ(mpe_progen_gemm(&ar, 1, &s, &pg, err, sizeof err), MPE_OK) << err;
    Loaded l;
    load(l, pg.prog);
    ASSERT_EQ(mpe_accel_run(l.acc, 0), MPE_RUN_DONE);
    const mpe_accel_stats *st = mpe_accel_stats_get(l.acc);
    EXPECT_EQ(st->pe_busy, 256u * 256 * 256 / 256);
    EXPECT_EQ(st->macs, 256ull * 256 * 256);
    EXPECT_GT(mpe_accel_utilization(st), 0.95);
    mpe_pg_free(&pg);
}

// The trace has one record per committed instruction.
TEST(AccelFunc, TraceCountsCommits) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    mpe_pg pg;
    char err[256] = "";
    ASSERT_EQ(mpe_progen(&ar, 3, MPE_PG_LOOP, &pg, err, sizeof err), MPE_OK);
    Loaded l;
    load(l, pg.prog);
    uint64_t n = 0;
    mpe_accel_set_trace(
        l.acc, [](void *u, const mpe_commit *) { ++*static_cast<uint64_t *>(u); }, &n);
    ASSERT_EQ(mpe_accel_run(l.acc, 0), MPE_RUN_DONE);
    uint64_t sum = 0;
    for (int i = 0; i < MPE_I_COUNT; i++)
        sum += mpe_accel_stats_get(l.acc)->insns[i];
    EXPECT_EQ(n, sum);
    EXPECT_GT(mpe_accel_stats_get(l.acc)->insns[MPE_I_DBNZ], 1u);
    mpe_pg_free(&pg);
}

// Generator misuse.
TEST(AccelFunc, ProgenErrors) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    mpe_pg pg;
    char err[256] = "";
    EXPECT_EQ(mpe_progen(&ar, 1, 99, &pg, err, sizeof err), MPE_ERR_ARG);
    EXPECT_NE(std::string(err).find("mode"), std::string::npos);
    int m = -1;
    EXPECT_EQ(mpe_pg_mode_parse("tokens", &m), 0);
    EXPECT_EQ(m, MPE_PG_TOKENS);
    EXPECT_EQ(mpe_pg_mode_parse("nope", &m), -1);
    mpe_gemm_spec s = spec_for(bench_modes()[0].pe, 6, 16, 16); // M not a multiple of R
    EXPECT_EQ(mpe_progen_gemm(&ar, 1, &s, &pg, err, sizeof err), MPE_ERR_SHAPE);
    EXPECT_NE(std::string(err).find("multiple"), std::string::npos) << err;
}

} // namespace

namespace {

// External memory through mpe_accel_set_mem: every beat is one callback in
// its grant cycle; results and timing equal the internal memory's.
struct ExtMem {
    std::vector<uint8_t> bytes;
    uint64_t reads = 0, writes = 0, last_cycle = 0;
    bool ordered = true;
    int64_t fail_at = -1;
};

mpe_status ext_read(void *u, uint64_t addr, void *dst, size_t len, uint64_t cycle) {
    ExtMem *m = static_cast<ExtMem *>(u);
    if (m->fail_at >= 0 && (int64_t)m->reads == m->fail_at)
        return MPE_ERR_IO;
    m->ordered = m->ordered && cycle >= m->last_cycle;
    m->last_cycle = cycle;
    memcpy(dst, m->bytes.data() + addr, len);
    m->reads++;
    return MPE_OK;
}

mpe_status ext_write(void *u, uint64_t addr, const void *src, size_t len, uint64_t cycle) {
    ExtMem *m = static_cast<ExtMem *>(u);
    m->ordered = m->ordered && cycle >= m->last_cycle;
    m->last_cycle = cycle;
    memcpy(m->bytes.data() + addr, src, len);
    m->writes++;
    return MPE_OK;
}

TEST(AccelFunc, ExternalMemoryHook) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    mpe_pg pg;
    char err[256] = "";
    ASSERT_EQ(mpe_progen(&ar, 21, MPE_PG_MIXED, &pg, err, sizeof err), MPE_OK) << err;
    Loaded in, ex;
    load(in, pg.prog);
    ASSERT_EQ(mpe_accel_run(in.acc, 0), MPE_RUN_DONE);
    ExtMem m;
    m.bytes.assign(ar.mem_bytes, 0);
    for (size_t i = 0; i < pg.prog.ndata; i++)
        memcpy(m.bytes.data() + pg.prog.data[i].addr, pg.prog.data[i].bytes, pg.prog.data[i].len);
    ASSERT_EQ(mpe_accel_create(&ar, &ex.acc), MPE_OK);
    ASSERT_EQ(mpe_accel_load_code(ex.acc, pg.prog.code, pg.prog.ninsns), MPE_OK);
    mpe_accel_mem hook = {&m, ext_read, ext_write};
    mpe_accel_set_mem(ex.acc, &hook);
    ASSERT_EQ(mpe_accel_run(ex.acc, 0), MPE_RUN_DONE) << mpe_accel_trap(ex.acc)->msg;
    const mpe_accel_stats *a = mpe_accel_stats_get(in.acc), *b = mpe_accel_stats_get(ex.acc);
    EXPECT_EQ(a->cycles, b->cycles);
    EXPECT_EQ(m.reads, b->beats_read);
    EXPECT_EQ(m.writes, b->beats_written);
    EXPECT_TRUE(m.ordered);
    for (size_t j = 0; j < pg.njobs; j++) {
        const mpe_pg_job &job = pg.jobs[j];
        size_t bytes = (size_t)job.rows * job.spec.N * mpe_out_bits(job.spec.out) / 8;
        std::vector<uint8_t> want(bytes);
        mpe_accel_mem_read(in.acc, job.spec.o_addr, want.data(), bytes);
        EXPECT_EQ(memcmp(want.data(), m.bytes.data() + job.spec.o_addr, bytes), 0) << "job " << j;
    }
    // a failing read stops the run with a bus trap at the load's pc
    ExtMem f;
    f.bytes.assign(ar.mem_bytes, 0);
    f.fail_at = 3;
    mpe_accel_mem bad = {&f, ext_read, ext_write};
    mpe_accel_reset(ex.acc);
    mpe_accel_set_mem(ex.acc, &bad);
    EXPECT_EQ(mpe_accel_run(ex.acc, 0), MPE_RUN_TRAP);
    EXPECT_EQ(mpe_accel_trap(ex.acc)->cause, MPE_TRAP_BUS);
    EXPECT_NE(std::string(mpe_accel_trap(ex.acc)->msg).find("load: memory read"),
              std::string::npos);
    mpe_accel_set_mem(ex.acc, nullptr); // back to the internal array
    mpe_accel_reset(ex.acc);
    EXPECT_EQ(mpe_accel_run(ex.acc, 0), MPE_RUN_DONE);
    mpe_pg_free(&pg);
}

} // namespace

namespace {

// Block strides larger than the loops (akt > ks, wkt > ks, okt > nt*C/K):
// operands placed directly in the scratchpads with gap vectors, outputs read
// from the OSP; the expected values are plain integer dot products.
TEST(AccelFunc, BlockStrides) {
    mpe_arch ar;
    mpe_arch_default(&ar);
    const uint32_t R = 4, C = 4, K = 16, mt = 2, nt = 4, ks = 2, akt = 3, wkt = 4, okt = 2;
    const uint32_t M = mt * R, N = nt * C, KT = ks * K;
    std::vector<int8_t> A(M * KT), W(N * KT);
    for (size_t i = 0; i < A.size(); i++)
        A[i] = (int8_t)(i * 29 + 7);
    for (size_t i = 0; i < W.size(); i++)
        W[i] = (int8_t)(i * 13 + 3);
    Loaded l;
    ASSERT_EQ(mpe_accel_create(&ar, &l.acc), MPE_OK);
    std::vector<uint8_t> asp(mt * akt * 64, 0xEE), wsp(nt * wkt * 64, 0xEE);
    for (uint32_t m = 0; m < M; m++)
        for (uint32_t k = 0; k < KT; k++) // vector i*akt + s, code r*K + lane
            asp[((m / R) * akt + k / K) * 64 + (m % R) * K + k % K] = (uint8_t)A[m * KT + k];
    for (uint32_t n = 0; n < N; n++)
        for (uint32_t k = 0; k < KT; k++)
            wsp[((n / C) * wkt + k / K) * 64 + (n % C) * K + k % K] = (uint8_t)W[n * KT + k];
    ASSERT_EQ(mpe_accel_sp_write(l.acc, MPE_SP_ASP, 128, asp.data(), asp.size()), MPE_OK);
    ASSERT_EQ(mpe_accel_sp_write(l.acc, MPE_SP_WSP, 0, wsp.data(), wsp.size()), MPE_OK);
    std::vector<uint8_t> osp(mt * okt * 256, 0x5A); // int32 outputs: 256-byte vectors
    ASSERT_EQ(mpe_accel_sp_write(l.acc, MPE_SP_OSP, 512, osp.data(), osp.size()), MPE_OK);
    mpe_codebuf cb;
    mpe_cb_init(&cb);
    mpe_pe_cfg pe = {};
    pe.mode = MPE_MODE_MAC;
    pe.a = mpe_dt_int(8);
    pe.w = mpe_dt_int(8);
    mpe_cb_cfgpe(&cb, 0, &pe);
    mpe_cb_cfgout(&cb, 0, MPE_RQ_NONE, MPE_OUT_INT32, 0, 0, INT32_MIN, INT32_MAX);
    mpe_cb_cfggemm(&cb, 0, mt, nt, ks, akt, wkt, okt);
    mpe_cb_matmul(&cb, 0, 128, 0, 512, 0, 0);
    mpe_cb_halt(&cb);
    ASSERT_EQ(mpe_accel_load_code(l.acc, cb.code, cb.n), MPE_OK);
    ASSERT_EQ(mpe_accel_run(l.acc, 0), MPE_RUN_DONE) << mpe_accel_trap(l.acc)->msg;
    ASSERT_EQ(mpe_accel_sp_read(l.acc, MPE_SP_OSP, 512, osp.data(), osp.size()), MPE_OK);
    for (uint32_t m = 0; m < M; m++) {
        for (uint32_t n = 0; n < N; n++) {
            int32_t want = 0, got;
            for (uint32_t k = 0; k < KT; k++)
                want += A[m * KT + k] * W[n * KT + k];
            memcpy(&got, &osp[(((m / R) * okt + n / K) * 64 + (m % R) * K + n % K) * 4], 4);
            ASSERT_EQ(got, want) << "m " << m << " n " << n;
        }
        // the second output vector of each row block is not written
        for (uint32_t b = 0; b < 256; b++)
            ASSERT_EQ(osp[((m / R) * okt + 1) * 256 + b], 0x5A);
    }
    mpe_cb_free(&cb);
}

} // namespace
