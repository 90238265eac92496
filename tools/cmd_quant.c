/* mpe quant: quantize-dequantize round trip of a float32 .npy array with any
 * of the project's quantizers (docs/numerics.md section 3); writes the
 * dequantized float32 array and prints SQNR and max abs error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mpe/npy.h"
#include "mpe/quant.h"

typedef struct {
    const char *format, *in, *out;
    long group, axis;
    int has_group, has_axis;
    int round;
} quant_opts;

static void block_desc(const mpe_qformat *f, char *buf, size_t n)
{
    if (f->group_max == 0)
        snprintf(buf, n, "element-wise");
    else if (f->group_min == f->group_max)
        snprintf(buf, n, "block %d (fixed)", f->group_max);
    else if (f->group_def)
        snprintf(buf, n, "block %d (--group %d..%d)", f->group_def, f->group_min,
                 f->group_max);
    else
        snprintf(buf, n, "per tensor (--axis A, --group %d..%d)", f->group_min,
                 f->group_max);
}

static void usage(FILE *o)
{
    fprintf(o,
        "usage: mpe quant --format F [--group N] [--axis A] [--rounding even|away]\n"
        "                 IN.npy OUT.npy\n\n"
        "Quantizes the float32 array IN.npy (C order) with format F, dequantizes it\n"
        "and writes OUT.npy (float32, same shape). Prints the element count, the\n"
        "SQNR = 10 log10(sum x^2 / sum (x - y)^2) in dB and the max abs error.\n"
        "The rules are docs/numerics.md section 3.\n\n"
        "options:\n"
        "  --format F        quantization format (below)\n"
        "  --group N         block/group size along the last axis; the last axis\n"
        "                    must be a multiple of it\n"
        "  --axis A          per-channel scales along axis A (integer formats;\n"
        "                    negative counts from the end)\n"
        "  --rounding MODE   even: round to nearest, ties to even (default)\n"
        "                    away: round to nearest, ties away from zero\n"
        "  --help            this text\n\n"
        "formats (default granularity; blocks run along the last axis):\n");
    for (int i = 0; i < mpe_qformat_count(); i++) {
        const mpe_qformat *f = mpe_qformat_at(i);
        char b[64];
        block_desc(f, b, sizeof b);
        fprintf(o, "  %-11s %-38s %s\n", f->name, b, f->summary);
    }
    fprintf(o, "\nNaN/inf inputs: MX and BFP blocks holding one get a NaN scale; NVFP4\n"
               "blocks too; fp16/bf16 keep them; the integer formats reject them.\n"
               "Make test inputs with 'mpe gen-npy'.\n");
}

static int parse_long(const char *s, long *v)
{
    char *end;
    *v = strtol(s, &end, 10);
    return end == s || *end;
}

/* Option value: "--opt V" or "--opt=V"; NULL when missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], name))
        return NULL;
    if (*i + 1 >= argc)
        return "";
    return argv[++*i];
}

static int bad(const char *msg, const char *arg)
{
    fprintf(stderr, "mpe quant: %s%s%s (see 'mpe quant --help')\n", msg,
            arg ? ": " : "", arg ? arg : "");
    return 2;
}

static int parse_opts(int argc, char **argv, quant_opts *o)
{
    int npos = 0;
    const char *v;
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        if ((v = opt_value(argc, argv, &i, "--format"))) {
            if (!*v) return bad("--format needs a value", NULL);
            o->format = v;
        } else if ((v = opt_value(argc, argv, &i, "--group"))) {
            if (parse_long(v, &o->group)) return bad("bad --group value", v);
            o->has_group = 1;
        } else if ((v = opt_value(argc, argv, &i, "--axis"))) {
            if (parse_long(v, &o->axis)) return bad("bad --axis value", v);
            o->has_axis = 1;
        } else if ((v = opt_value(argc, argv, &i, "--rounding"))) {
            if (strcmp(v, "even") && strcmp(v, "away"))
                return bad("--rounding must be 'even' or 'away'", v);
            o->round = !strcmp(v, "away") ? MPE_RNA : MPE_RNE;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return bad("unknown option", argv[i]);
        } else if (npos < 2) {
            *(npos++ ? &o->out : &o->in) = argv[i];
        } else {
            return bad("too many arguments", argv[i]);
        }
    }
    if (!o->format)
        return bad("--format is required", NULL);
    if (npos != 2)
        return bad("expected IN.npy OUT.npy", NULL);
    return 0;
}

static int make_spec(const quant_opts *o, const mpe_tensor *t, mpe_qspec *s)
{
    if (mpe_qspec_parse(o->format, s) != MPE_OK)
        return bad("unknown format", o->format);
    s->round = (uint8_t)o->round;
    if (o->has_group) {
        if (o->group < 1 || o->group > 65536)
            return bad("--group out of range", NULL);
        s->group = (int32_t)o->group;
    }
    if (o->has_axis) {
        long a = o->axis < 0 ? o->axis + t->ndim : o->axis;
        if (a < 0 || a >= t->ndim) {
            fprintf(stderr, "mpe quant: --axis %ld out of range for a rank-%d array\n",
                    o->axis, t->ndim);
            return 2;
        }
        s->axis = (int32_t)a;
        if (!o->has_group)
            s->group = 0; /* an axis replaces the default group */
    }
    return 0;
}

static void report(const quant_opts *o, const mpe_qspec *s, const float *x,
                   const float *y, size_t n)
{
    double sig = 0, err = 0, maxe = 0;
    size_t nonfinite = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            nonfinite++;
            continue;
        }
        double d = (double)x[i] - (double)y[i];
        sig += (double)x[i] * x[i];
        err += d * d;
        if (fabs(d) > maxe)
            maxe = fabs(d);
    }
    char gran[48] = "per tensor";
    if (s->group) snprintf(gran, sizeof gran, "block %d", (int)s->group);
    else if (s->axis >= 0) snprintf(gran, sizeof gran, "axis %d", (int)s->axis);
    else if (s->kind == MPE_QK_FLOAT) snprintf(gran, sizeof gran, "element-wise");
    printf("%s: %s, rounding %s, %zu elements -> %s\n", o->format, gran,
           s->round == MPE_RNA ? "away" : "even", n, o->out);
    if (nonfinite)
        printf("%zu non-finite elements left out of the error figures\n", nonfinite);
    if (err == 0)
        printf("SQNR inf dB, max abs error 0\n");
    else if (sig == 0)
        printf("SQNR -inf dB (zero signal), max abs error %.6g\n", maxe);
    else
        printf("SQNR %.2f dB, max abs error %.6g\n", 10.0 * log10(sig / err), maxe);
}

static int run(const quant_opts *o, mpe_tensor *in)
{
    mpe_qspec s;
    mpe_qtensor q;
    mpe_tensor out;
    char err[256];
    int rc = make_spec(o, in, &s);
    if (rc)
        return rc;
    if (mpe_quantize(&s, (const float *)in->data, in->ndim, in->dims, &q, err,
                     sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe quant: %s: %s\n", o->in, err);
        return 1;
    }
    rc = 1;
    if (mpe_tensor_alloc(&out, MPE_T_FLOAT, in->ndim, in->dims) != MPE_OK)
        fprintf(stderr, "mpe quant: out of memory\n");
    else if (mpe_dequantize(&q, (float *)out.data) != MPE_OK)
        fprintf(stderr, "mpe quant: dequantization failed\n");
    else if (mpe_npy_save(o->out, &out, err, sizeof err) != MPE_OK)
        fprintf(stderr, "mpe quant: %s\n", err);
    else {
        report(o, &s, (const float *)in->data, (const float *)out.data, in->count);
        rc = 0;
    }
    mpe_tensor_free(&out);
    mpe_qt_free(&q);
    return rc;
}

int cmd_quant(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    quant_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc;
    mpe_qspec probe;
    if (mpe_qspec_parse(o.format, &probe) != MPE_OK)
        return bad("unknown format", o.format);
    mpe_tensor in;
    char err[256];
    if (mpe_npy_load(o.in, &in, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe quant: %s\n", err);
        return 1;
    }
    if (in.dtype != MPE_T_FLOAT) {
        fprintf(stderr, "mpe quant: %s: expected float32 ('<f4') data, got %s\n", o.in,
                mpe_ttype_name(in.dtype));
        mpe_tensor_free(&in);
        return 1;
    }
    rc = run(&o, &in);
    mpe_tensor_free(&in);
    return rc;
}
