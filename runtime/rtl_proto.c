/* The file protocol between the RTL backend's client (runtime/backend_rtl.c)
 * and the simulator's server (sim/rtl_serve.c): little-endian fields and
 * memory pages (runtime/rtl_proto.h; the message layout is described there). */
#include "rtl_proto.h"

#include "mpe/le.h"

int mpe_rtl_put(FILE *f, uint64_t v, int n)
{
    uint8_t b[8];
    mpe_put_le(b, v, n);
    return fwrite(b, 1, (size_t)n, f) == (size_t)n ? 0 : -1;
}

int mpe_rtl_get(FILE *f, uint64_t *v, int n)
{
    uint8_t b[8] = {0};
    size_t got = fread(b, 1, (size_t)n, f);
    *v = mpe_get_le(b, n);
    return got == (size_t)n ? 0 : -1;
}

size_t mpe_rtl_page_len(uint32_t mem_bytes, uint64_t p)
{
    uint64_t lo = p * MPE_RTL_PAGE;
    return lo >= mem_bytes ? 0 : (size_t)(mem_bytes - lo < MPE_RTL_PAGE ? mem_bytes - lo : MPE_RTL_PAGE);
}

int mpe_rtl_put_pages(FILE *f, const uint8_t *mem, uint32_t mem_bytes, const uint64_t *pages,
                     size_t n)
{
    if (mpe_rtl_put(f, n, 4))
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t len = mpe_rtl_page_len(mem_bytes, pages[i]);
        if (mpe_rtl_put(f, pages[i], 8) || fwrite(mem + pages[i] * MPE_RTL_PAGE, 1, len, f) != len)
            return -1;
    }
    return 0;
}

/* Reads pages into mem (marking them in `dirty` when given). */
int mpe_rtl_get_pages(FILE *f, uint8_t *mem, uint32_t mem_bytes, uint8_t *dirty)
{
    uint64_t n, p;
    if (mpe_rtl_get(f, &n, 4))
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        if (mpe_rtl_get(f, &p, 8))
            return -1;
        size_t len = mpe_rtl_page_len(mem_bytes, p);
        if (!len || fread(mem + p * MPE_RTL_PAGE, 1, len, f) != len)
            return -1;
        if (dirty)
            dirty[p] = 1;
    }
    return 0;
}

