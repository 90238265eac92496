/* mpe gen-npy: deterministic random float32 .npy arrays for tests and
 * experiments (no Python needed). Integer PRNG (splitmix64); every value is
 * formed exactly, so the file is the same on every machine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mpe/npy.h"
#include "mpe/rng.h"

#define GEN_MAX_ELEMS ((int64_t)1 << 28)

static void usage(FILE *o)
{
    fprintf(o,
        "usage: mpe gen-npy --shape D0,D1,... [--seed S] [--dist normal|uniform]\n"
        "                   [--scale X] OUT.npy\n\n"
        "Writes a float32 array (C order, .npy version 1.0) of deterministic\n"
        "pseudo-random values: the same seed gives the same file everywhere.\n\n"
        "  --shape    up to 8 dimensions, comma separated (at most 2^28 elements)\n"
        "  --seed     unsigned 64-bit seed (default 1)\n"
        "  --dist     normal:  approximately N(0,1): the sum of 12 uniform 20-bit\n"
        "                      integers minus its mean, times 2^-20 (range +-6)\n"
        "             uniform: uniform on [-1, 1) in steps of 2^-23\n"
        "             (default normal)\n"
        "  --scale    multiplies every value (FP32 product, default 1)\n");
}

static float gen_value(uint64_t *s, int normal)
{
    if (!normal) {
        int32_t u = (int32_t)(mpe_splitmix64(s) >> 40) - (1 << 23); /* 24 bits */
        return (float)u / 8388608.0f; /* exact: |u| <= 2^23 */
    }
    int32_t sum = 0;
    for (int k = 0; k < 12; k++)
        sum += (int32_t)(mpe_splitmix64(s) >> 44); /* 20 bits */
    return (float)(sum - 6 * (1 << 20)) / 1048576.0f; /* exact: < 2^24 */
}

static int parse_shape(const char *s, mpe_tensor *t)
{
    t->ndim = 0;
    while (*s) {
        char *end;
        if (t->ndim == MPE_TENSOR_MAX_DIMS || *s < '0' || *s > '9')
            return -1;
        long long v = strtoll(s, &end, 10);
        if (v < 0 || v > GEN_MAX_ELEMS || (*end && *end != ','))
            return -1;
        t->dims[t->ndim++] = v;
        s = *end ? end + 1 : end;
        if (*end && !*s)
            return -1; /* trailing comma */
    }
    int64_t n = mpe_dims_count(t->ndim, t->dims);
    return (t->ndim == 0 || n < 0 || n > GEN_MAX_ELEMS) ? -1 : 0;
}

static int fail(const char *msg, const char *arg)
{
    fprintf(stderr, "mpe gen-npy: %s%s%s (see 'mpe gen-npy --help')\n", msg,
            arg ? ": " : "", arg ? arg : "");
    return 2;
}

int cmd_gen_npy(int argc, char **argv)
{
    mpe_tensor shape = {0};
    const char *out = NULL, *shape_s = NULL;
    uint64_t seed = 1;
    int normal = 1;
    float scale = 1.0f;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        int takes = !strcmp(a, "--shape") || !strcmp(a, "--seed") ||
                    !strcmp(a, "--dist") || !strcmp(a, "--scale");
        if (takes && i + 1 >= argc)
            return fail("option needs a value", a);
        if (!strcmp(a, "--shape")) {
            shape_s = argv[++i];
        } else if (!strcmp(a, "--seed")) {
            const char *v = argv[++i];
            seed = strtoull(v, &end, 10);
            if (end == v || *end || *v == '-')
                return fail("bad --seed", v);
        } else if (!strcmp(a, "--dist")) {
            const char *v = argv[++i];
            if (strcmp(v, "normal") && strcmp(v, "uniform"))
                return fail("--dist must be 'normal' or 'uniform'", v);
            normal = !strcmp(v, "normal");
        } else if (!strcmp(a, "--scale")) {
            const char *v = argv[++i];
            scale = strtof(v, &end);
            if (end == v || *end)
                return fail("bad --scale", v);
        } else if (a[0] == '-' && a[1]) {
            return fail("unknown option", a);
        } else if (!out) {
            out = a;
        } else {
            return fail("too many arguments", a);
        }
    }
    if (!shape_s || !out)
        return fail("--shape and OUT.npy are required", NULL);
    if (parse_shape(shape_s, &shape))
        return fail("bad --shape (D0,D1,..., at most 8 dims and 2^28 elements)", shape_s);
    mpe_tensor t;
    if (mpe_tensor_alloc(&t, MPE_T_FLOAT, shape.ndim, shape.dims) != MPE_OK) {
        fprintf(stderr, "mpe gen-npy: out of memory\n");
        return 1;
    }
    float *x = (float *)t.data;
    for (size_t i = 0; i < t.count; i++)
        x[i] = gen_value(&seed, normal) * scale;
    char err[256];
    int rc = mpe_npy_save(out, &t, err, sizeof err) == MPE_OK ? 0 : 1;
    if (rc)
        fprintf(stderr, "mpe gen-npy: %s\n", err);
    mpe_tensor_free(&t);
    return rc;
}
