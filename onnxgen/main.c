/* mpe-gen-onnx: writes the ONNX models of the compiler's tests, the demo,
 * the compile-time benchmark and the bad inputs of the error tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: mpe-gen-onnx tests DIR          QDQ and MatMulNBits test models\n"
               "       mpe-gen-onnx demo DIR           the demo MLP (8/4/2/1-bit weights)\n"
               "       mpe-gen-onnx bench DIR [--layers N] [--dim D] [--external]\n"
               "                                        chained 4-bit MatMulNBits layers\n"
               "       mpe-gen-onnx bad DIR            malformed and unsupported models\n"
               "       mpe-gen-onnx mutate SRC DST SEED  SRC with seeded random byte damage\n"
               "Each model directory holds model.onnx and test_data_set_*/ (input_0.pb,\n"
               "output_0.pb) with outputs from the generator's reference semantics.\n");
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return usage(stdout, 0);
    if (argc < 3)
        return usage(stderr, 2);
    const char *cmd = argv[1], *dir = argv[2];
    if (!strcmp(cmd, "tests"))
        return gen_tests(dir) ? 1 : 0;
    if (!strcmp(cmd, "demo"))
        return gen_demo(dir) ? 1 : 0;
    if (!strcmp(cmd, "bad"))
        return gen_bad(dir, NULL) ? 1 : 0;
    if (!strcmp(cmd, "mutate") && argc == 5)
        return gen_mutate(argv[2], argv[3], strtoull(argv[4], NULL, 10)) ? 1 : 0;
    if (!strcmp(cmd, "bench")) {
        int layers = 6, dim = 4096, ext = 0;
        for (int i = 3; i < argc; i++) {
            if (!strcmp(argv[i], "--external"))
                ext = 1;
            else if (i + 1 < argc && !strcmp(argv[i], "--layers"))
                layers = atoi(argv[++i]);
            else if (i + 1 < argc && !strcmp(argv[i], "--dim"))
                dim = atoi(argv[++i]);
            else
                return usage(stderr, 2);
        }
        return gen_bench(dir, layers, dim, ext) ? 1 : 0;
    }
    return usage(stderr, 2);
}
