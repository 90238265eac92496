/* ONNX import + compile (compiler/, libmpecomp): the input is written to a
 * temporary model.onnx file and compiled as `mpe compile` does with the
 * default architecture and automatic modes. A successful compile must give
 * a program that serializes and reads back (mpe_program_write/read). */
#include <stdlib.h>

#include "common.h"
#include "compile.h"

static void check_program(const mpe_program *p)
{
    uint8_t *buf;
    size_t len;
    char err[256];
    mpe_program q;
    if (mpe_program_write(p, &buf, &len, err, sizeof err) != MPE_OK)
        fuzz_fail("a compiled program does not serialize");
    if (mpe_program_read(buf, len, &q, err, sizeof err) != MPE_OK)
        fuzz_fail("a compiled program does not read back");
    mpe_program_free(&q);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128];
    fuzz_temp_file(data, size, path, sizeof path);
    mpe_comp_opts o = {0};
    o.model_path = path;
    o.mode = -1;
    comp *c = mpe_comp_new(&o);
    if (!c)
        fuzz_fail("out of memory");
    if (mpe_comp_run(c) == 0)
        check_program(mpe_comp_program(c));
    mpe_comp_free(c);
    fuzz_temp_remove(path);
    return 0;
}
