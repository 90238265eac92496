/* Running a compiled program on a backend (mpe/backend.h: the C model, the
 * RTL when built) for mpe test-onnx and the demo: the data records and the
 * encoded inputs (tensorio) go into a fresh model's memory, the program runs
 * to its end, the outputs are decoded. Inputs are matched to descriptors by
 * name. */
#include "mpe/exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/accel.h"
#include "mpe/backend.h"
#include "mpe/backend_rtl.h"
#include "mpe/err.h"
#include "mpe/tensorio.h"

/* The reason into err (printf-checked, mpe/err.h); the value -1. */
#define fail(err, len, ...) (mpe_errf((err), (len), MPE_ERR_ARG, __VA_ARGS__), -1)

/* Descriptor name without a "#k" repetition suffix. */
static void base_name(const char *d, char *out, size_t len)
{
    snprintf(out, len, "%s", d);
    char *h = strrchr(out, '#');
    if (h && h != out)
        *h = 0;
}

static const mpe_tensor *find_input(const mpe_exec_io *in, int nin, const char *dname)
{
    char want[MPE_TDESC_NAME_MAX + 1], have[MPE_TDESC_NAME_MAX + 1];
    base_name(dname, want, sizeof want);
    for (int i = 0; i < nin; i++) {
        mpe_tdesc_name(in[i].name, 0, have);
        if (!strcmp(have, want))
            return in[i].t;
    }
    return NULL;
}

/* The host tensor viewed with the descriptor's dims (same element count). */
static int as_desc_shape(const mpe_tdesc *d, const mpe_tensor *t, mpe_tensor *view)
{
    *view = *t;
    int64_t n = 1;
    for (int i = 0; i < d->ndim; i++)
        n *= d->dims[i];
    if ((size_t)n != t->count)
        return -1;
    view->ndim = d->ndim;
    for (int i = 0; i < d->ndim; i++)
        view->dims[i] = d->dims[i];
    return 0;
}

static int write_inputs(const mpe_backend *be, void *acc, const mpe_program *p, const mpe_exec_io *in, int nin,
                        char *err, size_t len)
{
    for (size_t i = 0; i < p->ntensors; i++) {
        const mpe_tdesc *d = &p->tensors[i];
        if (d->role != MPE_ROLE_INPUT)
            continue;
        const mpe_tensor *t = find_input(in, nin, d->name);
        mpe_tensor view;
        if (!t)
            return fail(err, len, "no value for input '%s'", d->name);
        if (as_desc_shape(d, t, &view))
            return fail(err, len, "input '%s': wrong number of elements", d->name);
        uint8_t *bytes;
        size_t n;
        char why[MPE_ERR_LEN];
        if (mpe_tdesc_encode(d, &view, &bytes, &n, why, sizeof why) != MPE_OK)
            return fail(err, len, "%s", why);
        mpe_status st = be->mem_write(acc, d->addr, bytes, n);
        free(bytes);
        if (st != MPE_OK)
            return fail(err, len, "input '%s' outside memory", d->name);
    }
    return 0;
}

static int read_output(const mpe_backend *be, void *acc, const mpe_tdesc *d, mpe_tensor *out, char *err,
                       size_t len)
{
    uint64_t bytes;
    if (mpe_tdesc_bytes(d, &bytes) != MPE_OK)
        return fail(err, len, "output '%s': bad descriptor", d->name);
    uint8_t *buf = malloc(bytes ? bytes : 1);
    if (!buf)
        return fail(err, len, "out of memory");
    char why[MPE_ERR_LEN];
    int rc = 0;
    if (be->mem_read(acc, d->addr, buf, bytes) != MPE_OK)
        rc = fail(err, len, "output '%s' outside memory", d->name);
    else if (mpe_tdesc_decode(d, buf, bytes, out, why, sizeof why) != MPE_OK)
        rc = fail(err, len, "%s", why);
    free(buf);
    return rc;
}

static int load_program(const mpe_backend *be, void *acc, const mpe_program *p, char *err,
                        size_t len)
{
    if (be->load_code(acc, p->code, p->ninsns) != MPE_OK)
        return fail(err, len, "program too large for the instruction memory");
    for (size_t i = 0; i < p->ndata; i++)
        if (be->mem_write(acc, p->data[i].addr, p->data[i].bytes, p->data[i].len) != MPE_OK)
            return fail(err, len, "data record outside memory");
    return 0;
}

static void on_commit(void *user, const mpe_commit *c)
{
    mpe_exec_stats *st = user;
    if (c->pc >= st->npc)
        return;
    int l = st->pc_layer[c->pc];
    if (l >= 0 && l < st->nlayers && c->cycle > st->layer_end[l])
        st->layer_end[l] = c->cycle;
}

static int run(const mpe_backend *be, void *acc, mpe_exec_stats *st, char *err, size_t len)
{
    if (st && st->pc_layer && st->layer_end) {
        memset(st->layer_end, 0, (size_t)st->nlayers * sizeof *st->layer_end);
        be->set_trace(acc, on_commit, st);
    }
    mpe_run_state rs = st ? be->run_progress(acc, st->max_cycles, st->progress, st->progress_user)
                          : be->run(acc, 0);
    const mpe_accel_stats *s = be->stats(acc);
    if (st) {
        st->limited = rs == MPE_RUN_LIMIT;
        st->cycles = s->cycles;
        st->pe_busy = s->pe_busy;
        st->utilization = mpe_accel_utilization(s);
    }
    if (rs != MPE_RUN_DONE)
        return fail(err, len, "the %s model stopped: %s", be->name,
                    rs == MPE_RUN_TRAP ? be->trap(acc)->msg : "cycle limit");
    return 0;
}

int mpe_exec(const mpe_backend *be, const mpe_program *p, const mpe_exec_io *in, int nin,
             mpe_tensor *out, mpe_exec_stats *st, char *err, size_t errlen)
{
    void *acc;
    char why[MPE_ERR_LEN];
    if (be->create(&p->arch, &acc, why, sizeof why) != MPE_OK)
        return fail(err, errlen, "cannot create the %s model: %s", be->name, why);
    int rc = load_program(be, acc, p, err, errlen) ||
             write_inputs(be, acc, p, in, nin, err, errlen) || run(be, acc, st, err, errlen);
    for (size_t i = 0, k = 0; !rc && i < p->ntensors; i++)
        if (p->tensors[i].role == MPE_ROLE_OUTPUT)
            rc = read_output(be, acc, &p->tensors[i], &out[k++], err, errlen);
    be->destroy(acc);
    return rc ? -1 : 0;
}

const mpe_backend *mpe_exec_backend(const char *name, const mpe_arch *arch, char *err,
                                    size_t errlen)
{
    const mpe_backend *be = mpe_backend_find(name);
    void *ctx;
    if (!be) {
        snprintf(err, errlen, "unknown backend '%s' (cmodel, rtl)", name);
        return NULL;
    }
    if (be->create(arch, &ctx, err, errlen) != MPE_OK)
        return NULL;
    be->destroy(ctx);
    return be;
}
