/* The C model with its external memory behind callbacks (accel_ext.h).
 * MPE_EXT_BEATS uses the model's own hook (mpe_accel_set_mem): one callback
 * per beat in its grant cycle, counted here. MPE_EXT_ROWS stages rows through
 * the model's array; within the cycle t simulated by mpe_accel_ext_step:
 *   1. before mpe_accel_step: if the load unit requests a beat in t whose
 *      chunk is not staged yet, read the chunk through the callback into
 *      the model's array (the head load requests in t if it is already
 *      running, or if it can start in t: the unit is idle at the start of t
 *      and its C2L token, if it pops one, is available);
 *   2. mpe_accel_step;
 *   3. follow the controller: a load/store at the pc of the start of t was
 *      dispatched if the pc moved (address R[rbase] + mem, registers are
 *      unchanged by a dispatch);
 *   4. follow the port: a beats_read increment is the next beat of the
 *      oldest load, a beats_written increment the next beat of the oldest
 *      store (each unit runs its instructions in order, beats in row-major
 *      order); a store chunk whose last beat was granted goes out through
 *      the callback.
 * A staged load chunk that overlaps store bytes not yet written out first
 * writes those out, so a staged chunk always holds the current memory. */
#include "accel_ext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXT_BUF_BYTES = 65536 }; /* a chunk is at most one row: rowbytes is 16 bits */

typedef struct {
    uint64_t addr, stride;
    uint32_t rows, bpr; /* bpr: beats per row */
    int pop_next;       /* load: waits for a C2L token */
} ext_xfer;

typedef struct {
    ext_xfer *e;
    uint32_t head, n, cap;
    uint32_t done;    /* beats of the head instruction granted */
    uint32_t fetched; /* load: beats of the head instruction staged */
} ext_queue;

struct mpe_accel_ext {
    mpe_accel *acc;
    mpe_accel_mem mem;
    mpe_ext_burst burst;
    uint32_t B, L;
    mpe_insn *code; /* decoded program (dispatch tracking) */
    uint8_t *ok;
    uint32_t ncode;
    ext_queue ld, st;
    uint64_t ld_free;             /* first cycle the load unit can start its next instruction */
    uint64_t beats_rd, beats_wr;  /* port statistics at the start of the cycle */
    uint64_t pend_addr, pend_len; /* stored bytes not yet written out */
    mpe_ext_traffic traffic;
    mpe_status hook_err; /* MPE_EXT_BEATS: a failed callback of the last step */
    uint64_t err_addr;
    char err[192];
    uint8_t *buf;
};

static void free_code(mpe_accel_ext *x)
{
    free(x->code);
    free(x->ok);
    x->code = NULL;
    x->ok = NULL;
    x->ncode = 0;
}

void mpe_accel_ext_destroy(mpe_accel_ext *x)
{
    if (!x)
        return;
    mpe_accel_destroy(x->acc);
    free_code(x);
    free(x->ld.e);
    free(x->st.e);
    free(x->buf);
    free(x);
}

static mpe_status fail(mpe_accel_ext *x, mpe_status st, uint64_t addr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- MPE_EXT_BEATS: the model's hook, counted ----------------------------- */

static mpe_status hook_read(void *user, uint64_t addr, void *dst, size_t len, uint64_t t)
{
    mpe_accel_ext *x = user;
    mpe_status st = x->mem.read(x->mem.user, addr, dst, len, t);
    if (st != MPE_OK)
        return x->hook_err = fail(x, st, addr, "bus error reading %zu bytes at 0x%llx in cycle %llu",
                                  len, (unsigned long long)addr, (unsigned long long)t);
    x->traffic.rd_calls++;
    x->traffic.rd_bytes += len;
    return MPE_OK;
}

static mpe_status hook_write(void *user, uint64_t addr, const void *src, size_t len, uint64_t t)
{
    mpe_accel_ext *x = user;
    mpe_status st = x->mem.write(x->mem.user, addr, src, len, t);
    if (st != MPE_OK)
        return x->hook_err = fail(x, st, addr, "bus error writing %zu bytes at 0x%llx in cycle %llu",
                                  len, (unsigned long long)addr, (unsigned long long)t);
    x->traffic.wr_calls++;
    x->traffic.wr_bytes += len;
    return MPE_OK;
}

mpe_status mpe_accel_ext_create(const mpe_arch *arch, const mpe_accel_mem *mem,
                                mpe_ext_burst burst, mpe_accel_ext **out)
{
    *out = NULL;
    if (!mem || !mem->read || !mem->write || (burst != MPE_EXT_ROWS && burst != MPE_EXT_BEATS))
        return MPE_ERR_ARG;
    mpe_accel_ext *x = calloc(1, sizeof *x);
    if (!x)
        return MPE_ERR_NOMEM;
    mpe_status st = mpe_accel_create(arch, &x->acc);
    if (st != MPE_OK) {
        free(x);
        return st;
    }
    x->mem = *mem;
    x->burst = burst;
    x->B = arch->beat_bytes;
    x->L = arch->mem_latency;
    /* the model's queue plus the instruction in progress */
    x->ld.cap = x->st.cap = arch->queue_depth + 2;
    x->ld.e = calloc(x->ld.cap, sizeof(ext_xfer));
    x->st.e = calloc(x->st.cap, sizeof(ext_xfer));
    x->buf = malloc(EXT_BUF_BYTES);
    if (!x->ld.e || !x->st.e || !x->buf) {
        mpe_accel_ext_destroy(x);
        return MPE_ERR_NOMEM;
    }
    if (burst == MPE_EXT_BEATS) {
        mpe_accel_mem hook = {x, hook_read, hook_write};
        mpe_accel_set_mem(x->acc, &hook);
    }
    *out = x;
    return MPE_OK;
}

mpe_accel *mpe_accel_ext_model(mpe_accel_ext *x) { return x->acc; }
const mpe_ext_traffic *mpe_accel_ext_traffic(const mpe_accel_ext *x) { return &x->traffic; }

const char *mpe_accel_ext_error(const mpe_accel_ext *x, uint64_t *addr)
{
    if (addr)
        *addr = x->err_addr;
    return x->err;
}

static void reset_track(mpe_accel_ext *x)
{
    x->ld.head = x->ld.n = x->ld.done = x->ld.fetched = 0;
    x->st.head = x->st.n = x->st.done = x->st.fetched = 0;
    x->ld_free = 0;
    x->beats_rd = x->beats_wr = 0;
    x->pend_len = 0;
    x->hook_err = MPE_OK;
    memset(&x->traffic, 0, sizeof x->traffic);
    x->err[0] = 0;
    x->err_addr = 0;
}

mpe_status mpe_accel_ext_load_code(mpe_accel_ext *x, const uint8_t *words, size_t n)
{
    mpe_status st = mpe_accel_load_code(x->acc, words, n);
    if (st != MPE_OK)
        return st;
    free_code(x);
    x->code = calloc(n ? n : 1, sizeof *x->code);
    x->ok = calloc(n ? n : 1, 1);
    if (!x->code || !x->ok) {
        free_code(x);
        return MPE_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        x->ok[i] = mpe_insn_decode(words + i * MPE_INSN_BYTES, &x->code[i]) == MPE_OK;
    x->ncode = (uint32_t)n;
    reset_track(x);
    return MPE_OK;
}

static mpe_status fail(mpe_accel_ext *x, mpe_status st, uint64_t addr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, sizeof x->err, fmt, ap);
    va_end(ap);
    x->err_addr = addr;
    return st;
}

/* ---- the shadow queues ---------------------------------------------------- */

static ext_xfer *q_head(ext_queue *q) { return q->n ? &q->e[q->head] : NULL; }
static uint32_t nbeats(const ext_xfer *e) { return e->rows * e->bpr; }

static uint64_t beat_addr(const mpe_accel_ext *x, const ext_xfer *e, uint32_t b)
{
    return e->addr + (uint64_t)(b / e->bpr) * e->stride + (uint64_t)(b % e->bpr) * x->B;
}

static void q_pop(ext_queue *q)
{
    q->head = (q->head + 1) % q->cap;
    q->n--;
    q->done = q->fetched = 0;
}

/* One past the last beat of the chunk that starts at beat b. */
static uint32_t chunk_end(const mpe_accel_ext *x, const ext_xfer *e, uint32_t b)
{
    return x->burst == MPE_EXT_BEATS ? b + 1 : (b / e->bpr + 1) * e->bpr;
}

/* ---- memory traffic ------------------------------------------------------- */

static mpe_status flush_store(mpe_accel_ext *x, uint64_t t)
{
    if (!x->pend_len)
        return MPE_OK;
    uint64_t addr = x->pend_addr;
    size_t len = (size_t)x->pend_len;
    x->pend_len = 0;
    if (mpe_accel_mem_read(x->acc, addr, x->buf, len) != MPE_OK)
        return fail(x, MPE_ERR_UNSUPPORTED, addr, "internal: store at 0x%llx outside the model",
                    (unsigned long long)addr);
    mpe_status st = x->mem.write(x->mem.user, addr, x->buf, len, t);
    if (st != MPE_OK)
        return fail(x, st, addr, "bus error writing %zu bytes at 0x%llx in cycle %llu", len,
                    (unsigned long long)addr, (unsigned long long)t);
    x->traffic.wr_calls++;
    x->traffic.wr_bytes += len;
    return MPE_OK;
}

static int ld_may_start(const mpe_accel_ext *x, const ext_xfer *e, uint64_t t)
{
    return t >= x->ld_free && (!e->pop_next || mpe_accel_tokens(x->acc, MPE_TOK_C2L) > 0);
}

/* Step 1: stage the chunk the load unit requests in cycle t. */
static mpe_status ld_stage(mpe_accel_ext *x, uint64_t t)
{
    ext_queue *q = &x->ld;
    const ext_xfer *e = q_head(q);
    if (!e || q->fetched > q->done || (q->done == 0 && !ld_may_start(x, e, t)))
        return MPE_OK;
    uint32_t b = q->done, end = chunk_end(x, e, b);
    uint64_t addr = beat_addr(x, e, b);
    size_t len = (size_t)(end - b) * x->B;
    if (x->pend_len && addr < x->pend_addr + x->pend_len && x->pend_addr < addr + len) {
        mpe_status st = flush_store(x, t);
        if (st != MPE_OK)
            return st;
    }
    mpe_status st = x->mem.read(x->mem.user, addr, x->buf, len, t);
    if (st != MPE_OK)
        return fail(x, st, addr, "bus error reading %zu bytes at 0x%llx in cycle %llu", len,
                    (unsigned long long)addr, (unsigned long long)t);
    if (mpe_accel_mem_write(x->acc, addr, x->buf, len) != MPE_OK)
        return fail(x, MPE_ERR_UNSUPPORTED, addr, "internal: load at 0x%llx outside the model",
                    (unsigned long long)addr);
    q->fetched = end;
    x->traffic.rd_calls++;
    x->traffic.rd_bytes += len;
    return MPE_OK;
}

/* Step 3: a load or store dispatched in this cycle joins its shadow queue. */
static mpe_status track_dispatch(mpe_accel_ext *x, uint32_t pc)
{
    if (pc >= x->ncode || !x->ok[pc] || mpe_accel_pc(x->acc) == pc)
        return MPE_OK;
    const mpe_insn *in = &x->code[pc];
    int ld = in->id == MPE_I_LOAD;
    if (!ld && in->id != MPE_I_STORE)
        return MPE_OK;
    ext_queue *q = ld ? &x->ld : &x->st;
    if (q->n == q->cap)
        return fail(x, MPE_ERR_UNSUPPORTED, 0, "internal: more queued DMA instructions than "
                                               "the queue holds (pc %u)", pc);
    ext_xfer *e = &q->e[(q->head + q->n) % q->cap];
    int rb = (int)in->f[ld ? MPE_F_LOAD_rbase : MPE_F_STORE_rbase];
    int64_t mem = in->f[ld ? MPE_F_LOAD_mem : MPE_F_STORE_mem];
    e->addr = (uint64_t)((int64_t)mpe_accel_reg(x->acc, rb) + mem); /* checked at dispatch */
    e->stride = (uint64_t)in->f[ld ? MPE_F_LOAD_stride : MPE_F_STORE_stride];
    e->rows = (uint32_t)in->f[ld ? MPE_F_LOAD_rows : MPE_F_STORE_rows];
    e->bpr = (uint32_t)in->f[ld ? MPE_F_LOAD_rowbytes : MPE_F_STORE_rowbytes] / x->B;
    e->pop_next = ld && (in->f[MPE_F_LOAD_deps] & MPE_DEP_POP_NEXT);
    q->n++;
    return MPE_OK;
}

static mpe_status ld_granted(mpe_accel_ext *x, uint64_t t)
{
    ext_queue *q = &x->ld;
    const ext_xfer *e = q_head(q);
    if (!e || q->fetched <= q->done)
        return fail(x, MPE_ERR_UNSUPPORTED, e ? beat_addr(x, e, q->done) : 0,
                    "internal: load beat granted in cycle %llu before its data was staged",
                    (unsigned long long)t);
    if (++q->done == nbeats(e)) {
        x->ld_free = t + x->L + 1; /* t_e = t + mem_latency */
        q_pop(q);
    }
    return MPE_OK;
}

static mpe_status st_granted(mpe_accel_ext *x, uint64_t t)
{
    ext_queue *q = &x->st;
    const ext_xfer *e = q_head(q);
    if (!e)
        return fail(x, MPE_ERR_UNSUPPORTED, 0,
                    "internal: store beat granted in cycle %llu with no store dispatched",
                    (unsigned long long)t);
    uint32_t b = q->done;
    uint64_t addr = beat_addr(x, e, b);
    mpe_status st = MPE_OK;
    if (x->pend_len && x->pend_addr + x->pend_len != addr)
        st = flush_store(x, t);
    if (!x->pend_len)
        x->pend_addr = addr;
    x->pend_len += x->B;
    if (st == MPE_OK && chunk_end(x, e, b) == b + 1)
        st = flush_store(x, t);
    if (++q->done == nbeats(e))
        q_pop(q);
    return st;
}

/* Step 4: the beat the port granted in cycle t (at most one). */
static mpe_status track_port(mpe_accel_ext *x, uint64_t t)
{
    const mpe_accel_stats *s = mpe_accel_stats_get(x->acc);
    mpe_status st = MPE_OK;
    if (s->beats_read != x->beats_rd)
        st = ld_granted(x, t);
    else if (s->beats_written != x->beats_wr)
        st = st_granted(x, t);
    x->beats_rd = s->beats_read;
    x->beats_wr = s->beats_written;
    return st;
}

mpe_status mpe_accel_ext_step(mpe_accel_ext *x, mpe_run_state *state)
{
    mpe_accel *a = x->acc;
    *state = mpe_accel_state(a);
    if (*state != MPE_RUN_RUNNING && *state != MPE_RUN_LIMIT)
        return MPE_OK;
    if (x->burst == MPE_EXT_BEATS) { /* a failed callback: the model traps (bus) */
        *state = mpe_accel_step(a);
        return x->hook_err;
    }
    uint64_t t = mpe_accel_cycle(a);
    uint32_t pc = mpe_accel_pc(a);
    mpe_status st = ld_stage(x, t);
    if (st != MPE_OK)
        return st;
    *state = mpe_accel_step(a);
    if (*state == MPE_RUN_DONE) /* nothing simulated: every store is written out */
        return flush_store(x, t);
    st = track_dispatch(x, pc);
    if (st == MPE_OK)
        st = track_port(x, t);
    if (st == MPE_OK && *state != MPE_RUN_RUNNING)
        st = flush_store(x, t);
    return st;
}

mpe_status mpe_accel_ext_flush(mpe_accel_ext *x)
{
    return flush_store(x, mpe_accel_cycle(x->acc));
}
