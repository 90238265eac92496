// A SystemC platform around the accelerator's TLM model: a host CPU thread,
// a bus, a memory and the accelerator (sim/tlm/README.md).
//
//   Host --\                 /--> Memory   [0, mem_size)
//           >-- Bus.in -- Bus
//   Accel.mem /              \--> Accel.ctrl [REG_BASE, REG_BASE + REG_SPAN)
//
// The host loads a .mpeb over TLM (the DATA records, the input tensors and
// the code image, which goes above the accelerator's memory window), programs
// the registers, starts the accelerator, sleeps until its interrupt, reads
// the status registers and the output tensors back over TLM and prints the
// cycle count and a checksum. Checks on the way (a failure exits 1):
// ID/VERSION, START while running is refused, the interrupt and its
// acknowledgement, elapsed simulated time == CYCLES x period, TLM traffic ==
// the model's beats; with --reference the same job on a plain C model
// (mpe/accel.h) must give the same state, statistics, trap and memory.
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "mpe_accel_tlm.h"
#include "tlm_bus.h"

extern "C" {
#include "mpe/accel.h"
#include "mpe/asm.h"
#include "mpe/binary.h"
#include "mpe/rng.h"
#include "mpe/npy.h"
#include "mpe/outfile.h"
#include "mpe/tensorio.h"
}

using namespace mpe_tlm;
using sc_core::sc_time;

namespace {

constexpr uint64_t kRegBase = 0x100000000ull;  // above any memory (mem_bytes <= 1 GiB)
constexpr uint64_t kChunk = 4096;              // bytes per host memory transaction
constexpr uint64_t kDefaultMaxCycles = 1000000000ull;

struct Span {
    uint64_t addr, len, seed;
};

struct Options {
    std::string prog, outdir, trace;
    std::vector<std::string> in_name, in_file;
    std::vector<Span> fills, regions;
    uint64_t max_cycles = kDefaultMaxCycles, quantum = 1000, period_ps = 10000, runs = 1;
    uint64_t code_addr = UINT64_MAX, mem_size = 0;
    int64_t prog_len = -1;
    bool beats = false, reference = false, quiet = false;
};

struct Write {
    uint64_t addr;
    std::vector<uint8_t> bytes;
};

// What the host does, prepared before elaboration.
struct Job {
    mpe_program prog;
    std::vector<Write> writes; // fills, DATA records, inputs, in this order
    std::vector<Span> outs;    // output tensors, then --region spans
    std::vector<std::string> out_names;
    uint32_t prog_len = 0;
    uint64_t code_addr = 0, mem_size = 0;
};

// What the host saw.
struct Result {
    bool finished = false;
    uint32_t status = 0, error = 0, trap_cause = 0, trap_pc = 0;
    uint64_t cycles = 0, pe_busy = 0, err_addr = 0;
    sc_time t_start, t_done;
    std::vector<std::vector<uint8_t>> outs;
    std::vector<std::string> problems;
};

int usage(FILE *f)
{
    fprintf(f, "usage: mpe-tlm PROG.mpeb [--input NAME=FILE.npy]... [--output-dir DIR]\n"
               "               [--trace FILE] [--max-cycles N] [--period-ps P] [--quantum N]\n"
               "               [--beats] [--fill ADDR:LEN:SEED]... [--region ADDR:LEN]...\n"
               "               [--reference] [--quiet] [--code-addr A] [--mem-size N]\n"
               "               [--prog-len N] [--runs N]\n");
    fprintf(f,
            "Runs PROG.mpeb on the SystemC/TLM model of the accelerator: a host thread\n"
            "loads the binary into memory over TLM, programs the registers, starts the\n"
            "accelerator, waits for its interrupt and reads the outputs back. Prints the\n"
            "status, the statistics (as 'mpe run'), the simulated time, the TLM traffic\n"
            "and a checksum (FNV-1a 64) of the output tensors and regions.\n"
            "  --input, --output-dir, --trace, --max-cycles   as 'mpe run'\n"
            "  --period-ps P      accelerator clock period (default 10000 ps)\n"
            "  --quantum N        global quantum in cycles (default 1000)\n"
            "  --beats            one memory transaction per beat (default: per row)\n"
            "  --fill A:L:S       fill [A, A+L) with pseudo-random bytes (seed S) first\n"
            "  --region A:L       also read [A, A+L) back (checksum)\n"
            "  --reference        run the same job on the plain C model and compare\n"
            "                     state, statistics, trap and the whole memory\n"
            "  --code-addr A      bus address of the code image (default mem_bytes)\n"
            "  --mem-size N       size of the memory target (default: up to the code)\n"
            "  --prog-len N       value written to PROG_LEN (default: the code length)\n"
            "  --runs N           load, start and collect N times (each run must repeat\n"
            "                     the first; --trace records every run)\n");
    return 1;
}

bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return false;
    *v = x;
    return true;
}

// "A:L" or "A:L:S" (n = 2 or 3 numbers).
bool parse_span(const std::string &s, int n, Span *out)
{
    uint64_t v[3] = {0, 0, 0};
    size_t pos = 0;
    for (int i = 0; i < n; i++) {
        size_t end = i + 1 < n ? s.find(':', pos) : s.size();
        if (end == std::string::npos || !parse_u64(s.substr(pos, end - pos).c_str(), &v[i]))
            return false;
        pos = end + 1;
    }
    *out = {v[0], v[1], v[2]};
    return out->len > 0;
}

int bad_arg(const char *opt, const char *val, const char *want)
{
    fprintf(stderr, "mpe-tlm: bad %s '%s' (%s)\n", opt, val, want);
    return 2;
}

bool takes_value(const std::string &a)
{
    static const char *opts[] = {"--input",     "--output-dir", "--trace",     "--max-cycles",
                                 "--period-ps", "--quantum",    "--code-addr", "--mem-size",
                                 "--prog-len",  "--fill",       "--region",    "--runs"};
    for (const char *o : opts)
        if (a == o)
            return true;
    return false;
}

// --input NAME=FILE.npy
int add_input_arg(Options &o, const char *v)
{
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || !eq[1])
        return bad_arg("--input", v, "NAME=FILE.npy");
    std::string name(v, eq);
    for (const std::string &s : o.in_name)
        if (s == name) {
            fprintf(stderr, "mpe-tlm: input '%s' given twice\n", name.c_str());
            return 2;
        }
    o.in_name.push_back(name);
    o.in_file.push_back(eq + 1);
    return 0;
}

// The options that take a value; 0 or the exit code of a bad value.
int value_arg(Options &o, const std::string &a, const char *v)
{
    uint64_t n = 0;
    Span sp;
    if (a == "--input")
        return add_input_arg(o, v);
    if (a == "--output-dir" || a == "--trace") {
        (a == "--trace" ? o.trace : o.outdir) = v;
        return 0;
    }
    if (a == "--fill" || a == "--region") {
        if (!parse_span(v, a == "--fill" ? 3 : 2, &sp))
            return bad_arg(a.c_str(), v, a == "--fill" ? "ADDR:LEN:SEED" : "ADDR:LEN");
        (a == "--fill" ? o.fills : o.regions).push_back(sp);
        return 0;
    }
    bool zero_ok = a == "--prog-len" || a == "--code-addr";
    if (!parse_u64(v, &n) || (n == 0 && !zero_ok) || (a == "--prog-len" && n > UINT32_MAX))
        return bad_arg(a.c_str(), v, "a number");
    uint64_t *dst = a == "--max-cycles" ? &o.max_cycles : a == "--period-ps" ? &o.period_ps
                    : a == "--quantum"  ? &o.quantum    : a == "--code-addr" ? &o.code_addr
                    : a == "--mem-size" ? &o.mem_size   : a == "--runs"      ? &o.runs
                                                                             : nullptr;
    if (dst)
        *dst = n;
    else
        o.prog_len = (int64_t)n;
    return 0;
}

int parse_args(int argc, char **argv, Options &o)
{
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h")
            return usage(stdout);
        if (a == "--quiet") o.quiet = true;
        else if (a == "--beats") o.beats = true;
        else if (a == "--reference") o.reference = true;
        else if (takes_value(a)) {
            if (i + 1 == argc) {
                fprintf(stderr, "mpe-tlm: option '%s' needs a value\n", a.c_str());
                return 2;
            }
            if (int rc = value_arg(o, a, argv[++i]))
                return rc;
        } else if (a[0] == '-' || !o.prog.empty()) {
            fprintf(stderr, "mpe-tlm: %s '%s' (--help for usage)\n",
                    a[0] == '-' ? "unknown option" : "more than one program", a.c_str());
            return 2;
        } else
            o.prog = a;
    }
    if (o.prog.empty()) {
        fprintf(stderr, "mpe-tlm: no program given (--help for usage)\n");
        return 2;
    }
    return 0;
}

// ---- preparing the job --------------------------------------------------------

uint64_t splitmix64(uint64_t *s) { return mpe_splitmix64(s); }

bool add_input(Job &job, const mpe_tdesc *d, const std::string &file)
{
    char err[512];
    mpe_tensor t;
    if (mpe_npy_load(file.c_str(), &t, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe-tlm: %s\n", err);
        return false;
    }
    uint8_t *bytes;
    size_t len;
    mpe_status st = mpe_tdesc_encode(d, &t, &bytes, &len, err, sizeof err);
    mpe_tensor_free(&t);
    if (st != MPE_OK) {
        fprintf(stderr, "mpe-tlm: %s: %s\n", file.c_str(), err);
        return false;
    }
    job.writes.push_back({d->addr, std::vector<uint8_t>(bytes, bytes + len)});
    free(bytes);
    return true;
}

bool add_inputs(Job &job, const Options &o)
{
    const mpe_program &p = job.prog;
    for (const std::string &name : o.in_name) {
        bool found = false;
        for (size_t k = 0; k < p.ntensors; k++)
            found |= p.tensors[k].role == MPE_ROLE_INPUT && name == p.tensors[k].name;
        if (!found) {
            fprintf(stderr, "mpe-tlm: %s has no input tensor '%s'\n", o.prog.c_str(),
                    name.c_str());
            return false;
        }
    }
    for (size_t k = 0; k < p.ntensors; k++) {
        const mpe_tdesc *d = &p.tensors[k];
        if (d->role != MPE_ROLE_INPUT)
            continue;
        size_t i = 0;
        while (i < o.in_name.size() && o.in_name[i] != d->name)
            i++;
        if (i == o.in_name.size()) {
            fprintf(stderr, "mpe-tlm: input '%s' not given (--input %s=FILE.npy)\n", d->name,
                    d->name);
            return false;
        }
        if (!add_input(job, d, o.in_file[i]))
            return false;
    }
    return true;
}

bool span_inside(const char *opt, const Span &s, uint64_t mem_bytes)
{
    if (s.addr <= mem_bytes && s.len <= mem_bytes - s.addr)
        return true;
    fprintf(stderr, "mpe-tlm: %s 0x%" PRIx64 ":%" PRIu64 " outside memory (%" PRIu64 " bytes)\n",
            opt, s.addr, s.len, mem_bytes);
    return false;
}

// Pseudo-random bytes (splitmix64 of the seed) for --fill.
Write fill_bytes(const Span &f)
{
    Write w{f.addr, std::vector<uint8_t>(f.len)};
    uint64_t s = f.seed;
    for (uint64_t i = 0; i < f.len; i += 8) {
        uint64_t r = splitmix64(&s);
        for (uint64_t b = 0; b < 8 && i + b < f.len; b++)
            w.bytes[i + b] = (uint8_t)(r >> (8 * b));
    }
    return w;
}

// Output tensors, then --region spans.
bool add_outputs(Job &job, const Options &o)
{
    for (size_t k = 0; k < job.prog.ntensors; k++) {
        const mpe_tdesc *d = &job.prog.tensors[k];
        uint64_t nb = 0;
        if (d->role != MPE_ROLE_OUTPUT || mpe_tdesc_bytes(d, &nb) != MPE_OK)
            continue;
        job.outs.push_back({d->addr, nb, 0});
        job.out_names.push_back(d->name);
    }
    for (const Span &r : o.regions) {
        if (!span_inside("--region", r, job.prog.arch.mem_bytes))
            return false;
        job.outs.push_back(r);
        job.out_names.push_back("");
    }
    return true;
}

// The memory map: the code above the accelerator's window, all below the registers.
bool place_code(Job &job, const Options &o)
{
    uint64_t code_bytes = job.prog.ninsns * MPE_INSN_BYTES;
    job.prog_len = o.prog_len >= 0 ? (uint32_t)o.prog_len : (uint32_t)job.prog.ninsns;
    job.code_addr = o.code_addr != UINT64_MAX ? o.code_addr : job.prog.arch.mem_bytes;
    job.mem_size = o.mem_size ? o.mem_size : (job.code_addr + code_bytes + 4095) / 4096 * 4096;
    if (job.code_addr < kRegBase && job.mem_size <= kRegBase &&
        code_bytes <= kRegBase - job.code_addr)
        return true;
    fprintf(stderr, "mpe-tlm: the code or the memory would overlap the registers at 0x%" PRIx64 "\n",
            kRegBase);
    return false;
}

bool prepare(const Options &o, Job &job)
{
    char err[512];
    if (mpe_program_load(o.prog.c_str(), &job.prog, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe-tlm: %s\n", err);
        return false;
    }
    for (const Span &f : o.fills) {
        if (!span_inside("--fill", f, job.prog.arch.mem_bytes))
            return false;
        job.writes.push_back(fill_bytes(f));
    }
    for (size_t i = 0; i < job.prog.ndata; i++) {
        const mpe_data_rec &d = job.prog.data[i];
        job.writes.push_back({d.addr, std::vector<uint8_t>(d.bytes, d.bytes + d.len)});
    }
    return add_inputs(job, o) && add_outputs(job, o) && place_code(job, o);
}

// ---- the host ---------------------------------------------------------------

class Host : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Host> socket;
    sc_core::sc_in<bool> irq;

    SC_HAS_PROCESS(Host);
    Host(sc_core::sc_module_name name, const Job &job, const Options &o, sc_time period,
         Result &res)
        : sc_module(name), socket("socket"), irq("irq"), job_(job), opt_(o), period_(period),
          res_(res)
    {
        SC_THREAD(main);
    }

private:
    // Memory transactions cost one accelerator period per beat of 16 bytes;
    // register accesses take no time.
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, uint8_t *data,
                                    size_t len, bool timed)
    {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(data);
        gp.set_data_length((unsigned)len);
        gp.set_streaming_width((unsigned)len);
        gp.set_byte_enable_ptr(nullptr);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time delay = qk_.get_local_time();
        socket->b_transport(gp, delay);
        if (timed)
            delay += period_ * (double)((len + 15) / 16);
        qk_.set(delay);
        if (qk_.need_sync())
            qk_.sync();
        return gp.get_response_status();
    }
    void problem(const std::string &s) { res_.problems.push_back(s); }
    bool mem_xfer(tlm::tlm_command cmd, uint64_t addr, uint8_t *p, uint64_t len)
    {
        for (uint64_t off = 0; off < len; off += kChunk) {
            size_t n = (size_t)(len - off < kChunk ? len - off : kChunk);
            tlm::tlm_response_status st = access(cmd, addr + off, p + off, n, true);
            if (st != tlm::TLM_OK_RESPONSE) {
                tlm::tlm_generic_payload g;
                g.set_response_status(st);
                char m[160];
                snprintf(m, sizeof m, "host: %s %zu bytes at 0x%" PRIx64 ": %s",
                         cmd == tlm::TLM_READ_COMMAND ? "reading" : "writing", n, addr + off,
                         g.get_response_string().c_str());
                problem(m);
                return false;
            }
        }
        return true;
    }
    tlm::tlm_response_status wr32(uint32_t off, uint32_t v)
    {
        uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
        return access(tlm::TLM_WRITE_COMMAND, kRegBase + off, b, 4, false);
    }
    uint32_t rd32(uint32_t off)
    {
        uint8_t b[4] = {0, 0, 0, 0};
        if (access(tlm::TLM_READ_COMMAND, kRegBase + off, b, 4, false) != tlm::TLM_OK_RESPONSE)
            problem("host: register read at offset " + std::to_string(off) + " failed");
        return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    }
    uint64_t rd64(uint32_t off) { return rd32(off) | (uint64_t)rd32(off + 4) << 32; }
    void must(tlm::tlm_response_status st, const char *what)
    {
        if (st != tlm::TLM_OK_RESPONSE)
            problem(std::string("host: ") + what + " refused");
    }

    bool load();
    void start();
    void collect();
    // --runs N: the whole sequence N times; every run must repeat the first
    void main()
    {
        Result first;
        for (uint64_t run = 0; run < opt_.runs; run++) {
            res_.finished = false;
            if (!load())
                return;
            start();
            collect();
            if (run == 0)
                first = res_;
            else if (first.cycles != res_.cycles || first.status != res_.status ||
                     first.outs != res_.outs)
                problem("run " + std::to_string(run + 1) + " differs from run 1");
        }
    }

    const Job &job_;
    const Options &opt_;
    sc_time period_;
    Result &res_;
    tlm_utils::tlm_quantumkeeper qk_;
};

bool Host::load()
{
    if (rd32(REG_ID) != kId)
        problem("ID register is not 0x4145504D");
    if (rd32(REG_VERSION) != ((uint32_t)MPE_ISA_VERSION | kRegMapVersion << 16))
        problem("VERSION register mismatch");
    for (const Write &w : job_.writes)
        if (!mem_xfer(tlm::TLM_WRITE_COMMAND, w.addr, const_cast<uint8_t *>(w.bytes.data()),
                      w.bytes.size()))
            return false;
    return mem_xfer(tlm::TLM_WRITE_COMMAND, job_.code_addr, job_.prog.code,
                    job_.prog.ninsns * MPE_INSN_BYTES);
}

void Host::start()
{
    must(wr32(REG_IRQ_EN, 1), "IRQ_EN write");
    must(wr32(REG_PROG_ADDR_LO, (uint32_t)job_.code_addr), "PROG_ADDR_LO write");
    must(wr32(REG_PROG_ADDR_HI, (uint32_t)(job_.code_addr >> 32)), "PROG_ADDR_HI write");
    must(wr32(REG_PROG_LEN, job_.prog_len), "PROG_LEN write");
    must(wr32(REG_MAX_CYCLES_LO, (uint32_t)opt_.max_cycles), "MAX_CYCLES_LO write");
    must(wr32(REG_MAX_CYCLES_HI, (uint32_t)(opt_.max_cycles >> 32)), "MAX_CYCLES_HI write");
    res_.t_start = sc_core::sc_time_stamp() + qk_.get_local_time();
    must(wr32(REG_CTRL, CTRL_START), "START");
    // while running: a second START and a PROG_LEN write are refused
    if (wr32(REG_CTRL, CTRL_START) != tlm::TLM_GENERIC_ERROR_RESPONSE)
        problem("START while running was not refused");
    if (wr32(REG_PROG_LEN, 1) != tlm::TLM_GENERIC_ERROR_RESPONSE)
        problem("PROG_LEN write while running was not refused");
    if (wr32(REG_CYCLES_LO, 0) != tlm::TLM_COMMAND_ERROR_RESPONSE)
        problem("write to the read-only CYCLES_LO was not refused");
    if ((rd32(REG_STATUS) & 7) != ST_RUNNING)
        problem("STATUS is not RUNNING after START");
    qk_.sync(); // now at the start time: sleep until the interrupt
    if ((rd32(REG_STATUS) & 7) == ST_RUNNING)
        wait(irq.posedge_event());
    res_.t_done = sc_core::sc_time_stamp();
}

void Host::collect()
{
    uint32_t status = rd32(REG_STATUS);
    res_.finished = true;
    res_.status = status & 7;
    if (!(status & kStatusIrq) || !irq.read())
        problem("no interrupt pending at the end of the run");
    res_.cycles = rd64(REG_CYCLES_LO);
    res_.pe_busy = rd64(REG_PE_BUSY_LO);
    res_.trap_cause = rd32(REG_TRAP_CAUSE);
    res_.trap_pc = rd32(REG_TRAP_PC);
    res_.error = rd32(REG_ERROR);
    res_.err_addr = rd64(REG_ERR_ADDR_LO);
    must(wr32(REG_CTRL, CTRL_IRQ_ACK), "IRQ_ACK");
    if (rd32(REG_STATUS) != res_.status)
        problem("STATUS after IRQ_ACK still has the interrupt bit");
    wait(period_, irq.negedge_event());
    if (irq.read())
        problem("irq still high after IRQ_ACK");
    res_.outs.resize(job_.outs.size());
    for (size_t i = 0; i < job_.outs.size(); i++) {
        res_.outs[i].resize(job_.outs[i].len);
        if (!mem_xfer(tlm::TLM_READ_COMMAND, job_.outs[i].addr, res_.outs[i].data(),
                      job_.outs[i].len))
            return;
    }
}

// ---- reporting -----------------------------------------------------------------

void on_commit(void *user, const mpe_commit *c)
{
    static const char *units[4] = {"ctrl", "load", "compute", "store"};
    char text[256];
    mpe_insn_format(c->insn, NULL, text, sizeof text);
    fprintf(static_cast<FILE *>(user), "%" PRIu64 " %s %u %s\n", c->cycle, units[c->unit & 3],
            c->pc, text);
}

uint64_t fnv1a(uint64_t h, const std::vector<uint8_t> &b)
{
    for (uint8_t x : b)
        h = (h ^ x) * 0x100000001B3ull;
    return h;
}

void print_stats(const Result &r, const mpe_accel_stats *st, const mpe_arch &a)
{
    printf("cycles        %" PRIu64 "\n", r.cycles);
    printf("pe_busy       %" PRIu64 "\n", r.pe_busy);
    printf("utilization   %.2f%%\n", r.cycles ? 100.0 * (double)r.pe_busy / (double)r.cycles : 0.0);
    printf("macs          %" PRIu64 " (peak %u per PE-op cycle)\n", st->macs,
           a.rows * a.cols * a.lanes);
    printf("instructions ");
    for (int i = 0; i < MPE_I_COUNT; i++)
        if (st->insns[i])
            printf(" %s=%" PRIu64, mpe_insn_table[i].mnemonic, st->insns[i]);
    printf("\n");
}

uint64_t ps(const sc_time &t) { return (uint64_t)(t.to_seconds() * 1e12 + 0.5); }

// Elapsed simulated time == CYCLES x period (host view and module view);
// TLM traffic of a completed run == the model's beats.
void check_timing(const Result &r, Accel &acc, sc_time period, const Options &o,
                  std::vector<std::string> &problems)
{
    sc_time want = sc_time::from_value(period.value() * r.cycles);
    sc_time host = r.t_done - r.t_start, mod = acc.end_time() - acc.start_time();
    if (host != want || mod != want || acc.start_time() != r.t_start)
        problems.push_back("elapsed time " + host.to_string() + " (module " + mod.to_string() +
                           ") != " + std::to_string(r.cycles) + " cycles x " +
                           period.to_string());
    if (!o.quiet)
        printf("sim_time      start %" PRIu64 " ps, done %" PRIu64 " ps, elapsed %" PRIu64
               " ps = %" PRIu64 " cycles x %" PRIu64 " ps\n",
               ps(r.t_start), ps(r.t_done), ps(host), r.cycles, ps(period));
    const mpe_ext_traffic &t = acc.traffic();
    const mpe_accel_stats *s = mpe_accel_stats_get(acc.model());
    uint64_t B = mpe_accel_arch(acc.model())->beat_bytes;
    if (r.status == ST_DONE &&
        (t.rd_bytes != s->beats_read * B || t.wr_bytes != s->beats_written * B ||
         (o.beats && (t.rd_calls != s->beats_read || t.wr_calls != s->beats_written))))
        problems.push_back("TLM traffic differs from the model's beats");
    if (!o.quiet)
        printf("tlm           reads %" PRIu64 " (%" PRIu64 " bytes), writes %" PRIu64
               " (%" PRIu64 " bytes), code %" PRIu64 "; beats read %" PRIu64 ", written %" PRIu64
               "\n",
               t.rd_calls, t.rd_bytes, t.wr_calls, t.wr_bytes,
               acc.mem_txns() - t.rd_calls - t.wr_calls, s->beats_read, s->beats_written);
}

bool write_outputs(const Job &job, const Result &r, const Options &o)
{
    for (size_t i = 0; i < job.outs.size() && !o.outdir.empty(); i++) {
        if (job.out_names[i].empty())
            continue;
        const mpe_tdesc *d = nullptr;
        for (size_t k = 0; k < job.prog.ntensors; k++)
            if (job.prog.tensors[k].role == MPE_ROLE_OUTPUT && job.out_names[i] == job.prog.tensors[k].name)
                d = &job.prog.tensors[k];
        char err[512];
        mpe_tensor t;
        mpe_status st = mpe_tdesc_decode(d, r.outs[i].data(), r.outs[i].size(), &t, err, sizeof err);
        if (st == MPE_OK) {
            std::string path = o.outdir + "/" + job.out_names[i] + ".npy";
            st = mpe_npy_save(path.c_str(), &t, err, sizeof err);
            mpe_tensor_free(&t);
        }
        if (st != MPE_OK) {
            fprintf(stderr, "mpe-tlm: output '%s': %s\n", job.out_names[i].c_str(), err);
            return false;
        }
    }
    return true;
}

// The same job on a plain C model; every difference is a problem.
void reference(const Job &job, const Options &o, const Result &r, Accel &acc,
               const Memory &mem, std::vector<std::string> &problems)
{
    const mpe_arch &ar = job.prog.arch;
    mpe_accel *ref = nullptr;
    if (mpe_accel_create(&ar, &ref) != MPE_OK ||
        mpe_accel_load_code(ref, job.prog.code, job.prog.ninsns) != MPE_OK) {
        problems.push_back("reference: cannot create the C model");
        mpe_accel_destroy(ref);
        return;
    }
    for (const Write &w : job.writes)
        mpe_accel_mem_write(ref, w.addr, w.bytes.data(), w.bytes.size());
    mpe_run_state rs = mpe_accel_run(ref, o.max_cycles);
    uint32_t want = rs == MPE_RUN_DONE ? ST_DONE : rs == MPE_RUN_TRAP ? ST_TRAP : ST_ERROR;
    const mpe_trap *a = mpe_accel_trap(ref), *b = mpe_accel_trap(acc.model());
    size_t n0 = problems.size();
    if (want != r.status || (rs == MPE_RUN_LIMIT && r.error != ERR_LIMIT))
        problems.push_back(std::string("reference: state ") + state_name(want) + ", TLM " +
                           state_name(r.status));
    if (memcmp(mpe_accel_stats_get(ref), mpe_accel_stats_get(acc.model()), sizeof(mpe_accel_stats)) ||
        mpe_accel_stats_get(ref)->cycles != r.cycles)
        problems.push_back("reference: statistics differ");
    if (a->cause != b->cause || a->pc != b->pc || a->cycle != b->cycle || strcmp(a->msg, b->msg))
        problems.push_back(std::string("reference: trap differs: ") + a->msg + " / " + b->msg);
    std::vector<uint8_t> buf(1 << 20);
    uint64_t n = ar.mem_bytes < mem.size() ? ar.mem_bytes : mem.size();
    for (uint64_t off = 0; off < n; off += buf.size()) {
        size_t len = (size_t)(n - off < buf.size() ? n - off : buf.size());
        mpe_accel_mem_read(ref, off, buf.data(), len);
        if (memcmp(buf.data(), mem.data() + off, len)) {
            size_t i = 0;
            while (buf[i] == mem.data()[off + i])
                i++;
            char m[96];
            snprintf(m, sizeof m, "reference: memory differs at 0x%" PRIx64, off + i);
            problems.push_back(m);
            break;
        }
    }
    if (problems.size() == n0 && !o.quiet)
        printf("reference     match (state, statistics, trap, %" PRIu64 " bytes of memory)\n", n);
    mpe_accel_destroy(ref);
}

int report(const Job &job, const Options &o, const Result &r, Accel &acc, const Memory &mem,
           sc_time period)
{
    std::vector<std::string> problems = r.problems;
    if (!r.finished) {
        for (const std::string &p : problems)
            fprintf(stderr, "mpe-tlm: %s\n", p.c_str());
        if (problems.empty())
            fprintf(stderr, "mpe-tlm: the host did not finish\n");
        return 1;
    }
    const mpe_accel_stats *st = mpe_accel_stats_get(acc.model());
    if (!o.quiet) {
        printf("status        %s\n", state_name(r.status));
        print_stats(r, st, job.prog.arch);
    }
    check_timing(r, acc, period, o, problems);
    uint64_t h = 0xCBF29CE484222325ull;
    for (const std::vector<uint8_t> &b : r.outs)
        h = fnv1a(h, b);
    if (!o.quiet)
        printf("checksum      0x%016" PRIx64 "\n", h);
    if (o.reference)
        reference(job, o, r, acc, mem, problems);
    int rc = 0;
    if (r.status == ST_TRAP) {
        const mpe_trap *t = mpe_accel_trap(acc.model());
        if (t->cause != r.trap_cause || t->pc != r.trap_pc)
            problems.push_back("TRAP_CAUSE / TRAP_PC registers differ from the model's trap");
        fprintf(stderr, "mpe-tlm: trap (%s) in cycle %" PRIu64 ": %s\n",
                mpe_trap_name((mpe_trap_cause)r.trap_cause), t->cycle, acc.error_text().c_str());
        rc = 1;
    } else if (r.status == ST_ERROR && r.error == ERR_LIMIT) {
        fprintf(stderr, "mpe-tlm: no halt within %" PRIu64 " cycles (--max-cycles)\n",
                o.max_cycles);
        rc = 1;
    } else if (r.status == ST_ERROR) {
        fprintf(stderr, "mpe-tlm: accelerator error: %s (ERROR=%u %s, ERR_ADDR=0x%" PRIx64 ")\n",
                acc.error_text().c_str(), r.error, error_name(r.error), r.err_addr);
        rc = 1;
    } else if (!write_outputs(job, r, o))
        rc = 1;
    for (const std::string &p : problems)
        fprintf(stderr, "mpe-tlm: check failed: %s\n", p.c_str());
    return problems.empty() ? rc : 1;
}

int run(const Options &o, Job &job)
{
    const mpe_arch &ar = job.prog.arch;
    sc_time period((double)o.period_ps, sc_core::SC_PS);
    Result res;
    Memory mem("memory", job.mem_size);
    Bus bus("bus", kRegBase, REG_SPAN);
    Accel acc("accel", ar, period, 0, o.beats ? MPE_EXT_BEATS : MPE_EXT_ROWS);
    Host host("host", job, o, period, res);
    sc_core::sc_signal<bool> irq("irq_line");
    host.socket.bind(bus.in);
    acc.mem.bind(bus.in);
    bus.to_mem.bind(mem.socket);
    bus.to_regs.bind(acc.ctrl);
    acc.irq.bind(irq);
    host.irq.bind(irq);
    tlm::tlm_global_quantum::instance().set(period * (double)o.quantum);
    FILE *trace = nullptr;
    mpe_outfile tout = {};
    char terr[600];
    if (!o.trace.empty()) {
        if (mpe_out_open(&tout, o.trace.c_str(), terr, sizeof terr) != MPE_OK) {
            fprintf(stderr, "mpe-tlm: %s\n", terr);
            return 1;
        }
        trace = tout.f;
        mpe_accel_set_trace(acc.model(), on_commit, trace);
    }
    sc_core::sc_start();
    int rc = report(job, o, res, acc, mem, period);
    if (trace && mpe_out_close(&tout, terr, sizeof terr) != MPE_OK) {
        fprintf(stderr, "mpe-tlm: %s\n", terr);
        rc = 1;
    }
    return rc;
}

}  // namespace

int sc_main(int argc, char **argv)
{
    Options o;
    int rc = parse_args(argc, argv, o);
    if (rc)
        return rc == 1 ? 0 : rc;
    Job job;
    mpe_program_init(&job.prog);
    rc = prepare(o, job) ? run(o, job) : 1;
    mpe_program_free(&job.prog);
    return rc;
}

// Our own main: libsystemc's prints its banner to stderr, where errors are
// one line, before sc_main could turn it off.
int main(int argc, char **argv)
{
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return sc_core::sc_elab_and_sim(argc, argv);
}
