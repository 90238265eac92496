/* The server half of the RTL backend's file protocol (runtime/rtl_proto.h),
 * linked into the simulator: `mpe-rtl serve REQ RESP` reads a request, runs
 * it on the Verilated top (an mpe_backend given by sim/accel_run.cpp) and
 * writes the response, with progress records on the client's pipe. */
#include "rtl_serve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpe/isa.h"
#include "rtl_proto.h"

typedef struct {
    FILE *f;
    uint64_t n;
    int bad;
} rec_sink;

static void on_commit(void *user, const mpe_commit *cm)
{
    rec_sink *s = user;
    s->bad |= mpe_rtl_put(s->f, cm->cycle, 8) || mpe_rtl_put(s->f, cm->pc, 4) || mpe_rtl_put(s->f, cm->unit, 1);
    s->n++;
}

static mpe_status serve_setup(const mpe_backend *be, FILE *f, void **ctx, uint64_t *max,
                              uint32_t *mem_bytes, char *err, size_t errlen)
{
    char magic[8], text[MPE_ARCH_TEXT_MAX + 1];
    uint64_t tl, n;
    mpe_arch arch;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "MPERTLQ1", 8) || mpe_rtl_get(f, &tl, 4) ||
        tl > MPE_ARCH_TEXT_MAX || fread(text, 1, tl, f) != tl) {
        snprintf(err, errlen, "malformed request");
        return MPE_ERR_FORMAT;
    }
    text[tl] = 0;
    mpe_status st = mpe_arch_parse(text, "request", &arch, err, errlen);
    if (st != MPE_OK || (st = be->create(&arch, ctx, err, errlen)) != MPE_OK)
        return st;
    *mem_bytes = arch.mem_bytes;
    if (mpe_rtl_get(f, max, 8) || mpe_rtl_get(f, &n, 4) || n > arch.imem_insns) {
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
    uint8_t *page = malloc(MPE_RTL_PAGE);
    uint64_t np, p;
    int bad = !page || mpe_rtl_get(f, &np, 4);
    for (uint64_t i = 0; !bad && i < np; i++) {
        bad = mpe_rtl_get(f, &p, 8);
        size_t len = bad ? 0 : mpe_rtl_page_len(arch.mem_bytes, p);
        bad = bad || !len || fread(page, 1, len, f) != len ||
              be->mem_write(*ctx, p * MPE_RTL_PAGE, page, len) != MPE_OK;
    }
    free(page);
    if (bad) {
        snprintf(err, errlen, "malformed request (memory)");
        return MPE_ERR_FORMAT;
    }
    return MPE_OK;
}

/* The progress descriptor the client passed (MPE_RTL_PROGRESS_ENV), or -1. */
static int progress_fd(void)
{
    const char *v = getenv(MPE_RTL_PROGRESS_ENV);
    char *end;
    long fd = v ? strtol(v, &end, 10) : -1;
    if (!v || end == v || *end || fd < 0 || fd > 1024 || fcntl((int)fd, F_GETFD) < 0)
        return -1;
    return (int)fd;
}

static void send_progress(void *user, uint64_t cycles)
{
    int fd = *(const int *)user;
    ssize_t n = write(fd, &cycles, sizeof cycles);
    (void)n; /* a client that stopped reading only loses progress lines */
}

static mpe_run_state serve_run(const mpe_backend *be, void *ctx, uint64_t max)
{
    int fd = progress_fd();
    if (fd < 0 || !be->run_progress)
        return be->run(ctx, max);
    mpe_run_state rs = be->run_progress(ctx, max, send_progress, &fd);
    close(fd);
    return rs;
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
    mpe_run_state rs = serve_run(be, ctx, max);
    const mpe_trap *tr = be->trap(ctx);
    const uint64_t *w = (const uint64_t *)be->stats(ctx);
    bad = bad || sink.bad || mpe_rtl_put(o, (uint64_t)rs, 4) || mpe_rtl_put(o, (uint64_t)tr->cause, 4) ||
          mpe_rtl_put(o, tr->pc, 4) || mpe_rtl_put(o, tr->cycle, 8) ||
          fwrite(tr->msg, 1, sizeof tr->msg, o) != sizeof tr->msg || mpe_rtl_put(o, MPE_RTL_STAT_WORDS, 4);
    for (size_t i = 0; !bad && i < MPE_RTL_STAT_WORDS; i++)
        bad = mpe_rtl_put(o, w[i], 8);
    bad = bad || mpe_rtl_put(o, sink.n, 8);
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
              mpe_rtl_put_pages(o, mem, mem_bytes, pages, n);
    }
    free(pages);
    free(mem);
    return bad ? -1 : 0;
}

mpe_status mpe_rtl_serve(const mpe_backend *be, const char *req, const char *resp,
                         mpe_rtl_dirty_fn dirty, const mpe_rtl_fst *fst, char *err,
                         size_t errlen)
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
    if (st == MPE_OK && fst && fst->path && fst->open(ctx, fst->path)) {
        snprintf(err, errlen, "%s: cannot write the waveform", fst->path);
        st = MPE_ERR_IO;
    }
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
