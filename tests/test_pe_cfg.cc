// PE configuration and API: mode names, mpe_pe_cfg_check (every rejection
// class with its message), PE shapes, init/step errors, cycle counts per
// mode and precision, scale slots, accumulator read-out, mode switches.
// docs/numerics.md section 5.
#include "pe_test_util.h"

#include <set>

using namespace pet;

namespace {

TEST(PeCfg, ModeNamesRoundTrip) {
    for (int m = 0; m < MPE_MODE_COUNT; m++) {
        mpe_mode out = MPE_MODE_COUNT;
        ASSERT_EQ(mpe_mode_parse(mpe_mode_name((mpe_mode)m), &out), 0);
        EXPECT_EQ(out, m);
    }
    EXPECT_STREQ(mpe_mode_name(MPE_MODE_LUT), "lut");
    EXPECT_STREQ(mpe_mode_name(MPE_MODE_BITSERIAL), "bitserial");
    EXPECT_STREQ(mpe_mode_name((mpe_mode)9), "?");
    mpe_mode out;
    EXPECT_EQ(mpe_mode_parse("LUT", &out), -1);
    EXPECT_EQ(mpe_mode_parse("", &out), -1);
    EXPECT_EQ(mpe_mode_parse(nullptr, &out), -1);
}

std::string reject(const mpe_pe_cfg &c, int lanes, mpe_status want) {
    char msg[200] = "";
    EXPECT_EQ(mpe_pe_cfg_check(&c, lanes, msg, sizeof msg), want) << name(c);
    EXPECT_EQ(mpe_pe_cfg_check(&c, lanes, nullptr, 0), want);  // msg may be NULL
    return msg;
}

TEST(PeCfg, RejectionsWithMessages) {
    mpe_dtype i8 = mpe_dt_int(8), e4 = mpe_dt_fp(MPE_FMT_E4M3);
    EXPECT_EQ(reject(cfg_of(MPE_MODE_LUT, i8, mpe_dt_int(5)), 16, MPE_ERR_ARG),
              "lut: weights int5 not supported (uintB/intB with B = 1..4, binary, ternary)");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_MAC, mpe_dt_int(4), i8), 16, MPE_ERR_ARG),
              "mac: activations int4 not supported (int8, uint8)");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_LUT, mpe_dt_binary(), mpe_dt_int(2)), 16, MPE_ERR_ARG),
              "lut: activations binary not supported (intN/uintN, N = 1..16)");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_SHIFTADD, i8, mpe_dt_int(1)), 16, MPE_ERR_ARG),
              "shiftadd: weights int1 not supported (pow2, intB/uintB with B = 2..8)");
    const std::string elems = " (fp8_e4m3, fp8_e5m2, fp6_e3m2, fp6_e2m3, fp4_e2m1, bfpint4..8)";
    EXPECT_EQ(reject(cfg_of(MPE_MODE_BFP, i8, e4, 0, 32, MPE_FMT_E8M0), 16, MPE_ERR_ARG),
              "bfp: activations int8 not supported" + elems);
    EXPECT_EQ(reject(cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_FP16), e4, 0, 32, MPE_FMT_E8M0), 16,
                     MPE_ERR_ARG),
              "bfp: activations fp16 not supported" + elems);
    EXPECT_EQ(reject(cfg_of(MPE_MODE_BFP, e4, e4, 0, 6, MPE_FMT_E8M0), 16, MPE_ERR_SHAPE),
              "bfp: group 6 neither divides nor is a multiple of 16 lanes");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_BFP, e4, e4, 0, 0, MPE_FMT_E8M0), 16, MPE_ERR_SHAPE),
              "bfp: block size (group) must be >= 1");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_BFP, e4, e4, 0, 32, MPE_FMT_FP16), 16, MPE_ERR_ARG),
              "bfp: scale format must be e8m0 or ue4m3");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_BFP, e4, e4, 0, 8192, MPE_FMT_E8M0), 16, MPE_ERR_SHAPE),
              "bfp: group 8192 larger than 4096");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_SHIFTADD, i8, mpe_dt_int(4), 0, 32, MPE_FMT_E8M0), 16,
                     MPE_ERR_ARG),
              "shiftadd: group scales must be fp16");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_SHIFTADD, i8, mpe_dt_int(4), 0, 24, MPE_FMT_FP16), 16,
                     MPE_ERR_SHAPE),
              "shiftadd: group 24 neither divides nor is a multiple of 16 lanes");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_MAC, i8, i8, 0, 16), 16, MPE_ERR_ARG),
              "mac: group 16 given, the mode has no groups");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_LUT, i8, mpe_dt_int(2), 1), 16, MPE_ERR_ARG),
              "lut: both_serial is a bitserial option");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_BITSERIAL, i8, i8, 2), 16, MPE_ERR_ARG),
              "bitserial: both_serial must be 0 or 1");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_LUT, i8, mpe_dt_int(2)), 6, MPE_ERR_SHAPE),
              "lanes 6: must be a multiple of 4 in 4..64");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_LUT, i8, mpe_dt_int(2)), 68, MPE_ERR_SHAPE),
              "lanes 68: must be a multiple of 4 in 4..64");
    EXPECT_EQ(reject(cfg_of(MPE_MODE_LUT, i8, mpe_dt_int(2)), 0, MPE_ERR_SHAPE),
              "lanes 0: must be a multiple of 4 in 4..64");
    EXPECT_EQ(reject(cfg_of(7, i8, i8), 16, MPE_ERR_ARG), "unknown PE mode 7");
    mpe_dtype bad = {MPE_DT_INT, 0, 0};
    EXPECT_EQ(reject(cfg_of(MPE_MODE_BITSERIAL, bad, i8), 16, MPE_ERR_ARG),
              "bitserial: activations (malformed type) not supported (intN/uintN, N = 1..16)");
    mpe_dtype badfp = {MPE_DT_FP, 4, MPE_FMT_E4M3};  // bits do not match the format
    EXPECT_EQ(reject(cfg_of(MPE_MODE_BFP, e4, badfp, 0, 32, MPE_FMT_E8M0), 16, MPE_ERR_ARG),
              "bfp: weights (malformed type) not supported" + elems);
    char msg[200];
    EXPECT_EQ(mpe_pe_cfg_check(nullptr, 16, msg, sizeof msg), MPE_ERR_ARG);
    EXPECT_STREQ(msg, "no configuration");
    // a short buffer truncates, never overflows
    char tiny[8] = "xxxxxxx";
    mpe_pe_cfg c = cfg_of(MPE_MODE_LUT, i8, mpe_dt_int(5));
    EXPECT_EQ(mpe_pe_cfg_check(&c, 16, tiny, 6), MPE_ERR_ARG);
    EXPECT_STREQ(tiny, "lut: ");
}

TEST(PeCfg, Shapes) {
    char msg[100];
    EXPECT_EQ(mpe_pe_dims_check(16, 0, msg, sizeof msg), MPE_ERR_SHAPE);
    EXPECT_STREQ(msg, "cols 0: must be in 1..64");
    EXPECT_EQ(mpe_pe_dims_check(16, 65, msg, sizeof msg), MPE_ERR_SHAPE);
    EXPECT_EQ(mpe_pe_dims_check(-4, 1, msg, sizeof msg), MPE_ERR_SHAPE);
    EXPECT_EQ(mpe_pe_dims_check(4, 1, msg, sizeof msg), MPE_OK);
    EXPECT_EQ(mpe_pe_dims_check(64, 64, msg, sizeof msg), MPE_OK);
    mpe_pe pe;
    mpe_pe_cfg c = cfg_of(MPE_MODE_MAC, mpe_dt_int(8), mpe_dt_int(8));
    EXPECT_EQ(mpe_pe_init(&pe, 16, 0, &c), MPE_ERR_SHAPE);
    EXPECT_EQ(mpe_pe_init(&pe, 12, 65, &c), MPE_ERR_SHAPE);
    EXPECT_EQ(mpe_pe_init(&pe, 10, 4, &c), MPE_ERR_SHAPE);
    EXPECT_EQ(mpe_pe_init(nullptr, 16, 4, &c), MPE_ERR_ARG);
    EXPECT_EQ(mpe_pe_init(&pe, 16, 4, nullptr), MPE_ERR_ARG);
    mpe_pe_cfg l5 = cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_uint(5));
    EXPECT_EQ(mpe_pe_init(&pe, 16, 4, &l5), MPE_ERR_ARG);
    EXPECT_EQ(mpe_pe_init(&pe, 12, 3, &c), MPE_OK);
}

// The legal space for 16 lanes (the co-simulated PE): counts per mode.
TEST(PeCfg, LegalSpaceCounts) {
    std::vector<int> g = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256};
    EXPECT_EQ(legal(MPE_MODE_MAC, 16).size(), 4u);
    EXPECT_EQ(legal(MPE_MODE_LUT, 16).size(), 32u * 10);
    EXPECT_EQ(legal(MPE_MODE_SHIFTADD, 16).size(), 32u * 15);
    std::vector<int> g0 = g;
    g0.insert(g0.begin(), 0);
    // groups legal for 16 lanes: 1 2 4 8 16 32 48 64 128 256 (10), plus 0
    EXPECT_EQ(legal(MPE_MODE_SHIFTADD, 16, g0).size(), 32u * 15 * 11);
    EXPECT_EQ(legal(MPE_MODE_BFP, 16, g).size(), 10u * 10 * 10 * 2);
    EXPECT_EQ(legal(MPE_MODE_BITSERIAL, 16).size(), 32u * 32 * 2);
}

TEST(PeCfg, CyclesPerModeAndPrecision) {
    // docs/numerics.md section 5 table, for every legal configuration
    for (int lanes : {4, 16, 64}) {
        std::vector<int> g = {0, 1, 2, 4, 8, 16, 32, 64, 128};
        for (int mode = 0; mode < MPE_MODE_COUNT; mode++)
            for (const mpe_pe_cfg &c : legal(mode, lanes, mode == MPE_MODE_SHIFTADD || mode == MPE_MODE_BFP ? g : std::vector<int>{0})) {
                int closes = c.group && c.group < lanes ? lanes / c.group : 1;
                ASSERT_EQ(mpe_pe_op_cycles(&c, closes, 1), expected_cycles(c, lanes, true)) << name(c);
            }
    }
    // spot values
    mpe_dtype i8 = mpe_dt_int(8), i4 = mpe_dt_int(4), u16 = mpe_dt_uint(16);
    mpe_pe_cfg bs = cfg_of(MPE_MODE_BITSERIAL, i8, i8), both = cfg_of(MPE_MODE_BITSERIAL, i4, u16, 1);
    EXPECT_EQ(mpe_pe_op_cycles(&bs, 0, 1), 8);
    EXPECT_EQ(mpe_pe_op_cycles(&both, 0, 1), 64);
    mpe_pe_cfg tern = cfg_of(MPE_MODE_LUT, i8, mpe_dt_ternary());
    EXPECT_EQ(mpe_pe_op_cycles(&tern, 0, 1), 2);
    mpe_pe_cfg sa = cfg_of(MPE_MODE_SHIFTADD, i8, i4, 0, 4, MPE_FMT_FP16);
    EXPECT_EQ(mpe_pe_op_cycles(&sa, 4, 1), 4);
    EXPECT_EQ(mpe_pe_op_cycles(&sa, 0, 1), 1);
    // bit-serial cycles scale with the activation precision; both-serial Pa * Pw
    for (int pa = 1; pa <= 16; pa++)
        for (int pw = 1; pw <= 16; pw++) {
            mpe_pe_cfg a = cfg_of(MPE_MODE_BITSERIAL, mpe_dt_int(pa), mpe_dt_uint(pw));
            mpe_pe_cfg b = cfg_of(MPE_MODE_BITSERIAL, mpe_dt_int(pa), mpe_dt_uint(pw), 1);
            Pe p1(a, 4, 1), p2(b, 4, 1);
            uint16_t x[4] = {1, 2, 3, 4};
            ASSERT_EQ(p1.step(x, x, true), pa);
            ASSERT_EQ(p2.step(x, x, true), pa * pw);
            ASSERT_EQ(p2.step(x, x, false), pa * pw);
            EXPECT_EQ(p2.pe.cycles, 2u * pa * pw);
            EXPECT_EQ(p2.pe.ops, 2u);
        }
}

TEST(PeCfg, ScaleSlotsAndPlanes) {
    mpe_dtype i8 = mpe_dt_int(8), e4 = mpe_dt_fp(MPE_FMT_E4M3);
    mpe_pe_cfg b = cfg_of(MPE_MODE_BFP, e4, e4, 0, 4, MPE_FMT_E8M0);
    EXPECT_EQ(mpe_pe_scale_slots(&b, 16), 4);
    b.group = 16;
    EXPECT_EQ(mpe_pe_scale_slots(&b, 16), 1);
    b.group = 64;
    EXPECT_EQ(mpe_pe_scale_slots(&b, 16), 1);
    mpe_pe_cfg s = cfg_of(MPE_MODE_SHIFTADD, i8, mpe_dt_pow2());
    EXPECT_EQ(mpe_pe_scale_slots(&s, 16), 0);
    s.group = 1;
    s.scale_fmt = MPE_FMT_FP16;
    EXPECT_EQ(mpe_pe_scale_slots(&s, 16), 16);
    mpe_pe_cfg m = cfg_of(MPE_MODE_MAC, i8, i8);
    EXPECT_EQ(mpe_pe_scale_slots(&m, 16), 0);
    EXPECT_EQ(mpe_lut_planes(mpe_dt_binary()), 1);
    EXPECT_EQ(mpe_lut_planes(mpe_dt_ternary()), 2);
    EXPECT_EQ(mpe_lut_planes(mpe_dt_uint(3)), 3);
    EXPECT_EQ(mpe_lut_planes(mpe_dt_pow2()), 0);
    EXPECT_TRUE(mpe_pe_cfg_is_float(&b));
    EXPECT_TRUE(mpe_pe_cfg_is_float(&s));
    s.group = 0;
    EXPECT_FALSE(mpe_pe_cfg_is_float(&s));
    EXPECT_FALSE(mpe_pe_cfg_is_float(&m));
}

TEST(PeCfg, StepErrorsLeaveThePeUnchanged) {
    mpe_dtype e4 = mpe_dt_fp(MPE_FMT_E4M3);
    mpe_pe_cfg c = cfg_of(MPE_MODE_BFP, e4, e4, 0, 4, MPE_FMT_E8M0);
    mpe_pe pe;
    ASSERT_EQ(mpe_pe_init(&pe, 4, 1, &c), MPE_OK);
    uint16_t a[4] = {0x38, 0x38, 0x38, 0x38}, s = 127;
    mpe_pe_op ok = {a, a, &s, &s, nullptr, 1};
    ASSERT_EQ(mpe_pe_step(&pe, &ok, nullptr), MPE_OK);
    uint32_t before = pe.facc[0];
    EXPECT_EQ(before, 0x40800000u);  // 4.0
    mpe_pe_op no_a = ok, no_w = ok, no_as = ok, no_ws = ok;
    no_a.a = nullptr;
    no_w.w = nullptr;
    no_as.a_scale = nullptr;
    no_ws.w_scale = nullptr;
    int cyc = 5;
    EXPECT_EQ(mpe_pe_step(&pe, &no_a, &cyc), MPE_ERR_ARG);
    EXPECT_EQ(mpe_pe_step(&pe, &no_w, &cyc), MPE_ERR_ARG);
    EXPECT_EQ(mpe_pe_step(&pe, &no_as, &cyc), MPE_ERR_ARG);
    EXPECT_EQ(mpe_pe_step(&pe, &no_ws, &cyc), MPE_ERR_ARG);
    EXPECT_EQ(mpe_pe_step(&pe, nullptr, &cyc), MPE_ERR_ARG);
    EXPECT_EQ(mpe_pe_step(nullptr, &ok, &cyc), MPE_ERR_ARG);
    EXPECT_EQ(cyc, 5);
    EXPECT_EQ(pe.facc[0], before);
    EXPECT_EQ(pe.ops, 1u);
    // a configuration made illegal between ops is rejected
    pe.cfg.group = 3;
    EXPECT_EQ(mpe_pe_step(&pe, &ok, &cyc), MPE_ERR_SHAPE);
    pe.cfg.group = 4;
    pe.cols = 0;
    EXPECT_EQ(mpe_pe_step(&pe, &ok, &cyc), MPE_ERR_SHAPE);
    pe.cols = 1;
    EXPECT_EQ(mpe_pe_step(&pe, &ok, &cyc), MPE_OK);
    // grouped shift-add needs the FP16 scales; the activation scales and
    // zero points may be NULL
    mpe_pe_cfg sa = cfg_of(MPE_MODE_SHIFTADD, mpe_dt_int(8), mpe_dt_int(4), 0, 4, MPE_FMT_FP16);
    ASSERT_EQ(mpe_pe_init(&pe, 4, 1, &sa), MPE_OK);
    mpe_pe_op sop = {a, a, nullptr, nullptr, nullptr, 1};
    EXPECT_EQ(mpe_pe_step(&pe, &sop, &cyc), MPE_ERR_ARG);
    uint16_t one = 0x3C00;
    sop.w_scale = &one;
    EXPECT_EQ(mpe_pe_step(&pe, &sop, &cyc), MPE_OK);
}

TEST(PeCfg, AccumulatorReadOut) {
    mpe_pe_cfg c = cfg_of(MPE_MODE_MAC, mpe_dt_int(8), mpe_dt_int(8));
    mpe_pe pe;
    ASSERT_EQ(mpe_pe_init(&pe, 4, 3, &c), MPE_OK);
    pe.acc[0] = 0x800000000000ull;
    pe.acc[1] = 0x7FFFFFFFFFFFull;
    pe.acc[2] = 0xFFFFFFFFFFFFull;
    EXPECT_EQ(mpe_pe_acc_int(&pe, 0), -((int64_t)1 << 47));
    EXPECT_EQ(mpe_pe_acc_int(&pe, 1), ((int64_t)1 << 47) - 1);
    EXPECT_EQ(mpe_pe_acc_int(&pe, 2), -1);
    pe.facc[1] = 0xDEADBEEF;
    EXPECT_EQ(mpe_pe_acc_f32(&pe, 1), 0xDEADBEEFu);
}

// A caller may switch modes between ops (the RTL takes the configuration
// with every op): `clear` starts fresh, otherwise the int48 accumulator
// carries over. The FP32 accumulator is kept by integer modes and vice versa.
TEST(PeCfg, ModeSwitches) {
    mpe_pe_cfg mac = cfg_of(MPE_MODE_MAC, mpe_dt_int(8), mpe_dt_int(8));
    mpe_pe_cfg bs = cfg_of(MPE_MODE_BITSERIAL, mpe_dt_int(8), mpe_dt_int(8), 1);
    mpe_pe_cfg lut = cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_int(3));
    mpe_pe_cfg bfp = cfg_of(MPE_MODE_BFP, mpe_dt_bfpint(8), mpe_dt_bfpint(8), 0, 4, MPE_FMT_E8M0);
    Pe pe(mac, 4, 1);
    uint16_t a[4] = {1, 2, 3, 0xFF}, w[4] = {2, 2, 2, 2}, s = 127;  // dot 2 + 4 + 6 - 2 = 10
    pe.step(a, w, true);
    pe.pe.cfg = bs;
    pe.step(a, w, false);
    pe.pe.cfg = lut;
    pe.step(a, w, false);
    EXPECT_EQ(pe.acc(0), 30);
    pe.pe.cfg = bfp;  // 64 * 2 * 64 ... in units of 2^-12
    pe.step(a, w, false, &s, &s);
    EXPECT_EQ(pe.acc(0), 30);
    EXPECT_EQ(pe.facc(0), mpe_f32_bits(10.0f / 4096.0f));
    pe.pe.cfg = mac;
    pe.step(a, w, false);
    EXPECT_EQ(pe.acc(0), 40);
    EXPECT_EQ(pe.facc(0), mpe_f32_bits(10.0f / 4096.0f));
    pe.step(a, w, true);
    EXPECT_EQ(pe.acc(0), 10);
    EXPECT_EQ(pe.facc(0), 0u);
}

}  // namespace
