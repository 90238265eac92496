/* mpe bench-accel: GEMM programs (double-buffered loads and stores
 * overlapping the compute, tokens; mpe/gemmprog.h) in every PE mode, run on
 * the cycle-exact C model: simulated cycles, PE-array utilization, and the
 * C model's own speed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "tool_io.h"
#include "mpe/accel.h"
#include "mpe/outstage.h"
#include "mpe/progen.h"

typedef struct {
    const char *name;
    uint8_t mode, akind, abits, afmt, wkind, wbits, wfmt, sfmt;
    uint16_t group;
} bench_mode;

#define I MPE_DT_INT
#define F MPE_DT_FP
static const bench_mode modes[] = {
    {"mac_int8", MPE_MODE_MAC, I, 8, 0, I, 8, 0, 0, 0},
    {"lut_w1a8", MPE_MODE_LUT, I, 8, 0, MPE_DT_BINARY, 1, 0, 0, 0},
    {"lut_w2a8", MPE_MODE_LUT, I, 8, 0, I, 2, 0, 0, 0},
    {"lut_w4a8", MPE_MODE_LUT, I, 8, 0, I, 4, 0, 0, 0},
    {"lut_ternary", MPE_MODE_LUT, I, 8, 0, MPE_DT_TERNARY, 2, 0, 0, 0},
    {"shiftadd_pow2", MPE_MODE_SHIFTADD, I, 8, 0, MPE_DT_POW2, 4, 0, 0, 0},
    {"shiftadd_int4_g32", MPE_MODE_SHIFTADD, I, 8, 0, I, 4, 0, MPE_FMT_FP16, 32},
    {"bfp_mxfp8", MPE_MODE_BFP, F, 8, MPE_FMT_E4M3, F, 8, MPE_FMT_E4M3, MPE_FMT_E8M0, 32},
    {"bfp_mxfp4", MPE_MODE_BFP, F, 4, MPE_FMT_E2M1, F, 4, MPE_FMT_E2M1, MPE_FMT_E8M0, 32},
    {"bfp_nvfp4", MPE_MODE_BFP, F, 4, MPE_FMT_E2M1, F, 4, MPE_FMT_E2M1, MPE_FMT_UE4M3, 16},
    {"bfp_mxint8", MPE_MODE_BFP, MPE_DT_BFPINT, 8, 0, MPE_DT_BFPINT, 8, 0, MPE_FMT_E8M0, 32},
    {"bitserial_a8w8", MPE_MODE_BITSERIAL, I, 8, 0, I, 8, 0, 0, 0},
    {"bitserial_a4w4", MPE_MODE_BITSERIAL, I, 4, 0, I, 4, 0, 0, 0},
};
#undef I
#undef F
#define NMODES (sizeof modes / sizeof modes[0])

typedef struct {
    uint32_t M, N, K, mt, nt;
    uint64_t seed;
    const char *out, *arch;
    int check, verbose, structural;
} options;

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe bench-accel [--mode NAME|all] [--size S | --m M --n N --k K]\n"
               "                       [--mt T --nt T] [--arch CONFIG] [--seed S] [--check]\n"
               "                       [--pe-path fast|struct] [-v] [-o PROG.mpeb]\n");
    if (rc)
        return rc;
    fprintf(f, "Builds an M x N x K GEMM program (default 512^3) per PE mode with the\n"
               "double-buffered token schedule of mpe/gemmprog.h, runs it on the C model and\n"
               "prints simulated cycles, PE-array utilization and the model's speed.\n"
               "--check compares every output with the reference (mpe_gemm_fast + output\n"
               "stage); -v adds stall counts; -o writes the program of the one mode, with\n"
               "its C-model cycle count as the estimate that mpe run uses for its default\n"
               "cycle limit and progress ETA.\nmodes:");
    for (size_t i = 0; i < NMODES; i++)
        fprintf(f, " %s", modes[i].name);
    fprintf(f, "\n");
    return 0;
}

/* "model name" of /proc/cpuinfo, when there is one. */
static void print_machine(void)
{
    char line[256], name[200] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            snprintf(name, sizeof name, "%s", strchr(line, ':') + 2);
            name[strcspn(name, "\n")] = 0;
            break;
        }
    if (f)
        fclose(f);
    printf("machine: %s (one core used)\n", name);
}

static mpe_gemm_spec make_spec(const bench_mode *m, const options *o)
{
    mpe_gemm_spec s;
    memset(&s, 0, sizeof s);
    s.pe.mode = m->mode;
    s.pe.a.kind = m->akind;
    s.pe.a.bits = m->abits;
    s.pe.a.fmt = m->afmt;
    s.pe.w.kind = m->wkind;
    s.pe.w.bits = m->wbits;
    s.pe.w.fmt = m->wfmt;
    s.pe.group = m->group;
    s.pe.scale_fmt = m->sfmt;
    s.rq = MPE_RQ_FLOAT;
    s.out = MPE_OUT_INT8;
    s.bias = 1;
    s.lo = INT32_MIN;
    s.hi = INT32_MAX;
    s.M = o->M;
    s.N = o->N;
    s.K = o->K;
    s.mt = o->mt;
    s.nt = o->nt;
    return s;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int check_outputs(const mpe_arch *ar, mpe_accel *acc, const mpe_pg *pg)
{
    const mpe_pg_job *j = &pg->jobs[0];
    size_t n = (size_t)j->rows * j->spec.N, bad = 0;
    uint32_t *e = malloc(n * sizeof *e), *g = malloc(n * sizeof *g);
    if (!e || !g || mpe_pg_expected(ar, j, 0, e) || mpe_pg_actual(acc, j, g))
        bad = n;
    for (size_t i = 0; !bad && i < n; i++)
        bad += e[i] != g[i];
    free(e);
    free(g);
    return bad ? -1 : 0;
}

static void print_row(const bench_mode *m, const mpe_accel_stats *st, const mpe_gemm_plan *pl,
                      int opc, double secs, int checked)
{
    printf("%-18s %3d %4ux%-4u %11llu %11llu %7.2f%% %10.1f %9.2f %8.2f %7.2f%s\n", m->name, opc,
           pl->mt, pl->nt, (unsigned long long)st->cycles, (unsigned long long)st->pe_busy,
           100.0 * mpe_accel_utilization(st), (double)st->macs / (double)st->cycles,
           (double)st->cycles / secs / 1e6, (double)st->macs / secs / 1e9, secs,
           checked ? "  ok" : "");
}

static void print_stalls(const mpe_accel_stats *st)
{
    printf("%18s stalls: ctrl queue %llu sync %llu | tokens load %llu compute %llu store %llu"
           " | port load %llu store %llu | drain %llu | beats r %llu w %llu\n", "",
           (unsigned long long)st->ctrl_stall_queue, (unsigned long long)st->ctrl_stall_sync,
           (unsigned long long)st->token_stall[1], (unsigned long long)st->token_stall[2],
           (unsigned long long)st->token_stall[3], (unsigned long long)st->port_stall[1],
           (unsigned long long)st->port_stall[3], (unsigned long long)st->drain_stall,
           (unsigned long long)st->beats_read, (unsigned long long)st->beats_written);
}

/* -o: the program with the C model's cycle count as its estimate (META
 * "estimated_cycles", mpe/progmeta.h), from which `mpe run` derives its
 * default cycle limit and the ETA of its progress line. */
static int save_program(mpe_program *p, uint64_t cycles, const char *path)
{
    char meta[512], err[512];
    const char *old = p->meta ? p->meta : "";
    size_t n = strlen(old);
    snprintf(meta, sizeof meta, "%s%sestimated_cycles %llu\n", old,
             n && old[n - 1] != '\n' ? "\n" : "", (unsigned long long)cycles);
    mpe_status st = mpe_program_set_meta(p, meta);
    if (st == MPE_OK)
        st = mpe_program_save(p, path, err, sizeof err);
    else
        snprintf(err, sizeof err, "%s", mpe_status_str(st));
    if (st != MPE_OK)
        fprintf(stderr, "mpe bench-accel: %s\n", err);
    return st == MPE_OK ? 0 : -1;
}

static int bench_one(const mpe_arch *ar, const bench_mode *m, const options *o)
{
    char err[512];
    mpe_gemm_spec spec = make_spec(m, o);
    mpe_gemm_plan pl;
    mpe_pg pg;
    if (mpe_gemm_plan_make(ar, &spec, &pl, err, sizeof err) != MPE_OK ||
        mpe_progen_gemm(ar, o->seed, &spec, &pg, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe bench-accel: %s: %s\n", m->name, err);
        return 1;
    }
    int rc = 0;
    mpe_accel *acc = NULL;
    mpe_status st = mpe_accel_create(ar, &acc);
    if (st == MPE_OK)
        st = mpe_accel_load_code(acc, pg.prog.code, pg.prog.ninsns);
    for (size_t i = 0; st == MPE_OK && i < pg.prog.ndata; i++)
        st = mpe_accel_mem_write(acc, pg.prog.data[i].addr, pg.prog.data[i].bytes,
                                 pg.prog.data[i].len);
    if (st == MPE_OK) {
        mpe_accel_set_pe_path(acc, o->structural ? MPE_PE_PATH_STRUCT : MPE_PE_PATH_FAST);
        double t0 = now();
        mpe_run_state rs = mpe_accel_run(acc, 0);
        double secs = now() - t0;
        const mpe_accel_stats *s = mpe_accel_stats_get(acc);
        if (rs != MPE_RUN_DONE) {
            fprintf(stderr, "mpe bench-accel: %s: %s\n", m->name, mpe_accel_trap(acc)->msg);
            rc = 1;
        } else if (o->check && check_outputs(ar, acc, &pg)) {
            fprintf(stderr, "mpe bench-accel: %s: outputs differ from the reference\n",
                    m->name);
            rc = 1;
        } else {
            print_row(m, s, &pl, mpe_pe_op_cycles(&spec.pe, 1, (int)ar->lut_ppc), secs, o->check);
            if (o->verbose)
                print_stalls(s);
            if (o->out && save_program(&pg.prog, s->cycles, o->out))
                rc = 1;
        }
    } else {
        fprintf(stderr, "mpe bench-accel: %s: %s\n", m->name, mpe_status_str(st));
        rc = 1;
    }
    mpe_accel_destroy(acc);
    mpe_pg_free(&pg);
    return rc;
}

static int parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-' || x > 0xFFFFFFFFul)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

static int parse_args(int argc, char **argv, options *o, const char **mode)
{
    uint32_t seed = 1, size = 512;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc, bad = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return usage(stdout, 0) + 1;
        if (!strcmp(a, "--check"))
            o->check = 1;
        else if (!strcmp(a, "-v"))
            o->verbose = 1;
        else if (tool_opt(a, "--mode", more))
            *mode = argv[++i];
        else if (tool_opt(a, "-o", more))
            o->out = argv[++i];
        else if (tool_opt(a, "--arch", more))
            o->arch = argv[++i];
        else if (tool_opt(a, "--pe-path", more))
            o->structural = !strcmp(argv[++i], "struct");
        else if (tool_opt(a, "--size", more)) {
            bad = parse_u32(argv[++i], &size);
            o->M = o->N = o->K = size;
        } else if (tool_opt(a, "--m", more))
            bad = parse_u32(argv[++i], &o->M);
        else if (tool_opt(a, "--n", more))
            bad = parse_u32(argv[++i], &o->N);
        else if (tool_opt(a, "--k", more))
            bad = parse_u32(argv[++i], &o->K);
        else if (tool_opt(a, "--mt", more))
            bad = parse_u32(argv[++i], &o->mt);
        else if (tool_opt(a, "--nt", more))
            bad = parse_u32(argv[++i], &o->nt);
        else if (tool_opt(a, "--seed", more))
            bad = parse_u32(argv[++i], &seed);
        else
            return usage(stderr, 2);
        if (bad) {
            fprintf(stderr, "mpe bench-accel: bad number '%s'\n", argv[i]);
            return 2;
        }
    }
    o->seed = seed;
    return 0;
}

int cmd_bench_accel(int argc, char **argv)
{
    options o = {512, 512, 512, 0, 0, 1, NULL, NULL, 0, 0, 0};
    const char *mode = "all";
    int rc = parse_args(argc, argv, &o, &mode);
    if (rc)
        return rc == 1 ? 0 : rc;
    mpe_arch ar;
    char err[512];
    mpe_arch_default(&ar);
    if (o.arch && mpe_arch_load(o.arch, &ar, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe bench-accel: %s\n", err);
        return 1;
    }
    int all = !strcmp(mode, "all"), found = 0;
    if (all && o.out) {
        fprintf(stderr, "mpe bench-accel: -o needs one --mode\n");
        return 2;
    }
    print_machine();
    printf("GEMM %ux%ux%u, arch %ux%u PEs x %u lanes, beat %u B, latency %u; C model %s path\n",
           o.M, o.N, o.K, ar.rows, ar.cols, ar.lanes, ar.beat_bytes, ar.mem_latency,
           o.structural ? "structural" : "fast");
    printf("%-18s %3s %9s %11s %11s %8s %10s %9s %8s %7s\n", "mode", "cyc", "block",
           "cycles", "pe_busy", "util", "MAC/cycle", "Mcycle/s", "GMAC/s", "wall s");
    for (size_t i = 0; i < NMODES; i++) {
        if (!all && strcmp(mode, modes[i].name))
            continue;
        found = 1;
        rc |= bench_one(&ar, &modes[i], &o);
    }
    if (!found) {
        fprintf(stderr, "mpe bench-accel: unknown mode '%s' (see --help)\n", mode);
        return 2;
    }
    return rc;
}
