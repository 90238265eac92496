/* The controller (fetch, scalar instructions, dispatch with legality checks),
 * the instruction queues, the dependency tokens and deadlock detection.
 * docs/isa.md sections 2, 4 and 5. */
#include "accel_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- tokens ---------------------------------------------------------------- */

/* [unit][flag bit index]: pop_prev, pop_next, push_prev, push_next. */
static const int dep_tok[4][4] = {
    [MPE_UNIT_CTRL] = {-1, -1, -1, -1},
    [MPE_UNIT_LOAD] = {-1, MPE_TOK_C2L, -1, MPE_TOK_L2C},
    [MPE_UNIT_COMPUTE] = {MPE_TOK_L2C, MPE_TOK_S2C, MPE_TOK_C2L, MPE_TOK_C2S},
    [MPE_UNIT_STORE] = {MPE_TOK_C2S, -1, MPE_TOK_S2C, -1},
};

int mpe_acc_dep_token(int unit, int flag)
{
    for (int b = 0; b < 4; b++)
        if (flag == 1 << b)
            return dep_tok[unit][b];
    return -1;
}

static int deps_field(const mpe_insn *in)
{
    switch (in->id) {
    case MPE_I_LOAD: return (int)in->f[MPE_F_LOAD_deps];
    case MPE_I_STORE: return (int)in->f[MPE_F_STORE_deps];
    case MPE_I_CFGPE: return (int)in->f[MPE_F_CFGPE_deps];
    case MPE_I_CFGOUT: return (int)in->f[MPE_F_CFGOUT_deps];
    case MPE_I_CFGGEMM: return (int)in->f[MPE_F_CFGGEMM_deps];
    case MPE_I_MATMUL: return (int)in->f[MPE_F_MATMUL_deps];
    default: return 0;
    }
}

int mpe_acc_queue_push(acc_queue *q, const acc_qent *e)
{
    if (q->count >= q->cap)
        return -1;
    q->e[(q->head + q->count) % q->cap] = *e;
    q->count++;
    return 0;
}

/* A head instruction may start when every counter it pops is above 0. */
static int tokens_ready(const mpe_accel *a, int unit, int deps)
{
    for (int b = 0; b < 2; b++)
        if ((deps & (1 << b)) && a->tok[dep_tok[unit][b]] == 0)
            return 0;
    return 1;
}

static int unit_busy(const mpe_accel *a, int u)
{
    return u == MPE_UNIT_LOAD ? a->ld.busy : u == MPE_UNIT_COMPUTE ? a->cu.busy : a->st.busy;
}

void mpe_acc_units_start(mpe_accel *a, uint64_t t)
{
    for (int u = MPE_UNIT_LOAD; u <= MPE_UNIT_STORE; u++) {
        acc_queue *q = &a->q[u];
        if (unit_busy(a, u)) {
            a->stats.unit_busy[u]++;
            a->progress = 1;
            continue;
        }
        if (!q->count)
            continue;
        acc_qent e = q->e[q->head];
        int deps = deps_field(e.in);
        if (!tokens_ready(a, u, deps)) {
            a->stats.token_stall[u]++;
            continue;
        }
        for (int b = 0; b < 2; b++)
            if (deps & (1 << b))
                a->tok[dep_tok[u][b]]--;
        q->head = (q->head + 1) % q->cap;
        q->count--;
        a->stats.unit_busy[u]++;
        a->progress = 1;
        if (u == MPE_UNIT_COMPUTE)
            mpe_acc_compute_start(a, &e, t);
        else
            mpe_acc_dma_start(a, u, &e, t);
    }
}

/* Pushes of this cycle's completions (t_e), after this cycle's pops. */
void mpe_acc_tokens_push(mpe_accel *a)
{
    for (int u = MPE_UNIT_LOAD; u <= MPE_UNIT_STORE; u++) {
        if (!a->done[u].valid)
            continue;
        int deps = deps_field(a->done[u].q.in);
        for (int b = 2; b < 4; b++) {
            if (!(deps & (1 << b)))
                continue;
            int k = dep_tok[u][b];
            if (++a->tok[k] > 255) {
                a->tok[k] = 255;
                mpe_acc_trap(a, MPE_TRAP_TOKEN, a->done[u].q.pc,
                         "%s: token counter %s overflows (above 255)",
                         mpe_insn_table[a->done[u].q.in->id].mnemonic, mpe_tok_name(k));
            }
        }
    }
}

/* ---- deadlock -------------------------------------------------------------- */

static const char *unit_name(int u)
{
    return mpe_unit_label(u);
}

/* A cycle in which the controller neither executed nor dispatched, and no
 * unit was busy or started, leaves the state unchanged: no later cycle can
 * differ, so the run ends with a deadlock trap (docs/isa.md 5). */
void mpe_acc_deadlock_check(mpe_accel *a)
{
    if (a->progress)
        return;
    char why[128] = "";
    size_t n = 0;
    uint32_t pc = a->ctrl.pc;
    int first = 1;
    for (int u = MPE_UNIT_LOAD; u <= MPE_UNIT_STORE && n < sizeof why; u++) {
        if (!a->q[u].count)
            continue;
        acc_qent *e = &a->q[u].e[a->q[u].head];
        int deps = deps_field(e->in);
        if (first)
            pc = e->pc;
        first = 0;
        for (int b = 0; b < 2 && n < sizeof why; b++)
            if ((deps & (1 << b)) && !a->tok[dep_tok[u][b]])
                n += (size_t)snprintf(why + n, sizeof why - n, "; %s pc %u waits for %s",
                                      unit_name(u), e->pc, mpe_tok_name(dep_tok[u][b]));
    }
    mpe_acc_trap(a, MPE_TRAP_DEADLOCK, pc, "deadlock: no unit can proceed (controller %s at pc %u)%s",
             a->ctrl.halted ? "halted" : "stalled", a->ctrl.pc, why);
}

/* ---- configuration --------------------------------------------------------- */

static int dt_from_fields(int kind, int bits, int fmt, mpe_dtype *t, char *msg,
                          unsigned len, const char *which)
{
    const char *bad = NULL;
    switch (kind) {
    case MPE_DT_INT:
    case MPE_DT_UINT: if (bits < 1 || bits > 16) bad = "bits must be 1..16"; break;
    case MPE_DT_BINARY: if (bits != 1) bad = "binary has 1 bit"; break;
    case MPE_DT_TERNARY: if (bits != 2) bad = "ternary has 2 bits"; break;
    case MPE_DT_POW2: if (bits != 4) bad = "pow2 has 4 bits"; break;
    case MPE_DT_BFPINT: if (bits < 4 || bits > 8) bad = "bfpint bits must be 4..8"; break;
    case MPE_DT_FP:
        if (fmt < 0 || fmt >= MPE_FMT_COUNT)
            bad = "unknown FP format";
        else if (mpe_fmt_get((mpe_fmt)fmt)->bits != bits)
            bad = "bits differ from the FP format's";
        break;
    default: bad = "unknown element kind";
    }
    if (bad) {
        snprintf(msg, len, "%s type: %s", which, bad);
        return -1;
    }
    t->kind = (uint8_t)kind;
    t->bits = (uint8_t)bits;
    t->fmt = (uint8_t)(kind == MPE_DT_FP ? fmt : 0);
    return 0;
}

/* cfgpe fields -> mpe_pe_cfg; MPE_OK or an error with a reason. */
static mpe_status pe_cfg_from_insn(const mpe_insn *in, int lanes, mpe_pe_cfg *c, char *msg,
                                   unsigned len)
{
    memset(c, 0, sizeof *c);
    int mode = (int)in->f[MPE_F_CFGPE_mode];
    if (mode < 0 || mode >= MPE_MODE_COUNT) {
        snprintf(msg, len, "unknown PE mode %d", mode);
        return MPE_ERR_ARG;
    }
    c->mode = (uint8_t)mode;
    if (dt_from_fields((int)in->f[MPE_F_CFGPE_akind], (int)in->f[MPE_F_CFGPE_abits],
                       (int)in->f[MPE_F_CFGPE_afmt], &c->a, msg, len, "activation") ||
        dt_from_fields((int)in->f[MPE_F_CFGPE_wkind], (int)in->f[MPE_F_CFGPE_wbits],
                       (int)in->f[MPE_F_CFGPE_wfmt], &c->w, msg, len, "weight"))
        return MPE_ERR_ARG;
    c->both_serial = (uint8_t)in->f[MPE_F_CFGPE_bserial];
    c->group = (uint16_t)in->f[MPE_F_CFGPE_group];
    c->scale_fmt = (uint8_t)in->f[MPE_F_CFGPE_sfmt];
    return mpe_pe_cfg_check(c, lanes, msg, len);
}

/* Applies a cfg instruction that has passed its dispatch checks. */
void mpe_acc_cfg_apply(acc_cfg *c, const mpe_insn *in, int lanes)
{
    char msg[8];
    switch (in->id) {
    case MPE_I_CFGPE:
        pe_cfg_from_insn(in, lanes, &c->pe, msg, sizeof msg);
        c->have_pe = 1;
        break;
    case MPE_I_CFGOUT:
        c->out = mpe_outcfg_default((int)in->f[MPE_F_CFGOUT_rq], (int)in->f[MPE_F_CFGOUT_out]);
        c->out.has_bias = (uint8_t)in->f[MPE_F_CFGOUT_bias];
        c->out.relu = (uint8_t)in->f[MPE_F_CFGOUT_relu];
        c->out.lo = (int32_t)in->f[MPE_F_CFGOUT_lo];
        c->out.hi = (int32_t)in->f[MPE_F_CFGOUT_hi];
        c->have_out = 1;
        break;
    case MPE_I_CFGGEMM:
        c->mt = (uint32_t)in->f[MPE_F_CFGGEMM_mt];
        c->nt = (uint32_t)in->f[MPE_F_CFGGEMM_nt];
        c->ks = (uint32_t)in->f[MPE_F_CFGGEMM_ks];
        c->akt = (uint32_t)in->f[MPE_F_CFGGEMM_akt];
        c->wkt = (uint32_t)in->f[MPE_F_CFGGEMM_wkt];
        c->okt = (uint32_t)in->f[MPE_F_CFGGEMM_okt];
        c->have_gemm = 1;
        break;
    default: break;
    }
}

static int vec_bytes(const mpe_arch *ar, uint32_t n, uint32_t cw, uint32_t *out)
{
    uint64_t bits = (uint64_t)n * ar->lanes * cw;
    *out = (uint32_t)(bits / 8);
    return bits % 8 ? -1 : 0;
}

mpe_status mpe_acc_geom_make(const mpe_arch *ar, const acc_cfg *c, acc_geom *g, char *msg,
                         unsigned len)
{
    memset(g, 0, sizeof *g);
    g->cwa = acc_cw(c->pe.a.bits);
    g->cww = acc_cw(c->pe.w.bits);
    g->cwo = (uint32_t)mpe_out_bits(c->out.out);
    if (vec_bytes(ar, ar->rows, g->cwa, &g->va) || vec_bytes(ar, ar->cols, g->cww, &g->vw) ||
        vec_bytes(ar, ar->rows, g->cwo, &g->vo)) {
        snprintf(msg, len, "an operand or output vector is not a whole number of bytes");
        return MPE_ERR_SHAPE;
    }
    g->acc_float = mpe_pe_cfg_is_float(&c->pe);
    g->sc = c->pe.mode == MPE_MODE_BFP ? ACC_SC_BFP
            : (c->pe.mode == MPE_MODE_SHIFTADD && c->pe.group) ? ACC_SC_SHIFTADD : ACC_SC_NONE;
    if (g->sc == ACC_SC_NONE)
        return MPE_OK;
    g->G = c->pe.group;
    g->slots = (uint32_t)mpe_pe_scale_slots(&c->pe, (int)ar->lanes);
    uint64_t kt = (uint64_t)c->ks * ar->lanes;
    if (kt % g->G) {
        snprintf(msg, len, "ks*lanes = %llu is not a whole number of %u-element blocks",
                 (unsigned long long)kt, g->G);
        return MPE_ERR_SHAPE;
    }
    g->kb = (uint32_t)(kt / g->G);
    if (g->sc == ACC_SC_BFP)
        g->s_bytes = (uint64_t)g->kb * (c->mt * ar->rows + c->nt * ar->cols);
    else
        g->s_bytes = (uint64_t)g->kb * c->nt * ar->cols * 4;
    return MPE_OK;
}

/* ---- legality checks at dispatch ------------------------------------------- */

#define TRAP(cause, ...) (mpe_acc_trap(a, cause, pc, __VA_ARGS__), -1)

static const char *mn(const mpe_insn *in) { return mpe_insn_table[in->id].mnemonic; }

static const char *sp_name(int sp)
{
    static const char *const n[4] = {"ASP", "WSP", "PSP", "OSP"};
    return n[sp & 3];
}

/* The DMA checks of docs/isa.md 4, in this order: flags, sp, rows,
 * rowbytes, spaddr alignment, stride, memory address alignment, memory
 * range, scratchpad range. */
static int check_dma(mpe_accel *a, uint32_t pc, const mpe_insn *in, uint64_t *addr)
{
    const mpe_arch *ar = &a->arch;
    int ld = in->id == MPE_I_LOAD, unit = ld ? MPE_UNIT_LOAD : MPE_UNIT_STORE;
    int deps = deps_field(in);
    for (int b = 0; b < 4; b++)
        if ((deps & (1 << b)) && dep_tok[unit][b] < 0)
            return TRAP(MPE_TRAP_FLAGS, "%s: the %s unit has no %s flag", mn(in),
                        unit_name(unit), mpe_dep_name(b));
    int sp = ld ? (int)in->f[MPE_F_LOAD_sp] : MPE_SP_OSP;
    if (sp == MPE_SP_OSP && ld)
        return TRAP(MPE_TRAP_OPERAND, "load: the OSP is not a load target");
    int64_t spaddr = in->f[ld ? MPE_F_LOAD_spaddr : MPE_F_STORE_spaddr];
    int64_t rows = in->f[ld ? MPE_F_LOAD_rows : MPE_F_STORE_rows];
    int64_t rowb = in->f[ld ? MPE_F_LOAD_rowbytes : MPE_F_STORE_rowbytes];
    int64_t stride = in->f[ld ? MPE_F_LOAD_stride : MPE_F_STORE_stride];
    int64_t mem = in->f[ld ? MPE_F_LOAD_mem : MPE_F_STORE_mem];
    int rb = (int)in->f[ld ? MPE_F_LOAD_rbase : MPE_F_STORE_rbase];
    int64_t beat = ar->beat_bytes;
    if (rows < 1)
        return TRAP(MPE_TRAP_OPERAND, "%s: rows must be >= 1", mn(in));
    if (rowb < beat || rowb % beat)
        return TRAP(MPE_TRAP_ALIGN, "%s: rowbytes %lld is not a positive multiple of %lld",
                    mn(in), (long long)rowb, (long long)beat);
    if (spaddr % beat)
        return TRAP(MPE_TRAP_ALIGN, "%s: %s address 0x%llx is not a multiple of %lld", mn(in),
                    sp_name(sp), (unsigned long long)spaddr, (long long)beat);
    if (stride % beat)
        return TRAP(MPE_TRAP_ALIGN, "%s: stride %lld is not a multiple of %lld", mn(in),
                    (long long)stride, (long long)beat);
    int64_t ad = (int64_t)a->ctrl.reg[rb] + mem;
    if (ad >= 0 && ad % beat)
        return TRAP(MPE_TRAP_ALIGN, "%s: memory address 0x%llx is not a multiple of %lld",
                    mn(in), (unsigned long long)ad, (long long)beat);
    int64_t last = ad + (rows - 1) * stride + rowb;
    if (ad < 0 || last > (int64_t)ar->mem_bytes)
        return TRAP(MPE_TRAP_RANGE, "%s: memory region [%lld, %lld) outside memory (%u bytes)",
                    mn(in), (long long)ad, (long long)last, ar->mem_bytes);
    if (spaddr + rows * rowb > (int64_t)a->sp_size[sp])
        return TRAP(MPE_TRAP_RANGE, "%s: %s region [0x%llx, 0x%llx) outside the %s (%u bytes)",
                    mn(in), sp_name(sp), (unsigned long long)spaddr,
                    (unsigned long long)(spaddr + rows * rowb), sp_name(sp), a->sp_size[sp]);
    *addr = (uint64_t)ad;
    return 0;
}

static int check_cfg(mpe_accel *a, uint32_t pc, const mpe_insn *in)
{
    const mpe_arch *ar = &a->arch;
    char msg[128] = "";
    if (in->id == MPE_I_CFGPE) {
        mpe_pe_cfg c;
        if (pe_cfg_from_insn(in, (int)ar->lanes, &c, msg, sizeof msg) != MPE_OK)
            return TRAP(MPE_TRAP_PECFG, "cfgpe: %s", msg);
    } else if (in->id == MPE_I_CFGOUT) {
        int64_t rq = in->f[MPE_F_CFGOUT_rq], out = in->f[MPE_F_CFGOUT_out];
        if (rq > MPE_RQ_DYADIC)
            return TRAP(MPE_TRAP_OPERAND, "cfgout: unknown requantization %lld", (long long)rq);
        if (out >= MPE_OUT_COUNT)
            return TRAP(MPE_TRAP_OPERAND, "cfgout: unknown output format %lld", (long long)out);
        if (in->f[MPE_F_CFGOUT_lo] > in->f[MPE_F_CFGOUT_hi])
            return TRAP(MPE_TRAP_OPERAND, "cfgout: clamp lo %lld > hi %lld",
                        (long long)in->f[MPE_F_CFGOUT_lo], (long long)in->f[MPE_F_CFGOUT_hi]);
    } else if (in->id == MPE_I_CFGGEMM) {
        int64_t mt = in->f[MPE_F_CFGGEMM_mt], nt = in->f[MPE_F_CFGGEMM_nt];
        int64_t ks = in->f[MPE_F_CFGGEMM_ks];
        if (mt < 1 || nt < 1 || ks < 1)
            return TRAP(MPE_TRAP_OPERAND, "cfggemm: mt, nt and ks must be >= 1");
        if (in->f[MPE_F_CFGGEMM_akt] < ks || in->f[MPE_F_CFGGEMM_wkt] < ks)
            return TRAP(MPE_TRAP_OPERAND, "cfggemm: akt and wkt must be >= ks");
        if (in->f[MPE_F_CFGGEMM_okt] * ar->lanes < nt * ar->cols)
            return TRAP(MPE_TRAP_OPERAND, "cfggemm: okt*lanes = %lld < nt*cols = %lld",
                        (long long)(in->f[MPE_F_CFGGEMM_okt] * ar->lanes),
                        (long long)(nt * ar->cols));
    }
    return 0;
}

static int check_extent(mpe_accel *a, uint32_t pc, int sp, uint64_t base, uint64_t bytes,
                        const char *what)
{
    if (base + bytes > a->sp_size[sp])
        return TRAP(MPE_TRAP_RANGE, "matmul: %s [0x%llx, 0x%llx) outside the %s (%u bytes)",
                    what, (unsigned long long)base, (unsigned long long)(base + bytes),
                    sp_name(sp), a->sp_size[sp]);
    return 0;
}

static int check_align(mpe_accel *a, uint32_t pc, uint64_t v, uint64_t al, const char *what)
{
    if (al && v % al)
        return TRAP(MPE_TRAP_ALIGN, "matmul: %s address 0x%llx is not a multiple of %llu",
                    what, (unsigned long long)v, (unsigned long long)al);
    return 0;
}

/* matmul: configuration present, combination legal, operands aligned to
 * their vector size, every block inside its scratchpad. */
static int check_matmul(mpe_accel *a, uint32_t pc, const mpe_insn *in)
{
    const mpe_arch *ar = &a->arch;
    const acc_cfg *c = &a->ctrl.cfg;
    if (!c->have_pe || !c->have_out || !c->have_gemm)
        return TRAP(MPE_TRAP_NOCFG, "matmul: no preceding %s",
                    !c->have_pe ? "cfgpe" : !c->have_out ? "cfgout" : "cfggemm");
    char msg[128] = "";
    acc_geom g;
    if (mpe_acc_geom_make(ar, c, &g, msg, sizeof msg) != MPE_OK)
        return TRAP(MPE_TRAP_OPERAND, "matmul: %s", msg);
    if (mpe_outcfg_check(&c->out, g.acc_float, msg, sizeof msg) != MPE_OK)
        return TRAP(MPE_TRAP_OUTCFG, "matmul: output configuration: %s", msg);
    uint64_t A = (uint64_t)in->f[MPE_F_MATMUL_a], W = (uint64_t)in->f[MPE_F_MATMUL_w];
    uint64_t O = (uint64_t)in->f[MPE_F_MATMUL_o], P = (uint64_t)in->f[MPE_F_MATMUL_p];
    uint64_t S = (uint64_t)in->f[MPE_F_MATMUL_s];
    if (check_align(a, pc, A, g.va, "activation block") ||
        check_align(a, pc, W, g.vw, "weight block") ||
        check_align(a, pc, O, g.vo, "output block") ||
        check_align(a, pc, P, ACC_PARAM_BYTES, "parameter") ||
        (g.sc == ACC_SC_SHIFTADD && check_align(a, pc, S, 2, "scale")))
        return -1;
    if (check_extent(a, pc, MPE_SP_ASP, A, ((uint64_t)(c->mt - 1) * c->akt + c->ks) * g.va,
                     "activation block") ||
        check_extent(a, pc, MPE_SP_WSP, W, ((uint64_t)(c->nt - 1) * c->wkt + c->ks) * g.vw,
                     "weight block") ||
        check_extent(a, pc, MPE_SP_OSP, O, (uint64_t)c->mt * c->okt * g.vo, "output block") ||
        check_extent(a, pc, MPE_SP_PSP, P, (uint64_t)c->nt * ar->cols * ACC_PARAM_BYTES,
                     "parameters") ||
        (g.sc != ACC_SC_NONE && check_extent(a, pc, MPE_SP_PSP, S, g.s_bytes, "block scales")))
        return -1;
    return 0;
}

/* ---- the controller ---------------------------------------------------------- */

static void ctrl_commit(mpe_accel *a, uint32_t pc, const mpe_insn *in)
{
    acc_qent q = {in, pc, 0};
    mpe_acc_complete(a, MPE_UNIT_CTRL, &q);
    a->stats.unit_busy[MPE_UNIT_CTRL]++;
    a->progress = 1;
}

static int queues_idle(const acc_snap *s)
{
    for (int u = MPE_UNIT_LOAD; u <= MPE_UNIT_STORE; u++)
        if (s->occ[u] || !s->idle[u])
            return 0;
    return 1;
}

/* Scalar instructions; returns 0 when executed, 1 when stalled. */
static int exec_scalar(mpe_accel *a, uint32_t pc, const mpe_insn *in, const acc_snap *s)
{
    acc_ctrl *c = &a->ctrl;
    uint32_t next = pc + 1;
    switch (in->id) {
    case MPE_I_LI: {
        int rd = (int)in->f[MPE_F_LI_rd];
        if (rd)
            c->reg[rd] = (uint32_t)in->f[MPE_F_LI_imm];
        break;
    }
    case MPE_I_ADDI: {
        int rd = (int)in->f[MPE_F_ADDI_rd];
        uint32_t v = c->reg[in->f[MPE_F_ADDI_rs]] + (uint32_t)in->f[MPE_F_ADDI_imm];
        if (rd)
            c->reg[rd] = v;
        break;
    }
    case MPE_I_DBNZ: {
        int rs = (int)in->f[MPE_F_DBNZ_rs];
        uint32_t v = c->reg[rs] - 1, target = (uint32_t)in->f[MPE_F_DBNZ_target];
        if (target >= a->arch.imem_insns) {
            mpe_acc_trap(a, MPE_TRAP_PC, pc, "dbnz: target %u outside the instruction memory (%u)",
                     target, a->arch.imem_insns);
            return 0;
        }
        if (rs)
            c->reg[rs] = v;
        if (v)
            next = target;
        break;
    }
    case MPE_I_SYNC:
        if (!queues_idle(s)) {
            a->stats.ctrl_stall_sync++;
            return 1;
        }
        break;
    case MPE_I_HALT: c->halted = 1; next = pc; break;
    default: break; /* nop */
    }
    c->pc = next;
    ctrl_commit(a, pc, in);
    return 0;
}

/* The checks come first: an illegal instruction traps in the first cycle
 * the controller examines it, even when its queue is full. A cfg
 * instruction updates the program-order configuration only when it is
 * pushed. */
static void dispatch(mpe_accel *a, uint32_t pc, const mpe_insn *in, int unit, const acc_snap *s)
{
    acc_qent e = {in, pc, 0};
    int bad = 0;
    if (in->id == MPE_I_LOAD || in->id == MPE_I_STORE)
        bad = check_dma(a, pc, in, &e.addr);
    else if (in->id == MPE_I_MATMUL)
        bad = check_matmul(a, pc, in);
    else
        bad = check_cfg(a, pc, in);
    if (bad)
        return;
    if (s->occ[unit] >= a->arch.queue_depth) {
        a->stats.ctrl_stall_queue++;
        return;
    }
    if (in->id != MPE_I_LOAD && in->id != MPE_I_STORE && in->id != MPE_I_MATMUL)
        mpe_acc_cfg_apply(&a->ctrl.cfg, in, (int)a->arch.lanes);
    a->ctrl_dispatch = 1;
    a->dispatched = e;
    a->ctrl.pc = pc + 1;
    a->stats.unit_busy[MPE_UNIT_CTRL]++;
    a->progress = 1;
}

void mpe_acc_ctrl_cycle(mpe_accel *a, uint64_t t, const acc_snap *s)
{
    (void)t;
    acc_ctrl *c = &a->ctrl;
    if (c->halted)
        return;
    uint32_t pc = c->pc;
    if (pc >= a->arch.imem_insns) {
        mpe_acc_trap(a, MPE_TRAP_PC, pc, "pc outside the instruction memory (%u instructions)",
                 a->arch.imem_insns);
        return;
    }
    if (pc >= a->ncode || !a->imem_ok[pc]) {
        char why[96] = "reserved opcode 0x00";
        mpe_insn tmp;
        if (pc < a->ncode)
            mpe_insn_decode_msg(a->raw + (size_t)pc * MPE_INSN_BYTES, &tmp, why, sizeof why);
        mpe_acc_trap(a, MPE_TRAP_ENCODING, pc, "illegal instruction: %s", why);
        return;
    }
    const mpe_insn *in = &a->imem[pc];
    int unit = mpe_insn_table[in->id].unit;
    if (unit == MPE_UNIT_CTRL)
        exec_scalar(a, pc, in, s);
    else
        dispatch(a, pc, in, unit, s);
}
