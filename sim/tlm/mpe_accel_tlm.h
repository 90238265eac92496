// The accelerator as a loosely timed SystemC/TLM-2.0 module: the
// cycle-exact C model (cmodel/, through sim/tlm/accel_ext.h) behind
//   ctrl  a target socket with the control/status registers below,
//   mem   an initiator socket that carries ALL external-memory traffic:
//         the code image at START and every DMA row (or beat) of the run,
//   irq   high while a finished run is unacknowledged and IRQ_EN is set
//         (done_event() is notified at the same time).
// Timing: the run starts at the time of the START write (sc_time_stamp()
// plus the write's annotated delay); cycle t begins period x t later; the
// module runs ahead of SystemC time by at most the global quantum
// (tlm_quantumkeeper) and finishes at exactly start + cycles x period.
// Memory transactions carry the offset of their cycle as annotated delay;
// the delay a target adds is not added: the memory's timing is the C
// model's (mem_latency, one beat per cycle). sim/tlm/README.md and
// docs/isa.md ("Host interface (SystemC/TLM)") describe the register map.
#ifndef MPE_ACCEL_TLM_H
#define MPE_ACCEL_TLM_H

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <string>

extern "C" {
#include "accel_ext.h"
}

namespace mpe_tlm {

// Register byte offsets (32-bit registers, 4-byte aligned accesses).
enum Reg : uint32_t {
    REG_ID = 0x00,            // RO  0x4145504D ("MPEA" in memory order)
    REG_VERSION = 0x04,       // RO  [15:0] ISA version, [31:16] register map version
    REG_CTRL = 0x08,          // WO  bit 0 START, bit 1 IRQ_ACK
    REG_STATUS = 0x0C,        // RO  [2:0] state (State), bit 8 IRQ pending
    REG_IRQ_EN = 0x10,        // RW  bit 0
    REG_PROG_ADDR_LO = 0x14,  // RW  bus address of the code image
    REG_PROG_ADDR_HI = 0x18,  // RW
    REG_PROG_LEN = 0x1C,      // RW  instructions (1 .. imem_insns)
    REG_MAX_CYCLES_LO = 0x20, // RW  cycle limit, 0 = none
    REG_MAX_CYCLES_HI = 0x24, // RW
    REG_CYCLES_LO = 0x28,     // RO  cycle count (docs/isa.md 5, End)
    REG_CYCLES_HI = 0x2C,     // RO
    REG_TRAP_CAUSE = 0x30,    // RO  mpe_trap_cause of a TRAP
    REG_TRAP_PC = 0x34,       // RO  pc of the trapping instruction
    REG_ERROR = 0x38,         // RO  Error of an ERROR
    REG_ERR_ADDR_LO = 0x3C,   // RO  bus address of a failed access
    REG_ERR_ADDR_HI = 0x40,   // RO
    REG_PE_BUSY_LO = 0x44,    // RO  PE-array busy cycles (utilization = PE_BUSY / CYCLES)
    REG_PE_BUSY_HI = 0x48,    // RO
    REG_SPAN = 0x4C           // size of the register window
};

constexpr uint32_t kId = 0x4145504Du;
constexpr uint32_t kRegMapVersion = 1;
enum Ctrl : uint32_t { CTRL_START = 1u << 0, CTRL_IRQ_ACK = 1u << 1 };
enum State : uint32_t { ST_IDLE = 0, ST_RUNNING = 1, ST_DONE = 2, ST_TRAP = 3, ST_ERROR = 4 };
enum Error : uint32_t {
    ERR_NONE = 0,
    ERR_PROG_LEN = 1,  // PROG_LEN is 0 or above imem_insns
    ERR_BUS_READ = 2,  // a read of the code image or of a load failed
    ERR_BUS_WRITE = 3, // a store's write failed
    ERR_LIMIT = 4,     // MAX_CYCLES reached before halt
    ERR_INTERNAL = 5   // the memory wrapper lost track of the model (a bug)
};
constexpr uint32_t kStatusIrq = 1u << 8;
const char *state_name(uint32_t state);
const char *error_name(uint32_t err);

class Accel : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Accel> ctrl;
    tlm_utils::simple_initiator_socket<Accel> mem;
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(Accel);
    // mem_base: bus address of the accelerator's external address 0.
    Accel(sc_core::sc_module_name name, const mpe_arch &arch, sc_core::sc_time period,
          uint64_t mem_base = 0, mpe_ext_burst burst = MPE_EXT_ROWS);
    ~Accel() override;
    Accel(const Accel &) = delete;
    Accel &operator=(const Accel &) = delete;

    const sc_core::sc_event &done_event() const { return done_ev_; }
    // Simulation-level introspection (not part of the register interface):
    // the C model (statistics, trace, trap text) and the run's traffic.
    mpe_accel *model() { return mpe_accel_ext_model(ext_); }
    const mpe_ext_traffic &traffic() const { return *mpe_accel_ext_traffic(ext_); }
    const std::string &error_text() const { return err_text_; }
    sc_core::sc_time start_time() const { return t_start_; }
    sc_core::sc_time end_time() const { return t_end_; }
    uint64_t mem_txns() const { return txns_; }

private:
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    tlm::tlm_response_status reg_write(uint32_t off, uint32_t v, const sc_core::sc_time &delay);
    uint32_t reg_read(uint32_t off) const;
    void run_thread();
    void irq_method();
    void run_once();
    uint32_t run_model();
    uint32_t stop(uint32_t err);
    bool fetch_code(std::string &why);
    void finish(uint32_t state, bool ran);
    mpe_status transact(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, size_t len,
                        uint64_t cycle);
    static mpe_status mem_read_cb(void *user, uint64_t addr, void *dst, size_t len,
                                  uint64_t cycle);
    static mpe_status mem_write_cb(void *user, uint64_t addr, const void *src, size_t len,
                                   uint64_t cycle);

    mpe_arch arch_;
    sc_core::sc_time period_;
    uint64_t mem_base_;
    mpe_accel_ext *ext_ = nullptr;
    tlm_utils::tlm_quantumkeeper qk_;
    sc_core::sc_event start_ev_, done_ev_, irq_ev_;
    sc_core::sc_time t_start_, t_end_;
    uint64_t txns_ = 0;
    uint64_t bus_err_addr_ = 0;
    bool bus_err_write_ = false;
    std::string err_text_;
    // registers
    uint32_t state_ = ST_IDLE, error_ = ERR_NONE, trap_cause_ = 0, trap_pc_ = 0;
    bool irq_pending_ = false, irq_en_ = false;
    uint64_t prog_addr_ = 0, max_cycles_ = 0, cycles_ = 0, pe_busy_ = 0, err_addr_ = 0;
    uint32_t prog_len_ = 0;
};

}  // namespace mpe_tlm

#endif
