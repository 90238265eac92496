/* .npy parsing (cmodel/io/npy.c): mpe_npy_parse on the raw bytes. A parsed
 * tensor must survive encode -> parse unchanged. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "mpe/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    mpe_tensor t, u;
    if (mpe_npy_parse(data, size, &t, err, sizeof err) != MPE_OK)
        return 0;
    uint8_t *buf;
    size_t len;
    if (mpe_npy_encode(&t, &buf, &len) != MPE_OK)
        fuzz_fail("a parsed tensor does not encode");
    if (mpe_npy_parse(buf, len, &u, err, sizeof err) != MPE_OK)
        fuzz_fail("an encoded tensor does not parse");
    size_t bytes = t.count * mpe_ttype_size(t.dtype);
    if (u.dtype != t.dtype || u.ndim != t.ndim || u.count != t.count ||
        memcmp(u.dims, t.dims, sizeof t.dims) || (bytes && memcmp(u.data, t.data, bytes)))
        fuzz_fail("encode -> parse changed the tensor");
    free(buf);
    mpe_tensor_free(&u);
    mpe_tensor_free(&t);
    return 0;
}
