/* Small file helpers shared by the mpe subcommands. */
#include "tool_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mpe/outfile.h"
#include "mpe/tensor.h"

#define TEXT_LIMIT ((size_t)256 << 20)

char *tool_read_text(const char *prog, const char *path)
{
    uint8_t *buf;
    size_t len;
    mpe_status st = mpe_read_file(path, TEXT_LIMIT, &buf, &len);
    if (st) {
        fprintf(stderr, "%s: %s: cannot read (%s)\n", prog, path, mpe_read_error(st));
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
    char err[600];
    if (mpe_out_write_file(path, data, len, err, sizeof err) == MPE_OK)
        return 0;
    fprintf(stderr, "%s: %s\n", prog, err);
    return -1;
}

static int make_one(const char *path)
{
    struct stat sb;
    if (mkdir(path, 0777) == 0)
        return 0;
    if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 0;
    if (errno == EEXIST)
        errno = ENOTDIR;
    return -1;
}

int tool_make_dir(const char *prog, const char *path)
{
    size_t n = strlen(path);
    char *buf = malloc(n + 1);
    int rc = 0;
    if (!buf || n == 0) {
        fprintf(stderr, "%s: %s: cannot create directory\n", prog, path);
        free(buf);
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (buf[i] != '/' && buf[i] != 0)
            continue;
        if (buf[i - 1] == '/')
            continue;
        char c = buf[i];
        buf[i] = 0;
        rc = make_one(buf);
        buf[i] = c;
    }
    if (rc)
        fprintf(stderr, "%s: %s: cannot create directory (%s)\n", prog, path, strerror(errno));
    free(buf);
    return rc;
}

static const char *command = "";

void tool_set_command(const char *name)
{
    command = name;
}

int tool_opt(const char *arg, const char *flag, int more)
{
    if (strcmp(arg, flag))
        return 0;
    if (!more) {
        fprintf(stderr, "mpe %s: option '%s' needs a value\n", command, flag);
        exit(2);
    }
    return 1;
}
