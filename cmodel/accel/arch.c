/* Architecture parameters: defaults, `key value` parser, checks, canonical
 * text and its CRC (docs/isa.md section 1). The key list is MPE_ARCH_PARAMS
 * in arch.h; the address-width limits come from the ISA field table. */
#include "mpe/arch.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mpe/err.h"
#include "mpe/isa.h"
#include "mpe/pe.h"
#include "mpe/tensor.h"

enum {
#define X(key, def, lo, hi) K_##key,
    MPE_ARCH_PARAMS(X)
#undef X
    K_COUNT
};

static const struct {
    const char *name;
    size_t off;
    uint32_t def, lo, hi;
} keys[K_COUNT] = {
#define X(key, d, l, h) {#key, offsetof(mpe_arch, key), d, l, h},
    MPE_ARCH_PARAMS(X)
#undef X
};

static uint32_t *slot(mpe_arch *a, int k) { return (uint32_t *)((char *)a + keys[k].off); }
static uint32_t get(const mpe_arch *a, int k)
{
    return *(const uint32_t *)((const char *)a + keys[k].off);
}

void mpe_arch_default(mpe_arch *a)
{
    for (int k = 0; k < K_COUNT; k++)
        *slot(a, k) = keys[k].def;
}

/* Every scratchpad byte and instruction index must be addressable by the
 * ISA fields that address it. */
static const struct {
    int key;
    mpe_field_id field;
} addressed_by[] = {
    {K_asp_bytes, MPE_F_LOAD_spaddr},  {K_asp_bytes, MPE_F_MATMUL_a},
    {K_wsp_bytes, MPE_F_LOAD_spaddr},  {K_wsp_bytes, MPE_F_MATMUL_w},
    {K_psp_bytes, MPE_F_LOAD_spaddr},  {K_psp_bytes, MPE_F_MATMUL_p},
    {K_psp_bytes, MPE_F_MATMUL_s},     {K_osp_bytes, MPE_F_STORE_spaddr},
    {K_osp_bytes, MPE_F_MATMUL_o},     {K_imem_insns, MPE_F_DBNZ_target},
};

static int failk(char *msg, size_t len, int key, const char *fmt, ...)
{
    if (msg && len) {
        int n = snprintf(msg, len, "%s: ", keys[key].name);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < len)
            vsnprintf(msg + n, len - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return key;
}

/* Returns -1 when a is valid, else the index of the offending key. */
static int check(const mpe_arch *a, char *msg, size_t len)
{
    for (int k = 0; k < K_COUNT; k++)
        if (get(a, k) < keys[k].lo || get(a, k) > keys[k].hi)
            return failk(msg, len, k, "%u outside %u..%u", get(a, k), keys[k].lo, keys[k].hi);
    if (a->lanes % 4)
        return failk(msg, len, K_lanes, "%u is not a multiple of 4", a->lanes);
    if (a->lanes % a->cols)
        return failk(msg, len, K_lanes, "%u is not a multiple of cols (%u)", a->lanes, a->cols);
    if (!mpe_lut_ppc_valid((int)a->lut_ppc))
        return failk(msg, len, K_lut_ppc, "%u is not 1, 2 or 4", a->lut_ppc);
    if (a->beat_bytes & (a->beat_bytes - 1))
        return failk(msg, len, K_beat_bytes, "%u is not a power of two", a->beat_bytes);
    static const int mems[] = {K_asp_bytes, K_wsp_bytes, K_psp_bytes, K_osp_bytes, K_mem_bytes};
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++)
        if (get(a, mems[i]) % a->beat_bytes)
            return failk(msg, len, mems[i], "%u is not a multiple of beat_bytes (%u)",
                         get(a, mems[i]), a->beat_bytes);
    for (size_t i = 0; i < sizeof addressed_by / sizeof addressed_by[0]; i++) {
        const mpe_field_info *f = &mpe_field_table[addressed_by[i].field];
        uint64_t cap = 1ull << f->width;
        if (get(a, addressed_by[i].key) > cap)
            return failk(msg, len, addressed_by[i].key,
                         "%u exceeds the %llu that the %d-bit field '%s.%s' can address",
                         get(a, addressed_by[i].key), (unsigned long long)cap, f->width,
                         mpe_insn_table[f->insn].mnemonic, f->name);
    }
    return -1;
}

mpe_status mpe_arch_check(const mpe_arch *a, char *msg, size_t msglen)
{
    return check(a, msg, msglen) < 0 ? MPE_OK : MPE_ERR_RANGE;
}

/* A reason about the configuration text: "FILE:LINE: ..." ("FILE: ..."
 * without a line). */
static mpe_status perr(char *err, size_t len, const char *fname, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static mpe_status perr(char *err, size_t len, const char *fname, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mpe_verrf(err, len, MPE_ERR_FORMAT, fmt, ap);
    va_end(ap);
    if (line > 0)
        mpe_err_prefix(err, len, "%s:%d: ", fname, line);
    else
        mpe_err_prefix(err, len, "%s: ", fname);
    return MPE_ERR_FORMAT;
}

/* Decimal or 0x-hex without sign into a uint32; -1 if malformed or > 2^32-1. */
static int parse_u32(const char *s, uint32_t *out)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        int d = (*s >= '0' && *s <= '9') ? *s - '0'
                : (base == 16 && *s >= 'a' && *s <= 'f') ? *s - 'a' + 10
                : (base == 16 && *s >= 'A' && *s <= 'F') ? *s - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > 0xFFFFFFFFull)
            return -2;
    }
    *out = (uint32_t)v;
    return 0;
}

static int find_key(const char *name)
{
    for (int k = 0; k < K_COUNT; k++)
        if (!strcmp(keys[k].name, name))
            return k;
    return -1;
}

/* One line (comment already cut): empty, or `key value`. */
static mpe_status parse_line(char *s, const char *fname, int line, mpe_arch *a, int *where,
                             char *err, size_t errlen)
{
    const char *ws = " \t\r\v\f";
    char *save = NULL;
    char *key = strtok_r(s, ws, &save);
    if (!key)
        return MPE_OK;
    char *val = strtok_r(NULL, ws, &save);
    char *extra = strtok_r(NULL, ws, &save);
    int k = find_key(key);
    if (k < 0)
        return perr(err, errlen, fname, line, "unknown key '%s'", key);
    if (where[k])
        return perr(err, errlen, fname, line, "key '%s' given twice (first on line %d)", key,
                    where[k]);
    if (!val)
        return perr(err, errlen, fname, line, "key '%s' has no value", key);
    if (extra)
        return perr(err, errlen, fname, line, "unexpected '%s' after the value of '%s'", extra,
                    key);
    uint32_t v;
    int r = parse_u32(val, &v);
    if (r == -1)
        return perr(err, errlen, fname, line, "bad number '%s' for '%s'", val, key);
    if (r < 0 || v < keys[k].lo || v > keys[k].hi)
        return perr(err, errlen, fname, line, "%s %s outside %u..%u", key, val, keys[k].lo,
                    keys[k].hi);
    *slot(a, k) = v;
    where[k] = line;
    return MPE_OK;
}

mpe_status mpe_arch_parse(const char *text, const char *fname, mpe_arch *a, char *err,
                          size_t errlen)
{
    if (!fname)
        fname = "<arch>";
    mpe_arch t;
    mpe_arch_default(&t);
    int where[K_COUNT] = {0};
    int line = 1;
    const char *p = text;
    while (*p) {
        const char *e = p + strcspn(p, "\n");
        char buf[256];
        size_t n = (size_t)(e - p);
        if (n >= sizeof buf)
            return perr(err, errlen, fname, line, "line longer than %zu characters",
                        sizeof buf - 1);
        memcpy(buf, p, n);
        buf[n] = 0;
        buf[strcspn(buf, "#")] = 0;
        mpe_status st = parse_line(buf, fname, line, &t, where, err, errlen);
        if (st)
            return st;
        p = *e ? e + 1 : e;
        line++;
    }
    char msg[MPE_ERR_LEN];
    int k = check(&t, msg, sizeof msg);
    if (k >= 0)
        return perr(err, errlen, fname, where[k], "%s", msg);
    *a = t;
    return MPE_OK;
}

mpe_status mpe_arch_load(const char *path, mpe_arch *a, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    mpe_status st = mpe_read_file(path, 1 << 20, &buf, &len);
    if (st) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read (%s)", path, mpe_read_error(st));
        return st;
    }
    char *text = malloc(len + 1);
    if (!text) {
        free(buf);
        return MPE_ERR_NOMEM;
    }
    memcpy(text, buf, len);
    text[len] = 0;
    free(buf);
    if (strlen(text) != len)
        st = perr(err, errlen, path, 0, "NUL byte in a text file");
    else
        st = mpe_arch_parse(text, path, a, err, errlen);
    free(text);
    return st;
}

size_t mpe_arch_format(const mpe_arch *a, char *buf, size_t len)
{
    size_t n = 0;
    for (int k = 0; k < K_COUNT; k++) {
        int r = snprintf(n < len ? buf + n : NULL, n < len ? len - n : 0, "%s %u\n",
                         keys[k].name, get(a, k));
        n += (size_t)r;
    }
    return n;
}

uint32_t mpe_arch_crc(const mpe_arch *a)
{
    char text[MPE_ARCH_TEXT_MAX];
    size_t n = mpe_arch_format(a, text, sizeof text);
    return (uint32_t)crc32(0L, (const Bytef *)text, (uInt)n);
}

int mpe_arch_compare(const mpe_arch *a, const char *alabel, const mpe_arch *b,
                     const char *blabel, char *msg, size_t msglen)
{
    for (int k = 0; k < K_COUNT; k++) {
        if (get(a, k) != get(b, k)) {
            if (msg && msglen)
                snprintf(msg, msglen, "%s: %u %s, %u %s", keys[k].name, get(a, k), alabel,
                         get(b, k), blabel);
            return -1;
        }
    }
    return 0;
}
