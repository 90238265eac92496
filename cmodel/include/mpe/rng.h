/* The project's one pseudo-random generator: splitmix64 (Steele, Lea,
 * Flood 2014) and the helpers derived from it. Test models, random programs
 * (progen seeds), generated tensors and the C++ tests all draw from it, so a
 * seed gives the same sequence everywhere; do not change a constant. */
#ifndef MPE_RNG_H
#define MPE_RNG_H

#include <stdint.h>

/* The next 64-bit value; *s is the whole state. */
static inline uint64_t mpe_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A value in [0, n) by modulo (0 when n is 0). */
static inline uint32_t mpe_rng_below(uint64_t *s, uint32_t n)
{
    return n ? (uint32_t)(mpe_splitmix64(s) % n) : 0;
}

/* A double in [0, 1) from the top 53 bits. */
static inline double mpe_rng_unit(uint64_t *s)
{
    return (double)(mpe_splitmix64(s) >> 11) / 9007199254740992.0;
}

#endif
