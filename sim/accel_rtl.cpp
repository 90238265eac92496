// The RTL backend: Vmpe_top plus the external memory model (sim/accel_rtl.h).
#include "accel_rtl.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "Vmpe_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"

extern "C" {
#include "mpe/isa.h"
}

// The trap causes of rtl/mpe_acc_pkg.vh and mpe_trap_cause are both expanded
// from isa/traps.def (`mpe isa-vh`; tests/suites/cli_asm.sh checks the file).
static_assert(RTL_BEAT_BYTES % 4 == 0 && RTL_BEAT_BYTES >= 12,
              "the harness moves beats as Verilator wide words");

namespace {

constexpr unsigned kPage = 4096;

struct Rsp {
    uint64_t due;
    std::vector<uint8_t> data;
};

struct Sim {
    mpe_arch arch{};
    std::unique_ptr<VerilatedContext> vc;
    std::unique_ptr<Vmpe_top> top;
    std::unique_ptr<VerilatedFstC> fst;
    uint8_t *mem = nullptr;
    std::vector<uint8_t> dirty;
    std::vector<mpe_insn> imem;
    std::vector<uint8_t> raw;
    std::deque<Rsp> rsp;
    uint64_t t = 0, tick = 0;
    mpe_run_state state = MPE_RUN_RUNNING;
    mpe_trap trap{};
    mpe_accel_stats st{};
    mpe_commit_fn fn = nullptr;
    void *user = nullptr;
    ~Sim() { free(mem); }
};

void mark(Sim *s, uint64_t addr, size_t len)
{
    if (!len) return;
    for (uint64_t p = addr / kPage; p <= (addr + len - 1) / kPage; p++) s->dirty[p] = 1;
}

void half(Sim *s, int clk)
{
    s->top->clk_i = clk;
    s->top->eval();
    if (s->fst) s->fst->dump(s->tick);
    s->tick++;
}

// Fresh model in reset with `n` instructions in its instruction memory.
void reset_model(Sim *s, const uint8_t *code, size_t n)
{
    s->fst.reset();
    s->top.reset();
    s->vc.reset(new VerilatedContext);
    s->top.reset(new Vmpe_top{s->vc.get()});
    Vmpe_top *m = s->top.get();
    m->rst_ni = 0;
    m->mem_req_ready_i = 1;
    m->mem_rsp_valid_i = 0;
    half(s, 0);
    for (size_t i = 0; i < n; i++) {
        m->imem_we_i = 1;
        m->imem_waddr_i = (uint16_t)i;
        for (int w = 0; w < 4; w++) {
            uint32_t v = 0;
            for (int b = 0; b < 4; b++) v |= (uint32_t)code[16 * i + 4 * w + b] << (8 * b);
            m->imem_wdata_i[w] = v;
        }
        half(s, 1);
        half(s, 0);
    }
    m->imem_we_i = 0;
    m->rst_ni = 1;
    half(s, 0);
    s->t = 0;
    s->state = MPE_RUN_RUNNING;
    s->trap = mpe_trap{};
    s->st = mpe_accel_stats{};
    s->rsp.clear();
}

const char *cause_text(int c)
{
    return mpe_trap_name((mpe_trap_cause)c);
}

mpe_status create(const mpe_arch *arch, void **ctx, char *err, size_t errlen)
{
    *ctx = nullptr;
    mpe_arch built;
    accel_rtl_arch(&built);
    char msg[256];
    if (mpe_arch_compare(arch, "program", &built, "RTL model", msg, sizeof msg)) {
        snprintf(err, errlen, "%s (rebuild the RTL model for it: make rtl-sim ACCEL_ARCH=CONFIG)",
                 msg);
        return MPE_ERR_ARG;
    }
    Sim *s = new Sim;
    s->arch = *arch;
    s->mem = (uint8_t *)calloc(1, arch->mem_bytes);
    if (!s->mem) {
        delete s;
        snprintf(err, errlen, "cannot allocate %u bytes of memory", arch->mem_bytes);
        return MPE_ERR_NOMEM;
    }
    s->dirty.assign((arch->mem_bytes + kPage - 1) / kPage, 0);
    reset_model(s, nullptr, 0);
    *ctx = s;
    return MPE_OK;
}

void destroy(void *ctx)
{
    Sim *s = (Sim *)ctx;
    if (s && s->fst) s->fst->close();
    delete s;
}

mpe_status load_code(void *ctx, const uint8_t *code, size_t n)
{
    Sim *s = (Sim *)ctx;
    if (n > s->arch.imem_insns) return MPE_ERR_RANGE;
    s->raw.assign(code, code + n * MPE_INSN_BYTES);
    s->imem.assign(n, mpe_insn{});
    for (size_t i = 0; i < n; i++) mpe_insn_decode(code + i * MPE_INSN_BYTES, &s->imem[i]);
    reset_model(s, code, n);
    return MPE_OK;
}

mpe_status mem_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
    Sim *s = (Sim *)ctx;
    if (addr > s->arch.mem_bytes || len > s->arch.mem_bytes - addr) return MPE_ERR_RANGE;
    if (len) memcpy(s->mem + addr, src, len);
    mark(s, addr, len);
    return MPE_OK;
}

mpe_status mem_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
    Sim *s = (Sim *)ctx;
    if (addr > s->arch.mem_bytes || len > s->arch.mem_bytes - addr) return MPE_ERR_RANGE;
    if (len) memcpy(dst, s->mem + addr, len);
    return MPE_OK;
}

void set_trace(void *ctx, mpe_commit_fn fn, void *user)
{
    Sim *s = (Sim *)ctx;
    s->fn = fn;
    s->user = user;
}

// One cycle: drive the response due now, evaluate, act on the memory
// request, report commits, clock edge.
mpe_run_state step(void *ctx)
{
    Sim *s = (Sim *)ctx;
    if (s->state == MPE_RUN_LIMIT) s->state = MPE_RUN_RUNNING;
    if (s->state != MPE_RUN_RUNNING) return s->state;
    Vmpe_top *m = s->top.get();
    const unsigned B = RTL_BEAT_BYTES;
    if (!s->rsp.empty() && s->rsp.front().due == s->t) {
        const std::vector<uint8_t> &d = s->rsp.front().data;
        for (unsigned w = 0; w < B / 4; w++)
            m->mem_rsp_rdata_i[w] = d[4 * w] | (uint32_t)d[4 * w + 1] << 8 |
                                    (uint32_t)d[4 * w + 2] << 16 | (uint32_t)d[4 * w + 3] << 24;
        m->mem_rsp_valid_i = 1;
        s->rsp.pop_front();
    } else {
        m->mem_rsp_valid_i = 0;
    }
    m->clk_i = 0;
    m->eval();
    if (m->done_o) {
        s->st.cycles = s->t;
        return s->state = MPE_RUN_DONE;
    }
    if (m->mem_req_valid_o && m->mem_req_ready_i) {
        uint64_t a = m->mem_req_addr_o;
        if (a + B > s->arch.mem_bytes) {
            fprintf(stderr, "accel_rtl: memory request outside memory at 0x%llx\n",
                    (unsigned long long)a);
            a = 0;
        }
        if (m->mem_req_we_o) {
            for (unsigned w = 0; w < B / 4; w++)
                for (int b = 0; b < 4; b++)
                    s->mem[a + 4 * w + b] = (uint8_t)(m->mem_req_wdata_o[w] >> (8 * b));
            mark(s, a, B);
        } else {
            s->rsp.push_back(Rsp{s->t + s->arch.mem_latency,
                                 std::vector<uint8_t>(s->mem + a, s->mem + a + B)});
        }
    }
    for (int u = 0; u < 4; u++) {
        if (!((m->commit_valid_o >> u) & 1)) continue;
        uint32_t pc = m->commit_pc_o[u];
        if (pc < s->imem.size()) {
            s->st.insns[s->imem[pc].id]++;
            if (s->fn) {
                mpe_commit c = {s->t, (uint8_t)u, pc, &s->imem[pc]};
                s->fn(s->user, &c);
            }
        }
    }
    bool trapped = m->trap_o;
    if (trapped) {
        s->trap.cause = (mpe_trap_cause)m->trap_cause_o;
        s->trap.pc = m->trap_pc_o;
        s->trap.cycle = s->t;
        snprintf(s->trap.msg, sizeof s->trap.msg, "pc %u: %s trap (RTL)", s->trap.pc,
                 cause_text(m->trap_cause_o));
    }
    m->clk_i = 1;
    m->eval();
    if (s->fst) {
        s->fst->dump(s->tick++);
        m->clk_i = 0;
        m->eval();
        s->fst->dump(s->tick++);
    }
    s->t++;
    s->st.cycles = s->t;
    s->st.pe_ops = m->pe_ops_o;
    s->st.pe_busy = m->pe_busy_o;
    s->st.macs = s->st.pe_ops * s->arch.rows * s->arch.cols * s->arch.lanes;
    s->st.beats_read = m->beats_read_o;
    s->st.beats_written = m->beats_written_o;
    uint64_t w[12];
    for (int i = 0; i < 12; i++) w[i] = (uint64_t)m->stalls_o[2 * i] | (uint64_t)m->stalls_o[2 * i + 1] << 32;
    for (int u = 0; u < 4; u++) s->st.unit_busy[u] = w[u];
    s->st.ctrl_stall_queue = w[4];
    s->st.ctrl_stall_sync = w[5];
    for (int u = 1; u < 4; u++) s->st.token_stall[u] = w[5 + u];
    s->st.port_stall[MPE_UNIT_LOAD] = w[9];
    s->st.port_stall[MPE_UNIT_STORE] = w[10];
    s->st.drain_stall = w[11];
    if (trapped) return s->state = MPE_RUN_TRAP;
    return s->state;
}

mpe_run_state run(void *ctx, uint64_t max)
{
    Sim *s = (Sim *)ctx;
    while (step(ctx) == MPE_RUN_RUNNING)
        if (max && s->t >= max) return s->state = MPE_RUN_LIMIT;
    return s->state;
}

const mpe_accel_stats *stats(void *ctx) { return &((Sim *)ctx)->st; }
const mpe_trap *trap(void *ctx) { return &((Sim *)ctx)->trap; }
mpe_run_state run_progress(void *ctx, uint64_t max, mpe_progress_fn fn, void *user);

}  // namespace

extern "C" {

const mpe_backend accel_rtl_backend = {"rtl",    create,    destroy, load_code,
                                       mem_write, mem_read, set_trace, step,
                                       run,      stats,     trap,    run_progress};

int accel_rtl_fst(void *ctx, const char *path)
{
    Sim *s = (Sim *)ctx;
    s->vc->traceEverOn(true);
    s->fst.reset(new VerilatedFstC);
    s->top->trace(s->fst.get(), 99);
    s->fst->open(path);
    return s->fst->isOpen() ? 0 : -1;
}

void accel_rtl_arch(mpe_arch *a)
{
    a->rows = RTL_ROWS;
    a->cols = RTL_COLS;
    a->lanes = RTL_LANES;
    a->asp_bytes = RTL_ASP_BYTES;
    a->wsp_bytes = RTL_WSP_BYTES;
    a->psp_bytes = RTL_PSP_BYTES;
    a->osp_bytes = RTL_OSP_BYTES;
    a->beat_bytes = RTL_BEAT_BYTES;
    a->mem_latency = RTL_MEM_LATENCY;
    a->mem_bytes = RTL_MEM_BYTES;
    a->queue_depth = RTL_QUEUE_DEPTH;
    a->imem_insns = RTL_IMEM_INSNS;
    a->lut_ppc = RTL_LUT_PPC;
}

size_t accel_rtl_dirty_pages(void *ctx, uint64_t *pages, size_t max)
{
    Sim *s = (Sim *)ctx;
    size_t n = 0;
    for (size_t p = 0; p < s->dirty.size(); p++)
        if (s->dirty[p]) {
            if (n < max) pages[n] = p;
            n++;
        }
    return n;
}

}  // extern "C"

namespace {

// 1024 cycles: some 25 progress records per second at the RTL model's speed
// (about 25000 cycles/s on the default architecture)
mpe_run_state run_progress(void *ctx, uint64_t max, mpe_progress_fn fn, void *user)
{
    return mpe_backend_run_chunked(&accel_rtl_backend, ctx, max, 1024, fn, user);
}

}  // namespace
