/* Small file helpers shared by the mpe subcommands. */
#include "tool_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/tensor.h"

#define TEXT_LIMIT ((size_t)256 << 20)

char *tool_read_text(const char *prog, const char *path)
{
    uint8_t *buf;
    size_t len;
    mpe_status st = mpe_read_file(path, TEXT_LIMIT, &buf, &len);
    if (st) {
        fprintf(stderr, "%s: %s: cannot read (%s)\n", prog, path, mpe_status_str(st));
        return NULL;
    }
    char *text = malloc(len + 1);
    if (!text) {
        free(buf);
        fprintf(stderr, "%s: %s: out of memory\n", prog, path);
        return NULL;
    }
    if (len)
        memcpy(text, buf, len);
    text[len] = 0;
    free(buf);
    if (strlen(text) != len) {
        fprintf(stderr, "%s: %s: NUL byte in a text file\n", prog, path);
        free(text);
        return NULL;
    }
    return text;
}

int tool_write_file(const char *prog, const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f))
        ok = 0;
    if (!ok)
        fprintf(stderr, "%s: %s: cannot write\n", prog, path);
    return ok ? 0 : -1;
}
