// mpe-rtl: the Verilated accelerator top (rtl/mpe_top.v) as a program.
//   mpe-rtl cosim ...          program-level co-simulation against the C model
//   mpe-rtl run PROG.mpeb...   run binaries on the RTL (and the C model with
//                              --cmodel): cycles, simulation speed
//   mpe-rtl serve REQ RESP     one run for the `rtl` backend of `mpe run`
//                              (runtime/backend_rtl.c writes REQ, reads RESP)
#include <cstdio>
#include <cstring>

int cosim_main(int argc, char **argv);
int run_main(int argc, char **argv);
int serve_main(int argc, char **argv);

const char *mpe_rtl_self = "mpe-rtl";

int main(int argc, char **argv)
{
    mpe_rtl_self = argv[0];
    if (argc >= 2 && !strcmp(argv[1], "cosim")) return cosim_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "run")) return run_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "serve")) return serve_main(argc - 1, argv + 1);
    fprintf(argc >= 2 && strcmp(argv[1], "--help") ? stderr : stdout,
            "usage: mpe-rtl cosim|run|serve ...\n"
            "  cosim [--seed S] [--n N] [--gemm N] [--mutants N] [--shard I/N] [--asm F.s]...\n"
            "        [--prog F.mpeb]... [--fst-dir DIR] [--max-cycles N] [-v]\n"
            "  run PROG.mpeb... [--cmodel] [--fst FILE] [--max-cycles N]\n"
            "  serve REQUEST RESPONSE [--fst FILE]   (used by `mpe run --backend rtl`)\n");
    return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
}
