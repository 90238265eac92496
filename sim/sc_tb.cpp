// SystemC testbench: the Verilated PE (verilator --sc) and an SC_MODULE
// wrapping the C model run on one sc_clock; a scoreboard compares every
// completed op (int48 and FP32 accumulators, cycle count). Stimulus comes
// from the same deterministic case generator as cosim_pe (sim/stim.h);
// cases that need a back-door preload are left to cosim_pe.
// usage: sc_pe [--seed S] [--n VECTORS]; last line "P passed, F failed".
#include <systemc.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>

#include "Vmpe_pe.h"
#include "stim.h"

extern "C" {
#include "mpe/pe.h"
}

using namespace cosim;

namespace {

constexpr uint64_t kMask48 = (1ull << 48) - 1;

struct Expect {
    long op;
    uint64_t accept_edge;
    int cycles;
    uint64_t acc[kCols];
    uint32_t facc[kCols];
};

// The op the driver presents, shared with the model (the model reads it
// when it sees the handshake complete at a rising edge).
struct Wire {
    const mpe_pe_cfg *cfg = nullptr;
    const Op *op = nullptr;
    long index = -1;
    bool new_seg = false;
};

constexpr double kPeriodNs = 10.0;  // posedges at 0, 10, 20, ... ns; negedges at 5, 15, ...

// Index of the current clock edge from simulation time (no process-order
// dependence between modules woken by the same edge).
uint64_t now_edge() { return (uint64_t)(sc_time_stamp().to_seconds() * 1e9 / kPeriodNs + 0.25); }

// The C model as a clocked SystemC module: at every rising edge where the
// PE accepts an op it steps mpe_pe and queues the expected results. A reset
// re-initialises the model.
SC_MODULE(CModel) {
    sc_in<bool> clk, rst_n, in_valid, in_ready;
    Wire *wire = nullptr;
    std::deque<Expect> *expect = nullptr;
    mpe_pe pe;
    std::string error;

    void init(const mpe_pe_cfg &c) {
        if (pe_init(&pe, &c) != MPE_OK) error = "mpe_pe_init: " + cfg_str(c);
    }
    void on_edge() {
        if (!rst_n.read()) return;
        if (!(in_valid.read() && in_ready.read()) || !wire->op) return;
        if (wire->new_seg) {
            if (wire->op->clear) init(*wire->cfg);
            else pe.cfg = *wire->cfg;
        }
        mpe_pe_op v = wire->op->view();
        Expect e;
        e.op = wire->index;
        e.accept_edge = now_edge();
        if (mpe_pe_step(&pe, &v, &e.cycles) != MPE_OK) error = "mpe_pe_step failed";
        for (int c = 0; c < kCols; c++) {
            e.acc[c] = (uint64_t)mpe_pe_acc_int(&pe, c) & kMask48;
            e.facc[c] = mpe_pe_acc_f32(&pe, c);
        }
        expect->push_back(e);
    }
    SC_CTOR(CModel) {
        SC_METHOD(on_edge);
        sensitive << clk.pos();
        dont_initialize();
    }
};

// Scoreboard: after each rising edge where out_valid is high, compares the
// PE's accumulators with the oldest expected result.
SC_MODULE(Scoreboard) {
    sc_in<bool> clk, out_valid;
    sc_in<sc_bv<48 * kCols>> acc;
    sc_in<sc_bv<32 * kCols>> facc;
    std::deque<Expect> *expect = nullptr;
    long compared = 0, mismatches = 0;
    std::string first_error;

    void on_negedge() {
        if (!out_valid.read()) return;
        if (expect->empty()) {
            note("out_valid_o with no op in flight");
            return;
        }
        Expect e = expect->front();
        expect->pop_front();
        compared++;
        // at a falling edge: the result was written by the previous rising edge
        int cycles = (int)(now_edge() - e.accept_edge);
        char buf[200];
        if (cycles != e.cycles) {
            snprintf(buf, sizeof buf, "op %ld: cycles rtl %d model %d", e.op, cycles, e.cycles);
            note(buf);
            return;
        }
        sc_bv<48 * kCols> a = acc.read();
        sc_bv<32 * kCols> f = facc.read();
        for (int c = 0; c < kCols; c++) {
            uint64_t ra = a.range(48 * c + 47, 48 * c).to_uint64();
            uint32_t rf = (uint32_t)f.range(32 * c + 31, 32 * c).to_uint64();
            if (ra != e.acc[c] || rf != e.facc[c]) {
                snprintf(buf, sizeof buf,
                         "op %ld column %d: rtl acc %012" PRIx64 " facc %08x, model acc %012" PRIx64
                         " facc %08x",
                         e.op, c, ra, rf, e.acc[c], e.facc[c]);
                note(buf);
                return;
            }
        }
    }
    void note(const std::string &s) {
        if (!mismatches) first_error = s;
        mismatches++;
    }
    SC_CTOR(Scoreboard) {
        SC_METHOD(on_negedge);
        sensitive << clk.neg();
        dont_initialize();
    }
};

// Drives the cases: reset, then the ops back to back (valid held high),
// with a reset in the middle of an op for reset-class cases.
SC_MODULE(Driver) {
    sc_in<bool> clk, in_ready, out_valid;
    sc_out<bool> rst_n, in_valid, clear, both;
    sc_out<uint32_t> mode, a_kind, a_bits, a_fmt, w_kind, w_bits, w_fmt, group, scale_fmt;
    sc_out<sc_bv<16 * kLanes>> a;
    sc_out<sc_bv<16 * kCols * kLanes>> w;
    sc_out<sc_bv<8 * kSlots>> as;
    sc_out<sc_bv<16 * kCols * kSlots>> ws, wz;

    const Space *sp = nullptr;
    uint64_t seed = 1;
    long target = 3000;
    Wire *wire = nullptr;
    CModel *model = nullptr;
    Scoreboard *sb = nullptr;
    std::deque<Expect> *expect = nullptr;
    long cases = 0, vectors = 0;

    void drive(const mpe_pe_cfg &c, const Op &o) {
        mode = c.mode;
        a_kind = c.a.kind;
        a_bits = c.a.bits;
        a_fmt = c.a.fmt;
        w_kind = c.w.kind;
        w_bits = c.w.bits;
        w_fmt = c.w.fmt;
        both = c.both_serial != 0;
        group = c.group;
        scale_fmt = c.scale_fmt;
        clear = o.clear != 0;
        sc_bv<16 * kLanes> av;
        for (int k = 0; k < kLanes; k++) av.range(16 * k + 15, 16 * k) = o.a[(size_t)k];
        a = av;
        sc_bv<16 * kCols * kLanes> wv;
        for (int i = 0; i < kCols * kLanes; i++) wv.range(16 * i + 15, 16 * i) = o.w[(size_t)i];
        w = wv;
        int ns = (int)o.as.size();
        sc_bv<8 * kSlots> asv;
        sc_bv<16 * kCols * kSlots> wsv, wzv;
        for (int s = 0; s < ns; s++) asv.range(8 * s + 7, 8 * s) = o.as[(size_t)s];
        for (int c2 = 0; c2 < kCols; c2++)
            for (int s = 0; s < ns; s++) {
                int i = c2 * kSlots + s;
                wsv.range(16 * i + 15, 16 * i) = o.ws[(size_t)(c2 * ns + s)];
                wzv.range(16 * i + 15, 16 * i) = (uint16_t)o.wz[(size_t)(c2 * ns + s)];
            }
        as = asv;
        ws = wsv;
        wz = wzv;
    }

    void do_reset() {
        in_valid = false;
        rst_n = false;
        wait(clk.negedge_event());
        rst_n = true;
        expect->clear();
        wire->op = nullptr;
    }

    void run() {
        rst_n = true;
        in_valid = false;
        wait(clk.negedge_event());
        for (long idx = 0; vectors < target; idx++) {
            Case k = make_case(*sp, seed, idx);
            if (k.preload || k.nops() > 256) continue;  // back-door cases: cosim_pe only
            do_reset();
            model->init(k.segs[0].cfg);
            long flat = 0;
            size_t cur = 0;
            for (size_t si = 0; si < k.segs.size(); si++)
                for (const Op &o : k.segs[si].ops) {
                    wire->cfg = &k.segs[si].cfg;
                    wire->op = &o;
                    wire->index = flat;
                    wire->new_seg = si != cur;
                    drive(k.segs[si].cfg, o);
                    in_valid = true;
                    // wait for the accepting edge (ready sampled before it)
                    do {
                        wait(clk.posedge_event());
                    } while (!in_ready.read());
                    cur = si;
                    wait(clk.negedge_event());
                    in_valid = false;
                    if (flat == k.reset_op) {
                        for (int i = 0; i < k.reset_cycle % 3; i++) {
                            if (out_valid.read()) break;
                            wait(clk.negedge_event());
                        }
                        if (!out_valid.read()) {
                            do_reset();
                            model->init(k.segs[si].cfg);
                        }
                    }
                    flat++;
                    vectors++;
                }
            // drain
            while (!expect->empty()) wait(clk.negedge_event());
            wait(clk.negedge_event());
            cases++;
            if (sb->mismatches) {
                printf("MISMATCH seed %" PRIu64 " case %ld (%s, corner %s): %s\n"
                       "reproduce: build/sim/cosim_pe --seed %" PRIu64 " --case %ld --waves fail.fst\n",
                       seed, idx, cfg_str(k.segs[0].cfg).c_str(), kCornerName[k.corner],
                       sb->first_error.c_str(), seed, idx);
                break;
            }
        }
        sc_stop();
    }
    SC_CTOR(Driver) { SC_THREAD(run); }
};

}  // namespace

int sc_main(int argc, char **argv) {
    uint64_t seed = 1;
    long n = 3000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], nullptr, 0);
        } else if (!strcmp(argv[i], "--n") && i + 1 < argc) {
            n = strtol(argv[++i], nullptr, 0);
        } else {
            fprintf(stderr, "usage: sc_pe [--seed S] [--n VECTORS]\n");
            return 2;
        }
    }
    Space sp;
    Wire wire;
    std::deque<Expect> expect;

    sc_clock clk("clk", 10, SC_NS);
    sc_signal<bool> rst_n, in_valid, in_ready, clear, out_valid, both;
    sc_signal<uint32_t> mode, a_kind, a_bits, a_fmt, w_kind, w_bits, w_fmt, group, scale_fmt;
    sc_signal<sc_bv<16 * kLanes>> a;
    sc_signal<sc_bv<16 * kCols * kLanes>> w;
    sc_signal<sc_bv<8 * kSlots>> as;
    sc_signal<sc_bv<16 * kCols * kSlots>> ws, wz;
    sc_signal<sc_bv<48 * kCols>> acc;
    sc_signal<sc_bv<32 * kCols>> facc;

    Vmpe_pe dut("dut");
    dut.clk_i(clk);
    dut.rst_ni(rst_n);
    dut.cfg_mode_i(mode);
    dut.cfg_a_kind_i(a_kind);
    dut.cfg_a_bits_i(a_bits);
    dut.cfg_a_fmt_i(a_fmt);
    dut.cfg_w_kind_i(w_kind);
    dut.cfg_w_bits_i(w_bits);
    dut.cfg_w_fmt_i(w_fmt);
    dut.cfg_both_serial_i(both);
    dut.cfg_group_i(group);
    dut.cfg_scale_fmt_i(scale_fmt);
    dut.in_valid_i(in_valid);
    dut.in_ready_o(in_ready);
    dut.in_a_i(a);
    dut.in_w_i(w);
    dut.in_a_scale_i(as);
    dut.in_w_scale_i(ws);
    dut.in_w_zero_i(wz);
    dut.in_clear_i(clear);
    dut.out_valid_o(out_valid);
    dut.out_acc_o(acc);
    dut.out_facc_o(facc);

    CModel model("cmodel");
    model.clk(clk);
    model.rst_n(rst_n);
    model.in_valid(in_valid);
    model.in_ready(in_ready);
    model.wire = &wire;
    model.expect = &expect;
    Scoreboard sb("scoreboard");
    sb.clk(clk);
    sb.out_valid(out_valid);
    sb.acc(acc);
    sb.facc(facc);
    sb.expect = &expect;
    Driver drv("driver");
    drv.clk(clk);
    drv.in_ready(in_ready);
    drv.out_valid(out_valid);
    drv.rst_n(rst_n);
    drv.in_valid(in_valid);
    drv.clear(clear);
    drv.mode(mode);
    drv.a_kind(a_kind);
    drv.a_bits(a_bits);
    drv.a_fmt(a_fmt);
    drv.w_kind(w_kind);
    drv.w_bits(w_bits);
    drv.w_fmt(w_fmt);
    drv.both(both);
    drv.group(group);
    drv.scale_fmt(scale_fmt);
    drv.a(a);
    drv.w(w);
    drv.as(as);
    drv.ws(ws);
    drv.wz(wz);
    drv.sp = &sp;
    drv.seed = seed;
    drv.target = n;
    drv.wire = &wire;
    drv.model = &model;
    drv.sb = &sb;
    drv.expect = &expect;

    sc_start();
    bool ok = sb.mismatches == 0 && model.error.empty() && sb.compared > 0;
    if (!model.error.empty()) printf("model error: %s\n", model.error.c_str());
    printf("systemc: %ld cases, %ld vectors driven, %ld compared, %ld mismatches, %" PRIu64
           " cycles\n",
           drv.cases, drv.vectors, sb.compared, sb.mismatches, now_edge());
    printf("%d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
    return ok ? 0 : 1;
}
