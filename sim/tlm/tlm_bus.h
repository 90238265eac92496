// Platform pieces for the accelerator's TLM model: a memory target and a
// two-way address decoder (everything at REG_BASE.. goes to the
// accelerator's registers, everything else to the memory at address 0).
// Both are untimed: they add no delay and never call wait().
#ifndef MPE_TLM_BUS_H
#define MPE_TLM_BUS_H

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace mpe_tlm {

// Zero-initialised storage of `size` bytes at bus address 0 (calloc, so
// untouched pages cost nothing). Reads and writes of any length inside
// [0, size); byte enables and streaming are not supported.
class Memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Memory> socket;
    uint64_t reads = 0, writes = 0;

    Memory(sc_core::sc_module_name name, uint64_t size)
        : sc_module(name), socket("socket"), size_(size)
    {
        data_ = static_cast<uint8_t *>(calloc(size ? size : 1, 1));
        if (!data_)
            SC_REPORT_FATAL("mpe_tlm::Memory", "out of memory");
        socket.register_b_transport(this, &Memory::b_transport);
        socket.register_transport_dbg(this, &Memory::transport_dbg);
    }
    ~Memory() override { free(data_); }
    Memory(const Memory &) = delete;
    Memory &operator=(const Memory &) = delete;

    uint64_t size() const { return size_; }
    // Back door for checks after the simulation (no time, no transaction).
    const uint8_t *data() const { return data_; }

private:
    tlm::tlm_response_status access(tlm::tlm_generic_payload &gp)
    {
        uint64_t a = gp.get_address(), n = gp.get_data_length();
        if (gp.get_byte_enable_ptr())
            return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
        if (gp.get_streaming_width() < n)
            return tlm::TLM_BURST_ERROR_RESPONSE;
        if (a > size_ || n > size_ - a)
            return tlm::TLM_ADDRESS_ERROR_RESPONSE;
        if (gp.is_read()) {
            memcpy(gp.get_data_ptr(), data_ + a, n);
            reads++;
        } else if (gp.is_write()) {
            memcpy(data_ + a, gp.get_data_ptr(), n);
            writes++;
        }
        return tlm::TLM_OK_RESPONSE;
    }
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &)
    {
        gp.set_response_status(access(gp));
    }
    unsigned transport_dbg(tlm::tlm_generic_payload &gp)
    {
        gp.set_response_status(access(gp));
        return gp.is_response_ok() ? gp.get_data_length() : 0;
    }

    uint64_t size_;
    uint8_t *data_ = nullptr;
};

// Any number of initiators; [reg_base, reg_base + reg_span) -> regs (with
// the offset as address), everything else -> mem (address unchanged).
class Bus : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<Bus> in;
    tlm_utils::simple_initiator_socket<Bus> to_mem, to_regs;

    Bus(sc_core::sc_module_name name, uint64_t reg_base, uint64_t reg_span)
        : sc_module(name), in("in"), to_mem("to_mem"), to_regs("to_regs"), base_(reg_base),
          span_(reg_span)
    {
        in.register_b_transport(this, &Bus::b_transport);
        in.register_transport_dbg(this, &Bus::transport_dbg);
    }

private:
    bool is_reg(uint64_t a) const { return a >= base_ && a - base_ < span_; }
    void b_transport(int, tlm::tlm_generic_payload &gp, sc_core::sc_time &delay)
    {
        uint64_t a = gp.get_address();
        if (!is_reg(a))
            return to_mem->b_transport(gp, delay);
        gp.set_address(a - base_);
        to_regs->b_transport(gp, delay);
        gp.set_address(a);
    }
    unsigned transport_dbg(int, tlm::tlm_generic_payload &gp)
    {
        if (is_reg(gp.get_address())) {
            gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return 0;
        }
        return to_mem->transport_dbg(gp);
    }

    uint64_t base_, span_;
};

}  // namespace mpe_tlm

#endif
