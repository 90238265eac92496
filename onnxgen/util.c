/* Deterministic random numbers (splitmix64) and directories. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "gen.h"

uint64_t gen_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int32_t gen_rand_int(uint64_t *s, int32_t lo, int32_t hi)
{
    uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
    return (int32_t)(lo + (int64_t)(gen_rand(s) % span));
}

float gen_rand_float(uint64_t *s, float lo, float hi)
{
    double u = (double)(gen_rand(s) >> 11) / 9007199254740992.0;
    return (float)(lo + (hi - lo) * u);
}

int gen_mkdir(const char *path)
{
    if (mkdir(path, 0777) && errno != EEXIST) {
        fprintf(stderr, "mpe-gen-onnx: cannot create %s\n", path);
        return -1;
    }
    return 0;
}
