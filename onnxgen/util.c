/* Deterministic random numbers (splitmix64) and directories. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "gen.h"
#include "mpe/rng.h"

uint64_t gen_rand(uint64_t *s) { return mpe_splitmix64(s); }

int32_t gen_rand_int(uint64_t *s, int32_t lo, int32_t hi)
{
    uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
    return (int32_t)(lo + (int64_t)(gen_rand(s) % span));
}

float gen_rand_float(uint64_t *s, float lo, float hi)
{
    double u = mpe_rng_unit(s);
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
