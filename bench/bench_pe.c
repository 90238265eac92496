/* C-model throughput per PE mode: one M x N x K GEMM (default 256^3) per
 * configuration on the structural path (a lanes x cols PE, op by op) and on
 * the fast path, in MAC/s on one core. Every run also checks that the two
 * paths give the same bits. `make bench` runs it through scripts/bench.sh.
 *
 * usage: mpe-bench [--size S] [--lanes L] [--cols C] [--min-time SEC] [--only NAME] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpe/format.h"
#include "mpe/pe.h"
#include "mpe/rng.h"

typedef struct {
    const char *name;
    mpe_pe_cfg cfg;
} bench_cfg;

typedef struct {
    int size, lanes, cols;
    double min_time;
    const char *only;
} options;

static mpe_pe_cfg mk(mpe_mode mode, mpe_dtype a, mpe_dtype w, int both, int group,
                     mpe_fmt sf)
{
    mpe_pe_cfg c = {(uint8_t)mode, a, w, (uint8_t)both, (uint16_t)group, (uint8_t)sf};
    return c;
}

static int make_cfgs(bench_cfg *t)
{
    mpe_dtype i8 = mpe_dt_int(8), i4 = mpe_dt_int(4);
    mpe_dtype e4 = mpe_dt_fp(MPE_FMT_E4M3), e2 = mpe_dt_fp(MPE_FMT_E2M1);
    int n = 0;
    t[n++] = (bench_cfg){"mac int8", mk(MPE_MODE_MAC, i8, i8, 0, 0, 0)};
    t[n++] = (bench_cfg){"lut W1A8 (binary)", mk(MPE_MODE_LUT, i8, mpe_dt_binary(), 0, 0, 0)};
    t[n++] = (bench_cfg){"lut W2A8", mk(MPE_MODE_LUT, i8, mpe_dt_int(2), 0, 0, 0)};
    t[n++] = (bench_cfg){"lut W4A8", mk(MPE_MODE_LUT, i8, i4, 0, 0, 0)};
    t[n++] = (bench_cfg){"lut ternary A8", mk(MPE_MODE_LUT, i8, mpe_dt_ternary(), 0, 0, 0)};
    t[n++] = (bench_cfg){"shiftadd pow2 A8", mk(MPE_MODE_SHIFTADD, i8, mpe_dt_pow2(), 0, 0, 0)};
    t[n++] = (bench_cfg){"shiftadd int4 A8 g32",
                         mk(MPE_MODE_SHIFTADD, i8, i4, 0, 32, MPE_FMT_FP16)};
    t[n++] = (bench_cfg){"bfp mxfp8_e4m3", mk(MPE_MODE_BFP, e4, e4, 0, 32, MPE_FMT_E8M0)};
    t[n++] = (bench_cfg){"bfp mxfp4", mk(MPE_MODE_BFP, e2, e2, 0, 32, MPE_FMT_E8M0)};
    t[n++] = (bench_cfg){"bfp nvfp4", mk(MPE_MODE_BFP, e2, e2, 0, 16, MPE_FMT_UE4M3)};
    t[n++] = (bench_cfg){"bfp mxint8", mk(MPE_MODE_BFP, mpe_dt_bfpint(8), mpe_dt_bfpint(8), 0,
                                          32, MPE_FMT_E8M0)};
    t[n++] = (bench_cfg){"bitserial A8W8", mk(MPE_MODE_BITSERIAL, i8, i8, 0, 0, 0)};
    t[n++] = (bench_cfg){"bitserial A4W4", mk(MPE_MODE_BITSERIAL, i4, i4, 0, 0, 0)};
    t[n++] = (bench_cfg){"bitserial both A4W4", mk(MPE_MODE_BITSERIAL, i4, i4, 1, 0, 0)};
    return n;
}

/* CPU time of the process: the benchmark is single-threaded, and CPU time
 * is not inflated when other jobs share the machine. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng_next(uint64_t *s) { return mpe_splitmix64(s); }

/* A random code of t, never NaN or inf (representative data). */
static uint16_t rand_code(mpe_dtype t, uint64_t *s)
{
    for (;;) {
        uint16_t c = (uint16_t)(rng_next(s) & mpe_dt_mask(t));
        if (t.kind != MPE_DT_FP || (!mpe_fp_is_nan((mpe_fmt)t.fmt, c) &&
                                    !mpe_fp_is_inf((mpe_fmt)t.fmt, c)))
            return c;
    }
}

static uint16_t rand_scale(const mpe_pe_cfg *c, uint64_t *s)
{
    uint64_t r = rng_next(s);
    if (c->mode == MPE_MODE_SHIFTADD)
        return (uint16_t)(((r & 1) << 15) | ((10 + (r >> 1) % 10) << 10) | ((r >> 8) & 0x3FF));
    if (c->scale_fmt == MPE_FMT_UE4M3)
        return (uint16_t)(r % 0x7F);
    return (uint16_t)(120 + r % 15);
}

typedef struct {
    mpe_gemm_args g;
    uint16_t *A, *W, *as, *ws;
    int16_t *wz;
} operands;

static int make_operands(const mpe_pe_cfg *c, int S, uint64_t seed, operands *o)
{
    size_t n = (size_t)S * S, nb = c->group ? n / c->group : 1;
    o->A = malloc(n * 2);
    o->W = malloc(n * 2);
    o->as = malloc(nb * 2);
    o->ws = malloc(nb * 2);
    o->wz = malloc(nb * 2);
    if (!o->A || !o->W || !o->as || !o->ws || !o->wz)
        return -1;
    for (size_t i = 0; i < n; i++) {
        o->A[i] = rand_code(c->a, &seed);
        o->W[i] = rand_code(c->w, &seed);
    }
    for (size_t i = 0; i < nb; i++) {
        o->as[i] = rand_scale(c, &seed);
        o->ws[i] = rand_scale(c, &seed);
        o->wz[i] = (int16_t)(rng_next(&seed) % 16) - 8;
    }
    mpe_gemm_args g = {S, S, S, o->A, o->W, o->as, o->ws, o->wz};
    o->g = g;
    return 0;
}

static void free_operands(operands *o)
{
    free(o->A);
    free(o->W);
    free(o->as);
    free(o->ws);
    free(o->wz);
}

typedef struct {
    const mpe_pe_cfg *cfg;
    const options *op;
    const operands *o;
    int64_t *yi;
    uint32_t *yf;
    uint64_t cycles;
} job;

static mpe_status run_path(job *j, int fast)
{
    if (fast)
        return mpe_gemm_fast(j->cfg, &j->o->g, j->yi, j->yf);
    return mpe_gemm_structural(j->cfg, j->op->lanes, j->op->cols, &j->o->g, j->yi, j->yf,
                               &j->cycles);
}

/* Runs one path until min_time has passed (at least once): seconds per run. */
static double timed(job *j, int fast, mpe_status *st)
{
    int runs = 0;
    double t0 = now(), el;
    do {
        *st = run_path(j, fast);
        runs++;
    } while ((el = now() - t0) < j->op->min_time && *st == MPE_OK);
    return el / runs;
}

static int run_one(const bench_cfg *b, const options *op)
{
    operands o;
    size_t n = (size_t)op->size * op->size;
    int64_t *yi_s = malloc(n * 8), *yi_f = malloc(n * 8);
    uint32_t *yf_s = malloc(n * 4), *yf_f = malloc(n * 4);
    uint64_t cycles = 0;
    mpe_status s1 = MPE_OK, s2 = MPE_OK;
    if (!yi_s || !yi_f || !yf_s || !yf_f || make_operands(&b->cfg, op->size, 12345, &o)) {
        fprintf(stderr, "mpe-bench: out of memory\n");
        return 1;
    }
    job js = {&b->cfg, op, &o, yi_s, yf_s, 0}, jf = {&b->cfg, op, &o, yi_f, yf_f, 0};
    double ts = timed(&js, 0, &s1), tf = timed(&jf, 1, &s2);
    cycles = js.cycles;
    int fl = mpe_pe_cfg_is_float(&b->cfg);
    int same = s1 == MPE_OK && s2 == MPE_OK &&
               (fl ? !memcmp(yf_s, yf_f, n * 4) : !memcmp(yi_s, yi_f, n * 8));
    double macs = (double)n * op->size;
    printf("%-22s %14.3g %14.3g %8.1f %14llu  %s\n", b->name, macs / ts, macs / tf, ts / tf,
           (unsigned long long)cycles, same ? "yes" : "NO");
    free_operands(&o);
    free(yi_s);
    free(yi_f);
    free(yf_s);
    free(yf_f);
    return !same;
}

static int parse(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("usage: mpe-bench [--size S] [--lanes L] [--cols C] [--min-time SEC] "
                   "[--only NAME]\nC-model GEMM throughput per PE mode, structural and fast "
                   "path (MAC/s, one core).\n");
            exit(0);
        }
        if (!v) {
            fprintf(stderr, "mpe-bench: %s needs a value (see --help)\n", a);
            return -1;
        }
        i++;
        if (!strcmp(a, "--size")) o->size = atoi(v);
        else if (!strcmp(a, "--lanes")) o->lanes = atoi(v);
        else if (!strcmp(a, "--cols")) o->cols = atoi(v);
        else if (!strcmp(a, "--min-time")) o->min_time = atof(v);
        else if (!strcmp(a, "--only")) o->only = v;
        else {
            fprintf(stderr, "mpe-bench: unknown option '%s' (see --help)\n", a);
            return -1;
        }
    }
    if (o->size < 64 || o->size % 64 || o->size > 4096) {
        fprintf(stderr, "mpe-bench: --size must be a multiple of 64 in 64..4096\n");
        return -1;
    }
    char msg[160];
    if (mpe_pe_dims_check(o->lanes, o->cols, msg, sizeof msg) != MPE_OK) {
        fprintf(stderr, "mpe-bench: %s\n", msg);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    options op = {256, 16, 16, 0.3, NULL};
    bench_cfg t[32];
    int n = make_cfgs(t), bad = 0;
    if (parse(argc, argv, &op))
        return 2;
    printf("GEMM %dx%dx%d (M x N x K), structural path on a %d-lane x %d-column PE, "
           "one core, CPU time\n", op.size, op.size, op.size, op.lanes, op.cols);
    printf("%-22s %14s %14s %8s %14s  %s\n", "mode", "struct MAC/s", "fast MAC/s", "fast/st",
           "PE cycles", "same bits");
    for (int i = 0; i < n; i++) {
        if (op.only && !strstr(t[i].name, op.only))
            continue;
        char msg[160];
        if (mpe_pe_cfg_check(&t[i].cfg, op.lanes, msg, sizeof msg) != MPE_OK) {
            printf("%-22s skipped: %s\n", t[i].name, msg);
            continue;
        }
        bad |= run_one(&t[i], &op);
    }
    return bad;
}
