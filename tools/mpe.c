/* mpe: the project's command-line tool. One subcommand per file (cmd_*.c);
 * this file only dispatches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mpe/binary.h"
#include "mpe/isa.h"
#include "mpe/outfile.h"
#include "tool_io.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
#define CMD(name, fn, summary) {name, fn, summary},
#include "commands.def"
#undef CMD
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mpe <command> [options]\n\n"
               "Mixed-precision PE accelerator tool: C reference model, quantizers,\n"
               "assembler, simulators and the ONNX compiler.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'mpe <command> --help' or 'mpe help <command>' describes a command;\n"
               "'mpe --version' prints the version. Options take their value as\n"
               "'--opt value' or '--opt=value'. Exit status: 0 success, 1 failure,\n"
               "2 usage error, 3 backend not available (docs/cli.md).\n");
}

/* argv with every "--opt=value" (before a bare "--") split in two, so that
 * each subcommand sees "--opt value". NULL when out of memory. */
static char **split_opts(int argc, char **argv, int *n)
{
    char **v = calloc((size_t)argc * 2 + 1, sizeof *v);
    int k = 0, done = 0;
    for (int i = 0; v && i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        done |= !strcmp(argv[i], "--");
        if (done || strncmp(argv[i], "--", 2) || !eq || eq == argv[i] + 2) {
            v[k++] = argv[i];
            continue;
        }
        v[k++] = argv[i];
        *eq = 0; /* argv strings are ours to modify */
        v[k++] = eq + 1;
    }
    *n = k;
    return v;
}

static int run_command(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[0], commands[i].name))
            continue;
        tool_set_command(commands[i].name);
        int rc = commands[i].fn(argc, argv);
        /* output lost on a full disk or a closed pipe is a failure */
        if (mpe_out_check_stdout("mpe") && rc == 0)
            rc = 1;
        return rc;
    }
    fprintf(stderr, "mpe: unknown command '%s' (see 'mpe --help')\n", argv[0]);
    return MPE_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return MPE_EXIT_USAGE;
    }
    const char *a = argv[1];
    if (!strcmp(a, "--version") || !strcmp(a, "version")) {
        printf("mpe %s (ISA version %d, .mpeb format version %d)\n", MPE_TOOL_VERSION,
               MPE_ISA_VERSION, MPE_BIN_FORMAT_VERSION);
        return mpe_out_check_stdout("mpe") ? MPE_EXIT_FAIL : MPE_EXIT_OK;
    }
    if (!strcmp(a, "help") && argc == 3) { /* mpe help CMD = mpe CMD --help */
        char *hv[] = {argv[2], "--help", NULL};
        return run_command(2, hv);
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "help")) {
        usage(stdout);
        return mpe_out_check_stdout("mpe") ? MPE_EXIT_FAIL : MPE_EXIT_OK;
    }
    int n;
    char **v = split_opts(argc - 1, argv + 1, &n);
    if (!v) {
        fprintf(stderr, "mpe: out of memory\n");
        return MPE_EXIT_FAIL;
    }
    int rc = run_command(n, v);
    free(v);
    return rc;
}
