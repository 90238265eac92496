/* The RTL backend through a separate simulator process (mpe/backend_rtl.h).
 *
 * REQUEST (little endian): "MPERTLQ1"; u32 n + n bytes of canonical arch
 * text; u64 max_cycles (0 = none); u32 ninsns + 16 * ninsns code bytes;
 * u32 npages + per page {u64 index, min(4096, mem_bytes - 4096 * index)
 * bytes}.
 * RESPONSE: "MPERTLA1"; u32 run state; u32 trap cause, u32 trap pc, u64
 * trap cycle, 192 bytes trap message; u32 nwords + nwords u64 of
 * mpe_accel_stats (all of its fields are u64); u64 nrec + per commit
 * {u64 cycle, u32 pc, u8 unit}; u32 npages + pages as in the request. */
#include "mpe/backend_rtl.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mpe/isa.h"

#define PAGE 4096u
#define STAT_WORDS (sizeof(mpe_accel_stats) / sizeof(uint64_t))
_Static_assert(sizeof(mpe_accel_stats) % sizeof(uint64_t) == 0, "stats are u64 words");

extern char **environ;

const mpe_backend *mpe_backend_find(const char *name)
{
    if (!strcmp(name, "cmodel"))
        return &mpe_backend_cmodel;
    if (!strcmp(name, "rtl"))
        return &mpe_backend_rtl;
    return NULL;
}

/* ---- little-endian file I/O ------------------------------------------------ */

static int put(FILE *f, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        if (fputc((int)((v >> (8 * i)) & 0xFF), f) == EOF)
            return -1;
    return 0;
}

static int get(FILE *f, uint64_t *v, int n)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        int c = fgetc(f);
        if (c == EOF)
            return -1;
        *v |= (uint64_t)c << (8 * i);
    }
    return 0;
}

static size_t page_len(uint32_t mem_bytes, uint64_t p)
{
    uint64_t lo = p * PAGE;
    return lo >= mem_bytes ? 0 : (size_t)(mem_bytes - lo < PAGE ? mem_bytes - lo : PAGE);
}

static int put_pages(FILE *f, const uint8_t *mem, uint32_t mem_bytes, const uint64_t *pages,
                     size_t n)
{
    if (put(f, n, 4))
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t len = page_len(mem_bytes, pages[i]);
        if (put(f, pages[i], 8) || fwrite(mem + pages[i] * PAGE, 1, len, f) != len)
            return -1;
    }
    return 0;
}

/* Reads pages into mem (marking them in `dirty` when given). */
static int get_pages(FILE *f, uint8_t *mem, uint32_t mem_bytes, uint8_t *dirty)
{
    uint64_t n, p;
    if (get(f, &n, 4))
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        if (get(f, &p, 8))
            return -1;
        size_t len = page_len(mem_bytes, p);
        if (!len || fread(mem + p * PAGE, 1, len, f) != len)
            return -1;
        if (dirty)
            dirty[p] = 1;
    }
    return 0;
}

/* ---- client ------------------------------------------------------------------- */

typedef struct {
    mpe_arch arch;
    uint8_t *mem, *dirty;
    size_t npages;
    uint8_t *code;
    mpe_insn *insn;
    size_t ninsns;
    mpe_commit_fn fn;
    void *user;
    mpe_run_state state;
    mpe_trap trap;
    mpe_accel_stats st;
    char sim[4096];
} rtl_ctx;

static int find_sim(char *out, size_t len)
{
    const char *env = getenv("MPE_RTL_SIM");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return access(out, X_OK);
    }
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    snprintf(out, len, "%s/../sim/accel/mpe-rtl", exe);
    if (!access(out, X_OK))
        return 0;
    snprintf(out, len, "%s/../../sim/accel/mpe-rtl", exe);
    if (!access(out, X_OK))
        return 0;
    snprintf(out, len, "%s/../sim/accel/mpe-rtl", exe);
    return -1;
}

static mpe_status create(const mpe_arch *arch, void **ctx, char *err, size_t errlen)
{
    *ctx = NULL;
    rtl_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return MPE_ERR_NOMEM;
    if (find_sim(c->sim, sizeof c->sim)) {
        snprintf(err, errlen,
                 "RTL simulator not built: run 'make rtl-sim' (looked for %s; or set MPE_RTL_SIM)",
                 c->sim);
        free(c);
        return MPE_ERR_IO;
    }
    c->arch = *arch;
    c->npages = (arch->mem_bytes + PAGE - 1) / PAGE;
    c->mem = calloc(1, arch->mem_bytes);
    c->dirty = calloc(c->npages, 1);
    if (!c->mem || !c->dirty) {
        free(c->mem);
        free(c->dirty);
        free(c);
        return MPE_ERR_NOMEM;
    }
    *ctx = c;
    return MPE_OK;
}

static void destroy(void *ctx)
{
    rtl_ctx *c = ctx;
    if (!c)
        return;
    free(c->mem);
    free(c->dirty);
    free(c->code);
    free(c->insn);
    free(c);
}

static mpe_status load_code(void *ctx, const uint8_t *code, size_t n)
{
    rtl_ctx *c = ctx;
    if (n > c->arch.imem_insns)
        return MPE_ERR_RANGE;
    free(c->code);
    free(c->insn);
    c->code = malloc(n * MPE_INSN_BYTES + 1);
    c->insn = calloc(n + 1, sizeof *c->insn);
    if (!c->code || !c->insn)
        return MPE_ERR_NOMEM;
    if (n)
        memcpy(c->code, code, n * MPE_INSN_BYTES);
    for (size_t i = 0; i < n; i++)
        mpe_insn_decode(code + i * MPE_INSN_BYTES, &c->insn[i]);
    c->ninsns = n;
    return MPE_OK;
}

static mpe_status mem_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
    rtl_ctx *c = ctx;
    if (addr > c->arch.mem_bytes || len > c->arch.mem_bytes - addr)
        return MPE_ERR_RANGE;
    if (!len)
        return MPE_OK;
    memcpy(c->mem + addr, src, len);
    for (uint64_t p = addr / PAGE; p <= (addr + len - 1) / PAGE; p++)
        c->dirty[p] = 1;
    return MPE_OK;
}

static mpe_status mem_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
    rtl_ctx *c = ctx;
    if (addr > c->arch.mem_bytes || len > c->arch.mem_bytes - addr)
        return MPE_ERR_RANGE;
    if (len)
        memcpy(dst, c->mem + addr, len);
    return MPE_OK;
}

static void set_trace(void *ctx, mpe_commit_fn fn, void *user)
{
    rtl_ctx *c = ctx;
    c->fn = fn;
    c->user = user;
}

static int write_request(rtl_ctx *c, const char *path, uint64_t max)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    char text[MPE_ARCH_TEXT_MAX];
    size_t tl = mpe_arch_format(&c->arch, text, sizeof text);
    int bad = fwrite("MPERTLQ1", 1, 8, f) != 8 || put(f, tl, 4) ||
              fwrite(text, 1, tl, f) != tl || put(f, max, 8) || put(f, c->ninsns, 4) ||
              fwrite(c->code, 1, c->ninsns * MPE_INSN_BYTES, f) != c->ninsns * MPE_INSN_BYTES;
    uint64_t *pages = malloc((c->npages + 1) * sizeof *pages);
    size_t n = 0;
    for (size_t p = 0; pages && p < c->npages; p++)
        if (c->dirty[p])
            pages[n++] = p;
    bad = bad || !pages || put_pages(f, c->mem, c->arch.mem_bytes, pages, n);
    free(pages);
    return (fclose(f) || bad) ? -1 : 0;
}

static int read_response(rtl_ctx *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char magic[8];
    uint64_t v = 0, cause = 0, pc = 0, cyc = 0, nw = 0, nrec = 0;
    int bad = fread(magic, 1, 8, f) != 8 || memcmp(magic, "MPERTLA1", 8) || get(f, &v, 4) ||
              get(f, &cause, 4) || get(f, &pc, 4) || get(f, &cyc, 8) ||
              fread(c->trap.msg, 1, sizeof c->trap.msg, f) != sizeof c->trap.msg ||
              get(f, &nw, 4) || nw != STAT_WORDS;
    c->state = (mpe_run_state)v;
    c->trap.cause = (mpe_trap_cause)cause;
    c->trap.pc = (uint32_t)pc;
    c->trap.cycle = cyc;
    c->trap.msg[sizeof c->trap.msg - 1] = 0;
    uint64_t *w = (uint64_t *)&c->st;
    for (size_t i = 0; !bad && i < STAT_WORDS; i++)
        bad = get(f, &w[i], 8);
    bad = bad || get(f, &nrec, 8);
    for (uint64_t i = 0; !bad && i < nrec; i++) {
        uint64_t rc, rp, ru;
        bad = get(f, &rc, 8) || get(f, &rp, 4) || get(f, &ru, 1) || rp >= c->ninsns;
        if (!bad && c->fn) {
            mpe_commit cm = {rc, (uint8_t)ru, (uint32_t)rp, &c->insn[rp]};
            c->fn(c->user, &cm);
        }
    }
    bad = bad || get_pages(f, c->mem, c->arch.mem_bytes, c->dirty);
    fclose(f);
    return bad ? -1 : 0;
}

static mpe_run_state fail(rtl_ctx *c, const char *why)
{
    c->state = MPE_RUN_TRAP;
    memset(&c->trap, 0, sizeof c->trap);
    snprintf(c->trap.msg, sizeof c->trap.msg, "RTL simulator: %s", why);
    return c->state;
}

static mpe_run_state run(void *ctx, uint64_t max)
{
    rtl_ctx *c = ctx;
    const char *tmp = getenv("TMPDIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/mpe-rtl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return fail(c, "cannot make a temporary directory");
    char req[1100], resp[1100];
    snprintf(req, sizeof req, "%s/req", dir);
    snprintf(resp, sizeof resp, "%s/resp", dir);
    mpe_run_state rs;
    if (write_request(c, req, max)) {
        rs = fail(c, "cannot write the request");
    } else {
        char *argv[] = {c->sim, "serve", req, resp, NULL};
        pid_t pid;
        int status = 0;
        if (posix_spawn(&pid, c->sim, NULL, NULL, argv, environ) ||
            waitpid(pid, &status, 0) != pid)
            rs = fail(c, "cannot start it");
        else if (!WIFEXITED(status) || WEXITSTATUS(status))
            rs = fail(c, "it failed (see its message above)");
        else if (read_response(c, resp))
            rs = fail(c, "malformed response");
        else
            rs = c->state;
    }
    remove(req);
    remove(resp);
    rmdir(dir);
    return rs;
}

/* One process per run: a step is a whole run. */
static mpe_run_state step(void *ctx) { return run(ctx, 0); }
static const mpe_accel_stats *stats(void *ctx) { return &((rtl_ctx *)ctx)->st; }
static const mpe_trap *trap(void *ctx) { return &((rtl_ctx *)ctx)->trap; }

const mpe_backend mpe_backend_rtl = {"rtl",    create,    destroy, load_code, mem_write,
                                     mem_read, set_trace, step,    run,       stats,
                                     trap};

/* ---- server ------------------------------------------------------------------- */

typedef struct {
    FILE *f;
    uint64_t n;
    int bad;
} rec_sink;

static void on_commit(void *user, const mpe_commit *cm)
{
    rec_sink *s = user;
    s->bad |= put(s->f, cm->cycle, 8) || put(s->f, cm->pc, 4) || put(s->f, cm->unit, 1);
    s->n++;
}

static mpe_status serve_setup(const mpe_backend *be, FILE *f, void **ctx, uint64_t *max,
                              uint32_t *mem_bytes, char *err, size_t errlen)
{
    char magic[8], text[MPE_ARCH_TEXT_MAX + 1];
    uint64_t tl, n;
    mpe_arch arch;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "MPERTLQ1", 8) || get(f, &tl, 4) ||
        tl > MPE_ARCH_TEXT_MAX || fread(text, 1, tl, f) != tl) {
        snprintf(err, errlen, "malformed request");
        return MPE_ERR_FORMAT;
    }
    text[tl] = 0;
    mpe_status st = mpe_arch_parse(text, "request", &arch, err, errlen);
    if (st != MPE_OK || (st = be->create(&arch, ctx, err, errlen)) != MPE_OK)
        return st;
    *mem_bytes = arch.mem_bytes;
    if (get(f, max, 8) || get(f, &n, 4) || n > arch.imem_insns) {
        snprintf(err, errlen, "malformed request");
        return MPE_ERR_FORMAT;
    }
    uint8_t *code = malloc(n * MPE_INSN_BYTES + 1);
    if (!code || fread(code, 1, n * MPE_INSN_BYTES, f) != n * MPE_INSN_BYTES ||
        (st = be->load_code(*ctx, code, n)) != MPE_OK) {
        free(code);
        snprintf(err, errlen, "malformed request (code)");
        return MPE_ERR_FORMAT;
    }
    free(code);
    uint8_t *page = malloc(PAGE);
    uint64_t np, p;
    int bad = !page || get(f, &np, 4);
    for (uint64_t i = 0; !bad && i < np; i++) {
        bad = get(f, &p, 8);
        size_t len = bad ? 0 : page_len(arch.mem_bytes, p);
        bad = bad || !len || fread(page, 1, len, f) != len ||
              be->mem_write(*ctx, p * PAGE, page, len) != MPE_OK;
    }
    free(page);
    if (bad) {
        snprintf(err, errlen, "malformed request (memory)");
        return MPE_ERR_FORMAT;
    }
    return MPE_OK;
}

static int serve_answer(const mpe_backend *be, void *ctx, FILE *o, uint32_t mem_bytes,
                        uint64_t max, mpe_rtl_dirty_fn dirty)
{
    int bad = fwrite("MPERTLA1", 1, 8, o) != 8;
    /* the trace goes to a temporary file first: its count precedes it */
    FILE *t = tmpfile();
    rec_sink sink = {t, 0, !t};
    if (t)
        be->set_trace(ctx, on_commit, &sink);
    mpe_run_state rs = be->run(ctx, max);
    const mpe_trap *tr = be->trap(ctx);
    const uint64_t *w = (const uint64_t *)be->stats(ctx);
    bad = bad || sink.bad || put(o, (uint64_t)rs, 4) || put(o, (uint64_t)tr->cause, 4) ||
          put(o, tr->pc, 4) || put(o, tr->cycle, 8) ||
          fwrite(tr->msg, 1, sizeof tr->msg, o) != sizeof tr->msg || put(o, STAT_WORDS, 4);
    for (size_t i = 0; !bad && i < STAT_WORDS; i++)
        bad = put(o, w[i], 8);
    bad = bad || put(o, sink.n, 8);
    if (t) {
        rewind(t);
        char buf[4096];
        size_t k;
        while (!bad && (k = fread(buf, 1, sizeof buf, t)) > 0)
            bad = fwrite(buf, 1, k, o) != k;
        fclose(t);
    }
    size_t n = dirty(ctx, NULL, 0);
    uint64_t *pages = malloc((n + 1) * sizeof *pages);
    uint8_t *mem = malloc(mem_bytes);
    if (!pages || !mem)
        bad = 1;
    else {
        dirty(ctx, pages, n);
        bad = bad || be->mem_read(ctx, 0, mem, mem_bytes) != MPE_OK ||
              put_pages(o, mem, mem_bytes, pages, n);
    }
    free(pages);
    free(mem);
    return bad ? -1 : 0;
}

mpe_status mpe_rtl_serve(const mpe_backend *be, const char *req, const char *resp,
                         mpe_rtl_dirty_fn dirty, char *err, size_t errlen)
{
    FILE *f = fopen(req, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", req, strerror(errno));
        return MPE_ERR_IO;
    }
    void *ctx = NULL;
    uint64_t max = 0;
    uint32_t mem_bytes = 0;
    mpe_status st = serve_setup(be, f, &ctx, &max, &mem_bytes, err, errlen);
    fclose(f);
    if (st == MPE_OK) {
        FILE *o = fopen(resp, "wb");
        if (!o || serve_answer(be, ctx, o, mem_bytes, max, dirty) || fclose(o)) {
            snprintf(err, errlen, "%s: cannot write the response", resp);
            st = MPE_ERR_IO;
        }
    }
    if (ctx)
        be->destroy(ctx);
    return st;
}
