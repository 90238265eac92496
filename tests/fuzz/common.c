/* Helpers shared by the libFuzzer harnesses. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char temp_dir[64];

_Noreturn void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz: invariant broken: %s\n", what);
    abort();
}

char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        fuzz_fail("out of memory");
    if (size)
        memcpy(s, data, size);
    s[size] = 0;
    return s;
}

static void remove_temp_dir(void)
{
    if (temp_dir[0])
        rmdir(temp_dir);
}

void fuzz_temp_file(const uint8_t *data, size_t size, char *path, size_t len)
{
    if (!temp_dir[0]) {
        snprintf(temp_dir, sizeof temp_dir, "/tmp/mpe-fuzz-XXXXXX");
        if (!mkdtemp(temp_dir))
            fuzz_fail("cannot make a temporary directory");
        atexit(remove_temp_dir);
    }
    snprintf(path, len, "%s/inXXXXXX", temp_dir);
    int fd = mkstemp(path);
    if (fd < 0)
        fuzz_fail("cannot make a temporary file");
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0)
            fuzz_fail("cannot write the temporary file");
        done += (size_t)n;
    }
    if (close(fd))
        fuzz_fail("cannot close the temporary file");
}

void fuzz_temp_remove(const char *path)
{
    unlink(path);
}
