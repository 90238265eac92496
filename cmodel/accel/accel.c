/* The accelerator model: context, program loading, memory access and the
 * cycle loop. docs/isa.md section 5 is the specification; every block
 * decides from the state at the start of the cycle. Within one simulated
 * cycle the blocks are evaluated so that no block sees another's update of
 * the same cycle:
 *   1. end check;  2. snapshot (queue occupancy, unit idle);
 *   3. units start their head instruction (pops taken from the counters,
 *      which only their one consumer decrements);
 *   4. controller (decides from the snapshot; its dispatch is appended to
 *      the queue at the end of the cycle);
 *   5. memory port: arbitration, store OSP reads and memory writes, load
 *      memory reads (one grant per cycle, so they never conflict);
 *   6. compute: output drain (PSP read, OSP write), operand fetch;
 *   7. load data arrivals (scratchpad writes, after every read);
 *   8. completions (trace, token pushes), dispatch into the queue,
 *      deadlock check. */
#include "accel_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const trap_names[MPE_TRAP_COUNT] = {
    "none", "encoding", "pc", "flags", "operand", "align", "range",
    "pecfg", "outcfg", "nocfg", "token", "deadlock", "bus"};

const char *mpe_trap_name(mpe_trap_cause c)
{
    return (unsigned)c < MPE_TRAP_COUNT ? trap_names[c] : "?";
}

const char *mpe_tok_name(int tok)
{
    static const char *const n[MPE_TOK_COUNT] = {"L2C", "C2L", "C2S", "S2C"};
    return tok >= 0 && tok < MPE_TOK_COUNT ? n[tok] : "?";
}

double mpe_accel_utilization(const mpe_accel_stats *s)
{
    return s->cycles ? (double)s->pe_busy / (double)s->cycles : 0.0;
}

uint32_t mpe_acc_get_code(const uint8_t *base, uint32_t idx, uint32_t cw)
{
    switch (cw) {
    case 32: base += 4 * (size_t)idx;
        return base[0] | (uint32_t)base[1] << 8 | (uint32_t)base[2] << 16 |
               (uint32_t)base[3] << 24;
    case 16: base += 2 * (size_t)idx; return base[0] | (uint32_t)base[1] << 8;
    case 8: return base[idx];
    default: {
        uint32_t bit = idx * cw;
        return (uint32_t)(base[bit >> 3] >> (bit & 7)) & ((1u << cw) - 1);
    }
    }
}

void mpe_acc_put_code(uint8_t *base, uint32_t idx, uint32_t cw, uint32_t code)
{
    switch (cw) {
    case 32:
        for (int b = 0; b < 4; b++)
            base[4 * (size_t)idx + b] = (uint8_t)(code >> (8 * b));
        return;
    case 16:
        base[2 * (size_t)idx] = (uint8_t)code;
        base[2 * (size_t)idx + 1] = (uint8_t)(code >> 8);
        return;
    case 8: base[idx] = (uint8_t)code; return;
    default: {
        uint32_t bit = idx * cw, m = ((1u << cw) - 1) << (bit & 7);
        uint8_t *p = &base[bit >> 3];
        *p = (uint8_t)((*p & ~m) | ((code << (bit & 7)) & m));
    }
    }
}

/* ---- context ----------------------------------------------------------- */

static void free_all(mpe_accel *a)
{
    mpe_acc_dma_free(a);
    mpe_acc_compute_free(a);
    for (int i = 0; i < 4; i++) {
        free(a->sp[i]);
        free(a->q[i].e);
    }
    free(a->mem);
    free(a->imem);
    free(a->imem_ok);
    free(a->raw);
    free(a);
}

mpe_status mpe_accel_create(const mpe_arch *arch, mpe_accel **out)
{
    *out = NULL;
    if (!arch || !arch->rows || !arch->cols || !arch->lanes || arch->lanes % 4 ||
        arch->lanes % arch->cols || arch->lanes > MPE_PE_MAX_LANES ||
        arch->cols > MPE_PE_MAX_COLS || !arch->beat_bytes ||
        (arch->beat_bytes & (arch->beat_bytes - 1)) || !arch->mem_latency ||
        !arch->queue_depth || !arch->imem_insns)
        return MPE_ERR_ARG;
    mpe_accel *a = calloc(1, sizeof *a);
    if (!a)
        return MPE_ERR_NOMEM;
    a->arch = *arch;
    a->sp_size[MPE_SP_ASP] = arch->asp_bytes;
    a->sp_size[MPE_SP_WSP] = arch->wsp_bytes;
    a->sp_size[MPE_SP_PSP] = arch->psp_bytes;
    a->sp_size[MPE_SP_OSP] = arch->osp_bytes;
    int ok = (a->mem = calloc(1, arch->mem_bytes)) != NULL;
    for (int i = 0; i < 4; i++) {
        ok = ok && (a->sp[i] = calloc(1, a->sp_size[i])) != NULL;
        a->q[i].cap = arch->queue_depth;
        ok = ok && (a->q[i].e = calloc(arch->queue_depth, sizeof(acc_qent))) != NULL;
    }
    if (!ok || mpe_acc_dma_alloc(a) != MPE_OK || mpe_acc_compute_alloc(a) != MPE_OK) {
        free_all(a);
        return MPE_ERR_NOMEM;
    }
    mpe_accel_reset(a);
    *out = a;
    return MPE_OK;
}

void mpe_accel_destroy(mpe_accel *a)
{
    if (a)
        free_all(a);
}

const mpe_arch *mpe_accel_arch(const mpe_accel *a) { return &a->arch; }

void mpe_accel_reset(mpe_accel *a)
{
    memset(&a->ctrl, 0, sizeof a->ctrl);
    for (int i = 0; i < 4; i++)
        a->q[i].head = a->q[i].count = 0;
    a->ld.busy = a->st.busy = 0;
    a->ld.fly_n = a->ld.fly_head = 0;
    a->cu.busy = 0;
    a->cu.t_n = a->cu.t_head = 0;
    memset(&a->cu.cfg, 0, sizeof a->cu.cfg);
    memset(a->tok, 0, sizeof a->tok);
    a->last_grant = MPE_UNIT_STORE; /* so that the first tie goes to load */
    a->cycle = 0;
    a->state = MPE_RUN_RUNNING;
    memset(&a->trap, 0, sizeof a->trap);
    memset(&a->stats, 0, sizeof a->stats);
}

mpe_status mpe_accel_load_code(mpe_accel *a, const uint8_t *words, size_t n)
{
    if (n > a->arch.imem_insns)
        return MPE_ERR_RANGE;
    mpe_insn *im = n ? calloc(n, sizeof *im) : NULL;
    uint8_t *ok = n ? calloc(n, 1) : NULL;
    uint8_t *raw = n ? malloc(n * MPE_INSN_BYTES) : NULL;
    if (n && (!im || !ok || !raw)) {
        free(im);
        free(ok);
        free(raw);
        return MPE_ERR_NOMEM;
    }
    if (n)
        memcpy(raw, words, n * MPE_INSN_BYTES);
    for (size_t i = 0; i < n; i++)
        ok[i] = mpe_insn_decode(words + i * MPE_INSN_BYTES, &im[i]) == MPE_OK;
    free(a->imem);
    free(a->imem_ok);
    free(a->raw);
    a->imem = im;
    a->imem_ok = ok;
    a->raw = raw;
    a->ncode = (uint32_t)n;
    mpe_accel_reset(a);
    return MPE_OK;
}

mpe_status mpe_accel_mem_write(mpe_accel *a, uint64_t addr, const void *src, size_t len)
{
    if (addr > a->arch.mem_bytes || len > a->arch.mem_bytes - addr)
        return MPE_ERR_RANGE;
    if (len)
        memcpy(a->mem + addr, src, len);
    return MPE_OK;
}

mpe_status mpe_accel_mem_read(const mpe_accel *a, uint64_t addr, void *dst, size_t len)
{
    if (addr > a->arch.mem_bytes || len > a->arch.mem_bytes - addr)
        return MPE_ERR_RANGE;
    if (len)
        memcpy(dst, a->mem + addr, len);
    return MPE_OK;
}

mpe_status mpe_accel_sp_write(mpe_accel *a, int sp, uint32_t addr, const void *src, size_t len)
{
    if (sp < 0 || sp >= ACC_NSP || addr > a->sp_size[sp] || len > a->sp_size[sp] - addr)
        return MPE_ERR_RANGE;
    if (len)
        memcpy(a->sp[sp] + addr, src, len);
    return MPE_OK;
}

mpe_status mpe_accel_sp_read(const mpe_accel *a, int sp, uint32_t addr, void *dst, size_t len)
{
    if (sp < 0 || sp >= ACC_NSP || addr > a->sp_size[sp] || len > a->sp_size[sp] - addr)
        return MPE_ERR_RANGE;
    if (len)
        memcpy(dst, a->sp[sp] + addr, len);
    return MPE_OK;
}

void mpe_accel_set_trace(mpe_accel *a, mpe_commit_fn fn, void *user)
{
    a->trace_fn = fn;
    a->trace_user = user;
}

void mpe_accel_set_pe_path(mpe_accel *a, mpe_pe_path p) { a->path = p; }

void mpe_accel_set_mem(mpe_accel *a, const mpe_accel_mem *m)
{
    if (m)
        a->ext = *m;
    else
        memset(&a->ext, 0, sizeof a->ext);
}
mpe_run_state mpe_accel_state(const mpe_accel *a) { return a->state; }
uint64_t mpe_accel_cycle(const mpe_accel *a) { return a->cycle; }
const mpe_accel_stats *mpe_accel_stats_get(const mpe_accel *a) { return &a->stats; }
const mpe_trap *mpe_accel_trap(const mpe_accel *a) { return &a->trap; }
uint32_t mpe_accel_pc(const mpe_accel *a) { return a->ctrl.pc; }

uint32_t mpe_accel_reg(const mpe_accel *a, int r)
{
    return r > 0 && r < MPE_NUM_REGS ? a->ctrl.reg[r] : 0;
}

int mpe_accel_tokens(const mpe_accel *a, int tok)
{
    return tok >= 0 && tok < MPE_TOK_COUNT ? (int)a->tok[tok] : -1;
}

/* ---- traps and completions --------------------------------------------- */

void mpe_acc_trap(mpe_accel *a, mpe_trap_cause c, uint32_t pc, const char *fmt, ...)
{
    if (a->trap.cause != MPE_TRAP_NONE)
        return; /* the first trap of a cycle wins (controller, load, compute, store) */
    a->trap.cause = c;
    a->trap.pc = pc;
    a->trap.cycle = a->cycle;
    int n = snprintf(a->trap.msg, sizeof a->trap.msg, "pc %u: ", pc);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->trap.msg + n, sizeof a->trap.msg - (size_t)n, fmt, ap);
    va_end(ap);
}

void mpe_acc_complete(mpe_accel *a, int unit, const acc_qent *q)
{
    a->done[unit].valid = 1;
    a->done[unit].q = *q;
    a->stats.insns[q->in->id]++;
}

/* ---- the cycle ----------------------------------------------------------- */

static int all_idle(const mpe_accel *a)
{
    for (int u = MPE_UNIT_LOAD; u <= MPE_UNIT_STORE; u++)
        if (a->q[u].count)
            return 0;
    return !a->ld.busy && !a->cu.busy && !a->st.busy;
}

static void snapshot(const mpe_accel *a, acc_snap *s)
{
    for (int u = 0; u < 4; u++)
        s->occ[u] = a->q[u].count;
    s->idle[MPE_UNIT_CTRL] = 1;
    s->idle[MPE_UNIT_LOAD] = !a->ld.busy;
    s->idle[MPE_UNIT_COMPUTE] = !a->cu.busy;
    s->idle[MPE_UNIT_STORE] = !a->st.busy;
}

static void report_done(mpe_accel *a, uint64_t t)
{
    for (int u = 0; u < 4; u++) {
        if (!a->done[u].valid)
            continue;
        if (a->trace_fn) {
            mpe_commit c = {t, (uint8_t)u, a->done[u].q.pc, a->done[u].q.in};
            a->trace_fn(a->trace_user, &c);
        }
    }
}

mpe_run_state mpe_accel_step(mpe_accel *a)
{
    if (a->state == MPE_RUN_LIMIT)
        a->state = MPE_RUN_RUNNING;
    if (a->state != MPE_RUN_RUNNING)
        return a->state;
    uint64_t t = a->cycle;
    if (a->ctrl.halted && all_idle(a)) {
        a->stats.cycles = t;
        return a->state = MPE_RUN_DONE;
    }
    acc_snap s;
    snapshot(a, &s);
    memset(a->done, 0, sizeof a->done);
    a->progress = 0;
    a->ctrl_dispatch = 0;
    mpe_acc_units_start(a, t);
    mpe_acc_ctrl_cycle(a, t, &s);
    mpe_acc_dma_cycle(a, t);
    mpe_acc_compute_cycle(a, t);
    mpe_acc_load_arrivals(a, t);
    report_done(a, t);
    mpe_acc_tokens_push(a);
    if (a->ctrl_dispatch)
        mpe_acc_queue_push(&a->q[mpe_insn_table[a->dispatched.in->id].unit], &a->dispatched);
    if (a->trap.cause == MPE_TRAP_NONE)
        mpe_acc_deadlock_check(a);
    a->cycle = t + 1;
    if (a->trap.cause != MPE_TRAP_NONE) {
        a->stats.cycles = t + 1;
        return a->state = MPE_RUN_TRAP;
    }
    a->stats.cycles = t + 1;
    return a->state;
}

mpe_run_state mpe_accel_run(mpe_accel *a, uint64_t max_cycles)
{
    while (mpe_accel_step(a) == MPE_RUN_RUNNING)
        if (max_cycles && a->cycle >= max_cycles) {
            a->stats.cycles = a->cycle;
            return a->state = MPE_RUN_LIMIT;
        }
    return a->state;
}
