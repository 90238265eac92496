// The accelerator as a loosely timed TLM-2.0 module (mpe_accel_tlm.h).
#include "mpe_accel_tlm.h"

#include <cstdio>

using sc_core::sc_time;

namespace mpe_tlm {

const char *state_name(uint32_t s)
{
    static const char *n[] = {"idle", "running", "done", "trap", "error"};
    return s <= ST_ERROR ? n[s] : "?";
}

const char *error_name(uint32_t e)
{
    static const char *n[] = {"none", "bad PROG_LEN", "bus error (read)", "bus error (write)",
                              "cycle limit", "internal"};
    return e <= ERR_INTERNAL ? n[e] : "?";
}

Accel::Accel(sc_core::sc_module_name name, const mpe_arch &arch, sc_time period,
             uint64_t mem_base, mpe_ext_burst burst)
    : sc_module(name), ctrl("ctrl"), mem("mem"), irq("irq"), arch_(arch), period_(period),
      mem_base_(mem_base)
{
    mpe_accel_mem m = {this, &Accel::mem_read_cb, &Accel::mem_write_cb};
    mpe_status st = mpe_accel_ext_create(&arch, &m, burst, &ext_);
    if (st != MPE_OK)
        SC_REPORT_FATAL("mpe_accel_tlm", (std::string("cannot create the C model: ") +
                                          mpe_status_str(st)).c_str());
    ctrl.register_b_transport(this, &Accel::b_transport);
    SC_THREAD(run_thread);
    SC_METHOD(irq_method);
    sensitive << irq_ev_;
    dont_initialize();
}

Accel::~Accel() { mpe_accel_ext_destroy(ext_); }

// ---- registers ---------------------------------------------------------------

static uint32_t lo32(uint64_t v) { return (uint32_t)v; }
static uint32_t hi32(uint64_t v) { return (uint32_t)(v >> 32); }
static void set_lo(uint64_t &r, uint32_t v) { r = (r & ~0xFFFFFFFFull) | v; }
static void set_hi(uint64_t &r, uint32_t v) { r = (r & 0xFFFFFFFFull) | (uint64_t)v << 32; }

uint32_t Accel::reg_read(uint32_t off) const
{
    switch (off) {
    case REG_ID: return kId;
    case REG_VERSION: return (uint32_t)MPE_ISA_VERSION | kRegMapVersion << 16;
    case REG_CTRL: return 0;
    case REG_STATUS: return state_ | (irq_pending_ ? kStatusIrq : 0);
    case REG_IRQ_EN: return irq_en_ ? 1 : 0;
    case REG_PROG_ADDR_LO: return lo32(prog_addr_);
    case REG_PROG_ADDR_HI: return hi32(prog_addr_);
    case REG_PROG_LEN: return prog_len_;
    case REG_MAX_CYCLES_LO: return lo32(max_cycles_);
    case REG_MAX_CYCLES_HI: return hi32(max_cycles_);
    case REG_CYCLES_LO: return lo32(cycles_);
    case REG_CYCLES_HI: return hi32(cycles_);
    case REG_TRAP_CAUSE: return trap_cause_;
    case REG_TRAP_PC: return trap_pc_;
    case REG_ERROR: return error_;
    case REG_ERR_ADDR_LO: return lo32(err_addr_);
    case REG_ERR_ADDR_HI: return hi32(err_addr_);
    case REG_PE_BUSY_LO: return lo32(pe_busy_);
    default: return hi32(pe_busy_); // REG_PE_BUSY_HI
    }
}

tlm::tlm_response_status Accel::reg_write(uint32_t off, uint32_t v, const sc_time &delay)
{
    bool busy = state_ == ST_RUNNING;
    switch (off) {
    case REG_CTRL:
        if ((v & CTRL_START) && busy)
            return tlm::TLM_GENERIC_ERROR_RESPONSE;
        if (v & (CTRL_START | CTRL_IRQ_ACK)) {
            irq_pending_ = false;
            irq_ev_.notify(delay);
        }
        if (v & CTRL_START) {
            state_ = ST_RUNNING;
            error_ = ERR_NONE;
            trap_cause_ = trap_pc_ = 0;
            cycles_ = pe_busy_ = err_addr_ = 0;
            t_start_ = sc_core::sc_time_stamp() + delay;
            start_ev_.notify(delay);
        }
        return tlm::TLM_OK_RESPONSE;
    case REG_IRQ_EN:
        irq_en_ = v & 1;
        irq_ev_.notify(delay);
        return tlm::TLM_OK_RESPONSE;
    case REG_PROG_ADDR_LO: case REG_PROG_ADDR_HI: case REG_PROG_LEN:
    case REG_MAX_CYCLES_LO: case REG_MAX_CYCLES_HI:
        if (busy)
            return tlm::TLM_GENERIC_ERROR_RESPONSE;
        if (off == REG_PROG_ADDR_LO) set_lo(prog_addr_, v);
        else if (off == REG_PROG_ADDR_HI) set_hi(prog_addr_, v);
        else if (off == REG_PROG_LEN) prog_len_ = v;
        else if (off == REG_MAX_CYCLES_LO) set_lo(max_cycles_, v);
        else set_hi(max_cycles_, v);
        return tlm::TLM_OK_RESPONSE;
    default:
        return tlm::TLM_COMMAND_ERROR_RESPONSE; // read-only
    }
}

void Accel::b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
{
    uint64_t off = gp.get_address();
    unsigned char *p = gp.get_data_ptr();
    if (gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (gp.get_data_length() != 4 || gp.get_streaming_width() < 4 || off % 4) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    if (off >= REG_SPAN) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (gp.is_read()) {
        uint32_t v = reg_read((uint32_t)off);
        for (int i = 0; i < 4; i++)
            p[i] = (unsigned char)(v >> (8 * i));
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    } else if (gp.is_write()) {
        uint32_t v = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        gp.set_response_status(reg_write((uint32_t)off, v, delay));
    } else {
        gp.set_response_status(tlm::TLM_OK_RESPONSE); // IGNORE
    }
}

void Accel::irq_method() { irq.write(irq_pending_ && irq_en_); }

// ---- memory ------------------------------------------------------------------

// One transaction at bus address `addr`, annotated with the offset of
// accelerator cycle `cycle` from the current SystemC time.
mpe_status Accel::transact(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, size_t len,
                           uint64_t cycle)
{
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length((unsigned)len);
    gp.set_streaming_width((unsigned)len);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = t_start_ + sc_time::from_value(period_.value() * cycle) -
                    sc_core::sc_time_stamp();
    mem->b_transport(gp, delay); // the returned delay is not added (see the header)
    txns_++;
    if (gp.is_response_error()) {
        bus_err_addr_ = addr;
        bus_err_write_ = cmd == tlm::TLM_WRITE_COMMAND;
        return MPE_ERR_RANGE;
    }
    return MPE_OK;
}

mpe_status Accel::mem_read_cb(void *user, uint64_t addr, void *dst, size_t len, uint64_t cycle)
{
    Accel *a = static_cast<Accel *>(user);
    return a->transact(tlm::TLM_READ_COMMAND, a->mem_base_ + addr, (uint8_t *)dst, len, cycle);
}

mpe_status Accel::mem_write_cb(void *user, uint64_t addr, const void *src, size_t len,
                               uint64_t cycle)
{
    Accel *a = static_cast<Accel *>(user);
    // TLM data pointers are not const; a write does not modify the data
    return a->transact(tlm::TLM_WRITE_COMMAND, a->mem_base_ + addr,
                       const_cast<uint8_t *>(static_cast<const uint8_t *>(src)), len, cycle);
}

// ---- the run ---------------------------------------------------------------

void Accel::run_thread()
{
    for (;;) {
        wait(start_ev_);
        run_once();
    }
}

// The code image is read before cycle 0 and takes no accelerator cycles
// (like `mpe run`, which loads the code before the run).
bool Accel::fetch_code(std::string &why)
{
    const size_t chunk = 4096, total = (size_t)prog_len_ * MPE_INSN_BYTES;
    std::string code(total, '\0');
    uint8_t *p = reinterpret_cast<uint8_t *>(&code[0]);
    for (size_t off = 0; off < total; off += chunk) {
        size_t n = total - off < chunk ? total - off : chunk;
        if (transact(tlm::TLM_READ_COMMAND, prog_addr_ + off, p + off, n, 0) != MPE_OK) {
            char msg[96];
            snprintf(msg, sizeof msg, "bus error reading the code image at 0x%llx",
                     (unsigned long long)bus_err_addr_);
            why = msg;
            return false;
        }
    }
    mpe_status st = mpe_accel_ext_load_code(ext_, p, prog_len_);
    if (st != MPE_OK)
        why = std::string("cannot load the code: ") + mpe_status_str(st);
    return st == MPE_OK;
}

void Accel::run_once()
{
    qk_.reset();
    txns_ = 0;
    err_text_.clear();
    if (prog_len_ == 0 || prog_len_ > arch_.imem_insns) {
        error_ = ERR_PROG_LEN;
        err_text_ = "PROG_LEN " + std::to_string(prog_len_) + " outside 1.." +
                    std::to_string(arch_.imem_insns);
        return finish(ST_ERROR, false);
    }
    if (!fetch_code(err_text_)) {
        error_ = ERR_BUS_READ;
        err_addr_ = bus_err_addr_;
        return finish(ST_ERROR, false);
    }
    finish(run_model(), true);
}

// Steps the model until it stops; the final STATUS state.
uint32_t Accel::run_model()
{
    mpe_accel *m = model();
    for (;;) {
        if (max_cycles_ && mpe_accel_cycle(m) >= max_cycles_)
            return stop(ERR_LIMIT);
        mpe_run_state rs;
        mpe_status st = mpe_accel_ext_step(ext_, &rs);
        if (st != MPE_OK)
            return stop(st == MPE_ERR_UNSUPPORTED ? ERR_INTERNAL
                        : bus_err_write_         ? ERR_BUS_WRITE
                                                 : ERR_BUS_READ);
        if (rs == MPE_RUN_DONE)
            return ST_DONE;
        if (rs == MPE_RUN_TRAP)
            return ST_TRAP;
        qk_.inc(period_);
        if (qk_.need_sync()) {
            qk_.sync();
            cycles_ = mpe_accel_cycle(m);
        }
    }
}

// An ERROR stop (a failed step of the wrapper, or the cycle limit).
uint32_t Accel::stop(uint32_t err)
{
    uint64_t a = 0;
    error_ = err;
    if (err == ERR_LIMIT) {
        err_text_ = "no halt within " + std::to_string(max_cycles_) + " cycles";
        // the beats of a store row in progress
        if (mpe_accel_ext_flush(ext_) == MPE_OK)
            return ST_ERROR;
        error_ = ERR_BUS_WRITE;
    }
    err_text_ = mpe_accel_ext_error(ext_, &a);
    err_addr_ = error_ == ERR_INTERNAL ? mem_base_ + a : bus_err_addr_;
    return ST_ERROR;
}

// Waits until start + cycles x period, then latches the results and raises
// the interrupt.
// `ran`: the model ran (else it holds nothing of this run).
void Accel::finish(uint32_t state, bool ran)
{
    mpe_accel *m = model();
    const mpe_accel_stats *s = mpe_accel_stats_get(m);
    cycles_ = !ran ? 0 : state == ST_ERROR ? mpe_accel_cycle(m) : s->cycles;
    pe_busy_ = ran ? s->pe_busy : 0;
    if (state == ST_TRAP) {
        trap_cause_ = mpe_accel_trap(m)->cause;
        trap_pc_ = mpe_accel_trap(m)->pc;
        err_text_ = mpe_accel_trap(m)->msg;
    }
    sc_time end = t_start_ + sc_time::from_value(period_.value() * cycles_);
    if (end > sc_core::sc_time_stamp())
        wait(end - sc_core::sc_time_stamp());
    qk_.reset();
    t_end_ = sc_core::sc_time_stamp();
    state_ = state;
    irq_pending_ = true;
    irq_ev_.notify(sc_core::SC_ZERO_TIME);
    done_ev_.notify(sc_core::SC_ZERO_TIME);
}

}  // namespace mpe_tlm
