/* Output files written to a temporary file and renamed into place
 * (mpe/outfile.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "mpe/outfile.h"

#include "mpe/err.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static mpe_status fail(char *err, size_t errlen, const char *path, int e)
{
    return mpe_errf(err, errlen, MPE_ERR_IO, "%s: cannot write (%s)", path, strerror(e));
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The file a path names: the path itself, or what its symbolic links lead
 * to. A dangling link is an error (ENOENT), not a file we create. */
static char *resolve(const char *path, struct stat *st, int *exists)
{
    struct stat lst;
    *exists = 0;
    if (lstat(path, &lst) != 0)
        return errno == ENOENT ? dup_str(path) : NULL;
    if (!S_ISLNK(lst.st_mode)) {
        *st = lst;
        *exists = 1;
        return dup_str(path);
    }
    char *real = realpath(path, NULL);
    if (real && stat(real, st) == 0)
        *exists = 1;
    return real;
}

/* "dir/.name.XXXXXX" beside the target. */
static char *tmp_name(const char *target)
{
    const char *slash = strrchr(target, '/');
    size_t dl = slash ? (size_t)(slash - target + 1) : 0;
    size_t n = strlen(target) + 16;
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%.*s.%s.XXXXXX", (int)dl, target, slash ? slash + 1 : target);
    return t;
}

static mode_t new_file_mode(void)
{
    mode_t m = umask(0);
    umask(m);
    return 0666 & ~m;
}

mpe_status mpe_out_open(mpe_outfile *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (!path || !*path)
        return fail(err, errlen, "(empty path)", ENOENT);
    if (!strcmp(path, "-")) {
        o->f = stdout;
        o->is_stdout = 1;
        return MPE_OK;
    }
    struct stat st;
    int exists;
    o->target = resolve(path, &st, &exists);
    if (!o->target)
        return fail(err, errlen, path, errno ? errno : ENOMEM);
    if (exists && S_ISDIR(st.st_mode)) {
        mpe_out_abort(o);
        return fail(err, errlen, path, EISDIR);
    }
    if (exists && !S_ISREG(st.st_mode)) { /* device, pipe: in place, streaming */
        o->f = fopen(o->target, "wb");
        if (!o->f) {
            int e = errno;
            mpe_out_abort(o);
            return fail(err, errlen, path, e);
        }
        errno = 0;
        return MPE_OK;
    }
    o->tmp = tmp_name(o->target);
    int fd = o->tmp ? mkstemp(o->tmp) : -1;
    if (fd < 0) {
        int e = o->tmp ? errno : ENOMEM;
        free(o->tmp); /* mkstemp created nothing */
        o->tmp = NULL;
        mpe_out_abort(o);
        return fail(err, errlen, path, e);
    }
    if (fchmod(fd, exists ? (st.st_mode & 07777) : new_file_mode()) != 0 ||
        !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        mpe_out_abort(o);
        return fail(err, errlen, path, e);
    }
    errno = 0; /* so that a later stdio error is not reported with a stale cause */
    return MPE_OK;
}

mpe_status mpe_out_close(mpe_outfile *o, char *err, size_t errlen)
{
    int e = 0;
    const char *fault = getenv("MPE_FAULT_WRITE");
    if (!o->f)
        e = EBADF;
    else if (fflush(o->f) != 0 || ferror(o->f))
        e = errno ? errno : EIO;
    else if (fault && !strcmp(fault, "1"))
        e = ENOSPC;
    if (o->f && !o->is_stdout) {
        if (fclose(o->f) != 0 && !e)
            e = errno ? errno : EIO;
        o->f = NULL;
    }
    if (!e && o->tmp && rename(o->tmp, o->target) != 0)
        e = errno;
    if (!e) {
        free(o->tmp);
        o->tmp = NULL;
        mpe_out_abort(o);
        return MPE_OK;
    }
    const char *name = o->is_stdout ? "standard output" : o->target;
    if (err && errlen)
        snprintf(err, errlen, "%s: cannot write (%s)", name, strerror(e));
    mpe_out_abort(o);
    return MPE_ERR_IO;
}

void mpe_out_abort(mpe_outfile *o)
{
    if (o->f && !o->is_stdout)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp); /* our own temporary file, never the target */
    free(o->tmp);
    free(o->target);
    memset(o, 0, sizeof *o);
}

mpe_status mpe_out_write_file(const char *path, const void *data, size_t len, char *err,
                              size_t errlen)
{
    mpe_outfile o;
    mpe_status s = mpe_out_open(&o, path, err, errlen);
    if (s)
        return s;
    if (len && fwrite(data, 1, len, o.f) != len && !ferror(o.f)) {
        mpe_out_abort(&o);
        return fail(err, errlen, path, EIO);
    }
    return mpe_out_close(&o, err, errlen);
}

int mpe_out_check_stdout(const char *prog)
{
    errno = 0;
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;
    if (!bad && fclose(stdout) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad)
        fprintf(stderr, "%s: standard output: %s\n", prog, strerror(e ? e : EIO));
    return bad ? -1 : 0;
}
