/* mpe progen: a random legal program with random data (seeded), and
 * optionally the expected outputs computed by the independent reference. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mpe/npy.h"
#include "mpe/progen.h"
#include "mpe/tensorio.h"
#include "tool_io.h"

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe progen --seed S -o PROG.mpeb [--mode MODE] [--arch CONFIG]\n"
               "                  [--expect DIR [--inputs]]\n");
    if (rc)
        return rc;
    fprintf(f, "Writes a random legal accelerator program with random data. Each job is a\n"
               "GEMM with a random mode, precisions, output stage and shape; its output is\n"
               "the tensor y<j>. MODE: mixed (default), sync, double, tokens, loop.\n"
               "--expect DIR (created if missing) writes DIR/y<j>.npy computed directly from the data (no\n"
               "scratchpads, no timing): 'mpe run PROG.mpeb --output-dir D' must match.\n"
               "--inputs makes the first job's activations the input tensor x0 (integer\n"
               "types as float32 to quantize with scale 1/8) and writes DIR/x0.npy.\n");
    return 0;
}

static int write_expected(const mpe_arch *ar, const mpe_pg *pg, const char *dir)
{
    for (size_t j = 0; j < pg->njobs; j++) {
        const mpe_pg_job *job = &pg->jobs[j];
        const mpe_tdesc *d = &pg->prog.tensors[j];
        uint64_t nb;
        size_t n = (size_t)job->rows * job->spec.N;
        uint32_t *codes = malloc(n * sizeof *codes);
        char err[512], path[4096];
        mpe_status st = mpe_tdesc_bytes(d, &nb);
        uint8_t *bytes = calloc(nb ? nb : 1, 1);
        if (!codes || !bytes || st != MPE_OK)
            st = MPE_ERR_NOMEM;
        else
            st = mpe_pg_expected(ar, job, 0, codes);
        mpe_tensor t;
        if (st == MPE_OK) {
            uint32_t cw = (uint32_t)mpe_tdesc_cw(d);
            for (size_t m = 0; m < job->rows; m++)
                for (size_t k = 0; k < job->spec.N; k++)
                    mpe_code_put(bytes, mpe_tdesc_code_index(d, (int64_t)m, (int64_t)k), cw,
                                 codes[m * job->spec.N + k]);
            st = mpe_tdesc_decode(d, bytes, nb, &t, err, sizeof err);
        } else {
            snprintf(err, sizeof err, "%s", mpe_status_str(st));
        }
        free(codes);
        free(bytes);
        if (st == MPE_OK) {
            snprintf(path, sizeof path, "%s/%s.npy", dir, d->name);
            st = mpe_npy_save(path, &t, err, sizeof err);
            mpe_tensor_free(&t);
        }
        if (st != MPE_OK) {
            fprintf(stderr, "mpe progen: %s\n", err);
            return -1;
        }
    }
    return 0;
}

static int expose_input(const mpe_arch *ar, mpe_pg *pg, const char *dir)
{
    mpe_tensor x;
    char err[512], path[4096];
    mpe_status st = mpe_pg_expose_input(ar, pg, 0, &x);
    if (st == MPE_OK) {
        snprintf(path, sizeof path, "%s/x0.npy", dir);
        st = mpe_npy_save(path, &x, err, sizeof err);
        mpe_tensor_free(&x);
    } else {
        snprintf(err, sizeof err, "%s", mpe_status_str(st));
    }
    if (st != MPE_OK)
        fprintf(stderr, "mpe progen: %s\n", err);
    return st != MPE_OK;
}

int cmd_progen(int argc, char **argv)
{
    const char *out = NULL, *cfg = NULL, *expect = NULL, *seed_s = NULL;
    int mode = MPE_PG_MIXED, inputs = 0;
    for (int i = 1; i < argc; i++) {
        int more = i + 1 < argc;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout, 0);
        if (tool_opt(argv[i], "-o", more))
            out = argv[++i];
        else if (tool_opt(argv[i], "--seed", more))
            seed_s = argv[++i];
        else if (tool_opt(argv[i], "--arch", more))
            cfg = argv[++i];
        else if (tool_opt(argv[i], "--expect", more))
            expect = argv[++i];
        else if (!strcmp(argv[i], "--inputs"))
            inputs = 1;
        else if (tool_opt(argv[i], "--mode", more)) {
            if (mpe_pg_mode_parse(argv[++i], &mode)) {
                fprintf(stderr, "mpe progen: unknown mode '%s' (mixed, sync, double, tokens, "
                                "loop)\n", argv[i]);
                return 2;
            }
        } else
            return usage(stderr, 2);
    }
    if (!out || !seed_s || (inputs && !expect))
        return usage(stderr, 2);
    char *end;
    errno = 0;
    unsigned long long seed = strtoull(seed_s, &end, 0);
    if (errno || end == seed_s || *end || seed_s[0] == '-') {
        fprintf(stderr, "mpe progen: bad seed '%s'\n", seed_s);
        return 2;
    }
    mpe_arch ar;
    char err[512] = "";
    mpe_arch_default(&ar);
    if (cfg && mpe_arch_load(cfg, &ar, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe progen: %s\n", err);
        return 1;
    }
    mpe_pg pg;
    if (mpe_progen(&ar, seed, mode, &pg, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe progen: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (expect && tool_make_dir("mpe progen", expect))
        rc = 1;
    else if (inputs && expose_input(&ar, &pg, expect))
        rc = 1;
    else if (mpe_program_save(&pg.prog, out, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe progen: %s\n", err);
        rc = 1;
    } else if (expect && write_expected(&ar, &pg, expect)) {
        rc = 1;
    }
    mpe_pg_free(&pg);
    return rc;
}
