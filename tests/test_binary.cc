// The .mpeb container: writer against an independent builder that follows
// docs/isa.md section 6, and the reader on every kind of bad file (truncated
// at every length, every byte flipped, wrong versions, bad section tables,
// bad sections, inconsistent descriptors).
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" {
#include "mpe/binary.h"
#include "mpe/isa.h"
#include "mpe/outstage.h"
#include "mpe/tensor.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

const char kDefaultArch[] =
    "rows 4\ncols 4\nlanes 16\nasp_bytes 65536\nwsp_bytes 65536\npsp_bytes 16384\n"
    "osp_bytes 32768\nbeat_bytes 16\nmem_latency 16\nmem_bytes 67108864\n"
    "queue_depth 8\nimem_insns 16384\nlut_ppc 2\n";

void put(Bytes &b, uint64_t v, int n) {
    for (int i = 0; i < n; i++) b.push_back((uint8_t)(v >> (8 * i)));
}
void poke(Bytes &b, size_t off, uint64_t v, int n) {
    for (int i = 0; i < n; i++) b[off + i] = (uint8_t)(v >> (8 * i));
}
uint32_t crc(const uint8_t *p, size_t n) { return (uint32_t)crc32(0, p, (uInt)n); }
void fix_crc(Bytes &b) { poke(b, 8, crc(b.data() + 32, b.size() - 32), 4); }

struct Sec {
    uint32_t type;
    Bytes bytes;
};

// Independent container builder (docs/isa.md section 6).
Bytes build(const std::vector<Sec> &secs, const std::string &arch_text = kDefaultArch) {
    Bytes b;
    b.insert(b.end(), {'M', 'P', 'E', 'B'});
    put(b, 1, 2);
    put(b, MPE_ISA_VERSION, 2);
    put(b, 0, 4);  // crc
    put(b, 0, 4);  // size
    put(b, secs.size(), 4);
    put(b, crc((const uint8_t *)arch_text.data(), arch_text.size()), 4);
    put(b, 0, 8);
    size_t off = 32 + 16 * secs.size();
    for (const Sec &s : secs) {
        put(b, s.type, 4);
        put(b, off, 4);
        put(b, s.bytes.size(), 4);
        put(b, 0, 4);
        off += s.bytes.size();
    }
    for (const Sec &s : secs) b.insert(b.end(), s.bytes.begin(), s.bytes.end());
    poke(b, 12, b.size(), 4);
    fix_crc(b);
    return b;
}

Bytes text(const std::string &s) { return Bytes(s.begin(), s.end()); }

Bytes insn(mpe_insn_id id) {
    mpe_insn in;
    mpe_insn_init(&in, id);
    Bytes b(16);
    EXPECT_EQ(mpe_insn_encode(&in, b.data()), MPE_OK);
    return b;
}

mpe_tdesc tiled_desc() {
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    snprintf(d.name, sizeof d.name, "input:0");
    d.role = MPE_ROLE_INPUT;
    d.ttype = MPE_T_FLOAT;
    d.elem = MPE_ELEM_DTYPE;
    d.dt = mpe_dt_int(8);
    d.ndim = 2;
    d.dims[0] = 5;
    d.dims[1] = 20;
    d.addr = 0x1000;
    d.layout = MPE_LAYOUT_TILED;
    d.nparams = 4;
    d.params[MPE_LP_VR] = 4;
    d.params[MPE_LP_K] = 16;
    d.params[MPE_LP_MP] = 8;
    d.params[MPE_LP_KP] = 32;
    d.has_quant = 1;
    d.scale = 0x3C000000u;  // 2^-7
    d.zero_point = -3;
    return d;
}

// Serialized descriptor, written out field by field as the doc lists them.
Bytes desc_bytes(const mpe_tdesc &d) {
    Bytes b;
    size_t n = strlen(d.name);
    put(b, n, 1);
    b.insert(b.end(), d.name, d.name + n);
    bool out = d.elem == MPE_ELEM_OUT;
    b.insert(b.end(), {d.role, d.ttype, d.elem, out ? d.out : d.dt.kind,
                       (uint8_t)(out ? 0 : d.dt.bits), (uint8_t)(out ? 0 : d.dt.fmt), d.ndim,
                       d.layout, d.nparams, d.has_quant, 0, 0});
    for (int i = 0; i < 4; i++) put(b, d.dims[i], 4);
    put(b, d.addr, 8);
    put(b, d.scale, 4);
    put(b, (uint32_t)d.zero_point, 4);
    for (int i = 0; i < d.nparams; i++) put(b, (uint32_t)d.params[i], 4);
    return b;
}

Bytes code_bytes() {
    Bytes c = insn(MPE_I_NOP);
    Bytes h = insn(MPE_I_HALT);
    c.insert(c.end(), h.begin(), h.end());
    return c;
}

Bytes data_bytes() {
    Bytes d;
    put(d, 0x2000, 8);
    put(d, 5, 8);
    d.insert(d.end(), {1, 2, 3, 4, 5});
    put(d, 0x10, 8);
    put(d, 3, 8);
    d.insert(d.end(), {9, 8, 7});
    return d;
}

Bytes tensors_bytes() {
    Bytes t;
    put(t, 1, 4);
    Bytes d = desc_bytes(tiled_desc());
    t.insert(t.end(), d.begin(), d.end());
    return t;
}

std::vector<Sec> full_sections() {
    return {{MPE_SEC_CODE, code_bytes()},
            {MPE_SEC_DATA, data_bytes()},
            {MPE_SEC_TENSORS, tensors_bytes()},
            {MPE_SEC_ARCH, text(kDefaultArch)},
            {MPE_SEC_META, text("producer: test")}};
}

void make_program(mpe_program *p) {
    mpe_program_init(p);
    Bytes c = code_bytes();
    ASSERT_EQ(mpe_program_set_code(p, c.data(), 2), MPE_OK);
    const uint8_t a[] = {1, 2, 3, 4, 5}, b[] = {9, 8, 7};
    ASSERT_EQ(mpe_program_add_data(p, 0x2000, a, 5), MPE_OK);
    ASSERT_EQ(mpe_program_add_data(p, 0x10, b, 3), MPE_OK);
    mpe_tdesc d = tiled_desc();
    ASSERT_EQ(mpe_program_add_tensor(p, &d), MPE_OK);
    ASSERT_EQ(mpe_program_set_meta(p, "producer: test"), MPE_OK);
}

// Reads `b`; expects a failure whose message contains `want`.
void expect_reject(const Bytes &b, const std::string &want) {
    mpe_program p;
    char err[256] = "";
    mpe_status st = mpe_program_read(b.data(), b.size(), &p, err, sizeof err);
    EXPECT_NE(st, MPE_OK) << "accepted; wanted: " << want;
    EXPECT_NE(std::string(err).find(want), std::string::npos)
        << "message '" << err << "' lacks '" << want << "'";
    EXPECT_EQ(p.ninsns, 0u);
    EXPECT_EQ(p.code, nullptr);
    mpe_program_free(&p);
}

TEST(Binary, WriterMatchesIndependentBuilder) {
    mpe_program p;
    make_program(&p);
    uint8_t *buf;
    size_t len;
    char err[256];
    ASSERT_EQ(mpe_program_write(&p, &buf, &len, err, sizeof err), MPE_OK) << err;
    Bytes want = build(full_sections());
    ASSERT_EQ(Bytes(buf, buf + len), want);
    EXPECT_EQ(mpe_arch_crc(&p.arch), crc((const uint8_t *)kDefaultArch, strlen(kDefaultArch)));
    free(buf);
    mpe_program_free(&p);
}

TEST(Binary, RoundTripKeepsEveryField) {
    mpe_program p, q;
    make_program(&p);
    uint8_t *buf;
    size_t len;
    char err[256];
    ASSERT_EQ(mpe_program_write(&p, &buf, &len, err, sizeof err), MPE_OK) << err;
    ASSERT_EQ(mpe_program_read(buf, len, &q, err, sizeof err), MPE_OK) << err;
    ASSERT_EQ(q.ninsns, p.ninsns);
    EXPECT_EQ(memcmp(q.code, p.code, 32), 0);
    ASSERT_EQ(q.ndata, 2u);
    EXPECT_EQ(q.data[1].addr, 0x10u);
    EXPECT_EQ(q.data[1].len, 3u);
    EXPECT_EQ(q.data[1].bytes[2], 7);
    ASSERT_EQ(q.ntensors, 1u);
    EXPECT_EQ(memcmp(&q.tensors[0], &p.tensors[0], sizeof(mpe_tdesc)), 0);
    EXPECT_STREQ(q.meta, "producer: test");
    EXPECT_EQ(mpe_program_check_arch(&q, &p.arch, err, sizeof err), MPE_OK);
    // Writing what was read gives the same bytes.
    uint8_t *buf2;
    size_t len2;
    ASSERT_EQ(mpe_program_write(&q, &buf2, &len2, err, sizeof err), MPE_OK);
    EXPECT_EQ(Bytes(buf, buf + len), Bytes(buf2, buf2 + len2));
    free(buf);
    free(buf2);
    mpe_program_free(&p);
    mpe_program_free(&q);
}

TEST(Binary, MinimalProgramHasCodeAndArchOnly) {
    Bytes b = build({{MPE_SEC_CODE, insn(MPE_I_HALT)}, {MPE_SEC_ARCH, text(kDefaultArch)}});
    mpe_program p;
    char err[256];
    ASSERT_EQ(mpe_program_read(b.data(), b.size(), &p, err, sizeof err), MPE_OK) << err;
    EXPECT_EQ(p.ninsns, 1u);
    EXPECT_EQ(p.ndata + p.ntensors, 0u);
    EXPECT_EQ(p.meta, nullptr);
    mpe_program_free(&p);
}

TEST(Binary, EveryTruncationIsRejected) {
    Bytes b = build(full_sections());
    for (size_t n = 0; n < b.size(); n++) {
        mpe_program p;
        char err[256] = "";
        EXPECT_NE(mpe_program_read(b.data(), n, &p, err, sizeof err), MPE_OK) << "length " << n;
        EXPECT_NE(err[0], 0) << "length " << n;
        mpe_program_free(&p);
    }
}

TEST(Binary, EveryByteFlipIsRejected) {
    Bytes b = build(full_sections());
    const uint8_t masks[] = {0x01, 0x80, 0xFF};
    for (size_t i = 0; i < b.size(); i++) {
        for (uint8_t m : masks) {
            Bytes c = b;
            c[i] ^= m;
            mpe_program p;
            char err[256] = "";
            EXPECT_NE(mpe_program_read(c.data(), c.size(), &p, err, sizeof err), MPE_OK)
                << "byte " << i << " ^ " << (int)m;
            EXPECT_NE(err[0], 0);
            if (i >= 32) {
                EXPECT_NE(std::string(err).find("CRC"), std::string::npos) << err;
            }
            mpe_program_free(&p);
        }
    }
}

TEST(Binary, HeaderErrors) {
    Bytes b = build(full_sections());
    Bytes c = b;
    c[0] = 'X';
    expect_reject(c, "bad magic");
    c = b;
    poke(c, 4, 2, 2);
    expect_reject(c, "format version 2");
    c = b;
    poke(c, 6, MPE_ISA_VERSION + 1, 2);
    expect_reject(c, "ISA version");
    c = b;
    poke(c, 12, b.size() + 1, 4);
    expect_reject(c, "truncated");
    c = b;
    c.push_back(0);
    expect_reject(c, "file size field");
    c = b;
    c[31] = 1;
    expect_reject(c, "reserved header");
    c = b;
    poke(c, 20, 0x12345678, 4);
    expect_reject(c, "architecture CRC");
    expect_reject(Bytes(), "truncated");
}

TEST(Binary, SectionTableErrors) {
    std::vector<Sec> s = full_sections();
    Bytes b = build(s);
    Bytes c = b;
    poke(c, 16, 0, 4);
    expect_reject(c, "0 sections");
    c = b;
    poke(c, 16, 6, 4);
    expect_reject(c, "6 sections");
    c = b;
    poke(c, 16, 4, 4);  // drops META: table shorter, first offset wrong
    expect_reject(c, "expected");
    c = b;
    poke(c, 32 + 16 * 1, 9, 4);  // unknown type
    fix_crc(c);
    expect_reject(c, "unknown type 9");
    c = b;
    poke(c, 32 + 16 * 1, MPE_SEC_CODE, 4);  // duplicate
    fix_crc(c);
    expect_reject(c, "a second CODE");
    c = b;
    poke(c, 32 + 12, 1, 4);  // reserved word
    fix_crc(c);
    expect_reject(c, "reserved word");
    c = b;
    poke(c, 32 + 16 * 1 + 4, 32 + 16 * 5 + 16, 4);  // DATA overlaps CODE
    fix_crc(c);
    expect_reject(c, "starts at");
    c = b;
    poke(c, 32 + 16 * 4 + 8, 1000, 4);  // META runs past the end
    fix_crc(c);
    expect_reject(c, "past the end");
    c = b;
    poke(c, 32 + 16 * 4 + 8, 3, 4);  // META shorter: trailing bytes
    fix_crc(c);
    expect_reject(c, "after the last section");
    expect_reject(build({{MPE_SEC_ARCH, text(kDefaultArch)}, {MPE_SEC_CODE, insn(MPE_I_HALT)}}),
                  "section 1: CODE after ARCH");
    expect_reject(build({{MPE_SEC_ARCH, text(kDefaultArch)}}), "no CODE");
    expect_reject(build({{MPE_SEC_CODE, insn(MPE_I_HALT)}}), "no ARCH");
    expect_reject(build({{MPE_SEC_CODE, insn(MPE_I_HALT)}, {MPE_SEC_META, Bytes()},
                         {MPE_SEC_ARCH, text(kDefaultArch)}}),
                  "empty");
}

TEST(Binary, CodeSectionErrors) {
    Bytes c = insn(MPE_I_HALT);
    c.push_back(0);
    expect_reject(build({{MPE_SEC_CODE, c}, {MPE_SEC_ARCH, text(kDefaultArch)}}),
                  "not whole 16-byte instructions");
    // 17 instructions on a 16-instruction machine.
    std::string small = kDefaultArch;
    small.replace(small.find("imem_insns 16384"), 16, "imem_insns 16");
    Bytes many;
    for (int i = 0; i < 17; i++) {
        Bytes h = insn(MPE_I_NOP);
        many.insert(many.end(), h.begin(), h.end());
    }
    expect_reject(build({{MPE_SEC_CODE, many}, {MPE_SEC_ARCH, text(small)}}, small),
                  "17 instructions do not fit");
    many.resize(16 * 16);
    Bytes ok = build({{MPE_SEC_CODE, many}, {MPE_SEC_ARCH, text(small)}}, small);
    mpe_program p;
    char err[256];
    EXPECT_EQ(mpe_program_read(ok.data(), ok.size(), &p, err, sizeof err), MPE_OK) << err;
    mpe_arch def;
    mpe_arch_default(&def);
    EXPECT_NE(mpe_program_check_arch(&p, &def, err, sizeof err), MPE_OK);
    EXPECT_NE(std::string(err).find("imem_insns: 16 in the binary, 16384 in the configuration"),
              std::string::npos)
        << err;
    mpe_program_free(&p);
}

TEST(Binary, ArchSectionErrors) {
    auto with_arch = [](const std::string &a, const std::string &crc_text) {
        return build({{MPE_SEC_CODE, insn(MPE_I_HALT)}, {MPE_SEC_ARCH, text(a)}}, crc_text);
    };
    std::string def = kDefaultArch;
    expect_reject(with_arch(def + "# comment\n", def + "# comment\n"), "canonical");
    expect_reject(with_arch("rows 4\n", "rows 4\n"), "canonical");
    std::string bad = def;
    bad.replace(0, 6, "rows 0");
    expect_reject(with_arch(bad, bad), "ARCH section:1: rows 0 outside 1..64");
    bad = def;
    bad.replace(0, 6, "roms 4");
    expect_reject(with_arch(bad, bad), "unknown key 'roms'");
    expect_reject(with_arch(def, "rows 8\n"), "architecture CRC");
    Bytes nul = text(def);
    nul[3] = 0;
    expect_reject(build({{MPE_SEC_CODE, insn(MPE_I_HALT)}, {MPE_SEC_ARCH, nul}}), "ARCH");
}

TEST(Binary, DataSectionErrors) {
    auto with_data = [](const Bytes &d) {
        return build({{MPE_SEC_CODE, insn(MPE_I_HALT)}, {MPE_SEC_DATA, d},
                      {MPE_SEC_ARCH, text(kDefaultArch)}});
    };
    Bytes d;
    put(d, 0, 8);
    put(d, 4, 8);
    d.insert(d.end(), {1, 2, 3});  // one byte short
    expect_reject(with_data(d), "truncated");
    d.clear();
    put(d, 0, 8);
    put(d, 0, 8);
    expect_reject(with_data(d), "empty");
    d.clear();
    put(d, 67108864 - 2, 8);
    put(d, 3, 8);
    d.insert(d.end(), {1, 2, 3});
    expect_reject(with_data(d), "outside the 67108864-byte memory");
    d.clear();
    put(d, ~0ull - 1, 8);  // address + length wraps
    put(d, 3, 8);
    d.insert(d.end(), {1, 2, 3});
    expect_reject(with_data(d), "outside");
    d.clear();
    put(d, 100, 8);
    put(d, 4, 8);
    d.insert(d.end(), {1, 2, 3, 4});
    put(d, 96, 8);
    put(d, 5, 8);
    d.insert(d.end(), {1, 2, 3, 4, 5});
    expect_reject(with_data(d), "overlap");
    d.clear();
    put(d, 0, 8);
    put(d, ~0ull, 8);  // huge length
    expect_reject(with_data(d), "truncated");
}

TEST(Binary, TensorSectionErrors) {
    auto with_t = [](const Bytes &t) {
        return build({{MPE_SEC_CODE, insn(MPE_I_HALT)}, {MPE_SEC_TENSORS, t},
                      {MPE_SEC_ARCH, text(kDefaultArch)}});
    };
    Bytes t = tensors_bytes();
    Bytes c = t;
    poke(c, 0, 0, 4);
    expect_reject(with_t(c), "descriptor count 0");
    c = t;
    poke(c, 0, 1000000, 4);
    expect_reject(with_t(c), "descriptor count");
    c = t;
    c.push_back(0);
    expect_reject(with_t(c), "after the last descriptor");
    c = t;
    poke(c, 0, 2, 4);
    expect_reject(with_t(c), "descriptor count 2");
    c.resize(c.size() + 50);  // room for two, but the second has no name
    expect_reject(with_t(c), "descriptor 1 is malformed");
    c = t;
    c[4] = 0;  // name length 0
    expect_reject(with_t(c), "malformed");
    c = t;
    c[4 + 1 + 7 + 10] = 1;  // reserved byte
    expect_reject(with_t(c), "malformed");
    // Two descriptors with the same name.
    c = t;
    poke(c, 0, 2, 4);
    Bytes d = desc_bytes(tiled_desc());
    c.insert(c.end(), d.begin(), d.end());
    expect_reject(with_t(c), "two tensors named 'input:0'");
    // A descriptor whose contents are inconsistent goes through mpe_tdesc_check.
    mpe_tdesc bad = tiled_desc();
    bad.params[MPE_LP_MP] = 6;
    c.clear();
    put(c, 1, 4);
    d = desc_bytes(bad);
    c.insert(c.end(), d.begin(), d.end());
    expect_reject(with_t(c), "tensor 'input:0': padded rows 6");
}

TEST(Binary, MetaSectionErrors) {
    Bytes m = text("abc");
    m[1] = 0;
    expect_reject(build({{MPE_SEC_CODE, insn(MPE_I_HALT)}, {MPE_SEC_ARCH, text(kDefaultArch)},
                         {MPE_SEC_META, m}}),
                  "NUL");
}

TEST(Binary, WriterRefusesInvalidPrograms) {
    mpe_program p;
    make_program(&p);
    uint8_t *buf = nullptr;
    size_t len = 0;
    char err[256];
    p.arch.lanes = 12;  // not a multiple of cols... 12 % 4 == 0, but 12 % 5:
    p.arch.cols = 5;
    EXPECT_NE(mpe_program_write(&p, &buf, &len, err, sizeof err), MPE_OK);
    EXPECT_NE(std::string(err).find("lanes"), std::string::npos) << err;
    EXPECT_EQ(buf, nullptr);
    mpe_arch_default(&p.arch);
    p.ninsns = 0;
    EXPECT_NE(mpe_program_write(&p, &buf, &len, err, sizeof err), MPE_OK);
    EXPECT_NE(std::string(err).find("no instructions"), std::string::npos) << err;
    p.ninsns = 2;
    p.data[0].addr = 0x10;  // overlaps the record at 0x10
    EXPECT_NE(mpe_program_write(&p, &buf, &len, err, sizeof err), MPE_OK);
    EXPECT_NE(std::string(err).find("overlap"), std::string::npos) << err;
    p.data[0].addr = 0x13;  // adjacent: fine
    EXPECT_EQ(mpe_program_write(&p, &buf, &len, err, sizeof err), MPE_OK) << err;
    free(buf);
    mpe_program_free(&p);
}

TEST(Binary, SaveAndLoadFiles) {
    mpe_program p, q;
    make_program(&p);
    char err[512];
    std::string path = ::testing::TempDir() + "mpe_test_binary.mpeb";
    ASSERT_EQ(mpe_program_save(&p, path.c_str(), err, sizeof err), MPE_OK) << err;
    ASSERT_EQ(mpe_program_load(path.c_str(), &q, err, sizeof err), MPE_OK) << err;
    EXPECT_EQ(q.ninsns, 2u);
    mpe_program_free(&q);
    // Truncate the file: the error names the path.
    FILE *f = fopen(path.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(ftruncate(fileno(f), 40), 0);
    fclose(f);
    EXPECT_NE(mpe_program_load(path.c_str(), &q, err, sizeof err), MPE_OK);
    EXPECT_EQ(std::string(err).rfind(path + ": ", 0), 0u) << err;
    remove(path.c_str());
    EXPECT_EQ(mpe_program_load(path.c_str(), &q, err, sizeof err), MPE_ERR_IO);
    EXPECT_NE(std::string(err).find("cannot read"), std::string::npos) << err;
    mpe_program_free(&p);
}

// ---- descriptors ----------------------------------------------------------

mpe_status check(const mpe_tdesc &d, std::string *msg = nullptr) {
    mpe_arch a;
    mpe_arch_default(&a);
    char m[256] = "";
    mpe_status st = mpe_tdesc_check(&d, &a, m, sizeof m);
    if (msg) *msg = m;
    return st;
}

void expect_bad(const mpe_tdesc &d, const std::string &want) {
    std::string msg;
    EXPECT_NE(check(d, &msg), MPE_OK) << "accepted; wanted " << want;
    EXPECT_NE(msg.find(want), std::string::npos) << msg;
}

TEST(Tdesc, ContainerWidths) {
    mpe_tdesc d = tiled_desc();
    struct {
        mpe_dtype t;
        int cw;
    } cases[] = {{mpe_dt_binary(), 1},   {mpe_dt_ternary(), 2},        {mpe_dt_pow2(), 4},
                 {mpe_dt_int(3), 4},     {mpe_dt_uint(4), 4},          {mpe_dt_int(5), 8},
                 {mpe_dt_int(12), 16},   {mpe_dt_bfpint(6), 8},        {mpe_dt_fp(MPE_FMT_E3M2), 8},
                 {mpe_dt_fp(MPE_FMT_E2M1), 4}, {mpe_dt_fp(MPE_FMT_BF16), 16}};
    for (auto &c : cases) {
        d.dt = c.t;
        EXPECT_EQ(mpe_tdesc_cw(&d), c.cw) << mpe_dt_name(c.t);
    }
    d.dt = mpe_dt_int(17);
    EXPECT_EQ(mpe_tdesc_cw(&d), 0);
    d.dt = mpe_dt_bfpint(3);
    EXPECT_EQ(mpe_tdesc_cw(&d), 0);
    d.dt = mpe_dt_int(8);
    d.dt.fmt = 1;  // fmt only for FP
    EXPECT_EQ(mpe_tdesc_cw(&d), 0);
    d.elem = MPE_ELEM_OUT;
    memset(&d.dt, 0, sizeof d.dt);
    const int out_cw[MPE_OUT_COUNT] = {4, 4, 8, 8, 16, 16, 32, 16, 16, 32};
    for (int o = 0; o < MPE_OUT_COUNT; o++) {
        d.out = (uint8_t)o;
        EXPECT_EQ(mpe_tdesc_cw(&d), out_cw[o]) << mpe_out_name(o);
    }
    d.out = MPE_OUT_COUNT;
    EXPECT_EQ(mpe_tdesc_cw(&d), 0);
}

// Hand-computed positions in the tiled layout of docs/isa.md section 3.
TEST(Tdesc, TiledIndexAndSize) {
    mpe_tdesc d = tiled_desc();  // [5][20] int8, vectors 4 x 16, padded [8][32]
    ASSERT_EQ(check(d), MPE_OK);
    uint64_t bytes;
    ASSERT_EQ(mpe_tdesc_bytes(&d, &bytes), MPE_OK);
    EXPECT_EQ(bytes, 8u * 32u);
    EXPECT_EQ(mpe_tdesc_code_index(&d, 0, 0), 0u);
    EXPECT_EQ(mpe_tdesc_code_index(&d, 0, 15), 15u);
    EXPECT_EQ(mpe_tdesc_code_index(&d, 1, 0), 16u);      // row 1 of vector 0
    EXPECT_EQ(mpe_tdesc_code_index(&d, 0, 16), 64u);     // k-step 1: vector 1
    EXPECT_EQ(mpe_tdesc_code_index(&d, 3, 17), 64u + 3 * 16 + 1);
    EXPECT_EQ(mpe_tdesc_code_index(&d, 4, 0), 128u);     // tile row 1: vector 2
    EXPECT_EQ(mpe_tdesc_code_index(&d, 4, 19), 3u * 64 + 3);
    d.layout = MPE_LAYOUT_ROW_MAJOR;
    d.nparams = 0;
    memset(d.params, 0, sizeof d.params);
    d.dt = mpe_dt_int(4);
    ASSERT_EQ(check(d), MPE_OK);
    ASSERT_EQ(mpe_tdesc_bytes(&d, &bytes), MPE_OK);
    EXPECT_EQ(bytes, 50u);
    d.dims[1] = 21;  // 105 nibbles -> 53 bytes
    ASSERT_EQ(mpe_tdesc_bytes(&d, &bytes), MPE_OK);
    EXPECT_EQ(bytes, 53u);
}

mpe_tdesc conv_desc() {
    mpe_tdesc d = tiled_desc();
    snprintf(d.name, sizeof d.name, "x");
    d.ndim = 4;
    uint32_t dims[4] = {1, 3, 224, 224};
    memcpy(d.dims, dims, sizeof dims);
    d.layout = MPE_LAYOUT_IM2COL;
    d.nparams = MPE_LP_IM2COL_COUNT;
    int32_t p[MPE_LP_IM2COL_COUNT] = {4, 16, 112 * 112, 160, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1};
    memcpy(d.params, p, sizeof p);
    d.addr = 0;
    return d;
}

TEST(Tdesc, Im2colGeometry) {
    mpe_tdesc d = conv_desc();  // ResNet stem: 224x224, 7x7 s2 p3 -> 112x112, Kt = 147
    int64_t oh, ow, m, kt;
    ASSERT_EQ(mpe_tdesc_conv_out(&d, &oh, &ow), MPE_OK);
    EXPECT_EQ(oh, 112);
    EXPECT_EQ(ow, 112);
    ASSERT_EQ(mpe_tdesc_matrix(&d, &m, &kt), MPE_OK);
    EXPECT_EQ(m, 112 * 112);
    EXPECT_EQ(kt, 147);
    EXPECT_EQ(check(d), MPE_OK);
    d.params[MPE_LP_KP] = 144;  // < 147
    expect_bad(d, "padded columns 144");
    d = conv_desc();
    d.params[MPE_LP_DH] = 2;  // dilated 13x7 kernel, (230-13)/2+1 = 109 rows
    ASSERT_EQ(mpe_tdesc_conv_out(&d, &oh, &ow), MPE_OK);
    EXPECT_EQ(oh, 109);
    d = conv_desc();
    d.dims[2] = 2;  // 2 + 6 < 7? no: 8 >= 7 -> 1 row
    ASSERT_EQ(mpe_tdesc_conv_out(&d, &oh, &ow), MPE_OK);
    EXPECT_EQ(oh, 1);
    d.params[MPE_LP_PAD_T] = 0;  // 2 + 3 < 7
    expect_bad(d, "bad convolution");
    d = conv_desc();
    d.params[MPE_LP_SH] = 0;
    expect_bad(d, "bad convolution");
    d = conv_desc();
    d.params[MPE_LP_PAD_L] = -1;
    expect_bad(d, "bad convolution");
}

TEST(Tdesc, TiledNchw) {
    mpe_tdesc d = tiled_desc();
    d.layout = MPE_LAYOUT_TILED_NCHW;
    d.ndim = 4;
    uint32_t dims[4] = {2, 20, 3, 1};  // M = 6, Kt = 20
    memcpy(d.dims, dims, sizeof dims);
    EXPECT_EQ(check(d), MPE_OK);
    int64_t m, kt;
    ASSERT_EQ(mpe_tdesc_matrix(&d, &m, &kt), MPE_OK);
    EXPECT_EQ(m, 6);
    EXPECT_EQ(kt, 20);
    d.ndim = 3;
    d.dims[3] = 0;
    expect_bad(d, "needs an NCHW shape");
}

TEST(Tdesc, EveryRule) {
    mpe_tdesc d = tiled_desc();
    ASSERT_EQ(check(d), MPE_OK);
    d.name[0] = 0;
    expect_bad(d, "name must be");
    d = tiled_desc();
    d.name[2] = ' ';
    expect_bad(d, "not printable");
    d = tiled_desc();
    memset(d.name, 'a', sizeof d.name);  // no terminator within 127
    expect_bad(d, "name must be");
    d = tiled_desc();
    d.role = 2;
    expect_bad(d, "role 2");
    d = tiled_desc();
    d.ttype = 8;  // ONNX STRING
    expect_bad(d, "host element type 8");
    d = tiled_desc();
    d.elem = 2;
    expect_bad(d, "invalid stored element");
    d = tiled_desc();
    d.ndim = 0;
    expect_bad(d, "0 dimensions");
    d = tiled_desc();
    d.ndim = 5;
    expect_bad(d, "5 dimensions");
    d = tiled_desc();
    d.dims[1] = 0;
    expect_bad(d, "dimension 1 is 0");
    d = tiled_desc();
    d.dims[3] = 1;
    expect_bad(d, "unused dimension 3");
    d = tiled_desc();
    d.ndim = 4;
    d.dims[0] = d.dims[1] = d.dims[2] = d.dims[3] = 2000;
    expect_bad(d, "2^40");
    d = tiled_desc();
    d.layout = 7;
    expect_bad(d, "unknown layout 7");
    d = tiled_desc();
    d.nparams = 5;
    expect_bad(d, "takes 4 parameters, not 5");
    d = tiled_desc();
    d.params[9] = 1;
    expect_bad(d, "unused layout parameter 9");
    d = tiled_desc();
    d.params[MPE_LP_VR] = 0;
    expect_bad(d, "vector of 0 x 16");
    d = tiled_desc();
    d.dt = mpe_dt_binary();
    d.params[MPE_LP_VR] = 1;
    d.params[MPE_LP_K] = 4;  // 4 bits
    d.params[MPE_LP_MP] = 5;
    d.params[MPE_LP_KP] = 20;
    expect_bad(d, "not whole bytes");
    d = tiled_desc();
    d.params[MPE_LP_MP] = 12;
    EXPECT_EQ(check(d), MPE_OK);
    d.params[MPE_LP_MP] = 10;
    expect_bad(d, "padded rows 10");
    d = tiled_desc();
    d.params[MPE_LP_KP] = 24;
    expect_bad(d, "padded columns 24");
    d = tiled_desc();
    d.has_quant = 0;
    expect_bad(d, "without the quantization flag");
    d.scale = 0;
    d.zero_point = 0;
    EXPECT_EQ(check(d), MPE_OK);
    d = tiled_desc();
    d.has_quant = 2;
    expect_bad(d, "quantization flag 2");
    const uint32_t bad_scales[] = {0, 0x80000000u, 0xBF800000u, 0x7F800000u, 0x7FC00000u};
    for (uint32_t s : bad_scales) {
        d = tiled_desc();
        d.scale = s;
        expect_bad(d, "not a finite positive FP32");
    }
    d = tiled_desc();
    d.zero_point = 128;
    expect_bad(d, "zero point 128 outside -128..127");
    d.zero_point = -128;
    EXPECT_EQ(check(d), MPE_OK);
    d.dt = mpe_dt_uint(4);
    d.zero_point = 16;
    expect_bad(d, "outside 0..15");
    d.dt = mpe_dt_fp(MPE_FMT_E4M3);
    d.zero_point = 1;
    expect_bad(d, "outside 0..0");
    d = tiled_desc();
    d.elem = MPE_ELEM_OUT;
    memset(&d.dt, 0, sizeof d.dt);
    d.out = MPE_OUT_UINT8;
    d.zero_point = 255;
    EXPECT_EQ(check(d), MPE_OK);
    d.zero_point = -1;
    expect_bad(d, "outside 0..255");
    d = tiled_desc();
    d.addr = 67108864 - 255;  // 256 bytes
    expect_bad(d, "outside the 67108864-byte memory");
    d.addr = 67108864 - 256;
    EXPECT_EQ(check(d), MPE_OK);
    d.addr = ~0ull;
    expect_bad(d, "outside");
}

TEST(Tdesc, LayoutNames) {
    for (int l = 0; l < MPE_LAYOUT_COUNT; l++) {
        int back = -1;
        ASSERT_EQ(mpe_layout_parse(mpe_layout_name(l), &back), 0);
        EXPECT_EQ(back, l);
    }
    int x;
    EXPECT_NE(mpe_layout_parse("nhwc", &x), 0);
    EXPECT_EQ(mpe_layout_nparams(MPE_LAYOUT_COUNT), -1);
}

// Random multi-byte mutations with the CRC repaired reach the parsers behind
// the CRC check: none may crash, every rejection has a message, and every
// accepted file is canonical (writing what was read gives the same bytes).
TEST(Binary, RandomMutationsBehindTheCrc) {
    const unsigned seed = 31337;
    std::mt19937 rng(seed);
    Bytes base = build(full_sections());
    int accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        Bytes c = base;
        int nmut = 1 + (int)(rng() % 4);
        for (int k = 0; k < nmut; k++) {
            size_t at = 16 + rng() % (c.size() - 16);
            switch (rng() % 4) {
            case 0: c[at] ^= (uint8_t)(1u << (rng() % 8)); break;
            case 1: c[at] = (uint8_t)rng(); break;
            case 2: c[at] = (uint8_t)(c[at] + 1); break;
            default: c[at] = 0; break;
            }
        }
        fix_crc(c);
        mpe_program p;
        char err[256] = "";
        if (mpe_program_read(c.data(), c.size(), &p, err, sizeof err) != MPE_OK) {
            ASSERT_NE(err[0], 0) << "seed " << seed << " iter " << iter;
            continue;
        }
        accepted++;
        uint8_t *buf;
        size_t len;
        ASSERT_EQ(mpe_program_write(&p, &buf, &len, err, sizeof err), MPE_OK) << err;
        EXPECT_EQ(Bytes(buf, buf + len), c) << "seed " << seed << " iter " << iter;
        free(buf);
        mpe_program_free(&p);
    }
    EXPECT_GT(accepted, 100);  // the mutations also hit code/data bytes that stay valid
}

}  // namespace
