/* ONNX TensorProto files (compiler/onnx_tensor.c): mpe_tensor_load_pb on the
 * input written to a temporary file, as `mpe test-onnx` reads the .pb files
 * of a test_data_set directory. */
#include "common.h"
#include "onnx_tensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], name[64], err[256];
    mpe_tensor t;
    fuzz_temp_file(data, size, path, sizeof path);
    if (mpe_tensor_load_pb(path, &t, name, sizeof name, err, sizeof err) == MPE_OK)
        mpe_tensor_free(&t);
    fuzz_temp_remove(path);
    return 0;
}
