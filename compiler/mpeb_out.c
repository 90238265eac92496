/* The compiler's output files: the .mpeb binary is streamed by the one
 * container writer (mpe_program_write_stream, cmodel/io/binary.c), so the
 * weights of a large model are never held twice; every file goes through
 * mpe/outfile.h. */
#include "comp.h"

#include "mpe/binary.h"
#include "mpe/err.h"

int comp_out_open(comp *c, mpe_outfile *o, const char *path)
{
    char err[MPE_ERR_LEN];
    if (mpe_out_open(o, path, err, sizeof err) != MPE_OK)
        return comp_err(c, "%s", err);
    return 0;
}

int comp_out_close(comp *c, mpe_outfile *o)
{
    char err[MPE_ERR_LEN];
    if (mpe_out_close(o, err, sizeof err) != MPE_OK)
        return comp_err(c, "%s", err);
    return 0;
}

int comp_write_mpeb(comp *c, const char *path)
{
    char why[MPE_ERR_LEN];
    mpe_status st = mpe_program_check(c->prog, why, sizeof why);
    if (st != MPE_OK)
        return comp_err(c, "internal error: %s", why);
    mpe_outfile out;
    if (comp_out_open(c, &out, path))
        return -1;
    st = mpe_program_write_stream(c->prog, out.f, why, sizeof why);
    if (st == MPE_ERR_IO && ferror(out.f)) /* the disk: mpe_out_close says why */
        return comp_out_close(c, &out);
    if (st != MPE_OK) {
        mpe_out_abort(&out);
        if (st == MPE_ERR_RANGE || st == MPE_ERR_IO)
            return comp_err(c, "%s: the binary would be larger than 2 GiB", path);
        return comp_err(c, "internal error: %s", why);
    }
    return comp_out_close(c, &out);
}
