/* mpe run: runs a .mpeb binary on a backend (the C model, or the RTL once
 * it is built): places the inputs, runs, extracts the outputs as .npy,
 * prints the statistics. */
#include <errno.h>
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
#include "mpe/tensorio.h"
#include "tool_io.h"

#define MAX_INPUTS 64
#define DEFAULT_MAX_CYCLES 1000000000ull

/* Backends by name; rtl runs the Verilated top (mpe/backend_rtl.h). */
static const struct {
    const char *name;
    const mpe_backend *be;
} backends[] = {
    {"cmodel", &mpe_backend_cmodel},
    {"rtl", &mpe_backend_rtl},
};

typedef struct {
    const char *prog, *outdir, *trace, *arch, *backend;
    const char *in_name[MAX_INPUTS], *in_file[MAX_INPUTS];
    int nin;
    uint64_t max_cycles;
    int structural, quiet;
} options;

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe run PROG.mpeb [--backend cmodel|rtl] [--input NAME=FILE.npy]...\n"
               "               [--output-dir DIR] [--trace FILE] [--max-cycles N]\n"
               "               [--arch CONFIG] [--pe-path fast|struct] [--quiet]\n");
    if (rc)
        return rc;
    fprintf(f,
            "Loads and validates PROG.mpeb, places every input tensor in memory as its\n"
            "descriptor says (float inputs with a scale are quantized as ONNX\n"
            "QuantizeLinear), runs until halt, and writes each output tensor to\n"
            "DIR/NAME.npy. Prints the cycle count, PE-array utilization, MACs and the\n"
            "committed instructions per class.\n"
            "  --backend      cmodel (default; cycle-exact C model) or rtl\n"
            "  --trace FILE   one line per committed instruction: cycle unit pc text\n"
            "  --max-cycles   stop with an error after N cycles (default %llu)\n"
            "  --arch CONFIG  require the binary to be built for this configuration\n"
            "  --pe-path      C model PE evaluation (results are identical)\n",
            DEFAULT_MAX_CYCLES);
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
    o->max_cycles = DEFAULT_MAX_CYCLES;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return usage(stdout, 0) + 1;
        if (!strcmp(a, "--quiet"))
            o->quiet = 1;
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
} sim;

static void on_commit(void *user, const mpe_commit *c)
{
    static const char *units[4] = {"ctrl", "load", "compute", "store"};
    sim *s = user;
    char text[256];
    mpe_insn_format(c->insn, NULL, text, sizeof text);
    fprintf(s->trace, "%llu %s %u %s\n", (unsigned long long)c->cycle, units[c->unit & 3],
            c->pc, text);
}

static const mpe_tdesc *find_tensor(const mpe_program *p, const char *name, int role)
{
    for (size_t i = 0; i < p->ntensors; i++)
        if (!strcmp(p->tensors[i].name, name) && p->tensors[i].role == role)
            return &p->tensors[i];
    return NULL;
}

static int place_input(const sim *s, const mpe_tdesc *d, const char *file)
{
    char err[512];
    mpe_tensor t;
    if (mpe_npy_load(file, &t, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe run: %s\n", err);
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

static int place_inputs(const sim *s, const mpe_program *p, const options *o)
{
    for (int i = 0; i < o->nin; i++)
        if (!find_tensor(p, o->in_name[i], MPE_ROLE_INPUT)) {
            fprintf(stderr, "mpe run: %s has no input tensor '%s'\n", o->prog, o->in_name[i]);
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

static int write_outputs(const sim *s, const mpe_program *p, const options *o)
{
    if (o->outdir && tool_make_dir("mpe run", o->outdir))
        return -1;
    for (size_t k = 0; k < p->ntensors; k++) {
        const mpe_tdesc *d = &p->tensors[k];
        if (d->role != MPE_ROLE_OUTPUT || !o->outdir)
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
        if (st == MPE_OK) {
            snprintf(path, sizeof path, "%s/%s.npy", o->outdir, d->name);
            st = mpe_npy_save(path, &t, err, sizeof err);
            mpe_tensor_free(&t);
        }
        if (st != MPE_OK) {
            fprintf(stderr, "mpe run: output '%s': %s\n", d->name, err);
            return -1;
        }
    }
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
        fprintf(stderr, "mpe run: no halt within %llu cycles (--max-cycles)\n",
                (unsigned long long)o->max_cycles);
        return 1;
    }
    if (write_outputs(s, p, o))
        return 1;
    if (!o->quiet)
        print_stats(st, &p->arch);
    return 0;
}

static int run_program(const mpe_backend *be, const mpe_program *p, const options *o)
{
    char err[512];
    sim s = {be, NULL, NULL};
    if (be->create(&p->arch, &s.ctx, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe run: %s\n", err);
        return 1;
    }
    if (be == &mpe_backend_cmodel)
        mpe_accel_set_pe_path(s.ctx, o->structural ? MPE_PE_PATH_STRUCT : MPE_PE_PATH_FAST);
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
            if (s.trace)
                be->set_trace(s.ctx, on_commit, &s);
            rc = finish(&s, be->run(s.ctx, o->max_cycles), p, o);
            if (s.trace && mpe_out_close(&tf, err, sizeof err) != MPE_OK) {
                fprintf(stderr, "mpe run: %s\n", err);
                rc = 1;
            }
        }
    }
    be->destroy(s.ctx);
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
    if (!be)
        goto out;
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
