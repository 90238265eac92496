/* Architecture configuration text (cmodel/accel/arch.c): mpe_arch_parse. A parsed
 * configuration must pass mpe_arch_check and its canonical text must parse
 * back to the same values. */
#include <stdlib.h>

#include "common.h"
#include "mpe/arch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    char err[256], canon[MPE_ARCH_TEXT_MAX];
    mpe_arch a, b;
    if (mpe_arch_parse(text, "fuzz.cfg", &a, err, sizeof err) == MPE_OK) {
        if (mpe_arch_check(&a, err, sizeof err) != MPE_OK)
            fuzz_fail("a parsed configuration fails mpe_arch_check");
        if (mpe_arch_format(&a, canon, sizeof canon) >= sizeof canon)
            fuzz_fail("the canonical text does not fit MPE_ARCH_TEXT_MAX");
        if (mpe_arch_parse(canon, "canonical", &b, err, sizeof err) != MPE_OK ||
            mpe_arch_compare(&a, "parsed", &b, "canonical", err, sizeof err))
            fuzz_fail("the canonical text does not parse back to the same values");
    }
    free(text);
    return 0;
}
