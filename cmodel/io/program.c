/* The in-memory program of a binary: builders and the rules every program
 * obeys, whether about to be written or just read (docs/isa.md section 6). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/binary.h"
#include "mpe/err.h"
#include "mpe/isa.h"

void mpe_program_init(mpe_program *p)
{
    memset(p, 0, sizeof *p);
    mpe_arch_default(&p->arch);
}

void mpe_program_free(mpe_program *p)
{
    free(p->code);
    for (size_t i = 0; i < p->ndata; i++)
        free(p->data[i].bytes);
    free(p->data);
    free(p->tensors);
    free(p->meta);
    mpe_program_init(p);
}

mpe_status mpe_program_set_code(mpe_program *p, const uint8_t *code, size_t ninsns)
{
    if (ninsns > MPE_BIN_MAX_BYTES / MPE_INSN_BYTES)
        return MPE_ERR_RANGE;
    uint8_t *c = malloc(ninsns ? ninsns * MPE_INSN_BYTES : 1);
    if (!c)
        return MPE_ERR_NOMEM;
    if (ninsns)
        memcpy(c, code, ninsns * MPE_INSN_BYTES);
    free(p->code);
    p->code = c;
    p->ninsns = ninsns;
    return MPE_OK;
}

mpe_status mpe_program_add_data(mpe_program *p, uint64_t addr, const uint8_t *bytes,
                                uint64_t len)
{
    if (len == 0 || len > MPE_BIN_MAX_BYTES)
        return MPE_ERR_RANGE;
    mpe_data_rec *d = realloc(p->data, (p->ndata + 1) * sizeof *d);
    if (!d)
        return MPE_ERR_NOMEM;
    p->data = d;
    uint8_t *b = malloc((size_t)len);
    if (!b)
        return MPE_ERR_NOMEM;
    memcpy(b, bytes, (size_t)len);
    d[p->ndata].addr = addr;
    d[p->ndata].len = len;
    d[p->ndata].bytes = b;
    p->ndata++;
    return MPE_OK;
}

mpe_status mpe_program_add_tensor(mpe_program *p, const mpe_tdesc *t)
{
    mpe_tdesc *n = realloc(p->tensors, (p->ntensors + 1) * sizeof *n);
    if (!n)
        return MPE_ERR_NOMEM;
    p->tensors = n;
    n[p->ntensors++] = *t;
    return MPE_OK;
}

mpe_status mpe_program_set_meta(mpe_program *p, const char *text)
{
    char *m = NULL;
    if (text) {
        size_t n = strlen(text);
        if (!(m = malloc(n + 1)))
            return MPE_ERR_NOMEM;
        memcpy(m, text, n + 1);
    }
    free(p->meta);
    p->meta = m;
    return MPE_OK;
}

/* ---- checks ------------------------------------------------------------ */

static int by_addr(const void *a, const void *b)
{
    const mpe_data_rec *x = *(const mpe_data_rec *const *)a, *y = *(const mpe_data_rec *const *)b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static mpe_status check_data(const mpe_program *p, char *err, size_t len)
{
    uint64_t mem = p->arch.mem_bytes;
    for (size_t i = 0; i < p->ndata; i++) {
        const mpe_data_rec *d = &p->data[i];
        if (d->len == 0)
            return mpe_errf(err, len, MPE_ERR_FORMAT, "data record %zu is empty", i);
        if (d->addr > mem || d->len > mem - d->addr)
            return mpe_errf(err, len, MPE_ERR_FORMAT,
                            "data record %zu [0x%llx, +%llu bytes) outside the %llu-byte memory", i,
                            (unsigned long long)d->addr, (unsigned long long)d->len,
                            (unsigned long long)mem);
    }
    if (p->ndata < 2)
        return MPE_OK;
    const mpe_data_rec **s = malloc(p->ndata * sizeof *s);
    if (!s)
        return MPE_ERR_NOMEM;
    for (size_t i = 0; i < p->ndata; i++)
        s[i] = &p->data[i];
    qsort(s, p->ndata, sizeof *s, by_addr);
    mpe_status st = MPE_OK;
    for (size_t i = 1; i < p->ndata && !st; i++)
        if (s[i]->addr < s[i - 1]->addr + s[i - 1]->len)
            st = mpe_errf(err, len, MPE_ERR_FORMAT,
                          "data records at 0x%llx (+%llu) and 0x%llx overlap",
                          (unsigned long long)s[i - 1]->addr, (unsigned long long)s[i - 1]->len,
                          (unsigned long long)s[i]->addr);
    free(s);
    return st;
}

static mpe_status check_tensors(const mpe_program *p, char *err, size_t len)
{
    for (size_t i = 0; i < p->ntensors; i++) {
        mpe_status st = mpe_tdesc_check(&p->tensors[i], &p->arch, err, len);
        if (st)
            return st;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(p->tensors[j].name, p->tensors[i].name))
                return mpe_errf(err, len, MPE_ERR_FORMAT, "two tensors named '%s'",
                                p->tensors[i].name);
    }
    return MPE_OK;
}

mpe_status mpe_program_check(const mpe_program *p, char *err, size_t errlen)
{
    char msg[MPE_ERR_LEN];
    if (mpe_arch_check(&p->arch, msg, sizeof msg))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "architecture: %s", msg);
    if (p->ninsns == 0 || !p->code)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "no instructions");
    if (p->ninsns > p->arch.imem_insns)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "%zu instructions do not fit the %u-instruction memory", p->ninsns,
                        p->arch.imem_insns);
    mpe_status st = check_data(p, err, errlen);
    if (!st)
        st = check_tensors(p, err, errlen);
    return st;
}

mpe_status mpe_program_check_arch(const mpe_program *p, const mpe_arch *arch, char *err,
                                  size_t errlen)
{
    char msg[MPE_ERR_LEN];
    if (mpe_arch_compare(&p->arch, "in the binary", arch, "in the configuration", msg,
                         sizeof msg))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "built for another architecture (%s)", msg);
    return MPE_OK;
}
