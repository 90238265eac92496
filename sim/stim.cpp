// Stimulus generation for the PE co-simulation (see stim.h).
#include "stim.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

extern "C" {
#include "mpe/dtype.h"
#include "mpe/format.h"
#include "mpe/fp32.h"
}

namespace cosim {

const char *const kCornerName[C_COUNT] = {"random", "extreme", "zero",   "tie",  "special",
                                          "wrap",   "multiop", "switch", "reset"};

Op::Op() : a(kLanes), w(kCols * kLanes) {}

mpe_pe_op Op::view() const {
    mpe_pe_op o;
    o.a = a.data();
    o.w = w.data();
    o.a_scale = as.empty() ? nullptr : as.data();
    o.w_scale = ws.empty() ? nullptr : ws.data();
    o.w_zero = wz.empty() ? nullptr : wz.data();
    o.clear = clear;
    return o;
}

long Case::nops() const {
    long n = 0;
    for (const Seg &s : segs) n += (long)s.ops.size();
    return n;
}

bool cfg_float(const mpe_pe_cfg &c) { return mpe_pe_cfg_is_float(&c) != 0; }

std::string cfg_str(const mpe_pe_cfg &c) {
    char buf[160];
    const mpe_fmt_info *sf = mpe_fmt_get((mpe_fmt)c.scale_fmt);
    snprintf(buf, sizeof buf, "mode=%s a=%s w=%s both_serial=%d group=%d scale_fmt=%s",
             mpe_mode_name((mpe_mode)c.mode), mpe_dt_name(c.a), mpe_dt_name(c.w),
             c.both_serial, c.group, sf ? sf->name : "?");
    return buf;
}

// ------------------------------------------------------------------ space

namespace {

std::vector<mpe_dtype> all_types() {
    std::vector<mpe_dtype> t;
    for (int b = 1; b <= 16; b++) t.push_back(mpe_dt_int(b));
    for (int b = 1; b <= 16; b++) t.push_back(mpe_dt_uint(b));
    t.push_back(mpe_dt_binary());
    t.push_back(mpe_dt_ternary());
    t.push_back(mpe_dt_pow2());
    for (int b = 4; b <= 8; b++) t.push_back(mpe_dt_bfpint(b));
    for (int f = 0; f < MPE_FMT_COUNT; f++) t.push_back(mpe_dt_fp((mpe_fmt)f));
    return t;
}

const int kGroups[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256};

std::string bin_label(const mpe_pe_cfg &c) {
    std::string a = mpe_dt_name(c.a), w = mpe_dt_name(c.w);
    switch (c.mode) {
    case MPE_MODE_MAC: return "a=" + a + " w=" + w;
    case MPE_MODE_LUT: return "w=" + w;
    case MPE_MODE_SHIFTADD: return "w=" + w + (c.group ? " grouped" : " int");
    case MPE_MODE_BFP: {
        const mpe_fmt_info *sf = mpe_fmt_get((mpe_fmt)c.scale_fmt);
        return "a=" + a + " w=" + w + " " + (sf ? sf->name : "?");
    }
    case MPE_MODE_BITSERIAL: return "a=" + a + (c.both_serial ? " both" : " serial");
    default: return "?";
    }
}

unsigned corners_for(const Bin &b) {
    unsigned m = (1u << C_RANDOM) | (1u << C_EXTREME) | (1u << C_ZERO) | (1u << C_SWITCH) |
                 (1u << C_RESET);
    bool fl = cfg_float(b.cfgs[0]);
    if (fl) {
        m |= (1u << C_SPECIAL) | (1u << C_TIE);
        for (const mpe_pe_cfg &c : b.cfgs)
            if (c.group > kLanes) m |= 1u << C_MULTIOP;
    } else {
        m |= 1u << C_WRAP;
    }
    return m;
}

}  // namespace

Space::Space() {
    std::vector<mpe_dtype> types = all_types();
    std::vector<mpe_pe_cfg> legal;
    for (int mode = 0; mode < MPE_MODE_COUNT; mode++)
        for (const mpe_dtype &a : types)
            for (const mpe_dtype &w : types) {
                std::vector<int> boths = {0}, groups = {0}, scales = {0};
                if (mode == MPE_MODE_BITSERIAL) boths = {0, 1};
                if (mode == MPE_MODE_SHIFTADD || mode == MPE_MODE_BFP) {
                    groups.assign(std::begin(kGroups), std::end(kGroups));
                    if (mode == MPE_MODE_SHIFTADD) groups.insert(groups.begin(), 0);
                }
                if (mode == MPE_MODE_BFP) {
                    scales.clear();
                    for (int f = 0; f < MPE_FMT_COUNT; f++) scales.push_back(f);
                }
                if (mode == MPE_MODE_SHIFTADD) scales = {MPE_FMT_FP16, 0};
                for (int both : boths)
                    for (int g : groups) {
                        for (int s : scales) {
                            mpe_pe_cfg c;
                            memset(&c, 0, sizeof c);
                            c.mode = (uint8_t)mode;
                            c.a = a;
                            c.w = w;
                            c.both_serial = (uint8_t)both;
                            c.group = (uint16_t)g;
                            c.scale_fmt = (uint8_t)s;
                            if (mpe_pe_cfg_check(&c, kLanes, nullptr, 0) == MPE_OK) {
                                legal.push_back(c);
                                if (mode == MPE_MODE_SHIFTADD) break;  // one scale format
                            }
                        }
                    }
            }
    nlegal_ = (long)legal.size();
    for (const mpe_pe_cfg &c : legal) {
        std::string l = bin_label(c);
        auto it = std::find_if(bins.begin(), bins.end(), [&](const Bin &b) {
            return b.mode == c.mode && b.label == l;
        });
        if (it == bins.end()) {
            bins.push_back(Bin{c.mode, l, {}, 0});
            it = bins.end() - 1;
        }
        it->cfgs.push_back(c);
    }
    for (Bin &b : bins) b.corners = corners_for(b);
    for (int c = 0; c < C_COUNT; c++)
        for (int b = 0; b < (int)bins.size(); b++)
            if (bins[b].corners & (1u << c)) pairs_.push_back({b, c});
}

void Space::pair(long i, int *bin, int *corner) const {
    *bin = pairs_[(size_t)i].first;
    *corner = pairs_[(size_t)i].second;
}

// ------------------------------------------------------------------ codes

namespace {

int64_t int_lo(mpe_dtype t) {
    switch (t.kind) {
    case MPE_DT_INT:
    case MPE_DT_BFPINT: return -(int64_t(1) << (t.bits - 1));
    case MPE_DT_BINARY:
    case MPE_DT_TERNARY: return -1;
    case MPE_DT_POW2: return -64;
    default: return 0;
    }
}

int64_t int_hi(mpe_dtype t) {
    switch (t.kind) {
    case MPE_DT_INT:
    case MPE_DT_BFPINT: return (int64_t(1) << (t.bits - 1)) - 1;
    case MPE_DT_UINT: return (int64_t(1) << t.bits) - 1;
    case MPE_DT_BINARY:
    case MPE_DT_TERNARY: return 1;
    case MPE_DT_POW2: return 64;
    default: return 0;
    }
}

// Code of integer value v (v in range) for integer-like kinds.
uint16_t int_code(mpe_dtype t, int64_t v) {
    switch (t.kind) {
    case MPE_DT_BINARY: return v > 0 ? 1 : 0;
    case MPE_DT_TERNARY: return v > 0 ? 1 : (v < 0 ? 3 : 0);
    case MPE_DT_POW2: {
        if (v == 0) return 0;
        uint64_t m = (uint64_t)(v < 0 ? -v : v);
        int e = 0;
        while ((1ull << e) < m) e++;
        return (uint16_t)((v < 0 ? 8 : 0) | (e + 1));
    }
    default: return (uint16_t)((uint64_t)v & mpe_dt_mask(t));
    }
}

bool fp_has_special(mpe_dtype t) {
    if (t.kind != MPE_DT_FP) return false;
    return mpe_fmt_get((mpe_fmt)t.fmt)->special != MPE_SPECIAL_NONE;
}

bool is_special_code(mpe_dtype t, uint32_t c) {
    if (t.kind != MPE_DT_FP) return false;
    return mpe_fp_is_nan((mpe_fmt)t.fmt, c) || mpe_fp_is_inf((mpe_fmt)t.fmt, c);
}

uint16_t rand_code(Rng &r, mpe_dtype t, bool special_ok) {
    for (;;) {
        uint16_t c = (uint16_t)(r.next() & mpe_dt_mask(t));
        if (special_ok || !is_special_code(t, c)) return c;
    }
}

uint16_t fp_max_code(mpe_dtype t, bool neg) {
    const mpe_fmt_info *fi = mpe_fmt_get((mpe_fmt)t.fmt);
    uint32_t c = mpe_fp_max_code((mpe_fmt)t.fmt);
    if (neg) c |= 1u << (fi->bits - 1);
    return (uint16_t)c;
}

// Extreme code: the value of largest magnitude with the requested sign.
uint16_t extreme_code(Rng &r, mpe_dtype t, bool neg) {
    if (t.kind == MPE_DT_FP) return fp_max_code(t, neg);
    int64_t v = neg ? int_lo(t) : int_hi(t);
    if (v == 0) v = int_hi(t);  // unsigned: the largest value
    (void)r;
    return int_code(t, v);
}

uint16_t zero_code(Rng &r, mpe_dtype t) {
    if (t.kind == MPE_DT_FP && r.chance(1, 2)) {
        const mpe_fmt_info *fi = mpe_fmt_get((mpe_fmt)t.fmt);
        return (uint16_t)(1u << (fi->bits - 1));  // negative zero
    }
    if (t.kind == MPE_DT_BINARY) return (uint16_t)r.below(2);  // no zero: +-1
    return 0;
}

uint16_t special_code(Rng &r, mpe_dtype t) {
    const mpe_fmt_info *fi = mpe_fmt_get((mpe_fmt)t.fmt);
    uint16_t sign = (uint16_t)(r.chance(1, 2) ? 1u << (fi->bits - 1) : 0);
    uint32_t emax = ((1u << fi->ebits) - 1) << fi->mbits;
    if (fi->special == MPE_SPECIAL_IEEE) {
        if (r.chance(1, 2)) return (uint16_t)(sign | emax);  // inf
        return (uint16_t)(sign | emax | (1 + r.below((1u << fi->mbits) - 1)));
    }
    return (uint16_t)(sign | mpe_fp_nan_code((mpe_fmt)t.fmt));  // E4M3 NaN
}

// ---- scales
uint16_t e8m0_random(Rng &r) {
    if (r.chance(1, 8)) return (uint16_t)r.below(255);
    return (uint16_t)(127 + r.range(-24, 24));
}
uint16_t ue4m3_random(Rng &r) {
    uint16_t c = (uint16_t)r.below(0x7F);  // never the NaN code
    if (r.chance(1, 8)) c |= 0x80;         // the ignored sign bit
    return c;
}
uint16_t fp16_random(Rng &r) {
    uint16_t sign = (uint16_t)(r.chance(1, 4) ? 0x8000 : 0);
    if (r.chance(1, 8)) {
        for (;;) {
            uint16_t c = (uint16_t)r.next();
            if ((c & 0x7C00) != 0x7C00) return c;
        }
    }
    return (uint16_t)(sign | (r.range(5, 24) << 10) | r.below(1024));
}

struct Gen {
    Rng &r;
    const mpe_pe_cfg &c;
    int corner;
    int nslots;
    int pattern;  // per-op sub-pattern for extreme/zero/special
    // special pattern 2: a single lane carries the special (inf or NaN) on
    // one side (0 = activation, 1 = weight), so that inf x 0 = NaN in that
    // lane is not masked by a NaN or an inf - inf in another lane
    int one_lane = 0, one_side = 0;

    Gen(Rng &rr, const mpe_pe_cfg &cc, int corner_)
        : r(rr), c(cc), corner(corner_), nslots(mpe_pe_scale_slots(&cc, kLanes)), pattern(0) {}

    bool is_bfp() const { return c.mode == MPE_MODE_BFP; }
    bool is_grouped_sa() const { return c.mode == MPE_MODE_SHIFTADD && c.group; }

    // Codes use their low `bits` bits (pe.h): in some random ops the unused
    // high bits of the 16-bit code carry garbage.
    bool junk = false;
    uint16_t dirty(uint16_t code, mpe_dtype t) {
        if (!junk) return code;
        return (uint16_t)(code | ((uint16_t)r.next() & ~(uint16_t)mpe_dt_mask(t)));
    }

    uint16_t a_code(int k) { return dirty(a_code_clean(k), c.a); }
    uint16_t w_code(int k) { return dirty(w_code_clean(k), c.w); }

    uint16_t a_code_clean(int k) {
        switch (corner) {
        case C_EXTREME:
            if (pattern == 0) return extreme_code(r, c.a, false);
            if (pattern == 1) return extreme_code(r, c.a, true);
            return extreme_code(r, c.a, (k & 1) != 0);
        case C_WRAP: return extreme_code(r, c.a, pattern == 1);
        case C_ZERO:
            if (pattern == 0 || (pattern == 2 && r.chance(1, 2))) return zero_code(r, c.a);
            return rand_code(r, c.a, false);
        case C_SPECIAL:
            if (pattern == 2) {  // one special lane, on the activation side
                uint16_t code;
                if (k != one_lane) code = rand_code(r, c.a, false);
                else if (one_side == 0 && is_bfp() && fp_has_special(c.a)) code = special_code(r, c.a);
                else code = r.chance(1, 2) ? zero_code(r, c.a) : rand_code(r, c.a, false);
                // grouped shift-add: all activations zero, so every group product
                // v = P - z*S is 0 and an inf scale must give NaN (not inf); the
                // code is drawn anyway so that the random stream of later cases
                // does not change
                return is_grouped_sa() ? 0 : code;
            }
            if (is_bfp() && fp_has_special(c.a) && r.chance(1, 6)) return special_code(r, c.a);
            if (r.chance(1, 5)) return zero_code(r, c.a);
            return rand_code(r, c.a, false);
        default: return rand_code(r, c.a, false);
        }
    }

    uint16_t w_code_clean(int k) {
        switch (corner) {
        case C_EXTREME:
            if (pattern == 0) return extreme_code(r, c.w, false);
            if (pattern == 1) return extreme_code(r, c.w, false);
            return extreme_code(r, c.w, (k & 1) != 0);
        case C_WRAP: return extreme_code(r, c.w, false);
        case C_ZERO:
            if (pattern == 1 || (pattern == 2 && r.chance(1, 2))) return zero_code(r, c.w);
            return rand_code(r, c.w, false);
        case C_SPECIAL:
            if (pattern == 2) {  // the other operand of the special lane: often zero
                if (k != one_lane) return rand_code(r, c.w, false);
                if (one_side == 1 && is_bfp() && fp_has_special(c.w)) return special_code(r, c.w);
                return r.chance(1, 2) ? zero_code(r, c.w) : rand_code(r, c.w, false);
            }
            if (is_bfp() && fp_has_special(c.w) && r.chance(1, 6)) return special_code(r, c.w);
            if (r.chance(1, 5)) return zero_code(r, c.w);
            return rand_code(r, c.w, false);
        default: return rand_code(r, c.w, false);
        }
    }

    uint16_t a_scale() {
        bool ue = c.scale_fmt == MPE_FMT_UE4M3;
        switch (corner) {
        case C_EXTREME: return ue ? (pattern & 1 ? 0x01 : 0x7E) : (pattern & 1 ? 0 : 254);
        case C_ZERO:
            if (ue && r.chance(1, 3)) return 0;
            if (!ue && r.chance(1, 3)) return (uint16_t)r.below(6);  // tiny: -0 after rounding
            break;
        case C_SPECIAL:
            if (r.chance(1, 5)) return ue ? 0x7F : 0xFF;
            break;
        default: break;
        }
        return ue ? ue4m3_random(r) : e8m0_random(r);
    }

    uint16_t w_scale() {
        if (is_bfp()) return a_scale();
        switch (corner) {
        case C_EXTREME: return pattern & 1 ? 0x0001 : 0x7BFF;
        case C_ZERO:
            if (r.chance(1, 3)) return r.chance(1, 2) ? 0x8000 : 0x0000;
            break;
        case C_SPECIAL:
            if (r.chance(1, 3)) {
                switch (r.below(4)) {
                case 0: return 0x7C00;
                case 1: return 0xFC00;
                case 2: return 0x7E00;
                default: return (uint16_t)(0x7C01 + r.below(0x3FF));
                }
            }
            break;
        default: break;
        }
        return fp16_random(r);
    }

    int16_t w_zero() {
        if (corner == C_EXTREME) return pattern & 1 ? (int16_t)-32768 : (int16_t)32767;
        if (r.chance(1, 6)) return (int16_t)(uint16_t)r.next();
        int b = c.w.kind == MPE_DT_POW2 ? 4 : c.w.bits;
        return (int16_t)r.range(-(1 << (b - 1)), (1 << b) - 1);
    }

    void op(Op &o, bool scales_fresh, const Op *prev) {
        pattern = (int)r.below(3);
        if (corner == C_SPECIAL && pattern == 2) {
            one_lane = (int)r.below(kLanes);
            one_side = (int)r.below(2);
        }
        junk = corner == C_RANDOM && r.chance(1, 4);
        for (int k = 0; k < kLanes; k++) o.a[(size_t)k] = a_code(k);
        for (int col = 0; col < kCols; col++)
            for (int k = 0; k < kLanes; k++) o.w[(size_t)(col * kLanes + k)] = w_code(k);
        if (!nslots) return;
        o.as.assign((size_t)nslots, 0);
        o.ws.assign((size_t)(kCols * nslots), 0);
        o.wz.assign((size_t)(kCols * nslots), 0);
        if (!scales_fresh && prev && !prev->ws.empty()) {
            o.as = prev->as;
            o.ws = prev->ws;
            o.wz = prev->wz;
            return;
        }
        for (int s = 0; s < nslots; s++) o.as[(size_t)s] = is_bfp() ? a_scale() : 0;
        for (size_t i = 0; i < o.ws.size(); i++) {
            o.ws[i] = w_scale();
            if (is_bfp() && junk) o.ws[i] |= (uint16_t)(r.next() & 0xFF00);  // low 8 bits used
            o.wz[i] = is_grouped_sa() ? w_zero() : 0;
        }
    }
};

// ------------------------------------------------------------------ ties

int bitlen(unsigned __int128 v) {
    int n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}
int ctz128(unsigned __int128 v) {
    int n = 0;
    while (v && !(v & 1)) {
        n++;
        v >>= 1;
    }
    return n;
}

// True when rounding mag * 2^e to FP32 drops exactly one half ulp.
bool is_f32_tie(unsigned __int128 mag, int e) {
    if (!mag) return false;
    int len = bitlen(mag);
    if (e + len - 1 > 127) return false;  // overflows to inf
    int drop = std::max(len - 24, -149 - e);
    if (drop <= 0 || drop > 120) return false;
    unsigned __int128 rem = mag & (((unsigned __int128)1 << drop) - 1);
    return rem == (unsigned __int128)1 << (drop - 1);
}

// BFP element decode for stimulus shaping: value = sign * m * 2^e.
bool elem(mpe_dtype t, uint16_t code, int *sign, uint64_t *m, int *e) {
    if (t.kind == MPE_DT_BFPINT) {
        int32_t v = mpe_dt_int_value(t, code);
        *sign = v < 0;
        *m = (uint64_t)(v < 0 ? -v : v);
        *e = -(t.bits - 2);
        return true;
    }
    mpe_xval x = mpe_fp_unpack((mpe_fmt)t.fmt, code);
    if (x.cls == MPE_XV_NAN || x.cls == MPE_XV_INF) return false;
    *sign = x.sign;
    *m = x.cls == MPE_XV_ZERO ? 0 : x.mant;
    *e = x.exp;
    return true;
}

// Power-of-two element codes of a type (positive), with their exponents.
std::vector<std::pair<uint16_t, int>> pow2_codes(mpe_dtype t) {
    std::vector<std::pair<uint16_t, int>> v;
    uint32_t n = 1u << t.bits;
    for (uint32_t c = 0; c < n; c++) {
        int s, e;
        uint64_t m;
        if (!elem(t, (uint16_t)c, &s, &m, &e) || s || !m || (m & (m - 1))) continue;
        v.push_back({(uint16_t)c, e + ctz128(m)});
    }
    return v;
}

// Two-lane normal-range tie: terms 2^p and 2^(p-24) (+ 2^(p-23) for an odd
// kept part). Writes lanes k0..k0+2 of column col; false if impossible.
bool bfp_two_term_tie(Rng &r, const mpe_pe_cfg &c, Op &o, int k0, int col, bool first_col) {
    auto pa = pow2_codes(c.a), pw = pow2_codes(c.w);
    if (pa.empty() || pw.empty()) return false;
    // all product exponents
    std::vector<std::pair<int, int>> prods;  // (ia, iw)
    for (int i = 0; i < (int)pa.size(); i++)
        for (int j = 0; j < (int)pw.size(); j++) prods.push_back({i, j});
    // activation lanes are shared by the columns: the first column picks
    // them, later columns only choose weights.
    int tries = 64;
    while (tries--) {
        int ia0, iw0, ia1, iw1;
        if (first_col) {
            auto p0 = prods[r.below((uint32_t)prods.size())];
            ia0 = p0.first;
            iw0 = p0.second;
            ia1 = (int)r.below((uint32_t)pa.size());
        } else {
            ia0 = -1;
            ia1 = -1;
            for (int i = 0; i < (int)pa.size(); i++) {
                if (pa[(size_t)i].first == o.a[(size_t)k0]) ia0 = i;
                if (pa[(size_t)i].first == o.a[(size_t)k0 + 1]) ia1 = i;
            }
            if (ia0 < 0 || ia1 < 0) return false;
            iw0 = (int)r.below((uint32_t)pw.size());
        }
        int p = pa[(size_t)ia0].second + pw[(size_t)iw0].second;
        int want = p - 24 - pa[(size_t)ia1].second;
        iw1 = -1;
        for (int j = 0; j < (int)pw.size(); j++)
            if (pw[(size_t)j].second == want) iw1 = j;
        if (iw1 < 0) continue;
        o.a[(size_t)k0] = pa[(size_t)ia0].first;
        o.a[(size_t)k0 + 1] = pa[(size_t)ia1].first;
        o.w[(size_t)(col * kLanes + k0)] = pw[(size_t)iw0].first;
        o.w[(size_t)(col * kLanes + k0 + 1)] = pw[(size_t)iw1].first;
        return true;
    }
    return false;
}

// Exact block sum D of lanes [k0, k1) of column col and the exponent of its
// unit, relative to the format LSBs (as the PE computes it).
__int128 block_sum(const mpe_pe_cfg &c, const Op &o, int k0, int k1, int col, int *unit) {
    __int128 d = 0;
    int la, lw;
    // exponents of the formats' least significant bits
    la = c.a.kind == MPE_DT_BFPINT ? -(c.a.bits - 2)
                                   : 1 - mpe_fmt_get((mpe_fmt)c.a.fmt)->bias -
                                         mpe_fmt_get((mpe_fmt)c.a.fmt)->mbits;
    lw = c.w.kind == MPE_DT_BFPINT ? -(c.w.bits - 2)
                                   : 1 - mpe_fmt_get((mpe_fmt)c.w.fmt)->bias -
                                         mpe_fmt_get((mpe_fmt)c.w.fmt)->mbits;
    for (int k = k0; k < k1; k++) {
        int sa, ea, sw, ew;
        uint64_t ma, mw;
        if (!elem(c.a, o.a[(size_t)k], &sa, &ma, &ea)) continue;
        if (!elem(c.w, o.w[(size_t)(col * kLanes + k)], &sw, &mw, &ew)) continue;
        __int128 t = (__int128)(ma * mw) << ((ea - la) + (ew - lw));
        d += (sa ^ sw) ? -t : t;
    }
    *unit = la + lw;
    return d;
}

// Subnormal-route tie for e8m0 blocks: choose scale codes so that D*2^exp
// lands in the FP32 subnormal range with a remainder of exactly one half.
void bfp_subnormal_tie(Rng &r, const mpe_pe_cfg &c, Op &o, int slot, int k0, int k1) {
    // activation scale shared by the columns
    int ca = r.range(0, 60);
    o.as[(size_t)slot] = (uint16_t)ca;
    int nslots = (int)o.as.size();
    for (int col = 0; col < kCols; col++) {
        int unit;
        __int128 d = block_sum(c, o, k0, k1, col, &unit);
        if (d == 0) continue;
        unsigned __int128 u = (unsigned __int128)(d < 0 ? -d : d);
        int tz = ctz128(u);
        if (bitlen(u) - tz > 22) continue;  // would not stay subnormal
        // exp = unit + ca + cw - 254 = -150 - tz
        int cw = -150 - tz - unit - ca + 254;
        if (cw < 0 || cw > 254) continue;
        o.ws[(size_t)(col * nslots + slot)] = (uint16_t)cw;
    }
}

// Shift-add conversion tie: random lanes give P and S; the zero point
// makes |v| = |P - z S| large, then a search over the FP16 mantissas finds
// one whose product v * m_s has an exact half ulp below its 24 bits.
void sa_tie(Rng &r, const mpe_pe_cfg &c, Op &o, int slot, int k0, int k1) {
    int nslots = (int)o.as.size();
    for (int k = k0; k < k1; k++) o.a[(size_t)k] = rand_code(r, c.a, false);
    int64_t sum = 0;
    for (int k = k0; k < k1; k++) sum += mpe_dt_int_value(c.a, o.a[(size_t)k]);
    for (int col = 0; col < kCols; col++) {
        int64_t p = 0;
        for (int k = k0; k < k1; k++) {
            uint16_t q = rand_code(r, c.w, false);
            o.w[(size_t)(col * kLanes + k)] = q;
            p += (int64_t)mpe_dt_int_value(c.a, o.a[(size_t)k]) * mpe_dt_int_value(c.w, q);
        }
        int16_t z = 0;
        for (int t = 0; t < 8 && sum; t++) {  // a zero point that makes |v| >= 2^14
            int16_t zz = (int16_t)(uint16_t)r.next();
            int64_t v = p - (int64_t)zz * sum;
            if ((v < 0 ? -v : v) >= (1 << 14)) {
                z = zz;
                break;
            }
        }
        int64_t v = p - (int64_t)z * sum;
        uint64_t mag = (uint64_t)(v < 0 ? -v : v);
        int e16 = r.range(10, 20);  // FP16 exponent field: scale 2^-5 .. 2^5
        uint16_t code = (uint16_t)(e16 << 10);
        int start = (int)r.below(1024);
        for (int i = 0; i < 1024; i++) {
            uint32_t m = 1024 + (uint32_t)((start + i) & 1023);
            if (is_f32_tie((unsigned __int128)mag * m, e16 - 25)) {
                code = (uint16_t)((e16 << 10) | (m - 1024));
                break;
            }
        }
        if (r.chance(1, 4)) code |= 0x8000;
        o.wz[(size_t)(col * nslots + slot)] = z;
        o.ws[(size_t)(col * nslots + slot)] = code;
    }
}

// Tie ops for a float configuration: lanes of each block shaped so that the
// int-to-FP32 conversion meets a tie.
void tie_op(Rng &r, const mpe_pe_cfg &c, Op &o) {
    int g = c.group >= kLanes ? kLanes : c.group;
    int nblk = kLanes / g;
    for (size_t i = 0; i < o.a.size(); i++) o.a[i] = 0;
    for (size_t i = 0; i < o.w.size(); i++) o.w[i] = 0;
    for (int b = 0; b < nblk; b++) {
        int k0 = b * g, k1 = k0 + g;
        int slot = c.group >= kLanes ? 0 : b;
        if (c.mode == MPE_MODE_SHIFTADD) {
            sa_tie(r, c, o, slot, k0, k1);
            continue;
        }
        bool two = g >= 2 && r.chance(1, 2);
        bool done = false;
        if (two) {
            done = true;
            for (int col = 0; col < kCols && done; col++)
                done = bfp_two_term_tie(r, c, o, k0, col, col == 0);
        }
        if (!done) {
            for (int k = k0; k < k1; k++) o.a[(size_t)k] = r.chance(1, 2) ? rand_code(r, c.a, false) : 0;
            for (int col = 0; col < kCols; col++)
                for (int k = k0; k < k1; k++)
                    o.w[(size_t)(col * kLanes + k)] = r.chance(1, 2) ? rand_code(r, c.w, false) : 0;
            if (c.scale_fmt == MPE_FMT_E8M0) bfp_subnormal_tie(r, c, o, slot, k0, k1);
        }
    }
}

// Value of an op's first closed block in column col, as FP32 bits (for the
// add-tie preload); false when not finite/non-zero or not computable.
bool first_block_value(const mpe_pe_cfg &c, const Op &o, int col, uint32_t *bits) {
    int g = c.group >= kLanes ? kLanes : c.group;
    int nslots = (int)o.as.size();
    if (c.mode == MPE_MODE_BFP) {
        int unit;
        __int128 d = block_sum(c, o, 0, g, col, &unit);
        int e;
        if (c.scale_fmt == MPE_FMT_E8M0) {
            if (o.as[0] == 0xFF || o.ws[(size_t)(col * nslots)] == 0xFF) return false;
            e = unit + o.as[0] + o.ws[(size_t)(col * nslots)] - 254;
        } else {
            mpe_xval xa = mpe_fp_unpack(MPE_FMT_UE4M3, o.as[0]);
            mpe_xval xw = mpe_fp_unpack(MPE_FMT_UE4M3, o.ws[(size_t)(col * nslots)]);
            if (xa.cls == MPE_XV_NAN || xw.cls == MPE_XV_NAN) return false;
            d = d * (__int128)xa.mant * (__int128)xw.mant;
            e = unit + (xa.cls == MPE_XV_ZERO ? 0 : xa.exp) + (xw.cls == MPE_XV_ZERO ? 0 : xw.exp);
        }
        if (d == 0) return false;
        *bits = mpe_f32_from_int(d, e);
    } else {
        int64_t p = 0;
        for (int k = 0; k < g; k++)
            p += (int64_t)mpe_dt_int_value(c.a, o.a[(size_t)k]) *
                 mpe_dt_int_value(c.w, o.w[(size_t)(col * kLanes + k)]);
        int64_t s = 0;
        for (int k = 0; k < g; k++) s += mpe_dt_int_value(c.a, o.a[(size_t)k]);
        p -= (int64_t)o.wz[(size_t)(col * nslots)] * s;
        mpe_xval sc = mpe_fp_unpack(MPE_FMT_FP16, o.ws[(size_t)(col * nslots)]);
        if (p == 0 || sc.cls != MPE_XV_FINITE) return false;
        __int128 v = (__int128)p * (__int128)sc.mant;
        *bits = mpe_f32_from_int(sc.sign ? -v : v, sc.exp);
    }
    return (*bits & 0x7F800000u) != 0x7F800000u && (*bits & 0x7FFFFFFFu) != 0;
}

// ------------------------------------------------------------------ cases

int pick_corner(Rng &r, unsigned allowed) {
    static const int w[C_COUNT] = {55, 8, 7, 7, 7, 4, 6, 3, 3};
    int tot = 0;
    for (int c = 0; c < C_COUNT; c++)
        if (allowed & (1u << c)) tot += w[c];
    int x = (int)r.below((uint32_t)tot);
    for (int c = 0; c < C_COUNT; c++)
        if (allowed & (1u << c)) {
            if (x < w[c]) return c;
            x -= w[c];
        }
    return C_RANDOM;
}

int pick_bin(Rng &r, const Space &sp, int mode_not) {
    for (;;) {
        int mode = (int)r.below(MPE_MODE_COUNT);
        if (mode == mode_not) continue;
        std::vector<int> in;
        for (int b = 0; b < (int)sp.bins.size(); b++)
            if (sp.bins[(size_t)b].mode == mode) in.push_back(b);
        if (in.empty()) continue;
        return in[r.below((uint32_t)in.size())];
    }
}

const mpe_pe_cfg &pick_cfg(Rng &r, const Bin &b, bool want_multiop) {
    if (want_multiop) {
        std::vector<const mpe_pe_cfg *> m;
        for (const mpe_pe_cfg &c : b.cfgs)
            if (c.group > kLanes) m.push_back(&c);
        if (!m.empty()) return *m[r.below((uint32_t)m.size())];
    }
    return b.cfgs[r.below((uint32_t)b.cfgs.size())];
}

// Ops of one segment. Blocks spanning ops keep their scales across the
// block's ops except (sometimes) in the multiop class.
void fill_seg(Rng &r, Seg &s, int corner, int nops) {
    Gen g(r, s.cfg, corner);
    int per_block = s.cfg.group > kLanes ? s.cfg.group / kLanes : 1;
    s.ops.resize((size_t)nops);
    for (int i = 0; i < nops; i++) {
        Op &o = s.ops[(size_t)i];
        bool fresh = (i % per_block == 0) || (corner == C_MULTIOP && r.chance(1, 3));
        g.op(o, fresh, i ? &s.ops[(size_t)i - 1] : nullptr);
        if (corner == C_TIE && cfg_float(s.cfg)) {
            if (i % per_block == per_block - 1) {
                tie_op(r, s.cfg, o);
            } else {  // the block's earlier ops add nothing: the closing op decides
                for (uint16_t &a : o.a) a = 0;
            }
        }
        o.clear = (uint8_t)(i == 0 || r.chance(1, 16));
    }
}

int corner_nops(Rng &r, int corner, const mpe_pe_cfg &c) {
    int per_block = c.group > kLanes ? c.group / kLanes : 1;
    switch (corner) {
    case C_RANDOM: return r.range(4, 24);
    case C_MULTIOP: return std::min(48, per_block * r.range(2, 4));
    case C_WRAP: return r.range(2, 6);
    case C_TIE: return std::max(per_block, r.range(2, 8));
    default: return r.range(4, 12);
    }
}

// The one directed case after the schedule: the int48 accumulator wraps
// through the front door (bit-serial uint16 x uint16 at full scale: about
// 2^36 per op, 2^11 ops to pass 2^47).
bool natural_wrap(const Space &sp, Rng &r, Case &k) {
    for (int b = 0; b < (int)sp.bins.size(); b++) {
        const Bin &bin = sp.bins[(size_t)b];
        if (bin.mode != MPE_MODE_BITSERIAL) continue;
        for (const mpe_pe_cfg &c : bin.cfgs) {
            if (c.both_serial || c.a.kind != MPE_DT_UINT || c.a.bits != 16 ||
                c.w.kind != MPE_DT_UINT || c.w.bits != 16)
                continue;
            k.bin = b;
            k.corner = C_WRAP;
            Seg s;
            s.bin = b;
            s.cfg = c;
            Gen g(r, c, C_WRAP);
            s.ops.resize(2200);
            for (size_t i = 0; i < s.ops.size(); i++) {
                g.op(s.ops[i], true, nullptr);
                s.ops[i].clear = i == 0;
            }
            k.segs.push_back(s);
            return true;
        }
    }
    return false;
}

}  // namespace

Case make_case(const Space &sp, uint64_t seed, long index) {
    Case k;
    k.seed = seed;
    k.index = index;
    Rng r(seed * 0xD1342543DE82EF95ull + (uint64_t)index * 0x9E3779B97F4A7C15ull + 7);
    r.next();
    if (index == sp.directed() && natural_wrap(sp, r, k)) return k;
    if (index < sp.directed()) {
        sp.pair(index, &k.bin, &k.corner);
    } else {
        k.bin = pick_bin(r, sp, -1);
        k.corner = pick_corner(r, sp.bins[(size_t)k.bin].corners);
    }
    const Bin &b = sp.bins[(size_t)k.bin];
    Seg s;
    s.bin = k.bin;
    s.cfg = pick_cfg(r, b, k.corner == C_MULTIOP);
    fill_seg(r, s, k.corner, corner_nops(r, k.corner, s.cfg));
    k.segs.push_back(s);

    if (k.corner == C_SWITCH) {
        int more = r.range(2, 4);
        int prev_mode = b.mode;
        for (int i = 0; i < more; i++) {
            Seg t;
            t.bin = pick_bin(r, sp, prev_mode);
            prev_mode = sp.bins[(size_t)t.bin].mode;
            t.cfg = pick_cfg(r, sp.bins[(size_t)t.bin], false);
            fill_seg(r, t, C_RANDOM, r.range(1, 4));
            k.segs.push_back(t);
        }
    }
    if (k.corner == C_RESET) {
        k.reset_op = (int)r.below((uint32_t)k.nops());
        k.reset_cycle = (int)r.below(64);
    }
    if (k.corner == C_WRAP) {
        // accumulators next to the int48 limits; extreme ops cross them
        k.preload = true;
        for (int c = 0; c < kCols; c++) {
            uint64_t margin = r.next() & 0x3FF;
            k.pre_acc[c] = (c & 1) ? (0x800000000000ull + margin) : (0x7FFFFFFFFFFFull - margin);
            k.pre_facc[c] = 0;
        }
        for (Op &o : k.segs[0].ops) o.clear = 0;
    }
    if (k.corner == C_ZERO && cfg_float(s.cfg)) {
        // FP32 accumulators at -0 in odd columns: (-0) + (-0) = -0, (-0) + (+0) = +0
        k.preload = true;
        for (int c = 0; c < kCols; c++) {
            k.pre_acc[c] = 0;
            k.pre_facc[c] = (c & 1) ? 0x80000000u : 0;
        }
        k.segs[0].ops[0].clear = 0;
    }
    if (k.corner == C_TIE && cfg_float(s.cfg)) {
        // FP32 addition tie: acc = M * 2^(v+1) with the first block's value
        // 2^v * (1 + f): make the first block a power of two first.
        Seg &s0 = k.segs[0];
        Op &o = s0.ops[(size_t)(s0.cfg.group > kLanes ? s0.cfg.group / kLanes - 1 : 0)];
        k.preload = true;
        for (int c = 0; c < kCols; c++) {
            uint32_t v;
            k.pre_acc[c] = 0;
            k.pre_facc[c] = 0;
            if (!first_block_value(s0.cfg, o, c, &v)) continue;
            int e = (int)((v >> 23) & 0xFF);
            uint32_t frac = v & 0x7FFFFF;
            if (e == 0 || e >= 253) continue;
            // the value's ulp sits at exponent e-150; an accumulator whose
            // ulp is twice the value's lowest set bit makes a tie
            int low = frac ? __builtin_ctz(frac) : 23;  // value lowest set bit
            int ulp_exp = (e - 150) + low;               // exponent of lowest set bit
            int be = ulp_exp + 1 + 150;                  // acc biased exponent: ulp = 2^(ulp_exp+1)
            if (be <= 0 || be >= 255) continue;
            uint32_t m = (uint32_t)(r.next() & 0x7FFFFF);
            k.pre_facc[c] = (uint32_t)(r.chance(1, 4) ? 0x80000000u : 0) | ((uint32_t)be << 23) | m;
        }
        for (Op &op : s0.ops) op.clear = 0;
    }
    return k;
}

long conversion_ties(const Case &k) {
    long n = 0;
    for (const Seg &s : k.segs) {
        const mpe_pe_cfg &c = s.cfg;
        if (!cfg_float(c) || c.group > kLanes) continue;  // in-op blocks only
        int g = c.group, nslots = mpe_pe_scale_slots(&c, kLanes);
        for (const Op &o : s.ops)
            for (int b = 0; b < kLanes / g; b++)
                for (int col = 0; col < kCols; col++) {
                    int slot = b, k0 = b * g, k1 = k0 + g;
                    __int128 v;
                    int e;
                    if (c.mode == MPE_MODE_BFP) {
                        int unit;
                        v = block_sum(c, o, k0, k1, col, &unit);
                        uint16_t ca = o.as[(size_t)slot], cw = o.ws[(size_t)(col * nslots + slot)];
                        if (c.scale_fmt == MPE_FMT_E8M0) {
                            e = unit + ca + cw - 254;
                        } else {
                            mpe_xval xa = mpe_fp_unpack(MPE_FMT_UE4M3, ca);
                            mpe_xval xw = mpe_fp_unpack(MPE_FMT_UE4M3, cw);
                            if (xa.cls != MPE_XV_FINITE || xw.cls != MPE_XV_FINITE) continue;
                            v *= (__int128)(xa.mant * xw.mant);
                            e = unit + xa.exp + xw.exp;
                        }
                    } else {
                        int64_t p = 0, sum = 0;
                        for (int kk = k0; kk < k1; kk++) {
                            int64_t x = mpe_dt_int_value(c.a, o.a[(size_t)kk]);
                            p += x * mpe_dt_int_value(c.w, o.w[(size_t)(col * kLanes + kk)]);
                            sum += x;
                        }
                        p -= (int64_t)o.wz[(size_t)(col * nslots + slot)] * sum;
                        mpe_xval sc = mpe_fp_unpack(MPE_FMT_FP16, o.ws[(size_t)(col * nslots + slot)]);
                        if (sc.cls != MPE_XV_FINITE) continue;
                        v = (__int128)p * (__int128)sc.mant;
                        e = sc.exp;
                    }
                    n += is_f32_tie((unsigned __int128)(v < 0 ? -v : v), e);
                }
    }
    return n;
}

}  // namespace cosim
