/* The C model as an mpe_backend. */
#include "mpe/backend.h"

#include <string.h>

#include "mpe/backend_rtl.h"

#include <stdio.h>

static mpe_status create(const mpe_arch *arch, void **ctx, char *err, size_t errlen)
{
    mpe_accel *a = NULL;
    mpe_status st = mpe_accel_create(arch, &a);
    if (st != MPE_OK)
        snprintf(err, errlen, "cannot create the C model: %s", mpe_status_str(st));
    *ctx = a;
    return st;
}

static void destroy(void *ctx) { mpe_accel_destroy(ctx); }
static mpe_status load_code(void *ctx, const uint8_t *code, size_t n)
{
    return mpe_accel_load_code(ctx, code, n);
}
static mpe_status mem_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
    return mpe_accel_mem_write(ctx, addr, src, len);
}
static mpe_status mem_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
    return mpe_accel_mem_read(ctx, addr, dst, len);
}
static void set_trace(void *ctx, mpe_commit_fn fn, void *user)
{
    mpe_accel_set_trace(ctx, fn, user);
}
static mpe_run_state step(void *ctx) { return mpe_accel_step(ctx); }
static mpe_run_state run(void *ctx, uint64_t max) { return mpe_accel_run(ctx, max); }
static const mpe_accel_stats *stats(void *ctx) { return mpe_accel_stats_get(ctx); }
static const mpe_trap *trap(void *ctx) { return mpe_accel_trap(ctx); }

mpe_run_state mpe_backend_run_chunked(const mpe_backend *be, void *ctx, uint64_t max_cycles,
                                      uint64_t chunk, mpe_progress_fn fn, void *user)
{
    if (!fn)
        return be->run(ctx, max_cycles);
    for (;;) {
        uint64_t stop = be->stats(ctx)->cycles + chunk;
        if (max_cycles && stop > max_cycles)
            stop = max_cycles;
        mpe_run_state rs = be->run(ctx, stop);
        fn(user, be->stats(ctx)->cycles);
        if (rs != MPE_RUN_LIMIT || stop == max_cycles)
            return rs;
    }
}

/* 4096 cycles: about a thousand progress calls per second at the C model's
 * speed (millions of cycles/s); the caller limits what it prints */
static mpe_run_state run_progress(void *ctx, uint64_t max, mpe_progress_fn fn, void *user)
{
    return mpe_backend_run_chunked(&mpe_backend_cmodel, ctx, max, 4096, fn, user);
}

const mpe_backend mpe_backend_cmodel = {"cmodel",  create,    destroy, load_code,
                                        mem_write, mem_read,  set_trace, step,
                                        run,       stats,     trap,    run_progress};

const mpe_backend *mpe_backend_find(const char *name)
{
    if (!strcmp(name, "cmodel"))
        return &mpe_backend_cmodel;
    if (!strcmp(name, "rtl"))
        return &mpe_backend_rtl;
    return NULL;
}
