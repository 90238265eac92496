// Unit co-simulation of the shared int-to-FP32 + FP32 add unit (rtl/mpe_fpacc.v)
// against the C model's mpe_f32_from_int and mpe_f32_add (cmodel/numerics/fp32.c).
// usage: tb_fpacc [--seed S] [--n N]; last line "P passed, F failed".
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "Vmpe_fpacc.h"
#include "verilated.h"

extern "C" {
#include "mpe/fp32.h"
}

namespace {

struct Rng {
    uint64_t s;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

constexpr int kValW = 90;  // matches the VAL_W the harness builds with

void set_val(Vmpe_fpacc *m, __int128 v) {
    // 90-bit signed value: three 32-bit words, sign-extended
    unsigned __int128 u = (unsigned __int128)v;
    m->val_i[0] = (uint32_t)u;
    m->val_i[1] = (uint32_t)(u >> 32);
    m->val_i[2] = (uint32_t)(u >> 64) & ((1u << (kValW - 64)) - 1);
}

uint32_t rand_f32(Rng &r) {
    static const uint32_t special[] = {0, 0x80000000u, 0x7F800000u, 0xFF800000u,
                                       0x7FC00000u, 1, 0x80000001u, 0x007FFFFFu,
                                       0x00800000u, 0x7F7FFFFFu, 0xFF7FFFFFu,
                                       0x3F800000u, 0xBF800000u};
    switch (r.next() % 4) {
    case 0: return special[r.next() % (sizeof special / sizeof special[0])];
    case 1: return (uint32_t)r.next();
    default: {
        // moderate exponents so sums interact
        uint32_t e = 100 + (uint32_t)(r.next() % 60);
        return (uint32_t)(r.next() & 0x807FFFFFu) | (e << 23);
    }
    }
}

}  // namespace

int main(int argc, char **argv) {
    uint64_t seed = 1;
    long n = 200000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], nullptr, 0);
        else if (!strcmp(argv[i], "--n") && i + 1 < argc)
            n = strtol(argv[++i], nullptr, 0);
        else {
            fprintf(stderr, "usage: tb_fpacc [--seed S] [--n N]\n");
            return 2;
        }
    }
    VerilatedContext ctx;
    Vmpe_fpacc m(&ctx);
    Rng r{seed * 0x9E3779B97F4A7C15ull + 1};
    long pass = 0, fail = 0;
    for (long i = 0; i < n; i++) {
        uint32_t acc = rand_f32(r);
        int bits = 1 + (int)(r.next() % 88);
        __int128 v = ((__int128)r.next() << 64) | r.next();
        v >>= (128 - bits);  // signed value of `bits` bits
        if (r.next() % 8 == 0) v = (__int128)(r.next() % 5) - 2;
        int e = (int)(r.next() % 700) - 400;
        if (r.next() % 2) e = (int)(r.next() % 80) - 60;
        int cls = (r.next() % 10 == 0) ? 1 + (int)(r.next() % 3) : 0;
        m.acc_i = acc;
        m.cls_i = cls;
        set_val(&m, v);
        m.exp_i = (uint32_t)e & 0xFFF;
        m.eval();
        uint32_t val = cls == 1 ? MPE_F32_QNAN : cls == 2 ? MPE_F32_PINF
                     : cls == 3 ? MPE_F32_NINF : mpe_f32_from_int(v, e);
        uint32_t want = mpe_f32_add(acc, val);
        if (m.acc_o != want) {
            if (fail < 10)
                printf("MISMATCH seed %llu vector %ld: acc %08x cls %d v %lld(hi %lld) e %d: "
                       "rtl %08x model %08x\n",
                       (unsigned long long)seed, i, acc, cls, (long long)v,
                       (long long)(v >> 64), e, m.acc_o, want);
            fail++;
        } else {
            pass++;
        }
    }
    printf("fpacc: %ld vectors\n%d passed, %d failed\n", n, fail ? 0 : 1, fail ? 1 : 0);
    return fail ? 1 : 0;
}
