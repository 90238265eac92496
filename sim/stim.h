// Stimulus for the PE co-simulation: the legal configuration space (every
// mode x precision x format x signedness accepted by mpe_pe_cfg_check) grouped
// into coverage bins, and deterministic test cases: a case is a function of
// (seed, index) only, so any case can be re-run alone (--case N) and the case
// space can be split into shards.
#ifndef MPE_SIM_STIM_H
#define MPE_SIM_STIM_H

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "mpe/pe.h"
#include "mpe/rng.h"
}

namespace cosim {

#ifndef COSIM_LANES
#define COSIM_LANES 16
#endif
#ifndef COSIM_COLS
#define COSIM_COLS 4
#endif
#ifndef COSIM_LUT_PPC
#define COSIM_LUT_PPC 1
#endif
constexpr int kLanes = COSIM_LANES;
constexpr int kCols = COSIM_COLS;
constexpr int kLutPpc = COSIM_LUT_PPC;  // the RTL's LUT_PPC (LUT planes per cycle)

// The C-model PE of the co-simulated RTL: kLanes x kCols, LUT_PPC kLutPpc.
inline mpe_status pe_init(mpe_pe *pe, const mpe_pe_cfg *cfg) {
    mpe_status s = mpe_pe_init(pe, kLanes, kCols, cfg);
    return s == MPE_OK ? mpe_pe_set_lut_ppc(pe, kLutPpc) : s;
}
constexpr int kSlots = kLanes;  // scale slots per column the RTL carries

// splitmix64 (mpe/rng.h): small, fast, good enough for stimulus.
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    uint64_t next() { return mpe_splitmix64(&s); }
    uint32_t below(uint32_t n) { return mpe_rng_below(&s, n); }
    int range(int lo, int hi) { return lo + (int)below((uint32_t)(hi - lo + 1)); }
    bool chance(int num, int den) { return below((uint32_t)den) < (uint32_t)num; }
};

// Corner classes of a case (coverage columns).
enum Corner {
    C_RANDOM,   // uniformly random codes
    C_EXTREME,  // saturating extremes, max-magnitude accumulation
    C_ZERO,     // zero operands / zero blocks / negative zeros / zero scales
    C_TIE,      // FP32 rounding ties (conversion and addition)
    C_SPECIAL,  // NaN/inf elements, NaN/inf scales
    C_WRAP,     // int48 wrap-around
    C_MULTIOP,  // groups/blocks spanning several ops
    C_SWITCH,   // back-to-back mode switches
    C_RESET,    // reset in the middle of an op
    C_COUNT
};
extern const char *const kCornerName[C_COUNT];

struct Op {
    std::vector<uint16_t> a, w, as, ws;
    std::vector<int16_t> wz;
    uint8_t clear = 0;
    Op();
    mpe_pe_op view() const;
};

struct Seg {
    mpe_pe_cfg cfg;
    int bin;
    std::vector<Op> ops;
};

struct Case {
    uint64_t seed = 0;
    long index = 0;
    int bin = 0;
    int corner = C_RANDOM;
    std::vector<Seg> segs;
    // reset: asserted `reset_cycle` cycles after the accept of flat op
    // `reset_op` (that op is abandoned); the C model is re-initialised.
    int reset_op = -1;
    int reset_cycle = 0;
    // backdoor preload of the accumulators after reset, before the first op
    bool preload = false;
    uint64_t pre_acc[kCols] = {};
    uint32_t pre_facc[kCols] = {};
    long nops() const;
};

// A coverage bin: one mode and operand-type label, with its legal configs.
struct Bin {
    int mode;
    std::string label;
    std::vector<mpe_pe_cfg> cfgs;
    unsigned corners;  // corner classes this bin is expected to hit (bit mask)
};

class Space {
  public:
    Space();
    std::vector<Bin> bins;
    // Directed schedule: case index i < directed() is (bin, corner) pair i.
    long directed() const { return (long)pairs_.size(); }
    void pair(long i, int *bin, int *corner) const;
    long legal_configs() const { return nlegal_; }

  private:
    std::vector<std::pair<int, int>> pairs_;
    long nlegal_ = 0;
};

// Builds case `index` of run `seed`. Cases below sp.directed() follow the
// directed schedule; the rest are random.
Case make_case(const Space &sp, uint64_t seed, long index);
// The flat op list of a case: (segment, op) in issue order.
std::string cfg_str(const mpe_pe_cfg &c);
// Number of int-to-FP32 conversions with an exact half ulp to round in the
// in-op blocks of a case (a coverage measure for the tie class).
long conversion_ties(const Case &k);
bool cfg_float(const mpe_pe_cfg &c);

}  // namespace cosim

#endif
