/* Little-endian byte order, the one copy: the .mpeb container, packed memory
 * images, the RTL backend's files. n is 1..8 bytes. */
#ifndef MPE_LE_H
#define MPE_LE_H

#include <stdint.h>

static inline uint64_t mpe_get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline void mpe_put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)(v & 0xFF);
}

#endif
