// Lockstep co-simulation of the Verilated PE (rtl/mpe_pe.v) against the C
// model (libmpe, mpe_pe_step): every op compares every int48 and FP32
// accumulator and the op's cycle count (accept edge to result edge, see
// rtl/README.md). Cases are deterministic functions of (seed, case index);
// a mismatch prints a one-line reproduction and writes an FST waveform of
// the failing case. See sim/README.md.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "Vmpe_pe.h"
#include "Vmpe_pe___024root.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#include "stim.h"

extern "C" {
#include "mpe/dtype.h"
#include "mpe/outfile.h"
#include "mpe/pe.h"
}

using namespace cosim;

namespace {

constexpr uint64_t kMask48 = (1ull << 48) - 1;

// ---- port access (wide ports are VlWide, narrow ones plain integers)
void put_words(uint32_t *w, int lsb, int width, uint64_t v) {
    while (width > 0) {
        int b = lsb % 32, n = std::min(width, 32 - b);
        uint32_t m = (n == 32 ? ~0u : ((1u << n) - 1)) << b;
        w[lsb / 32] = (w[lsb / 32] & ~m) | (((uint32_t)v << b) & m);
        v >>= n;
        lsb += n;
        width -= n;
    }
}
uint64_t get_words(const uint32_t *w, int lsb, int width) {
    uint64_t v = 0;
    int got = 0;
    while (got < width) {
        int b = lsb % 32, n = std::min(width - got, 32 - b);
        uint64_t part = (w[lsb / 32] >> b) & (n == 32 ? ~0u : ((1u << n) - 1));
        v |= part << got;
        got += n;
        lsb += n;
    }
    return v;
}
template <std::size_t N> void put(VlWide<N> &p, int lsb, int width, uint64_t v) {
    put_words(p.data(), lsb, width, v);
}
template <std::size_t N> uint64_t get(const VlWide<N> &p, int lsb, int width) {
    return get_words(p.data(), lsb, width);
}
template <typename T> void put(T &p, int lsb, int width, uint64_t v) {
    uint64_t m = (width >= 64 ? ~0ull : ((1ull << width) - 1)) << lsb;
    p = (T)(((uint64_t)p & ~m) | ((v << lsb) & m));
}
template <typename T> uint64_t get(const T &p, int lsb, int width) {
    return ((uint64_t)p >> lsb) & (width >= 64 ? ~0ull : ((1ull << width) - 1));
}

// ---- the Verilated PE
struct Dut {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vmpe_pe> m;
#if VM_TRACE
    std::unique_ptr<VerilatedFstC> tfp;
#endif
    uint64_t edges = 0;

    explicit Dut(const char *wave) : ctx(new VerilatedContext) {
        ctx->traceEverOn(wave != nullptr);
        m.reset(new Vmpe_pe(ctx.get()));
#if VM_TRACE
        if (wave) {
            tfp.reset(new VerilatedFstC);
            m->trace(tfp.get(), 99);
            tfp->open(wave);
        }
#else
        if (wave) fprintf(stderr, "cosim_pe: built without --trace-fst, no waveform\n");
#endif
        m->clk_i = 0;
        m->rst_ni = 1;
        m->in_valid_i = 0;
        m->eval();
    }
    ~Dut() {
#if VM_TRACE
        if (tfp) tfp->close();
#endif
        m->final();
    }
    void dump() {
#if VM_TRACE
        if (tfp) tfp->dump(ctx->time());
#endif
    }
    void half() {
        ctx->timeInc(5);
        m->eval();
        dump();
    }
    // one clock: rising edge, then falling edge
    void tick() {
        m->clk_i = 1;
        half();
        edges++;
    }
    void untick() {
        m->clk_i = 0;
        half();
    }
    void reset() {
        m->in_valid_i = 0;
        m->rst_ni = 0;
        m->eval();
        tick();
        untick();
        m->rst_ni = 1;
        m->eval();
    }
    void drive(const mpe_pe_cfg &c, const Op &o, bool valid) {
        m->in_valid_i = valid;
        m->cfg_mode_i = c.mode;
        m->cfg_a_kind_i = c.a.kind;
        m->cfg_a_bits_i = c.a.bits;
        m->cfg_a_fmt_i = c.a.fmt;
        m->cfg_w_kind_i = c.w.kind;
        m->cfg_w_bits_i = c.w.bits;
        m->cfg_w_fmt_i = c.w.fmt;
        m->cfg_both_serial_i = c.both_serial;
        m->cfg_group_i = c.group;
        m->cfg_scale_fmt_i = c.scale_fmt;
        m->in_clear_i = o.clear;
        for (int k = 0; k < kLanes; k++) put(m->in_a_i, 16 * k, 16, o.a[(size_t)k]);
        for (int i = 0; i < kCols * kLanes; i++) put(m->in_w_i, 16 * i, 16, o.w[(size_t)i]);
        int ns = (int)o.as.size();
        for (int s = 0; s < kSlots; s++) put(m->in_a_scale_i, 8 * s, 8, s < ns ? o.as[(size_t)s] : 0);
        for (int c2 = 0; c2 < kCols; c2++)
            for (int s = 0; s < kSlots; s++) {
                bool in = s < ns;
                put(m->in_w_scale_i, 16 * (c2 * kSlots + s), 16,
                    in ? o.ws[(size_t)(c2 * ns + s)] : 0);
                put(m->in_w_zero_i, 16 * (c2 * kSlots + s), 16,
                    in ? (uint16_t)o.wz[(size_t)(c2 * ns + s)] : 0);
            }
    }
    uint64_t acc(int c) const { return get(m->out_acc_o, 48 * c, 48); }
    uint32_t facc(int c) const { return (uint32_t)get(m->out_facc_o, 32 * c, 32); }
    void preload(const uint64_t *acc, const uint32_t *facc) {
        for (int c = 0; c < kCols; c++) {
            put(m->rootp->mpe_pe__DOT__acc_q, 48 * c, 48, acc[c] & kMask48);
            put(m->rootp->mpe_pe__DOT__facc_q, 32 * c, 32, facc[c]);
        }
        m->eval();
    }
};

// ---- results and coverage
struct Stats {
    long cases = 0, vectors = 0, failures = 0;
    uint64_t cycles = 0;
    std::vector<std::array<long, C_COUNT>> cov;  // [bin][corner] cases
    std::vector<long> bin_vectors;
    long tie_cases = 0, tie_cases_hit = 0, ties = 0;
    double mode_time[MPE_MODE_COUNT] = {};
    long mode_vectors[MPE_MODE_COUNT] = {};
    uint64_t mode_cycles[MPE_MODE_COUNT] = {};
};

struct Options {
    uint64_t seed = 1;
    long n = 100000;
    long only_case = -1;
    int shard_i = 0, shard_n = 1;
    std::string waves;
    std::string cov_out;
    bool strict = false;  // missing expected coverage bins are errors
    bool verbose = false;
    double bench = 0;     // seconds per mode; 0 = normal run
    int max_fail = 1;
    long inject = -1;  // --inject-fail N: corrupt the model's result in case N (self-test)
    std::vector<std::string> merge;
    std::string self = "build/sim/cosim_pe";  // argv[0], for the reproduction line
};

// Directory of the binary: default place of failure waveforms.
std::string bin_dir(const std::string &self) {
    size_t p = self.find_last_of('/');
    return p == std::string::npos ? std::string(".") : self.substr(0, p);
}

std::string hexlist(const uint16_t *v, size_t n) {
    std::string s;
    char b[8];
    for (size_t i = 0; i < n; i++) {
        snprintf(b, sizeof b, "%s%x", i ? "," : "", v[i]);
        s += b;
    }
    return s;
}

int64_t sext48(uint64_t v) { return (int64_t)((v & kMask48) ^ (1ull << 47)) - (int64_t)(1ull << 47); }

struct Mismatch {
    std::string text;
};

void describe_op(std::string &out, const Seg &s, const Op &o) {
    char buf[96];
    out += "  config: " + cfg_str(s.cfg) + "\n";
    snprintf(buf, sizeof buf, "  clear: %d\n", o.clear);
    out += buf;
    out += "  a: " + hexlist(o.a.data(), o.a.size()) + "\n";
    for (int c = 0; c < kCols; c++) {
        snprintf(buf, sizeof buf, "  w[%d]: ", c);
        out += buf + hexlist(&o.w[(size_t)(c * kLanes)], (size_t)kLanes) + "\n";
    }
    if (!o.as.empty()) {
        out += "  a_scale: " + hexlist(o.as.data(), o.as.size()) + "\n";
        out += "  w_scale: " + hexlist(o.ws.data(), o.ws.size()) + "\n";
        std::vector<uint16_t> z(o.wz.begin(), o.wz.end());
        out += "  w_zero: " + hexlist(z.data(), z.size()) + "\n";
    }
}

// Runs one case in lockstep. Returns false on a mismatch (text in *mm).
bool run_case(const Case &k, Dut &d, Stats &st, std::string *mm, bool inject = false) {
    struct Flat {
        const Seg *seg;
        const Op *op;
        size_t segi;
    };
    std::vector<Flat> ops;
    for (size_t si = 0; si < k.segs.size(); si++)
        for (const Op &o : k.segs[si].ops) ops.push_back({&k.segs[si], &o, si});

    d.reset();
    mpe_pe pe;
    if (pe_init(&pe, &k.segs[0].cfg) != MPE_OK) {
        *mm = "mpe_pe_init rejected " + cfg_str(k.segs[0].cfg);
        return false;
    }
    if (k.preload) {
        d.preload(k.pre_acc, k.pre_facc);
        for (int c = 0; c < kCols; c++) {
            pe.acc[c] = k.pre_acc[c] & kMask48;
            pe.facc[c] = k.pre_facc[c];
        }
    }
    struct InFlight {
        size_t idx;
        uint64_t accept;
        int cycles;
        uint64_t acc[kCols];
        uint32_t facc[kCols];
    };
    std::deque<InFlight> fl;
    size_t next = 0, driven = (size_t)-1;
    size_t cur_seg = 0;
    // the op presented (valid held high) when the previous op completed must
    // be accepted at that op's result edge: ops are exactly `cycles` apart
    uint64_t last_done = 0;
    bool back_to_back = false;
    bool reset_done = false;
    uint64_t guard = 0;
    char buf[256];

    auto fail = [&](const InFlight &f, const std::string &what) {
        const Flat &x = ops[f.idx];
        std::string s;
        snprintf(buf, sizeof buf, "MISMATCH seed %" PRIu64 " case %ld op %zu (%s, corner %s): %s\n",
                 k.seed, k.index, f.idx, cfg_str(x.seg->cfg).c_str(), kCornerName[k.corner],
                 what.c_str());
        s += buf;
        describe_op(s, *x.seg, *x.op);
        for (int c = 0; c < kCols; c++) {
            snprintf(buf, sizeof buf,
                     "  col %d: rtl acc %" PRId64 " facc %08x | model acc %" PRId64 " facc %08x%s\n", c,
                     sext48(d.acc(c)), d.facc(c), sext48(f.acc[c]), f.facc[c],
                     (d.acc(c) != f.acc[c] || d.facc(c) != f.facc[c]) ? "  <--" : "");
            s += buf;
        }
        *mm = s;
    };

    while (next < ops.size() || !fl.empty()) {
        if (++guard > 200000) {
            *mm = "timeout: the PE stopped accepting or completing ops";
            return false;
        }
        bool valid = next < ops.size();
        if (valid && driven != next) {
            d.drive(ops[next].seg->cfg, *ops[next].op, true);
            driven = next;
        }
        d.m->in_valid_i = valid;
        d.m->eval();
        bool accepted = valid && d.m->in_ready_o;
        d.tick();
        if (d.m->out_valid_o) {
            if (fl.empty()) {
                *mm = "out_valid_o without an op in flight";
                return false;
            }
            InFlight f = fl.front();
            fl.pop_front();
            int rc = (int)(d.edges - f.accept);
            last_done = d.edges;
            back_to_back = next < ops.size();  // the next op is presented already
            st.vectors++;
            st.cycles += (uint64_t)rc;
            st.bin_vectors[(size_t)ops[f.idx].seg->bin]++;
            std::string what;
            if (rc != f.cycles) {
                snprintf(buf, sizeof buf, "cycles rtl %d model %d", rc, f.cycles);
                what = buf;
            }
            for (int c = 0; c < kCols && what.empty(); c++)
                if (d.acc(c) != f.acc[c] || d.facc(c) != f.facc[c]) {
                    snprintf(buf, sizeof buf, "accumulator column %d", c);
                    what = buf;
                }
            if (!what.empty()) {
                fail(f, what);
                return false;
            }
        }
        if (accepted && back_to_back && d.edges != last_done) {
            snprintf(buf, sizeof buf,
                     "op %zu accepted at edge %" PRIu64 ", not at the previous op's result edge %" PRIu64
                     " (back to back)\n", next, d.edges, last_done);
            *mm = std::string("MISMATCH seed ") + std::to_string(k.seed) + " case " +
                  std::to_string(k.index) + ": " + buf;
            return false;
        }
        if (accepted) {
            back_to_back = false;
            const Flat &x = ops[next];
            if (x.segi != cur_seg) {
                // a new segment (mode switch): the model takes the new config
                cur_seg = x.segi;
                if (x.op->clear) {
                    if (pe_init(&pe, &x.seg->cfg) != MPE_OK) {
                        *mm = "mpe_pe_init rejected " + cfg_str(x.seg->cfg);
                        return false;
                    }
                } else {
                    pe.cfg = x.seg->cfg;
                }
            }
            mpe_pe_op v = x.op->view();
            int cyc = 0;
            mpe_status rc = mpe_pe_step(&pe, &v, &cyc);
            if (rc != MPE_OK) {
                *mm = "mpe_pe_step failed: " + std::string(mpe_status_str(rc));
                return false;
            }
            InFlight f;
            f.idx = next;
            f.accept = d.edges;
            f.cycles = cyc;
            for (int c = 0; c < kCols; c++) {
                f.acc[c] = (uint64_t)mpe_pe_acc_int(&pe, c) & kMask48;
                f.facc[c] = mpe_pe_acc_f32(&pe, c);
            }
            if (inject && next == 0) f.acc[0] ^= 1;  // self-test of the failure path
            fl.push_back(f);
            next++;
        }
        // reset in the middle of an op: the op is abandoned, both restart
        if (!reset_done && k.reset_op >= 0 && !fl.empty() &&
            fl.front().idx == (size_t)k.reset_op && !d.m->out_valid_o) {
            const InFlight &f = fl.front();
            uint64_t at = f.accept + (uint64_t)(k.reset_cycle % std::max(1, f.cycles));
            if (d.edges >= at) {
                d.untick();
                d.reset();
                fl.clear();
                reset_done = true;
                back_to_back = false;
                pe_init(&pe, &ops[(size_t)k.reset_op].seg->cfg);
                for (int c = 0; c < kCols; c++)
                    if (d.acc(c) != 0 || d.facc(c) != 0) {
                        *mm = "state not cleared by reset";
                        return false;
                    }
                continue;
            }
        }
        d.untick();
    }
    return true;
}

void usage(FILE *f) {
    fprintf(f,
            "usage: cosim_pe [--seed S] [--n VECTORS] [--shard I/N] [--case N] [--waves FILE]\n"
            "                [--strict] [--cov-out FILE] [--bench SECONDS] [--max-fail K] [-v]\n"
            "                [--inject-fail N]   (self-test: corrupt the expected result of case N)\n"
            "       cosim_pe --merge COVFILE...\n"
            "Runs the Verilated PE in lockstep with the C model; see sim/README.md.\n");
}

bool parse(int argc, char **argv, Options &o) {
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto val = [&](const char *name) -> const char * {
            if (i + 1 >= argc) {
                fprintf(stderr, "cosim_pe: %s needs a value\n", name);
                return nullptr;
            }
            return argv[++i];
        };
        const char *v = nullptr;
        char *end = nullptr;
        if (a == "--help" || a == "-h") {
            usage(stdout);
            exit(0);
        } else if (a == "--seed") {
            if (!(v = val("--seed"))) return false;
            o.seed = strtoull(v, &end, 0);
        } else if (a == "--n") {
            if (!(v = val("--n"))) return false;
            o.n = strtol(v, &end, 0);
        } else if (a == "--case") {
            if (!(v = val("--case"))) return false;
            o.only_case = strtol(v, &end, 0);
        } else if (a == "--shard") {
            if (!(v = val("--shard"))) return false;
            if (sscanf(v, "%d/%d", &o.shard_i, &o.shard_n) != 2 || o.shard_n < 1 ||
                o.shard_i < 0 || o.shard_i >= o.shard_n) {
                fprintf(stderr, "cosim_pe: bad --shard '%s' (want I/N, 0 <= I < N)\n", v);
                return false;
            }
            continue;
        } else if (a == "--waves") {
            if (!(v = val("--waves"))) return false;
            o.waves = v;
            continue;
        } else if (a == "--cov-out") {
            if (!(v = val("--cov-out"))) return false;
            o.cov_out = v;
            continue;
        } else if (a == "--bench") {
            if (!(v = val("--bench"))) return false;
            o.bench = strtod(v, &end);
        } else if (a == "--inject-fail") {
            if (!(v = val("--inject-fail"))) return false;
            o.inject = strtol(v, &end, 0);
        } else if (a == "--max-fail") {
            if (!(v = val("--max-fail"))) return false;
            o.max_fail = (int)strtol(v, &end, 0);
        } else if (a == "--strict") {
            o.strict = true;
            continue;
        } else if (a == "-v") {
            o.verbose = true;
            continue;
        } else if (a == "--merge") {
            for (i++; i < argc; i++) o.merge.push_back(argv[i]);
            continue;
        } else {
            fprintf(stderr, "cosim_pe: unknown option '%s' (see --help)\n", a.c_str());
            return false;
        }
        if (!end || *end) {
            fprintf(stderr, "cosim_pe: bad value '%s' for %s\n", v, a.c_str());
            return false;
        }
    }
    return true;
}

// ---- legal configurations hit: the bins partition the legal list, so a
// configuration is (bin, index in bin.cfgs), flattened with per-bin offsets.
struct ConfigHits {
    std::vector<long> offset;  // first flat index of each bin
    std::vector<char> hit;
    explicit ConfigHits(const Space &sp) {
        long n = 0;
        for (const Bin &b : sp.bins) {
            offset.push_back(n);
            n += (long)b.cfgs.size();
        }
        hit.assign((size_t)n, 0);
    }
    static bool same(const mpe_pe_cfg &x, const mpe_pe_cfg &y) {
        return x.mode == y.mode && x.a.kind == y.a.kind && x.a.bits == y.a.bits &&
               x.a.fmt == y.a.fmt && x.w.kind == y.w.kind && x.w.bits == y.w.bits &&
               x.w.fmt == y.w.fmt && x.both_serial == y.both_serial && x.group == y.group &&
               x.scale_fmt == y.scale_fmt;
    }
    // marks every segment's configuration of a case; false if one is not in its bin
    bool add(const Space &sp, const Case &k) {
        bool ok = true;
        for (const Seg &s : k.segs) {
            const std::vector<mpe_pe_cfg> &cf = sp.bins[(size_t)s.bin].cfgs;
            size_t i = 0;
            while (i < cf.size() && !same(cf[i], s.cfg)) i++;
            if (i == cf.size()) {
                ok = false;
                continue;
            }
            hit[(size_t)offset[(size_t)s.bin] + i] = 1;
        }
        return ok;
    }
    // "legal configurations hit: X of Y" and the first `show` missed ones
    void report(const Space &sp, bool shard, size_t show) const {
        long nhit = 0;
        for (char h : hit) nhit += h;
        printf("legal configurations hit: %ld of %zu%s\n", nhit, hit.size(),
               shard ? " (this shard only)" : "");
        size_t shown = 0, missed = hit.size() - (size_t)nhit;
        for (size_t b = 0; b < sp.bins.size() && shown < show; b++)
            for (size_t i = 0; i < sp.bins[b].cfgs.size() && shown < show; i++)
                if (!hit[(size_t)offset[b] + i]) {
                    printf("  missed: %s\n", cfg_str(sp.bins[b].cfgs[i]).c_str());
                    shown++;
                }
        if (missed > shown) printf("  ... and %zu more missed\n", missed - shown);
    }
};

// Coverage table; returns the number of expected bins never hit.
int report_coverage(const Space &sp, const std::vector<std::array<long, C_COUNT>> &cov,
                    const std::vector<long> &bvec, bool print_table) {
    int missing = 0;
    std::vector<std::string> miss;
    if (print_table) {
        printf("\nFunctional coverage (cases per mode x operand types x corner class; '.' = not "
               "applicable):\n");
        printf("%-10s %-34s %8s", "mode", "bin", "vectors");
        for (int c = 0; c < C_COUNT; c++) printf(" %7s", kCornerName[c]);
        printf("\n");
    }
    for (size_t b = 0; b < sp.bins.size(); b++) {
        const Bin &bin = sp.bins[b];
        if (print_table)
            printf("%-10s %-34s %8ld", mpe_mode_name((mpe_mode)bin.mode), bin.label.c_str(),
                   bvec[b]);
        for (int c = 0; c < C_COUNT; c++) {
            bool exp = bin.corners & (1u << c);
            if (print_table) {
                if (exp) printf(" %7ld", cov[b][(size_t)c]);
                else printf(" %7s", ".");
            }
            if (exp && cov[b][(size_t)c] == 0) {
                missing++;
                miss.push_back(std::string(mpe_mode_name((mpe_mode)bin.mode)) + " " + bin.label +
                               " x " + kCornerName[c]);
            }
        }
        if (print_table) printf("\n");
    }
    long hit = 0, tot = 0;
    for (size_t b = 0; b < sp.bins.size(); b++)
        for (int c = 0; c < C_COUNT; c++)
            if (sp.bins[b].corners & (1u << c)) {
                tot++;
                hit += cov[b][(size_t)c] != 0;
            }
    printf("coverage: %ld of %ld expected bins hit (%zu type bins x %d corner classes, "
           "%ld legal configurations)\n",
           hit, tot, sp.bins.size(), C_COUNT, sp.legal_configs());
    for (const std::string &m : miss) printf("  never hit: %s\n", m.c_str());
    return missing;
}

int merge_cov(const Space &sp, const std::vector<std::string> &files) {
    std::vector<std::array<long, C_COUNT>> cov(sp.bins.size());
    std::vector<long> bvec(sp.bins.size(), 0);
    for (auto &a : cov) a.fill(0);
    for (const std::string &f : files) {
        std::ifstream in(f);
        if (!in) {
            fprintf(stderr, "cosim_pe: cannot read %s\n", f.c_str());
            return 2;
        }
        size_t b;
        long v;
        long c[C_COUNT];
        while (in >> b >> v) {
            for (int i = 0; i < C_COUNT; i++) in >> c[i];
            if (!in || b >= sp.bins.size()) {
                fprintf(stderr, "cosim_pe: malformed coverage file %s\n", f.c_str());
                return 2;
            }
            bvec[b] += v;
            for (int i = 0; i < C_COUNT; i++) cov[b][(size_t)i] += c[i];
        }
    }
    int missing = report_coverage(sp, cov, bvec, true);
    return missing ? 1 : 0;
}

// Re-runs one case with tracing into `wave`.
void rerun_with_waves(const Space &sp, const Options &o, long idx, const std::string &wave) {
    Case k = make_case(sp, o.seed, idx);
    Dut d(wave.c_str());
    Stats st;
    st.cov.resize(sp.bins.size());
    st.bin_vectors.assign(sp.bins.size(), 0);
    std::string mm;
    run_case(k, d, st, &mm, idx == o.inject);
    printf("waveform of case %ld written to %s\n", idx, wave.c_str());
}

int bench(const Space &sp, const Options &o) {
    printf("co-simulation speed (LANES=%d COLS=%d, random stimulus, %.1f s per mode; "
           "includes stimulus generation and the C model)\n",
           kLanes, kCols, o.bench);
    printf("%-10s %12s %14s %12s\n", "mode", "vectors/s", "sim cycles/s", "cycles/op");
    Rng r(o.seed);
    int rc = 0;
    for (int mode = 0; mode < MPE_MODE_COUNT; mode++) {
        std::vector<int> bins;
        for (size_t b = 0; b < sp.bins.size(); b++)
            if (sp.bins[b].mode == mode) bins.push_back((int)b);
        if (bins.empty()) continue;
        Dut d(nullptr);
        Stats st;
        st.cov.resize(sp.bins.size());
        st.bin_vectors.assign(sp.bins.size(), 0);
        auto t0 = std::chrono::steady_clock::now();
        double el = 0;
        long idx = sp.directed() + 1;
        while (el < o.bench) {
            Case k;
            // random cases of this mode only
            do {
                k = make_case(sp, o.seed + 0x1000, idx++);
            } while (sp.bins[(size_t)k.bin].mode != mode || k.corner != C_RANDOM);
            std::string mm;
            if (!run_case(k, d, st, &mm)) {
                printf("%s", mm.c_str());
                rc = 1;
                break;
            }
            el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
        printf("%-10s %12.0f %14.0f %12.2f\n", mpe_mode_name((mpe_mode)mode), st.vectors / el,
               (double)st.cycles / el, st.vectors ? (double)st.cycles / st.vectors : 0.0);
    }
    return rc;
}

}  // namespace

int main(int argc, char **argv) {
    Options o;
    if (argc > 0 && argv[0] && *argv[0]) o.self = argv[0];
    if (!parse(argc, argv, o)) return 2;
    Space sp;
    if (sp.bins.empty()) {
        fprintf(stderr, "cosim_pe: mpe_pe_cfg_check accepts no configuration\n");
        return 2;
    }
    if (!o.merge.empty()) return merge_cov(sp, o.merge);
    if (o.bench > 0) return bench(sp, o);

    Stats st;
    st.cov.resize(sp.bins.size());
    for (auto &a : st.cov) a.fill(0);
    st.bin_vectors.assign(sp.bins.size(), 0);
    ConfigHits hits(sp);
    long foreign_cfgs = 0;  // segments whose configuration is not in their bin

    // The case list: indices 0..M-1 with M the smallest count whose ops
    // reach the vector budget (--case N runs just case N).
    std::vector<long> run;
    if (o.only_case >= 0) {
        run.push_back(o.only_case);
    } else {
        long total = 0;
        for (long i = 0; total < o.n || i < sp.directed() + 1; i++) {
            Case k = make_case(sp, o.seed, i);
            total += k.nops() - (k.reset_op >= 0 ? 1 : 0);  // the reset op is abandoned
            if (i % o.shard_n == o.shard_i) run.push_back(i);
        }
    }
    printf("cosim_pe: seed %" PRIu64 ", %zu cases (shard %d/%d), %ld directed, LANES=%d COLS=%d LUT_PPC=%d\n",
           o.seed, run.size(), o.shard_i, o.shard_n, sp.directed() + 1, kLanes, kCols, kLutPpc);
    fflush(stdout);

    // One model at a time: Verilator 5.006 cannot destroy two live models
    // that registered the same (public) scope names.
    std::unique_ptr<Dut> dp(new Dut(o.only_case >= 0 && !o.waves.empty() ? o.waves.c_str() : nullptr));
    auto t0 = std::chrono::steady_clock::now();
    std::vector<long> failed;
    std::map<int, std::pair<long, long>> per_mode;  // mode -> (passed, failed) cases
    for (long idx : run) {
        Case k = make_case(sp, o.seed, idx);
        int mode = sp.bins[(size_t)k.bin].mode;
        auto c0 = std::chrono::steady_clock::now();
        long v0 = st.vectors;
        uint64_t y0 = st.cycles;
        std::string mm;
        bool ok = run_case(k, *dp, st, &mm, idx == o.inject);
        st.mode_time[mode] += std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
        st.mode_vectors[mode] += st.vectors - v0;
        st.mode_cycles[mode] += st.cycles - y0;
        st.cases++;
        if (k.corner == C_TIE) {
            long t = conversion_ties(k);
            st.tie_cases++;
            st.tie_cases_hit += t > 0;
            st.ties += t;
        }
        if (ok) {
            st.cov[(size_t)k.bin][(size_t)k.corner]++;
            foreign_cfgs += !hits.add(sp, k);
            per_mode[mode].first++;
            if (o.verbose) printf("case %ld ok (%s, %s)\n", idx, cfg_str(k.segs[0].cfg).c_str(), kCornerName[k.corner]);
            continue;
        }
        per_mode[mode].second++;
        st.failures++;
        failed.push_back(idx);
        printf("%s", mm.c_str());
        std::string wave = o.waves.empty() ? bin_dir(o.self) + "/fail-" + std::to_string(o.seed) +
                                                 "-" + std::to_string(idx) + ".fst"
                                           : o.waves;
        // the injected fault is part of the failure: the line keeps it
        std::string inj = o.inject >= 0 ? " --inject-fail " + std::to_string(o.inject) : "";
        printf("reproduce: %s --seed %" PRIu64 " --case %ld --waves %s%s\n", o.self.c_str(), o.seed,
               idx, wave.c_str(), inj.c_str());
        fflush(stdout);
        if (o.only_case < 0) {
            dp.reset();
            rerun_with_waves(sp, o, idx, wave);
        }
        if ((int)failed.size() >= o.max_fail) break;
        // the failing case may leave the DUT anywhere: start clean
        if (!dp) dp.reset(new Dut(nullptr));
        dp->reset();
    }
    double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (!o.cov_out.empty()) {
        mpe_outfile out;
        char err[600];
        if (mpe_out_open(&out, o.cov_out.c_str(), err, sizeof err) != MPE_OK) {
            fprintf(stderr, "cosim_pe: %s\n", err);
            return 2;
        }
        for (size_t b = 0; b < sp.bins.size(); b++) {
            fprintf(out.f, "%zu %ld", b, st.bin_vectors[b]);
            for (int c = 0; c < C_COUNT; c++) fprintf(out.f, " %ld", st.cov[b][(size_t)c]);
            fprintf(out.f, "\n");
        }
        if (mpe_out_close(&out, err, sizeof err) != MPE_OK) {
            fprintf(stderr, "cosim_pe: %s\n", err);
            return 2;
        }
    }
    int missing = 0;
    if (o.only_case < 0) {
        bool full = o.shard_n == 1;
        missing = report_coverage(sp, st.cov, st.bin_vectors, true);
        if (!full) printf("(shard run: merge coverage files with --merge to judge missing bins)\n");
        if (!full || !o.strict) missing = 0;
    }
    printf("tie class: %ld of %ld cases met at least one exact-half int-to-FP32 conversion "
           "(%ld in all; plus the preloaded FP32-addition ties)\n",
           st.tie_cases_hit, st.tie_cases, st.ties);
    if (o.only_case < 0) hits.report(sp, o.shard_n != 1, 20);
    if (foreign_cfgs) {
        printf("stimulus error: %ld segments use a configuration outside their bin\n", foreign_cfgs);
        st.failures++;
    }
    printf("\n%ld vectors, %ld cases, %" PRIu64 " cycles in %.1f s (%.0f vectors/s, %.0f cycles/s)\n",
           st.vectors, st.cases, st.cycles, el, st.vectors / std::max(el, 1e-9),
           (double)st.cycles / std::max(el, 1e-9));
    for (int m = 0; m < MPE_MODE_COUNT; m++)
        if (st.mode_vectors[m])
            printf("  %-10s %8ld vectors %10" PRIu64 " cycles %6.1f s\n", mpe_mode_name((mpe_mode)m),
                   st.mode_vectors[m], st.mode_cycles[m], st.mode_time[m]);
    // one pass/fail count per mode (cases), plus coverage
    long pass = 0, fail = 0;
    for (auto &pm : per_mode) {
        printf("  mode %-10s %ld cases passed, %ld failed\n", mpe_mode_name((mpe_mode)pm.first),
               pm.second.first, pm.second.second);
        if (pm.second.second) fail++;
        else pass++;
    }
    if (missing) fail++;
    else if (o.strict) pass++;
    if (foreign_cfgs) fail++;
    printf("%ld passed, %ld failed\n", pass, fail);
    return (st.failures || missing) ? 1 : 0;
}
