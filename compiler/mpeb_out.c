/* Writing the .mpeb file of a compiled program. */
#include "comp.h"

int comp_write_mpeb(comp *c, const char *path)
{
    char why[300];
    if (mpe_program_save(c->prog, path, why, sizeof why) != MPE_OK)
        return comp_err(c, "%s", why);
    return 0;
}
