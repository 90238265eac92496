// Unit co-simulation of rtl/mpe_outstage.v against cmodel/pe/outstage.c: random
// and corner-case accumulators, records and configurations (every rq, output
// format, bias, ReLU, clamp), integer and FP32 accumulators. Only legal
// configurations (mpe_outcfg_check) are compared. Prints the seed on failure.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "Vmpe_outstage.h"
#include "verilated.h"

extern "C" {
#include "mpe/outstage.h"
#include "mpe/rng.h"
}

static uint64_t rng;
static uint64_t next_u64() { return mpe_splitmix64(&rng); }
static uint32_t pick(const uint32_t *v, size_t n) { return v[next_u64() % n]; }

static uint32_t rand_f32()
{
    static const uint32_t sp[] = {0, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u,
                                  0xFFC00001u, 1, 0x80000001u, 0x007FFFFFu, 0x00800000u,
                                  0x7F7FFFFFu, 0x3F800000u, 0x3F000000u, 0xBF000000u,
                                  0x47800000u, 0x477FF000u, 0x38800000u, 0x33800000u,
                                  0x33000000u, 0x37801485u, 0x3E37E181u};
    switch (next_u64() % 4) {
    case 0: return pick(sp, sizeof sp / sizeof sp[0]);
    case 1: return (uint32_t)next_u64();
    default: {
        // moderate exponents: the interesting range for requantization
        uint32_t e = 100 + (uint32_t)(next_u64() % 60);
        return (uint32_t)(next_u64() & 0x807FFFFFu) | (e << 23);
    }
    }
}

static int64_t rand_acc()
{
    int64_t v;
    switch (next_u64() % 5) {
    case 0: v = (int64_t)(next_u64() % 2001) - 1000; break;
    case 1: v = (int64_t)(next_u64() << 16) >> 16; break;          // full int48
    case 2: v = (int64_t)(next_u64() << 32) >> 32; break;          // int32 range
    case 3: {
        static const int64_t c[] = {0, 1, -1, INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1,
                                    (int64_t)INT32_MIN - 1, ((int64_t)1 << 47) - 1,
                                    -((int64_t)1 << 47), 1074478003};
        v = c[next_u64() % (sizeof c / sizeof c[0])];
        break;
    }
    default: v = (int64_t)(next_u64() << 40) >> 40; break;
    }
    return v;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, n = 200000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], nullptr, 0);
        else if (!strcmp(argv[i], "--n")) n = strtoull(argv[i + 1], nullptr, 0);
    }
    rng = seed;
    Verilated::commandArgs(1, argv);
    Vmpe_outstage m;
    uint64_t compared = 0, bad = 0;
    for (uint64_t it = 0; it < n && bad < 10; it++) {
        int acc_float = (int)(next_u64() & 1);
        int rq = (int)(next_u64() % 3), out = (int)(next_u64() % MPE_OUT_COUNT);
        mpe_outcfg c = mpe_outcfg_default(rq, out);
        c.has_bias = (uint8_t)(next_u64() & 1);
        c.relu = (uint8_t)(next_u64() & 1);
        if (next_u64() % 3 == 0) {
            c.lo = (int32_t)((int64_t)(next_u64() % 600) - 300);
            c.hi = c.lo + (int32_t)(next_u64() % 400);
        }
        c.bias = acc_float ? rand_f32() : (uint32_t)((int64_t)(next_u64() << 40) >> 40);
        if (next_u64() % 4 == 0) c.bias = (uint32_t)next_u64();
        int64_t qmin = 0, qmax = 0;
        if (rq == MPE_RQ_DYADIC) {
            c.mult = (uint32_t)next_u64();
            if (next_u64() & 1) c.mult = (1u << 30) | (c.mult & 0x3FFFFFFFu);
            if (next_u64() % 8 == 0) c.mult = 0x80000000u;
            c.shift = (int32_t)(next_u64() % 63) - 31;
        } else {
            c.mult = rand_f32();
        }
        if (mpe_out_range(out, &qmin, &qmax) == MPE_OK)
            c.zp = (int32_t)(qmin + (int64_t)(next_u64() % (uint64_t)(qmax - qmin + 1)));
        if (mpe_outcfg_check(&c, acc_float, nullptr, 0) != MPE_OK)
            continue;
        int64_t acc = rand_acc();
        uint32_t facc = rand_f32();
        uint32_t want = acc_float ? mpe_out_from_f32(&c, facc) : mpe_out_from_int(&c, acc);
        m.acc_float_i = acc_float;
        m.rq_i = rq;
        m.out_i = out;
        m.bias_en_i = c.has_bias;
        m.relu_i = c.relu;
        m.lo_i = (uint32_t)c.lo;
        m.hi_i = (uint32_t)c.hi;
        m.bias_i = c.bias;
        m.mult_i = c.mult;
        m.shift_i = (uint8_t)c.shift;
        m.zp_i = (uint32_t)c.zp;
        m.acc_i = (uint64_t)acc & 0xFFFFFFFFFFFFull;
        m.facc_i = facc;
        m.eval();
        compared++;
        if (m.code_o != want) {
            bad++;
            fprintf(stderr,
                    "MISMATCH seed %" PRIu64 " it %" PRIu64 ": accf=%d rq=%d out=%s bias=%d(0x%08x) "
                    "relu=%d lo=%d hi=%d mult=0x%08x shift=%d zp=%d acc=%" PRId64
                    " facc=0x%08x: rtl 0x%08x, cmodel 0x%08x\n",
                    seed, it, acc_float, rq, mpe_out_name(out), c.has_bias, c.bias, c.relu, c.lo,
                    c.hi, c.mult, c.shift, c.zp, acc, facc, m.code_o, want);
        }
    }
    m.final();
    printf("outstage: %" PRIu64 " vectors compared, %" PRIu64 " mismatches (seed %" PRIu64 ")\n",
           compared, bad, seed);
    return bad ? 1 : 0;
}
