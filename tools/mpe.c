/* mpe: the project's command-line tool. One subcommand per file (cmd_*.c);
 * this file only dispatches. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "mpe/outfile.h"

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
    fprintf(f, "\n'mpe <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name))
            continue;
        int rc = commands[i].fn(argc - 1, argv + 1);
        /* output lost on a full disk or a closed pipe is a failure */
        if (mpe_out_check_stdout("mpe") && rc == 0)
            rc = 1;
        return rc;
    }
    fprintf(stderr, "mpe: unknown command '%s' (see 'mpe --help')\n", argv[1]);
    return 2;
}
