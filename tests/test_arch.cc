// Architecture parameters: arch/default.cfg, canonical text and CRC (known
// answer from Python's zlib), and one test per parser/consistency error.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

extern "C" {
#include "mpe/arch.h"
}

namespace {

const char kCanon[] =
    "rows 4\ncols 4\nlanes 16\nasp_bytes 65536\nwsp_bytes 65536\npsp_bytes 16384\n"
    "osp_bytes 32768\nbeat_bytes 16\nmem_latency 16\nmem_bytes 67108864\n"
    "queue_depth 8\nimem_insns 16384\nlut_ppc 2\n";

std::string repo_path(const char *rel) {
    std::string f = __FILE__;  // tests/test_arch.cc
    size_t s = f.rfind("tests/");
    return (s == std::string::npos ? std::string() : f.substr(0, s)) + rel;
}

std::string parse_err(const std::string &text) {
    mpe_arch a;
    char err[256] = "";
    mpe_status st = mpe_arch_parse(text.c_str(), "x.cfg", &a, err, sizeof err);
    return st == MPE_OK ? "ok" : err;
}

TEST(Arch, DefaultFileEqualsBuiltInDefaults) {
    mpe_arch a, d;
    char err[256] = "";
    ASSERT_EQ(mpe_arch_load(repo_path("arch/default.cfg").c_str(), &a, err, sizeof err), MPE_OK) << err;
    mpe_arch_default(&d);
    EXPECT_EQ(memcmp(&a, &d, sizeof a), 0);
    EXPECT_EQ(mpe_arch_check(&d, err, sizeof err), MPE_OK) << err;
}

TEST(Arch, CanonicalTextAndCrc) {
    mpe_arch a;
    mpe_arch_default(&a);
    char buf[MPE_ARCH_TEXT_MAX];
    size_t n = mpe_arch_format(&a, buf, sizeof buf);
    EXPECT_EQ(n, strlen(kCanon));
    EXPECT_STREQ(buf, kCanon);
    EXPECT_EQ(mpe_arch_crc(&a), 0x4029d410u);  // zlib.crc32 of kCanon
    char small[10];
    EXPECT_EQ(mpe_arch_format(&a, small, sizeof small), n);
    EXPECT_STREQ(small, "rows 4\nco");
    a.rows = 8;
    EXPECT_NE(mpe_arch_crc(&a), 0x4029d410u);
}

TEST(Arch, SyntaxVariants) {
    mpe_arch a, d;
    mpe_arch_default(&d);
    char err[256] = "";
    const char *text = "# only a few keys\r\n\n  rows\t8  # eight rows\r\nlanes 0x20\ncols 8\n\n";
    ASSERT_EQ(mpe_arch_parse(text, "x.cfg", &a, err, sizeof err), MPE_OK) << err;
    EXPECT_EQ(a.rows, 8u);
    EXPECT_EQ(a.lanes, 32u);
    EXPECT_EQ(a.cols, 8u);
    EXPECT_EQ(a.mem_bytes, d.mem_bytes);  // omitted keys keep their defaults
    ASSERT_EQ(mpe_arch_parse("", "x.cfg", &a, err, sizeof err), MPE_OK);
    EXPECT_EQ(memcmp(&a, &d, sizeof a), 0);
}

TEST(Arch, ParseOfFormatIsIdentityOnRandomConfigs) {
    const unsigned seed = 4242;
    std::mt19937 rng(seed);
    int accepted = 0;
    for (int i = 0; i < 2000; i++) {
        mpe_arch a;
        mpe_arch_default(&a);
        a.rows = 1 + rng() % 64;
        a.cols = 1u << (rng() % 5);
        a.lanes = 4 * (1 + rng() % 16);
        a.beat_bytes = 4u << (rng() % 7);
        a.mem_latency = 1 + rng() % 1024;
        a.queue_depth = 1 + rng() % 256;
        a.imem_insns = 16 + rng() % 65521;
        a.osp_bytes = 1024u << (rng() % 7);
        char err[256], text[MPE_ARCH_TEXT_MAX];
        if (mpe_arch_check(&a, err, sizeof err) != MPE_OK) continue;
        accepted++;
        mpe_arch_format(&a, text, sizeof text);
        mpe_arch b;
        ASSERT_EQ(mpe_arch_parse(text, "x", &b, err, sizeof err), MPE_OK) << err << " seed " << seed;
        EXPECT_EQ(memcmp(&a, &b, sizeof a), 0) << "seed " << seed << " iter " << i;
    }
    EXPECT_GT(accepted, 500);
}

TEST(Arch, EveryError) {
    const struct {
        std::string text;
        const char *want;
    } cases[] = {
        {"rows 4\nrowz 4\n", "x.cfg:2: unknown key 'rowz'"},
        {"rows 4\n\nrows 8\n", "x.cfg:3: key 'rows' given twice (first on line 1)"},
        {"rows\n", "x.cfg:1: key 'rows' has no value"},
        {"rows 4 5\n", "x.cfg:1: unexpected '5' after the value of 'rows'"},
        {"rows four\n", "x.cfg:1: bad number 'four' for 'rows'"},
        {"rows -4\n", "x.cfg:1: bad number '-4' for 'rows'"},
        {"rows 0x\n", "x.cfg:1: bad number '0x' for 'rows'"},
        {"rows 4.0\n", "x.cfg:1: bad number '4.0'"},
        {"rows 0\n", "x.cfg:1: rows 0 outside 1..64"},
        {"rows 65\n", "x.cfg:1: rows 65 outside 1..64"},
        {"mem_bytes 4294967296\n", "x.cfg:1: mem_bytes 4294967296 outside 65536..1073741824"},
        {"mem_bytes 99999999999999999999\n", "outside 65536..1073741824"},
        {"lanes 18\n", "x.cfg:1: lanes: 18 is not a multiple of 4"},
        {"cols 3\n", "x.cfg: lanes: 16 is not a multiple of cols (3)"},
        {"lanes 12\ncols 8\n", "x.cfg:1: lanes: 12 is not a multiple of cols (8)"},
        {"beat_bytes 24\n", "x.cfg:1: beat_bytes: 24 is not a power of two"},
        {"beat_bytes 256\npsp_bytes 100\n", "x.cfg:2: psp_bytes 100 outside 256..262144"},
        {"beat_bytes 256\npsp_bytes 1000\n", "x.cfg:2: psp_bytes: 1000 is not a multiple of beat_bytes (256)"},
        {"beat_bytes 256\nasp_bytes 1100\n", "x.cfg:2: asp_bytes: 1100 is not a multiple of beat_bytes (256)"},
        {"imem_insns 65537\n",
         "x.cfg:1: imem_insns: 65537 exceeds the 65536 that the 16-bit field 'dbnz.target' can address"},
        {"lut_ppc 3\n", "x.cfg:1: lut_ppc: 3 is not 1, 2 or 4"},
        {"lut_ppc 0\n", "x.cfg:1: lut_ppc 0 outside 1..4"},
        {"lut_ppc 8\n", "x.cfg:1: lut_ppc 8 outside 1..4"},
        {std::string(300, ' '), "x.cfg:1: line longer than 255 characters"},
    };
    for (auto &c : cases) {
        std::string got = parse_err(c.text);
        EXPECT_NE(got.find(c.want), std::string::npos) << "'" << c.text << "': got '" << got << "'";
    }
    EXPECT_EQ(parse_err("imem_insns 65536\n"), "ok");
}

// Every key's bounds, from the one list in arch.h.
TEST(Arch, EveryKeyBounds) {
#define X(key, def, lo, hi)                                                                    \
    EXPECT_NE(parse_err(std::string(#key " ") + std::to_string((long long)(lo) - 1)).find(     \
                  "outside"),                                                                  \
              std::string::npos)                                                               \
        << #key;                                                                               \
    EXPECT_NE(parse_err(std::string(#key " ") + std::to_string((long long)(hi) + 1)).find(     \
                  "outside"),                                                                  \
              std::string::npos)                                                               \
        << #key;
    MPE_ARCH_PARAMS(X)
#undef X
}

TEST(Arch, CheckAndCompare) {
    mpe_arch a, b;
    mpe_arch_default(&a);
    b = a;
    char msg[256] = "";
    EXPECT_EQ(mpe_arch_compare(&a, "here", &b, "there", msg, sizeof msg), 0);
    b.queue_depth = 4;
    EXPECT_EQ(mpe_arch_compare(&a, "here", &b, "there", msg, sizeof msg), -1);
    EXPECT_STREQ(msg, "queue_depth: 8 here, 4 there");
    a.osp_bytes = 1 << 21;
    EXPECT_NE(mpe_arch_check(&a, msg, sizeof msg), MPE_OK);
    EXPECT_NE(std::string(msg).find("osp_bytes"), std::string::npos) << msg;
}

TEST(Arch, LoadErrors) {
    mpe_arch a;
    char err[512] = "";
    EXPECT_EQ(mpe_arch_load("/nonexistent/x.cfg", &a, err, sizeof err), MPE_ERR_IO);
    EXPECT_NE(std::string(err).find("/nonexistent/x.cfg: cannot read"), std::string::npos) << err;
    std::string path = ::testing::TempDir() + "mpe_test_arch.cfg";
    FILE *f = fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    fwrite("rows 4\n\0cols 4\n", 1, 15, f);
    fclose(f);
    EXPECT_NE(mpe_arch_load(path.c_str(), &a, err, sizeof err), MPE_OK);
    EXPECT_NE(std::string(err).find("NUL byte"), std::string::npos) << err;
    f = fopen(path.c_str(), "wb");
    fputs("rows 4\nlanes 7\n", f);
    fclose(f);
    EXPECT_NE(mpe_arch_load(path.c_str(), &a, err, sizeof err), MPE_OK);
    EXPECT_EQ(std::string(err), path + ":2: lanes: 7 is not a multiple of 4");
    remove(path.c_str());
}

}  // namespace
