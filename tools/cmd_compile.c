/* mpe compile: quantized ONNX model -> accelerator binary (.mpeb). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cmd.h"
#include "tool_io.h"
#include "compile.h"
#include "mpe/pe.h"
#include "onnx_tensor.h"

static int usage(FILE *f, int rc)
{
    if (rc) {
        fprintf(f, "usage: mpe compile MODEL.onnx -o OUT.mpeb [options] (see mpe compile --help)\n");
        return rc;
    }
    fprintf(f, "usage: mpe compile MODEL.onnx -o OUT.mpeb [--arch CONFIG]\n"
               "       [--mode auto|mac|lut|shiftadd|bfp|bitserial] [--emit-asm FILE]\n"
               "       [--report FILE] [--dump-after PASS] [--bind NAME=TENSOR.pb] [--fp16-scales]\n"
               "       [--stats] [-v]\n");
    fprintf(f, "\nCompiles a quantized ONNX model (QLinearMatMul, QLinearConv, MatMulInteger,\n"
               "ConvInteger, QDQ MatMul/Gemm/Conv with bias, Relu/Clip and QuantizeLinear,\n"
               "com.microsoft MatMulNBits) for the accelerator described by CONFIG\n"
               "(default: the built-in defaults, as arch/default.cfg).\n\n"
               "  --mode M        PE mode of every layer (default auto: fewest estimated\n"
               "                  cycles, ties broken by an energy proxy; auto never picks\n"
               "                  bfp). bfp runs int8 layers as MXINT8 where that is\n"
               "                  provably bit exact, else it is an error naming the layer\n"
               "  --emit-asm F    write the program as assembler source\n"
               "  --report F      write JSON: per layer mode, precision, tiling, estimates\n"
               "  --dump-after P  print the IR after pass P, one of:");
    for (int i = 0; i < mpe_comp_npasses(); i++)
        fprintf(f, " %s", mpe_comp_pass_name(i));
    fprintf(f, "\n  --bind N=F      give graph input N the value of TensorProto file F\n"
               "                  (it becomes a constant, e.g. weights fed as inputs)\n"
               "  --fp16-scales   round MatMulNBits block scales that FP16 cannot hold\n"
               "                  (lossy; without it such a model is an error)\n"
               "  -v              notes on the effective precision\n"
               "  --stats         print compile time and peak memory (getrusage ru_maxrss)\n");
    return 0;
}

typedef struct {
    mpe_comp_bind b[16];
    mpe_tensor t[16];
    char *names[16];
    int n;
} binds;

static int add_bind(binds *bs, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char err[512];
    if (!eq || eq == arg || bs->n == 16) {
        fprintf(stderr, "mpe compile: --bind takes NAME=FILE.pb (at most 16)\n");
        return 2;
    }
    int i = bs->n;
    bs->names[i] = strndup(arg, (size_t)(eq - arg));
    if (!bs->names[i] || mpe_tensor_load_pb(eq + 1, &bs->t[i], NULL, 0, err, sizeof err)) {
        fprintf(stderr, "mpe compile: %s\n", bs->names[i] ? err : "out of memory");
        free(bs->names[i]);
        return 1;
    }
    bs->b[i].name = bs->names[i];
    bs->b[i].t = &bs->t[i];
    bs->n++;
    return 0;
}

static void free_binds(binds *bs)
{
    for (int i = 0; i < bs->n; i++) {
        mpe_tensor_free(&bs->t[i]);
        free(bs->names[i]);
    }
}

static int parse_mode(const char *s, int *mode)
{
    mpe_mode m;
    if (!strcmp(s, "auto")) {
        *mode = -1;
        return 0;
    }
    if (mpe_mode_parse(s, &m)) {
        fprintf(stderr, "mpe compile: unknown mode '%s' (auto, mac, lut, shiftadd, bfp, "
                        "bitserial)\n", s);
        return 2;
    }
    *mode = (int)m;
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void print_stats(double t0)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("compile: %.2f s wall, %.2f s user, %.2f s sys, peak RSS %ld KiB\n", now() - t0,
           (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec,
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec, ru.ru_maxrss);
}

static int run(mpe_comp_opts *o, const char *out, int stats)
{
    double t0 = now();
    comp *c = mpe_comp_new(o);
    if (!c) {
        fprintf(stderr, "mpe compile: out of memory\n");
        return 1;
    }
    int rc = mpe_comp_run(c) || mpe_comp_write(c, out);
    if (rc)
        fprintf(stderr, "mpe compile: %s\n", mpe_comp_error(c));
    mpe_comp_free(c);
    if (stats && !rc)
        print_stats(t0);
    return rc ? 1 : 0;
}

int cmd_compile(int argc, char **argv)
{
    mpe_comp_opts o;
    memset(&o, 0, sizeof o);
    o.mode = -1;
    const char *out = NULL;
    binds bs;
    memset(&bs, 0, sizeof bs);
    int rc = 0, stats = 0;
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            free_binds(&bs);
            return usage(stdout, 0);
        } else if (!strcmp(a, "-v")) {
            o.verbose = 1;
        } else if (!strcmp(a, "--stats")) {
            stats = 1;
        } else if (!strcmp(a, "--fp16-scales")) {
            o.fp16_scales = 1;
        } else if (tool_opt(a, "-o", more)) {
            out = argv[++i];
        } else if (tool_opt(a, "--arch", more)) {
            o.arch_path = argv[++i];
        } else if (tool_opt(a, "--mode", more)) {
            rc = parse_mode(argv[++i], &o.mode);
        } else if (tool_opt(a, "--emit-asm", more)) {
            o.asm_path = argv[++i];
        } else if (tool_opt(a, "--report", more)) {
            o.report_path = argv[++i];
        } else if (tool_opt(a, "--dump-after", more)) {
            o.dump_after = argv[++i];
        } else if (tool_opt(a, "--bind", more)) {
            rc = add_bind(&bs, argv[++i]);
        } else if (a[0] != '-' && !o.model_path) {
            o.model_path = a;
        } else {
            fprintf(stderr, "mpe compile: unexpected argument '%s'\n", a);
            rc = 2;
        }
    }
    if (!rc && (!o.model_path || (!out && !o.dump_after)))
        rc = usage(stderr, 2);
    o.bind = bs.b;
    o.nbind = bs.n;
    if (!rc)
        rc = run(&o, out, stats);
    free_binds(&bs);
    return rc;
}
