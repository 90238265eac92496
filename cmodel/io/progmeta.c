/* The estimate and layer-table lines of a binary's META text
 * (mpe/progmeta.h). */
#include "mpe/progmeta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The next line of *text (without its newline) into line; 0 at the end. */
static int next_line(const char **text, char *line, size_t len)
{
    const char *s = *text;
    if (!s || !*s)
        return 0;
    size_t n = strcspn(s, "\n");
    size_t k = n < len - 1 ? n : len - 1;
    memcpy(line, s, k);
    line[k] = 0;
    *text = s + n + (s[n] == '\n');
    return 1;
}

/* A decimal number followed by one space (or, with last, the end). */
static int number(const char **s, uint64_t *v)
{
    char *end;
    if (**s < '0' || **s > '9')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(*s, &end, 10);
    if (errno || (*end != ' ' && *end != 0))
        return -1;
    *v = x;
    *s = *end ? end + 1 : end;
    return 0;
}

uint64_t mpe_meta_estimate(const mpe_program *p)
{
    const char *text = p->meta;
    char line[256];
    static const char key[] = "estimated_cycles ";
    while (next_line(&text, line, sizeof line)) {
        const char *s = line + sizeof key - 1;
        uint64_t v;
        if (!strncmp(line, key, sizeof key - 1) && !number(&s, &v) && !*s)
            return v;
    }
    return 0;
}

static int parse_layer(const char *s, mpe_meta_layer *L, uint64_t *index)
{
    uint64_t lo, hi;
    if (number(&s, index) || number(&s, &lo) || number(&s, &hi) ||
        number(&s, &L->est_cycles) || number(&s, &L->pe_cycles) || !*s)
        return -1;
    if (lo > hi || hi > UINT32_MAX)
        return -1;
    L->pc_lo = (uint32_t)lo;
    L->pc_hi = (uint32_t)hi;
    size_t n = strlen(s);
    n = n < MPE_META_NAME_MAX ? n : MPE_META_NAME_MAX;
    memcpy(L->name, s, n);
    L->name[n] = 0;
    return 0;
}

int mpe_meta_layers(const mpe_program *p, mpe_meta_layer *out, int max)
{
    const char *text = p->meta;
    char line[1024];
    static const char key[] = "layer ";
    int n = 0;
    uint32_t end = 0;
    while (next_line(&text, line, sizeof line)) {
        if (strncmp(line, key, sizeof key - 1))
            continue;
        mpe_meta_layer L;
        uint64_t index;
        if (parse_layer(line + sizeof key - 1, &L, &index) || index != (uint64_t)n ||
            L.pc_lo < end || L.pc_hi > p->ninsns)
            return -1;
        end = L.pc_hi;
        if (n < max)
            out[n] = L;
        n++;
    }
    return n;
}
