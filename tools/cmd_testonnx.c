/* mpe test-onnx: compiles DIR/model.onnx and runs every DIR/test_data_set_N
 * on a backend, comparing with the expected outputs (the ONNX backend test
 * layout: input_K.pb, output_K.pb TensorProto files). Graph inputs that are
 * not activations (weights, scales, zero points fed as inputs, as in the
 * ONNX node tests) are bound at compile time, so each data set is compiled. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "tool_io.h"
#include "compile.h"
#include "mpe/exec.h"
#include "mpe/arch.h"
#include "mpe/pe.h"
#include "mpe/progmeta.h"
#include "onnx_tensor.h"
#include "run_util.h"

#define MAX_IO 32
#define RTOL 1e-3
#define ATOL 1e-5

typedef struct {
    const char *dir;
    const char *arch;
    int mode;
    int verbose;
    int fp16_scales; /* mpe compile --fp16-scales */
    int summary; /* per-layer table for the first data set */
    int progress; /* --progress */
    const char *set; /* the data set being run */
    uint64_t max_cycles; /* --max-cycles, 0: the default (run_util.h) */
    const mpe_backend *be;
} topts;

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe test-onnx DIR [--backend cmodel|rtl] [--arch CONFIG] [--mode M]\n"
               "       [--summary] [--fp16-scales] [--max-cycles N] [--progress] [-v]\n"
               "       [-h|--help]\n");
    if (rc)
        return rc;
    fprintf(f, "\nCompiles DIR/model.onnx, runs each DIR/test_data_set_*/ (input_*.pb) on the\n"
               "backend and compares with output_*.pb: integer outputs bit for bit, float\n"
               "outputs within |d| <= %g + %g |expected|. Prints one line per data set\n"
               "with the largest difference; exits non-zero on any failure. --summary\n"
               "prints, for the first data set, each layer's mode, weights and cycles.\n"
               "--mode M and --fp16-scales are passed to the compiler (mpe compile --help);\n"
               "-v prints the compiler's notes on stderr. A run stops with a FAIL after\n"
               "--max-cycles N cycles (default %d x the compiler's estimate + %llu).\n"
               "--progress shows the run's progress on stderr (cycles, cycles/s, estimate,\n"
               "ETA) also when stderr is not a terminal (on a terminal it is shown anyway;\n"
               "MPE_PROGRESS_INTERVAL=SECONDS sets its rate).\n"
               "Exit status: 0 all pass, 1 a failure, 2 usage, 3 backend not available\n"
               "(docs/cli.md).\n",
               ATOL, RTOL, RUN_LIMIT_FACTOR, RUN_LIMIT_SLACK);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

/* Sorted test_data_set_* directory names (malloc'ed). */
static int list_sets(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    int n = 0;
    *out = NULL;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "test_data_set_", 14))
            continue;
        char **nv = realloc(*out, (size_t)(n + 1) * sizeof *nv);
        if (!nv)
            break;
        *out = nv;
        (*out)[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(*out, (size_t)n, sizeof **out, cmp_name);
    return n;
}

typedef struct {
    mpe_tensor in[MAX_IO], out[MAX_IO];
    int nin, nout;
} dataset;

static void free_set(dataset *s)
{
    for (int i = 0; i < s->nin; i++)
        mpe_tensor_free(&s->in[i]);
    for (int i = 0; i < s->nout; i++)
        mpe_tensor_free(&s->out[i]);
}

static int load_set(const char *path, const mpe_model_io *io, dataset *s, char *err, size_t len)
{
    memset(s, 0, sizeof *s);
    char f[8300];
    if (io->nin > MAX_IO || io->nout > MAX_IO) {
        snprintf(err, len, "too many inputs or outputs");
        return -1;
    }
    for (int i = 0; i < io->nin; i++, s->nin++) {
        snprintf(f, sizeof f, "%s/input_%d.pb", path, i);
        if (mpe_tensor_load_pb(f, &s->in[i], NULL, 0, err, len))
            return -1;
    }
    for (int i = 0; i < io->nout; i++, s->nout++) {
        snprintf(f, sizeof f, "%s/output_%d.pb", path, i);
        if (mpe_tensor_load_pb(f, &s->out[i], NULL, 0, err, len))
            return -1;
    }
    return 0;
}

static int is_float(int dt)
{
    return dt == MPE_T_FLOAT || dt == MPE_T_FLOAT16 || dt == MPE_T_DOUBLE || dt == MPE_T_BFLOAT16;
}

/* Largest difference; -1 on a type or size mismatch, else 0 ok / 1 fail. */
static int compare(const mpe_tensor *got, const mpe_tensor *want, double *maxd)
{
    *maxd = 0;
    if (got->dtype != want->dtype || got->count != want->count)
        return -1;
    int bad = 0;
    for (size_t i = 0; i < want->count; i++) {
        double g = mpe_tensor_get_f64(got, i), w = mpe_tensor_get_f64(want, i);
        double d = fabs(g - w);
        if (isnan(g) != isnan(w))
            d = INFINITY;
        if (isnan(g) && isnan(w))
            d = 0;
        *maxd = d > *maxd ? d : *maxd;
        bad |= is_float(want->dtype) ? !(d <= ATOL + RTOL * fabs(w)) : d != 0;
    }
    return bad;
}

/* Output tensor index (descriptor order) of model output `name`. */
static int out_index(const mpe_program *p, const char *name)
{
    char want[MPE_TDESC_NAME_MAX + 1];
    mpe_tdesc_name(name, 0, want);
    for (size_t i = 0, k = 0; i < p->ntensors; i++) {
        if (p->tensors[i].role != MPE_ROLE_OUTPUT)
            continue;
        if (!strcmp(p->tensors[i].name, want))
            return (int)k;
        k++;
    }
    return -1;
}

static int check_outputs(const mpe_program *p, const mpe_model_io *io, const dataset *s,
                         const mpe_tensor *got, char *msg, size_t len)
{
    double worst = 0;
    int rc = 0;
    for (int i = 0; i < io->nout; i++) {
        int k = out_index(p, io->out[i]);
        double d = 0;
        int r = k < 0 ? -1 : compare(&got[k], &s->out[i], &d);
        if (r < 0) {
            snprintf(msg, len, "output '%s': type or size differs", io->out[i]);
            return 1;
        }
        worst = d > worst ? d : worst;
        rc |= r;
    }
    snprintf(msg, len, "max |diff| %g%s", worst, worst == 0 ? " (bit exact)" : "");
    return rc;
}

static int count_outputs(const mpe_program *p)
{
    int n = 0;
    for (size_t i = 0; i < p->ntensors; i++)
        n += p->tensors[i].role == MPE_ROLE_OUTPUT;
    return n;
}

/* Per layer: shape, effective weights, mode, measured cycles (from the
 * commit trace: a layer ends with its last completed instruction). */
static void print_summary(const comp *c, const mpe_exec_stats *st)
{
    printf("  %-3s %-14s %-12s %-15s %-22s %-10s %9s %9s %6s\n", "#", "layer", "op",
           "M x N x K", "weights", "mode", "cycles", "estimate", "PE%");
    uint64_t prev = 0;
    for (int i = 0; i < st->nlayers; i++) {
        mpe_comp_layer L;
        mpe_comp_layer_info(c, i, &L);
        char shape[48], w[48];
        snprintf(shape, sizeof shape, "%lldx%lldx%lld", L.M, L.N, L.K);
        snprintf(w, sizeof w, "%s [%d,%d]", L.wtype, L.wlo, L.whi);
        uint64_t cyc = st->layer_end[i] + 1 - prev;
        prev = st->layer_end[i] + 1;
        printf("  %-3d %-14.14s %-12.12s %-15s %-22s %-10s %9llu %9llu %5.1f%%\n", i, L.name, L.op,
               shape, w, L.mode, (unsigned long long)cyc, L.est_cycles,
               cyc ? 100.0 * (double)L.pe_cycles / (double)cyc : 0);
    }
}

/* mpe_exec with the progress line when wanted (prefix: the data set). */
static int exec_progress(const topts *o, const mpe_program *p, const mpe_exec_io *x, int nx,
                         mpe_tensor *got, mpe_exec_stats *st, char *err, size_t len)
{
    run_progress pg;
    char prefix[300];
    snprintf(prefix, sizeof prefix, "mpe test-onnx: %s", o->set);
    if (run_progress_start(&pg, o->progress, prefix, mpe_meta_estimate(p))) {
        st->progress = run_progress_update;
        st->progress_user = &pg;
    }
    int rc = mpe_exec(o->be, p, x, nx, got, st, err, len);
    run_progress_end(&pg);
    st->progress = NULL;
    return rc;
}

/* Compiles with the non-activation inputs bound, runs, compares. */
static int run_set(const topts *o, const mpe_model_io *io, dataset *s, char *msg, size_t len,
                   mpe_exec_stats *st)
{
    char model[4096];
    snprintf(model, sizeof model, "%s/model.onnx", o->dir);
    mpe_comp_bind b[MAX_IO];
    mpe_exec_io x[MAX_IO];
    int nb = 0, nx = 0;
    for (int i = 0; i < io->nin; i++) {
        if (io->data[i])
            x[nx++] = (mpe_exec_io){io->in[i], &s->in[i]};
        else
            b[nb++] = (mpe_comp_bind){io->in[i], &s->in[i]};
    }
    mpe_comp_opts co = {0};
    co.model_path = model;
    co.arch_path = o->arch;
    co.mode = o->mode;
    co.fp16_scales = o->fp16_scales;
    co.bind = b;
    co.nbind = nb;
    co.verbose = o->verbose;
    comp *c = mpe_comp_new(&co);
    if (!c || mpe_comp_run(c)) {
        snprintf(msg, len, "compile error: %s", c ? mpe_comp_error(c) : "out of memory");
        mpe_comp_free(c);
        return 1;
    }
    const mpe_program *p = mpe_comp_program(c);
    mpe_tensor got[MAX_IO];
    memset(got, 0, sizeof got);
    int n = count_outputs(p), rc = 1;
    char err[512];
    uint64_t ends[256];
    int ran = 0;
    if (o->summary && mpe_comp_nlayers(c) <= 256) {
        st->pc_layer = mpe_comp_insn_layers(c, &st->npc);
        st->nlayers = mpe_comp_nlayers(c);
        st->layer_end = ends;
    }
    run_limit lim;
    run_limit_init(&lim, o->max_cycles, mpe_meta_estimate(p));
    st->max_cycles = lim.cycles;
    if (n > MAX_IO)
        snprintf(msg, len, "too many outputs");
    else if (exec_progress(o, p, x, nx, got, st, err, sizeof err)) {
        if (st->limited)
            run_limit_message(&lim, err, sizeof err);
        snprintf(msg, len, "run error: %s", err);
    } else {
        rc = check_outputs(p, io, s, got, msg, len);
        ran = 1;
    }
    if (st->layer_end && ran)
        print_summary(c, st);
    st->layer_end = NULL;
    for (int i = 0; i < n && i < MAX_IO; i++)
        mpe_tensor_free(&got[i]);
    mpe_comp_free(c);
    return rc;
}

static int test_dir(topts *o)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/model.onnx", o->dir);
    mpe_model_io io;
    if (mpe_model_io_read(path, &io, err, sizeof err)) {
        fprintf(stderr, "mpe test-onnx: %s\n", err);
        return 1;
    }
    char **sets;
    int n = list_sets(o->dir, &sets), fails = 0;
    if (n <= 0)
        fprintf(stderr, "mpe test-onnx: %s: no test_data_set_* directories\n", o->dir);
    for (int i = 0; i < n; i++) {
        dataset s;
        char msg[600];
        mpe_exec_stats st;
        memset(&st, 0, sizeof st);
        snprintf(path, sizeof path, "%s/%s", o->dir, sets[i]);
        o->set = path;
        int r = load_set(path, &io, &s, msg, sizeof msg) ? 1 : run_set(o, &io, &s, msg, sizeof msg, &st);
        printf("%s: %s  %s", path, r ? "FAIL" : "pass", msg);
        if (st.cycles)
            printf("  [%s %llu cycles, PE utilization %.1f%%]", o->be->name,
                   (unsigned long long)st.cycles, 100 * st.utilization);
        printf("\n");
        o->summary = 0;
        fails += r != 0;
        free_set(&s);
        free(sets[i]);
    }
    free(sets);
    mpe_model_io_free(&io);
    return n <= 0 || fails ? 1 : 0;
}

/* A cycle count >= 1. */
static int parse_cycles(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-' || !x)
        return -1;
    *v = x;
    return 0;
}

int cmd_testonnx(int argc, char **argv)
{
    topts o = {0};
    o.mode = -1;
    const char *backend = "cmodel";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return usage(stdout, 0);
        if (!strcmp(a, "-v"))
            o.verbose = 1;
        else if (!strcmp(a, "--summary"))
            o.summary = 1;
        else if (!strcmp(a, "--fp16-scales"))
            o.fp16_scales = 1;
        else if (!strcmp(a, "--progress"))
            o.progress = 1;
        else if (tool_opt(a, "--max-cycles", more)) {
            if (parse_cycles(argv[++i], &o.max_cycles)) {
                fprintf(stderr, "mpe test-onnx: bad --max-cycles '%s'\n", argv[i]);
                return MPE_EXIT_USAGE;
            }
        }
        else if (tool_opt(a, "--backend", more))
            backend = argv[++i];
        else if (tool_opt(a, "--arch", more))
            o.arch = argv[++i];
        else if (tool_opt(a, "--mode", more)) {
            mpe_mode m;
            const char *s = argv[++i];
            if (strcmp(s, "auto") && mpe_mode_parse(s, &m)) {
                fprintf(stderr, "mpe test-onnx: unknown mode '%s'\n", s);
                return 2;
            }
            o.mode = strcmp(s, "auto") ? (int)m : -1;
        } else if (a[0] != '-' && !o.dir)
            o.dir = a;
        else {
            fprintf(stderr, "mpe test-onnx: unexpected argument '%s'\n", a);
            return 2;
        }
    }
    if (!o.dir)
        return usage(stderr, 2);
    mpe_arch arch;
    char err[600];
    mpe_arch_default(&arch);
    if (o.arch && mpe_arch_load(o.arch, &arch, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe test-onnx: %s\n", err);
        return 2;
    }
    o.be = mpe_exec_backend(backend, &arch, err, sizeof err);
    if (!o.be) {
        int known = !strcmp(backend, "rtl") || !strcmp(backend, "cmodel");
        fprintf(stderr, "mpe test-onnx: %s%s\n", known ? "backend not available: " : "", err);
        return known ? MPE_EXIT_NO_BACKEND : MPE_EXIT_USAGE;
    }
    return test_dir(&o);
}
