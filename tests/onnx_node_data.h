// The ONNX backend node test data (Debian libonnx-testdata) of
// tests/test_onnx_*.cc: where it is, and what a test does when it is absent.
// Absent data skips the test, unless MPE_REQUIRE_ONNX_DATA=1 (set by
// scripts/run-tests.sh, so `make test` cannot pass without the bit-exactness
// checks): then the test fails.
#ifndef MPE_TESTS_ONNX_NODE_DATA_H
#define MPE_TESTS_ONNX_NODE_DATA_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>

namespace onnxdata {

// The node directory; MPE_ONNX_NODE_DIR overrides it.
inline std::string node_dir() {
    const char *e = std::getenv("MPE_ONNX_NODE_DIR");
    return e && *e ? e : "/usr/share/libonnx-testdata/data/node";
}

inline bool dir_exists(const std::string &p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// MPE_REQUIRE_ONNX_DATA=1: missing data is a failure, not a skip.
inline bool required() {
    const char *e = std::getenv("MPE_REQUIRE_ONNX_DATA");
    return e && std::strcmp(e, "1") == 0;
}

}  // namespace onnxdata

// Ends the current test (or void helper) when `path` is not a directory:
// a skip, or a failure under MPE_REQUIRE_ONNX_DATA=1. `what` is streamed.
#define MPE_ONNX_REQUIRE_DIR(path, what)                                                  \
    do {                                                                                  \
        if (!onnxdata::dir_exists(path)) {                                                \
            if (onnxdata::required()) {                                                   \
                GTEST_FAIL() << what << " (MPE_REQUIRE_ONNX_DATA=1: missing data is an "  \
                             << "error; install libonnx-testdata: make deps)";            \
            } else {                                                                      \
                GTEST_SKIP() << what;                                                     \
            }                                                                             \
        }                                                                                 \
    } while (0)

#endif
