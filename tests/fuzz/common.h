/* Helpers shared by the libFuzzer harnesses (tests/fuzz/README.md). */
#ifndef MPE_FUZZ_COMMON_H
#define MPE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* The entry point every harness defines (called by libFuzzer). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated malloc'ed copy of the input (for text parsers); aborts
 * when out of memory. */
char *fuzz_text(const uint8_t *data, size_t size);

/* Writes the input to a new file (mkstemp) in a private directory under
 * /tmp made on first use and removed at exit; `path` gets its name. Aborts
 * on an I/O error: that is the harness's fault, not the input's. Remove
 * the file with fuzz_temp_remove. */
void fuzz_temp_file(const uint8_t *data, size_t size, char *path, size_t len);
void fuzz_temp_remove(const char *path);

/* Reports a broken invariant (e.g. a round trip that changed the data) and
 * aborts, which libFuzzer records as a crash. */
_Noreturn void fuzz_fail(const char *what);

#endif
