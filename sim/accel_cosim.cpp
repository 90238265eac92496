// Program-level co-simulation of the RTL top (rtl/mpe_top.v) against the
// cycle-exact C model (cmodel/accel*.c): the same binaries on both, and
// identical run state, trap (cause, pc, cycle), cycle count, commit trace
// (cycle, unit, pc), PE-op statistics and final external memory.
//
// Programs: random legal programs (mpe_progen, every style), random GEMMs
// in every PE mode (mpe_progen_gemm, token and sync schedules), mutants of
// random programs (one instruction's bits changed: traps, races,
// deadlocks, cycle limits) and the directed programs given with --asm.
// A failure prints the seed and a one-line reproduction command and writes
// an FST waveform of the failing program.
//
// usage: mpe-rtl cosim [--seed S] [--n N] [--gemm N] [--mutants N] [--shard I/N]
//                    [--asm FILE.s]... [--prog FILE.mpeb]... [--fst-dir DIR]
//                    [--max-cycles N] [-v]
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "accel_rtl.h"

extern "C" {
#include "mpe/asm.h"
#include "mpe/binary.h"
#include "mpe/outstage.h"
#include "mpe/progen.h"
}

namespace {

struct Rec {
    uint64_t cycle;
    uint32_t pc;
    uint8_t unit;
    bool operator!=(const Rec &o) const
    {
        return cycle != o.cycle || pc != o.pc || unit != o.unit;
    }
};

struct Result {
    mpe_run_state state = MPE_RUN_RUNNING;
    mpe_trap trap{};
    mpe_accel_stats st{};
    std::vector<Rec> trace;
    std::string err;
};

struct Opts {
    uint64_t seed = 1, n = 100, gemm = 20, mutants = 50, max_cycles = 3000000;
    unsigned shard = 0, nshard = 1;
    std::vector<std::string> asm_files, prog_files;
    std::string fst_dir = ".", self;
    int verbose = 0;
};

void on_commit(void *user, const mpe_commit *c)
{
    ((std::vector<Rec> *)user)->push_back(Rec{c->cycle, c->pc, c->unit});
}

// Runs p on backend be; fst: waveform path (RTL only) or nullptr.
Result run_on(const mpe_backend *be, const mpe_arch *ar, const mpe_program *p,
              uint64_t max_cycles, const char *fst, void **keep = nullptr)
{
    Result r;
    char err[512] = "";
    void *ctx = nullptr;
    if (be->create(ar, &ctx, err, sizeof err) != MPE_OK) {
        r.err = err;
        return r;
    }
    mpe_status st = be->load_code(ctx, p->code, p->ninsns);
    for (size_t i = 0; st == MPE_OK && i < p->ndata; i++)
        st = be->mem_write(ctx, p->data[i].addr, p->data[i].bytes, p->data[i].len);
    if (st != MPE_OK) {
        r.err = std::string("load: ") + mpe_status_str(st);
        be->destroy(ctx);
        return r;
    }
    if (fst) accel_rtl_fst(ctx, fst);
    be->set_trace(ctx, on_commit, &r.trace);
    r.state = be->run(ctx, max_cycles);
    r.trap = *be->trap(ctx);
    r.st = *be->stats(ctx);
    if (keep)
        *keep = ctx;
    else
        be->destroy(ctx);
    return r;
}

const char *state_name(mpe_run_state s)
{
    static const char *n[] = {"running", "done", "trap", "cycle limit"};
    return (unsigned)s < 4 ? n[s] : "?";
}

// First difference, or "" when the runs agree.
std::string compare(const Result &c, const Result &v)
{
    char b[512];
    if (!c.err.empty() || !v.err.empty())
        return "setup error: cmodel '" + c.err + "', rtl '" + v.err + "'";
    if (c.state != v.state) {
        snprintf(b, sizeof b, "run state: cmodel %s (%s), rtl %s (%s)", state_name(c.state),
                 c.trap.msg, state_name(v.state), v.trap.msg);
        return b;
    }
    if (c.state == MPE_RUN_TRAP &&
        (c.trap.cause != v.trap.cause || c.trap.pc != v.trap.pc || c.trap.cycle != v.trap.cycle)) {
        snprintf(b, sizeof b, "trap: cmodel %s pc %u cycle %" PRIu64 " (%s), rtl %s pc %u cycle %" PRIu64,
                 mpe_trap_name(c.trap.cause), c.trap.pc, c.trap.cycle, c.trap.msg,
                 mpe_trap_name(v.trap.cause), v.trap.pc, v.trap.cycle);
        return b;
    }
    if (c.st.cycles != v.st.cycles) {
        snprintf(b, sizeof b, "cycles: cmodel %" PRIu64 ", rtl %" PRIu64, c.st.cycles, v.st.cycles);
        return b;
    }
    size_t n = c.trace.size() < v.trace.size() ? c.trace.size() : v.trace.size();
    for (size_t i = 0; i < n; i++)
        if (c.trace[i] != v.trace[i]) {
            snprintf(b, sizeof b,
                     "trace record %zu: cmodel cycle %" PRIu64 " unit %u pc %u, rtl cycle %" PRIu64
                     " unit %u pc %u", i, c.trace[i].cycle, c.trace[i].unit, c.trace[i].pc,
                     v.trace[i].cycle, v.trace[i].unit, v.trace[i].pc);
            return b;
        }
    if (c.trace.size() != v.trace.size()) {
        snprintf(b, sizeof b, "trace length: cmodel %zu, rtl %zu", c.trace.size(), v.trace.size());
        return b;
    }
    if (c.state == MPE_RUN_DONE && memcmp(&c.st, &v.st, sizeof c.st)) {
        const uint64_t *a = (const uint64_t *)&c.st, *e = (const uint64_t *)&v.st;
        size_t i = 0;
        while (a[i] == e[i]) i++;
        snprintf(b, sizeof b, "statistics word %zu of mpe_accel_stats: cmodel %" PRIu64 ", rtl %" PRIu64,
                 i, a[i], e[i]);
        return b;
    }
    if (c.state == MPE_RUN_DONE && (c.st.pe_ops != v.st.pe_ops || c.st.pe_busy != v.st.pe_busy ||
                                    c.st.beats_read != v.st.beats_read ||
                                    c.st.beats_written != v.st.beats_written)) {
        snprintf(b, sizeof b,
                 "statistics: cmodel ops %" PRIu64 " busy %" PRIu64 " beats %" PRIu64 "/%" PRIu64
                 ", rtl ops %" PRIu64 " busy %" PRIu64 " beats %" PRIu64 "/%" PRIu64,
                 c.st.pe_ops, c.st.pe_busy, c.st.beats_read, c.st.beats_written, v.st.pe_ops,
                 v.st.pe_busy, v.st.beats_read, v.st.beats_written);
        return b;
    }
    return "";
}

// Memory: every 4 KiB page the RTL run wrote (DATA and stores); a store of
// the C model elsewhere leaves the RTL's page different in the C model.
std::string compare_mem(void *cctx, void *vctx, uint32_t mem_bytes)
{
    size_t n = accel_rtl_dirty_pages(vctx, nullptr, 0);
    std::vector<uint64_t> pages(n);
    accel_rtl_dirty_pages(vctx, pages.data(), n);
    std::vector<uint8_t> a(4096), b(4096);
    for (uint64_t pg : pages) {
        uint64_t lo = pg * 4096;
        size_t len = mem_bytes - lo < 4096 ? (size_t)(mem_bytes - lo) : 4096;
        mpe_backend_cmodel.mem_read(cctx, lo, a.data(), len);
        accel_rtl_backend.mem_read(vctx, lo, b.data(), len);
        for (size_t i = 0; i < len; i++)
            if (a[i] != b[i]) {
                char m[160];
                snprintf(m, sizeof m, "memory at 0x%llx: cmodel 0x%02x, rtl 0x%02x",
                         (unsigned long long)(lo + i), a[i], b[i]);
                return m;
            }
    }
    return "";
}

// A random legal program with one instruction changed: a random field set to
// a random value, a random bit flipped, or the deps flags rewritten.
void mutate(mpe_program *p, uint64_t *r)
{
    if (!p->ninsns) return;
    size_t i = mpe_pg_rand(r) % p->ninsns;
    uint8_t *w = p->code + i * MPE_INSN_BYTES;
    mpe_insn in;
    int how = (int)(mpe_pg_rand(r) % 4);
    if (how == 0 || mpe_insn_decode(w, &in) != MPE_OK) {
        unsigned bit = (unsigned)(mpe_pg_rand(r) % 128);
        w[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        return;
    }
    int first = 0, nf = 0;
    mpe_insn_fields(in.id, &first, &nf);
    if (!nf) return;
    const mpe_field_info *f = &mpe_field_table[first + (int)(mpe_pg_rand(r) % (uint64_t)nf)];
    uint64_t v = mpe_bits_get(w, f->lsb, f->width);
    switch (how) {
    case 1: v = mpe_pg_rand(r); break;                      // anything
    case 2: v += (mpe_pg_rand(r) & 1) ? 1 : (uint64_t)-1; break; // off by one
    default: v ^= 1ull << (mpe_pg_rand(r) % f->width); break;
    }
    mpe_bits_set(w, f->lsb, f->width, v);
}

mpe_status gemm_try(const mpe_arch *ar, uint64_t seed, uint64_t *rp, mpe_pg *pg, char *err,
                    size_t len);

mpe_status gemm_program(const mpe_arch *ar, uint64_t seed, mpe_pg *pg, char *err, size_t len)
{
    uint64_t r = seed * 0x2545F4914F6CDD1Dull + 7;
    mpe_status st = MPE_ERR_SHAPE;
    for (int tries = 0; tries < 50 && st != MPE_OK; tries++)
        st = gemm_try(ar, seed, &r, pg, err, len);
    return st;
}

mpe_status gemm_try(const mpe_arch *ar, uint64_t seed, uint64_t *rp, mpe_pg *pg, char *err,
                    size_t len)
{
    uint64_t &r = *rp;
    mpe_gemm_spec s;
    memset(&s, 0, sizeof s);
    s.pe = mpe_pg_rand_pe(&r, (int)ar->lanes, (int)(seed % MPE_MODE_COUNT));
    int accf = mpe_pe_cfg_is_float(&s.pe);
    for (int tries = 0; tries < 100; tries++) {
        mpe_outcfg oc = mpe_outcfg_default((int)(mpe_pg_rand(&r) % 3),
                                           (int)(mpe_pg_rand(&r) % MPE_OUT_COUNT));
        if (mpe_outcfg_check(&oc, accf, nullptr, 0) != MPE_OK) continue;
        s.rq = oc.rq;
        s.out = oc.out;
        s.lo = oc.lo;
        s.hi = oc.hi;
        break;
    }
    s.bias = (uint8_t)(mpe_pg_rand(&r) & 1);
    uint32_t R = ar->rows, L = ar->lanes;
    s.M = R * (1 + (uint32_t)(mpe_pg_rand(&r) % 6));
    s.N = L * (1 + (uint32_t)(mpe_pg_rand(&r) % 3));
    s.K = L * (1 + (uint32_t)(mpe_pg_rand(&r) % 8));
    if (s.pe.group > L && s.K % s.pe.group) s.K = s.pe.group * (1 + s.K / s.pe.group);
    s.nbuf = (uint8_t)(1 + mpe_pg_rand(&r) % 2);
    s.sync_only = (uint8_t)(mpe_pg_rand(&r) % 4 == 0);
    return mpe_progen_gemm(ar, seed, &s, pg, err, len);
}

struct Totals {
    uint64_t programs = 0, passed = 0, failed = 0, ops = 0, cycles = 0, traps = 0;
};

void check(const Opts &o, const mpe_arch *ar, const mpe_program *p, const std::string &what,
           const std::string &repro, Totals *t, uint64_t max_cycles = 0)
{
    if (!max_cycles) max_cycles = o.max_cycles;
    void *cctx = nullptr, *vctx = nullptr;
    Result c = run_on(&mpe_backend_cmodel, ar, p, max_cycles, nullptr, &cctx);
    Result v = run_on(&accel_rtl_backend, ar, p, max_cycles, nullptr, &vctx);
    std::string d = compare(c, v);
    if (d.empty() && cctx && vctx) d = compare_mem(cctx, vctx, ar->mem_bytes);
    if (cctx) mpe_backend_cmodel.destroy(cctx);
    if (vctx) accel_rtl_backend.destroy(vctx);
    t->programs++;
    t->ops += c.st.pe_ops;
    t->cycles += c.st.cycles;
    t->traps += c.state == MPE_RUN_TRAP;
    if (d.empty()) {
        t->passed++;
        if (o.verbose)
            printf("ok   %s: %s, %" PRIu64 " cycles, %zu commits%s%s\n", what.c_str(),
                   state_name(c.state), c.st.cycles, c.trace.size(),
                   c.state == MPE_RUN_TRAP ? " " : "",
                   c.state == MPE_RUN_TRAP ? mpe_trap_name(c.trap.cause) : "");
        return;
    }
    t->failed++;
    std::string fst = o.fst_dir + "/cosim_accel_fail_" + std::to_string(t->failed) + ".fst";
    Result again = run_on(&accel_rtl_backend, ar, p, max_cycles, fst.c_str());
    printf("FAIL %s: %s\n  repro: %s\n  waveform: %s\n", what.c_str(), d.c_str(), repro.c_str(),
           fst.c_str());
}

bool mine(const Opts &o, uint64_t k) { return k % o.nshard == o.shard; }

int usage()
{
    fprintf(stderr,
            "usage: mpe-rtl cosim [--seed S] [--n N] [--gemm N] [--mutants N] [--shard I/N]\n"
            "                     [--asm FILE.s]... [--prog FILE.mpeb]... [--fst-dir DIR]\n"
            "                     [--max-cycles N] [-v]\n");
    return 2;
}

}  // namespace

extern const char *mpe_rtl_self;

int cosim_main(int argc, char **argv)
{
    Opts o;
    o.self = mpe_rtl_self;
    setvbuf(stdout, nullptr, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        bool more = i + 1 < argc;
        if (a == "-v") o.verbose = 1;
        else if (a == "--seed" && more) o.seed = strtoull(argv[++i], nullptr, 0);
        else if (a == "--n" && more) o.n = strtoull(argv[++i], nullptr, 0);
        else if (a == "--gemm" && more) o.gemm = strtoull(argv[++i], nullptr, 0);
        else if (a == "--mutants" && more) o.mutants = strtoull(argv[++i], nullptr, 0);
        else if (a == "--max-cycles" && more) o.max_cycles = strtoull(argv[++i], nullptr, 0);
        else if (a == "--fst-dir" && more) o.fst_dir = argv[++i];
        else if (a == "--asm" && more) o.asm_files.push_back(argv[++i]);
        else if (a == "--prog" && more) o.prog_files.push_back(argv[++i]);
        else if (a == "--shard" && more) {
            if (sscanf(argv[++i], "%u/%u", &o.shard, &o.nshard) != 2 || !o.nshard ||
                o.shard >= o.nshard)
                return usage();
        } else return usage();
    }
    mpe_arch ar;
    accel_rtl_arch(&ar);
    Totals t;
    char err[512];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    std::string base = o.self + " cosim --fst-dir " + o.fst_dir;
    for (const std::string &f : o.prog_files) {
        mpe_program p;
        if (mpe_program_load(f.c_str(), &p, err, sizeof err) != MPE_OK) {
            printf("FAIL %s: %s\n", f.c_str(), err);
            t.failed++;
            continue;
        }
        check(o, &ar, &p, f, base + " --n 0 --gemm 0 --mutants 0 --prog " + f, &t);
        mpe_program_free(&p);
    }
    for (const std::string &f : o.asm_files) {
        FILE *fp = fopen(f.c_str(), "r");
        std::string src;
        char buf[4096];
        size_t k;
        while (fp && (k = fread(buf, 1, sizeof buf, fp)) > 0) src.append(buf, k);
        if (fp) fclose(fp);
        uint8_t *code = nullptr;
        size_t n = 0;
        mpe_program p;
        mpe_program_init(&p);
        if (!fp || mpe_asm(src.c_str(), f.c_str(), &code, &n, err, sizeof err) != MPE_OK ||
            mpe_program_set_code(&p, code, n) != MPE_OK) {
            printf("FAIL %s: %s\n", f.c_str(), fp ? err : "cannot read");
            t.failed++;
        } else {
            check(o, &ar, &p, f, base + " --n 0 --gemm 0 --mutants 0 --asm " + f, &t);
        }
        free(code);
        mpe_program_free(&p);
    }
    for (uint64_t k = 0; k < o.n; k++) {
        uint64_t seed = o.seed + k;
        if (!mine(o, seed)) continue;
        mpe_pg pg;
        int mode = (int)(seed % MPE_PG_MODE_COUNT);
        if (mpe_progen(&ar, seed, mode, &pg, err, sizeof err) != MPE_OK) {
            printf("FAIL progen seed %" PRIu64 ": %s\n", seed, err);
            t.failed++;
            continue;
        }
        char what[96];
        snprintf(what, sizeof what, "progen seed %" PRIu64 " (%s)", seed, mpe_pg_mode_name(mode));
        check(o, &ar, &pg.prog, what,
              base + " --seed " + std::to_string(seed) + " --n 1 --gemm 0 --mutants 0", &t);
        mpe_pg_free(&pg);
    }
    for (uint64_t k = 0; k < o.gemm; k++) {
        uint64_t seed = o.seed + k;
        if (!mine(o, seed)) continue;
        mpe_pg pg;
        if (gemm_program(&ar, seed, &pg, err, sizeof err) != MPE_OK) {
            printf("FAIL gemm seed %" PRIu64 ": %s\n", seed, err);
            t.failed++;
            continue;
        }
        char what[96];
        snprintf(what, sizeof what, "gemm seed %" PRIu64 " (%s)", seed,
                 mpe_mode_name((mpe_mode)pg.jobs[0].spec.pe.mode));
        check(o, &ar, &pg.prog, what,
              base + " --seed " + std::to_string(seed) + " --n 0 --gemm 1 --mutants 0", &t);
        mpe_pg_free(&pg);
    }
    for (uint64_t k = 0; k < o.mutants; k++) {
        uint64_t seed = o.seed + k;
        if (!mine(o, seed)) continue;
        mpe_pg pg;
        if (mpe_progen(&ar, seed, (int)(seed % MPE_PG_MODE_COUNT), &pg, err, sizeof err) != MPE_OK) {
            printf("FAIL mutant seed %" PRIu64 ": %s\n", seed, err);
            t.failed++;
            continue;
        }
        // a mutant may loop for ever: limit it to a few times the original's cycles
        Result orig = run_on(&mpe_backend_cmodel, &ar, &pg.prog, o.max_cycles, nullptr);
        uint64_t limit = 2 * orig.st.cycles + 2000;
        if (limit > o.max_cycles) limit = o.max_cycles;
        uint64_t r = seed ^ 0xA5A5A5A5ull;
        int nmut = 1 + (int)(mpe_pg_rand(&r) % 3);
        for (int m = 0; m < nmut; m++) mutate(&pg.prog, &r);
        char what[96];
        snprintf(what, sizeof what, "mutant seed %" PRIu64, seed);
        check(o, &ar, &pg.prog, what,
              base + " --seed " + std::to_string(seed) + " --n 0 --gemm 0 --mutants 1", &t, limit);
        mpe_pg_free(&pg);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("cosim-accel: %" PRIu64 " programs (%" PRIu64 " trapped), %" PRIu64 " PE ops, %" PRIu64
           " cycles, %.1f s (seed %" PRIu64 ", shard %u/%u)\n",
           t.programs, t.traps, t.ops, t.cycles, secs, o.seed, o.shard, o.nshard);
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n", t.passed, t.failed);
    return t.failed ? 1 : 0;
}
