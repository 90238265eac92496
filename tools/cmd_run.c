/* mpe run: runs a .mpeb binary on a backend (the C model, or the RTL once
 * it is built): places the inputs, runs, extracts the outputs as .npy,
 * prints the statistics. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mpe/outfile.h"
#include "mpe/accel.h"
#include "mpe/asm.h"
#include "mpe/backend.h"
#include "mpe/backend_rtl.h"
#include "mpe/binary.h"
#include "mpe/npy.h"
#include "mpe/outstage.h"
#include "mpe/progmeta.h"
#include "mpe/tensorio.h"
#include "run_profile.h"
#include "run_util.h"
#include "tool_io.h"

#define MAX_INPUTS 64
#define SHOW_VALUES 6 /* values of each output printed without --output-dir */

/* Backends by name; rtl runs the Verilated top (mpe/backend_rtl.h). */
static const struct {
    const char *name;
    const mpe_backend *be;
} backends[] = {
    {"cmodel", &mpe_backend_cmodel},
    {"rtl", &mpe_backend_rtl},
};

typedef struct {
    const char *prog, *outdir, *trace, *arch, *backend, *fst;
    const char *in_name[MAX_INPUTS], *in_file[MAX_INPUTS];
    int nin;
    uint64_t max_cycles; /* 0: the default limit (run_util.h) */
    int structural, quiet, progress, profile;
} options;

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe run PROG.mpeb [--backend cmodel|rtl] [--input NAME=FILE.npy]...\n"
               "               [--output-dir DIR] [--trace FILE] [--max-cycles N]\n"
               "               [--arch CONFIG] [--pe-path fast|struct] [--quiet]\n"
               "               [--progress] [--profile] [--fst FILE] [-h|--help]\n");
    if (rc)
        return rc;
    fprintf(f,
            "Loads and validates PROG.mpeb, places every input tensor in memory as its\n"
            "descriptor says (float inputs with a scale are quantized as ONNX\n"
            "QuantizeLinear; NaN or infinity there is an error), runs until halt, and\n"
            "writes each output tensor to DIR/NAME.npy (without --output-dir: prints\n"
            "each output's type, shape and first values). Prints the cycle count,\n"
            "PE-array utilization, MACs and the committed instructions per class.\n"
            "  --backend      cmodel (default; cycle-exact C model) or rtl\n"
            "  --input N=F    the value of input tensor N (.npy); every input is needed\n"
            "  --output-dir   write the outputs there as NAME.npy\n"
            "  --trace FILE   one line per committed instruction: cycle unit pc text\n"
            "  --max-cycles   stop with an error after N cycles (default: %d x the\n"
            "                 binary's cycle estimate + %llu; %llu for a binary\n"
            "                 without an estimate, such as hand-written assembler)\n"
            "  --arch CONFIG  require the binary to be built for this configuration\n"
            "  --pe-path      C model PE evaluation (results are identical)\n"
            "  --quiet        no statistics and no output summary\n"
            "  --progress     progress on stderr (cycles, cycles/s, estimate, ETA) even\n"
            "                 when stderr is not a terminal (on a terminal it is shown\n"
            "                 anyway); MPE_PROGRESS_INTERVAL=SECONDS sets its rate\n"
            "  --profile      cycles and PE utilization per layer (the layers of\n"
            "                 mpe compile --report)\n"
            "  --fst FILE     with --backend rtl: write an FST waveform of the run\n"
            "Exit status: 0 done, 1 failure (trap, cycle limit, bad input), 2 usage,\n"
            "3 backend not available (docs/cli.md).\n",
            RUN_LIMIT_FACTOR, RUN_LIMIT_SLACK, RUN_LIMIT_NO_ESTIMATE);
    return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

static int add_input(options *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        fprintf(stderr, "mpe run: --input needs NAME=FILE.npy, got '%s'\n", arg);
        return -1;
    }
    if (o->nin == MAX_INPUTS) {
        fprintf(stderr, "mpe run: more than %d inputs\n", MAX_INPUTS);
        return -1;
    }
    size_t n = (size_t)(eq - arg);
    char *name = malloc(n + 1);
    if (!name)
        return -1;
    memcpy(name, arg, n);
    name[n] = 0;
    for (int i = 0; i < o->nin; i++)
        if (!strcmp(o->in_name[i], name)) {
            fprintf(stderr, "mpe run: input '%s' given twice\n", name);
            free(name);
            return -1;
        }
    o->in_name[o->nin] = name;
    o->in_file[o->nin++] = eq + 1;
    return 0;
}

static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->backend = "cmodel";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return usage(stdout, 0) + 1;
        if (!strcmp(a, "--quiet"))
            o->quiet = 1;
        else if (!strcmp(a, "--progress"))
            o->progress = 1;
        else if (!strcmp(a, "--profile"))
            o->profile = 1;
        else if (tool_opt(a, "--fst", more))
            o->fst = argv[++i];
        else if (tool_opt(a, "--backend", more))
            o->backend = argv[++i];
        else if (tool_opt(a, "--input", more)) {
            if (add_input(o, argv[++i]))
                return 2;
        } else if (tool_opt(a, "--output-dir", more))
            o->outdir = argv[++i];
        else if (tool_opt(a, "--trace", more))
            o->trace = argv[++i];
        else if (tool_opt(a, "--arch", more))
            o->arch = argv[++i];
        else if (tool_opt(a, "--max-cycles", more)) {
            if (parse_u64(argv[++i], &o->max_cycles) || !o->max_cycles) {
                fprintf(stderr, "mpe run: bad --max-cycles '%s'\n", argv[i]);
                return 2;
            }
        } else if (tool_opt(a, "--pe-path", more)) {
            const char *p = argv[++i];
            if (strcmp(p, "fast") && strcmp(p, "struct")) {
                fprintf(stderr, "mpe run: --pe-path is fast or struct, not '%s'\n", p);
                return 2;
            }
            o->structural = !strcmp(p, "struct");
        } else if (a[0] == '-' || o->prog)
            return usage(stderr, 2);
        else
            o->prog = a;
    }
    return o->prog ? 0 : usage(stderr, 2);
}

/* ---- the run ---------------------------------------------------------------- */

typedef struct {
    const mpe_backend *be;
    void *ctx;
    FILE *trace;
    run_profile *profile; /* --profile, else NULL */
    run_limit limit;
} sim;

static void on_commit(void *user, const mpe_commit *c)
{
    sim *s = user;
    if (s->profile)
        run_profile_commit(s->profile, c);
    if (!s->trace)
        return;
    char text[256];
    mpe_insn_format(c->insn, NULL, text, sizeof text);
    fprintf(s->trace, "%llu %s %u %s\n", (unsigned long long)c->cycle, mpe_unit_name(c->unit & 3),
            c->pc, text);
}

static const mpe_tdesc *find_tensor(const mpe_program *p, const char *name, int role)
{
    for (size_t i = 0; i < p->ntensors; i++)
        if (!strcmp(p->tensors[i].name, name) && p->tensors[i].role == role)
            return &p->tensors[i];
    return NULL;
}

/* Stored as integer codes (the float host values are quantized)? */
static int stored_as_int(const mpe_tdesc *d)
{
    return d->elem == MPE_ELEM_OUT ? !mpe_out_is_float(d->out) : d->dt.kind != MPE_DT_FP;
}

/* NaN or infinity has no integer code: QuantizeLinear would silently make
 * it the zero point or the range's end. */
static int check_finite(const mpe_tdesc *d, const mpe_tensor *t, const char *file)
{
    if (!stored_as_int(d) || (t->dtype != MPE_T_FLOAT && t->dtype != MPE_T_FLOAT16 &&
                              t->dtype != MPE_T_DOUBLE && t->dtype != MPE_T_BFLOAT16))
        return 0;
    for (size_t i = 0; i < t->count; i++) {
        double v = mpe_tensor_get_f64(t, i);
        if (!isfinite(v)) {
            fprintf(stderr, "mpe run: %s: element %zu of input '%s' is %s; the input is "
                    "quantized to %s, which holds finite values only\n", file, i, d->name,
                    isnan(v) ? "NaN" : "infinite",
                    d->elem == MPE_ELEM_OUT ? mpe_out_name(d->out) : mpe_dt_name(d->dt));
            return -1;
        }
    }
    return 0;
}

static int place_input(const sim *s, const mpe_tdesc *d, const char *file)
{
    char err[512];
    mpe_tensor t;
    if (mpe_npy_load(file, &t, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe run: %s\n", err);
        return -1;
    }
    if (check_finite(d, &t, file)) {
        mpe_tensor_free(&t);
        return -1;
    }
    uint8_t *bytes;
    size_t len;
    mpe_status st = mpe_tdesc_encode(d, &t, &bytes, &len, err, sizeof err);
    mpe_tensor_free(&t);
    if (st != MPE_OK) {
        fprintf(stderr, "mpe run: %s: %s\n", file, err);
        return -1;
    }
    st = s->be->mem_write(s->ctx, d->addr, bytes, len);
    free(bytes);
    return st == MPE_OK ? 0 : -1;
}

/* "a, b, c" (at most len bytes) */
static void input_names(const mpe_program *p, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t k = 0; k < p->ntensors && n < len; k++)
        if (p->tensors[k].role == MPE_ROLE_INPUT)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", p->tensors[k].name);
}

static int place_inputs(const sim *s, const mpe_program *p, const options *o)
{
    for (int i = 0; i < o->nin; i++)
        if (!find_tensor(p, o->in_name[i], MPE_ROLE_INPUT)) {
            char names[1024];
            input_names(p, names, sizeof names);
            fprintf(stderr, "mpe run: %s has no input tensor '%s' (%s%s)\n", o->prog,
                    o->in_name[i], names[0] ? "its inputs: " : "it has no inputs", names);
            return -1;
        }
    for (size_t k = 0; k < p->ntensors; k++) {
        const mpe_tdesc *d = &p->tensors[k];
        if (d->role != MPE_ROLE_INPUT)
            continue;
        int i = 0;
        while (i < o->nin && strcmp(o->in_name[i], d->name))
            i++;
        if (i == o->nin) {
            fprintf(stderr, "mpe run: input '%s' not given (--input %s=FILE.npy)\n", d->name,
                    d->name);
            return -1;
        }
        if (place_input(s, d, o->in_file[i]))
            return -1;
    }
    return 0;
}

/* "output NAME: TYPE SHAPE [first values]" (no --output-dir). */
static void show_output(const mpe_tdesc *d, const mpe_tensor *t)
{
    printf("output %s: %s ", d->name, mpe_ttype_name(t->dtype));
    for (int i = 0; i < t->ndim; i++)
        printf("%s%lld", i ? "x" : "", (long long)t->dims[i]);
    if (!t->ndim)
        printf("scalar");
    printf(" [");
    for (size_t i = 0; i < t->count && i < SHOW_VALUES; i++)
        printf("%s%g", i ? ", " : "", mpe_tensor_get_f64(t, i));
    printf("%s]\n", t->count > SHOW_VALUES ? ", ..." : "");
}

static int write_outputs(const sim *s, const mpe_program *p, const options *o)
{
    if (o->outdir && tool_make_dir("mpe run", o->outdir))
        return -1;
    int shown = 0;
    for (size_t k = 0; k < p->ntensors; k++) {
        const mpe_tdesc *d = &p->tensors[k];
        if (d->role != MPE_ROLE_OUTPUT || (!o->outdir && o->quiet))
            continue;
        uint64_t nb;
        char err[512], path[4096];
        if (mpe_tdesc_bytes(d, &nb) != MPE_OK)
            return -1;
        uint8_t *bytes = malloc(nb ? nb : 1);
        mpe_tensor t;
        mpe_status st = bytes ? s->be->mem_read(s->ctx, d->addr, bytes, nb) : MPE_ERR_NOMEM;
        if (st == MPE_OK)
            st = mpe_tdesc_decode(d, bytes, nb, &t, err, sizeof err);
        else
            snprintf(err, sizeof err, "%s", mpe_status_str(st));
        free(bytes);
        if (st == MPE_OK && !o->outdir) {
            show_output(d, &t);
            mpe_tensor_free(&t);
            shown = 1;
        } else if (st == MPE_OK) {
            snprintf(path, sizeof path, "%s/%s.npy", o->outdir, d->name);
            st = mpe_npy_save(path, &t, err, sizeof err);
            mpe_tensor_free(&t);
        }
        if (st != MPE_OK) {
            fprintf(stderr, "mpe run: output '%s': %s\n", d->name, err);
            return -1;
        }
    }
    if (shown)
        printf("(outputs not saved: --output-dir DIR writes them as DIR/NAME.npy)\n");
    return 0;
}

static void print_stats(const mpe_accel_stats *st, const mpe_arch *a)
{
    printf("cycles        %llu\n", (unsigned long long)st->cycles);
    printf("pe_busy       %llu\n", (unsigned long long)st->pe_busy);
    printf("utilization   %.2f%%\n", 100.0 * mpe_accel_utilization(st));
    printf("macs          %llu (peak %u per PE-op cycle)\n", (unsigned long long)st->macs,
           a->rows * a->cols * a->lanes);
    printf("instructions ");
    for (int i = 0; i < MPE_I_COUNT; i++)
        if (st->insns[i])
            printf(" %s=%llu", mpe_insn_table[i].mnemonic, (unsigned long long)st->insns[i]);
    printf("\nstalls        controller queue=%llu sync=%llu; tokens load=%llu compute=%llu "
           "store=%llu; port load=%llu store=%llu; drain=%llu\n",
           (unsigned long long)st->ctrl_stall_queue, (unsigned long long)st->ctrl_stall_sync,
           (unsigned long long)st->token_stall[1], (unsigned long long)st->token_stall[2],
           (unsigned long long)st->token_stall[3], (unsigned long long)st->port_stall[1],
           (unsigned long long)st->port_stall[3], (unsigned long long)st->drain_stall);
}

static int finish(const sim *s, mpe_run_state rs, const mpe_program *p, const options *o)
{
    const mpe_accel_stats *st = s->be->stats(s->ctx);
    if (rs == MPE_RUN_TRAP) {
        fprintf(stderr, "mpe run: trap (%s) in cycle %llu: %s\n",
                mpe_trap_name(s->be->trap(s->ctx)->cause),
                (unsigned long long)s->be->trap(s->ctx)->cycle, s->be->trap(s->ctx)->msg);
        return 1;
    }
    if (rs != MPE_RUN_DONE) {
        char msg[300];
        run_limit_message(&s->limit, msg, sizeof msg);
        fprintf(stderr, "mpe run: %s\n", msg);
        return 1;
    }
    if (write_outputs(s, p, o))
        return 1;
    if (!o->quiet)
        print_stats(st, &p->arch);
    if (s->profile)
        run_profile_print(s->profile, st, stdout);
    return 0;
}

/* The run, with the progress line when wanted. */
static mpe_run_state simulate(const sim *s, const options *o)
{
    run_progress pg;
    int show = run_progress_start(&pg, o->progress, "mpe run", s->limit.estimate);
    mpe_run_state rs =
        s->be->run_progress(s->ctx, s->limit.cycles, show ? run_progress_update : NULL, &pg);
    run_progress_end(&pg);
    return rs;
}

/* Backend options beyond the common table: --pe-path, --fst. */
static int configure(const sim *s, const options *o)
{
    if (s->be == &mpe_backend_cmodel)
        mpe_accel_set_pe_path(s->ctx, o->structural ? MPE_PE_PATH_STRUCT : MPE_PE_PATH_FAST);
    if (o->fst && mpe_backend_rtl_set_fst(s->ctx, o->fst) != MPE_OK) {
        fprintf(stderr, "mpe run: --fst: path too long\n");
        return -1;
    }
    return 0;
}

static int run_program(const mpe_backend *be, const mpe_program *p, const options *o)
{
    char err[512];
    run_profile prof;
    sim s = {be, NULL, NULL, o->profile ? &prof : NULL, {0, 0, 0}};
    mpe_status cs = be->create(&p->arch, &s.ctx, err, sizeof err);
    if (cs != MPE_OK) {
        fprintf(stderr, "mpe run: %s\n", err);
        return cs == MPE_ERR_UNSUPPORTED ? MPE_EXIT_NO_BACKEND : 1;
    }
    run_limit_init(&s.limit, o->max_cycles, mpe_meta_estimate(p));
    int bad = configure(&s, o);
    if (!bad && s.profile && run_profile_init(s.profile, p)) {
        fprintf(stderr, "mpe run: out of memory\n");
        bad = 1;
    }
    if (bad) {
        be->destroy(s.ctx);
        return 1;
    }
    int rc = 1;
    mpe_status st = be->load_code(s.ctx, p->code, p->ninsns);
    for (size_t i = 0; st == MPE_OK && i < p->ndata; i++)
        st = be->mem_write(s.ctx, p->data[i].addr, p->data[i].bytes, p->data[i].len);
    if (st != MPE_OK)
        fprintf(stderr, "mpe run: cannot load %s: %s\n", o->prog, mpe_status_str(st));
    else if (!place_inputs(&s, p, o)) {
        mpe_outfile tf = {0};
        char err[600];
        if (o->trace && mpe_out_open(&tf, o->trace, err, sizeof err) != MPE_OK)
            fprintf(stderr, "mpe run: %s\n", err);
        else {
            s.trace = tf.f;
            if (s.trace || s.profile)
                be->set_trace(s.ctx, on_commit, &s);
            rc = finish(&s, simulate(&s, o), p, o);
            if (s.trace && mpe_out_close(&tf, err, sizeof err) != MPE_OK) {
                fprintf(stderr, "mpe run: %s\n", err);
                rc = 1;
            }
        }
    }
    be->destroy(s.ctx);
    if (s.profile)
        run_profile_free(s.profile);
    return rc;
}

static const mpe_backend *find_backend(const char *name)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        if (strcmp(backends[i].name, name))
            continue;
        if (!backends[i].be)
            fprintf(stderr, "mpe run: RTL backend not built yet (--backend %s)\n", name);
        return backends[i].be;
    }
    fprintf(stderr, "mpe run: unknown backend '%s' (cmodel, rtl)\n", name);
    return NULL;
}

static void free_inputs(options *o)
{
    for (int i = 0; i < o->nin; i++)
        free((char *)o->in_name[i]);
    o->nin = 0;
}

int cmd_run(int argc, char **argv)
{
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc) {
        free_inputs(&o);
        return rc == 1 ? 0 : rc;
    }
    const mpe_backend *be = find_backend(o.backend);
    mpe_program p;
    char err[512];
    rc = 1;
    if (!be || (o.fst && be != &mpe_backend_rtl)) {
        if (be)
            fprintf(stderr, "mpe run: --fst needs --backend rtl (the C model has no waveforms)\n");
        rc = MPE_EXIT_USAGE;
        goto out;
    }
    if (mpe_program_load(o.prog, &p, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe run: %s\n", err);
        goto out;
    }
    mpe_arch want;
    if (o.arch && (mpe_arch_load(o.arch, &want, err, sizeof err) != MPE_OK ||
                   mpe_program_check_arch(&p, &want, err, sizeof err) != MPE_OK))
        fprintf(stderr, "mpe run: %s\n", err);
    else
        rc = run_program(be, &p, &o);
    mpe_program_free(&p);
out:
    free_inputs(&o);
    return rc;
}
