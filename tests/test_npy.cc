// .npy reader/writer: files written by numpy 1.24 (bytes embedded below),
// round trips of every dtype, and every malformed-file case (bad magic,
// versions, truncation, bad dictionaries, shape/size mismatch, absurd
// shapes, fortran order, big endian); every truncation and header byte
// flip of a valid file must fail cleanly or parse (run under ASan).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" {
#include "mpe/npy.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

Bytes from_hex(const char *h) {
    Bytes b;
    for (size_t i = 0; h[i] && h[i + 1]; i += 2) {
        unsigned v;
        std::sscanf(h + i, "%2x", &v);
        b.push_back((uint8_t)v);
    }
    return b;
}

// A .npy image: magic, version, header length field, dict text padded with
// spaces + '\n' to a multiple of 64 (pad = false: dict used verbatim), data.
Bytes npy(int major, int minor, const std::string &dict, const Bytes &data, bool pad = true) {
    Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', (uint8_t)major, (uint8_t)minor};
    size_t pre = major == 1 ? 10 : 12;
    std::string h = dict;
    if (pad) {
        size_t total = (pre + h.size() + 1 + 63) / 64 * 64;
        h.append(total - pre - h.size() - 1, ' ');
        h.push_back('\n');
    }
    for (size_t i = 0; i < pre - 8; i++) b.push_back((uint8_t)(h.size() >> (8 * i)));
    b.insert(b.end(), h.begin(), h.end());
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

std::string dict(const char *descr, const char *shape, const char *fortran = "False") {
    return std::string("{'descr': '") + descr + "', 'fortran_order': " + fortran +
           ", 'shape': " + shape + ", }";
}

struct Parsed {
    mpe_tensor t{};
    mpe_status st;
    std::string err;
    explicit Parsed(const Bytes &b) {
        char e[256] = "";
        st = mpe_npy_parse(b.data(), b.size(), &t, e, sizeof e);
        err = e;
    }
    ~Parsed() { mpe_tensor_free(&t); }
};

// Expects a clean failure whose message contains `what`.
void expect_error(const Bytes &b, mpe_status want, const char *what) {
    Parsed p(b);
    EXPECT_EQ(p.st, want) << what << " / got: " << p.err;
    EXPECT_NE(p.err.find(what), std::string::npos) << "message: " << p.err;
    EXPECT_EQ(p.err.find('\n'), std::string::npos);
    EXPECT_EQ(p.t.data, nullptr);
}

// np.save(np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1)
const char kF4Data[] = "000080bf000000bf000000000000003f0000803f0000c03f";
Bytes numpy_f4() {
    return npy(1, 0, dict("<f4", "(2, 3)"), from_hex(kF4Data));
}

TEST(Npy, ReadsNumpyFiles) {
    Bytes f4 = numpy_f4();
    ASSERT_EQ(f4.size(), 152u);  // numpy's file length: header padded to 128
    Parsed a(f4);
    ASSERT_EQ(a.st, MPE_OK) << a.err;
    EXPECT_EQ(a.t.dtype, MPE_T_FLOAT);
    ASSERT_EQ(a.t.ndim, 2);
    EXPECT_EQ(a.t.dims[0], 2);
    EXPECT_EQ(a.t.dims[1], 3);
    for (int i = 0; i < 6; i++) EXPECT_EQ(mpe_tensor_get_f64(&a.t, i), i * 0.5 - 1);
    // version 2.0, int16 (numpy.lib.format.write_array(version=(2, 0)))
    Parsed b(npy(2, 0, dict("<i2", "(3,)"), from_hex("feff2c010700")));
    ASSERT_EQ(b.st, MPE_OK) << b.err;
    EXPECT_EQ(b.t.ndim, 1);
    EXPECT_EQ(mpe_tensor_get_i64(&b.t, 0), -2);
    EXPECT_EQ(mpe_tensor_get_i64(&b.t, 1), 300);
    // version 3.0, uint8 scalar
    Parsed c(npy(3, 0, dict("|u1", "()"), from_hex("c8")));
    ASSERT_EQ(c.st, MPE_OK) << c.err;
    EXPECT_EQ(c.t.ndim, 0);
    EXPECT_EQ(c.t.count, 1u);
    EXPECT_EQ(mpe_tensor_get_i64(&c.t, 0), 200);
    // empty (0, 4) int64, float64
    Parsed d(npy(1, 0, dict("<i8", "(0, 4)"), {}));
    ASSERT_EQ(d.st, MPE_OK) << d.err;
    EXPECT_EQ(d.t.count, 0u);
    Parsed e(npy(1, 0, dict("<f8", "(2,)"), from_hex("000000000000f83f00000000000002c0")));
    ASSERT_EQ(e.st, MPE_OK);
    EXPECT_EQ(mpe_tensor_get_f64(&e.t, 1), -2.25);
}

TEST(Npy, ToleratesHeaderVariants) {
    // double quotes, other key order, no trailing comma, Python 2 'L' dims,
    // no padding at all, '<u1' for a byte type
    const char *dicts[] = {
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}",
        "{'shape': (2,3), 'fortran_order': False, 'descr': '<f4'}",
        "{'descr':'<f4','fortran_order':False,'shape':(2L, 3L),}",
    };
    for (const char *d : dicts) {
        for (bool pad : {true, false}) {
            Parsed p(npy(1, 0, d, from_hex(kF4Data), pad));
            EXPECT_EQ(p.st, MPE_OK) << d << ": " << p.err;
            EXPECT_EQ(p.t.dims[1], 3) << d;
        }
    }
    Parsed u(npy(1, 0, dict("<u1", "(1,)"), {7}));
    EXPECT_EQ(u.st, MPE_OK) << u.err;
    EXPECT_EQ(u.t.dtype, MPE_T_UINT8);
}

TEST(Npy, WriterMatchesNumpyBytes) {
    Parsed a(numpy_f4());
    ASSERT_EQ(a.st, MPE_OK);
    uint8_t *buf;
    size_t len;
    ASSERT_EQ(mpe_npy_encode(&a.t, &buf, &len), MPE_OK);
    Bytes want = numpy_f4();
    ASSERT_EQ(len, want.size());
    EXPECT_EQ(std::memcmp(buf, want.data(), len), 0);
    free(buf);
    EXPECT_STREQ(mpe_npy_descr(MPE_T_BFLOAT16), nullptr);
}

TEST(Npy, RoundTripEveryDtype) {
    int types[] = {MPE_T_FLOAT, MPE_T_DOUBLE, MPE_T_INT8, MPE_T_UINT8, MPE_T_INT16,
                   MPE_T_UINT16, MPE_T_INT32, MPE_T_INT64, MPE_T_UINT32, MPE_T_UINT64,
                   MPE_T_FLOAT16, MPE_T_BOOL};
    std::vector<std::vector<int64_t>> shapes = {{}, {5}, {3, 4}, {2, 1, 3}, {0, 7},
                                               {1, 1, 1, 1, 1, 1, 1, 2}};
    uint32_t s = 99;
    for (int ty : types)
        for (auto &sh : shapes) {
            mpe_tensor t;
            ASSERT_EQ(mpe_tensor_alloc(&t, ty, (int)sh.size(), sh.data()), MPE_OK);
            uint8_t *d = (uint8_t *)t.data;
            for (size_t i = 0; i < t.count * mpe_ttype_size(ty); i++) {
                s = s * 1664525u + 1013904223u;
                d[i] = (uint8_t)(s >> 24);
            }
            uint8_t *buf;
            size_t len;
            ASSERT_EQ(mpe_npy_encode(&t, &buf, &len), MPE_OK);
            EXPECT_EQ((len - t.count * mpe_ttype_size(ty)) % 64, 0u);
            mpe_tensor u;
            char err[256];
            ASSERT_EQ(mpe_npy_parse(buf, len, &u, err, sizeof err), MPE_OK)
                << mpe_ttype_name(ty) << ": " << err;
            EXPECT_EQ(u.dtype, ty);
            ASSERT_EQ(u.ndim, t.ndim);
            for (int k = 0; k < t.ndim; k++) EXPECT_EQ(u.dims[k], t.dims[k]);
            ASSERT_EQ(u.count, t.count);
            EXPECT_EQ(std::memcmp(u.data, t.data, t.count * mpe_ttype_size(ty)), 0);
            free(buf);
            mpe_tensor_free(&u);
            mpe_tensor_free(&t);
        }
}

TEST(Npy, SaveAndLoadFile) {
    char path[] = "/tmp/mpe_npy_testXXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    Parsed a(numpy_f4());
    char err[256];
    ASSERT_EQ(mpe_npy_save(path, &a.t, err, sizeof err), MPE_OK) << err;
    mpe_tensor b;
    ASSERT_EQ(mpe_npy_load(path, &b, err, sizeof err), MPE_OK) << err;
    EXPECT_EQ(std::memcmp(a.t.data, b.data, 24), 0);
    mpe_tensor_free(&b);
    unlink(path);
    EXPECT_EQ(mpe_npy_load("/nonexistent/dir/x.npy", &b, err, sizeof err), MPE_ERR_IO);
    EXPECT_NE(std::string(err).find("/nonexistent/dir/x.npy"), std::string::npos);
    EXPECT_EQ(mpe_npy_save("/nonexistent/dir/x.npy", &a.t, err, sizeof err), MPE_ERR_IO);
}

TEST(Npy, RejectsBadMagicAndVersion) {
    Bytes good = numpy_f4();
    Bytes b = good;
    b[1] = 'n';
    expect_error(b, MPE_ERR_FORMAT, "bad magic");
    expect_error(Bytes(good.begin(), good.begin() + 5), MPE_ERR_FORMAT, "bad magic");
    expect_error({}, MPE_ERR_FORMAT, "bad magic");
    b = good;
    b[6] = 4;
    expect_error(b, MPE_ERR_FORMAT, "version 4.0");
    b = good;
    b[7] = 1;
    expect_error(b, MPE_ERR_FORMAT, "version 1.1");
    b = good;
    b[6] = 0;
    expect_error(b, MPE_ERR_FORMAT, "version 0.0");
}

TEST(Npy, RejectsTruncation) {
    Bytes good = numpy_f4();
    // header length beyond the file
    expect_error(Bytes(good.begin(), good.begin() + 60), MPE_ERR_FORMAT, "truncated");
    Bytes b = good;
    b[8] = 0xFF;
    b[9] = 0xFF;
    expect_error(b, MPE_ERR_FORMAT, "truncated");
    // version 2 with only 10 bytes / huge 32-bit length
    Bytes v2 = npy(2, 0, dict("<f4", "(2, 3)"), from_hex(kF4Data));
    expect_error(Bytes(v2.begin(), v2.begin() + 11), MPE_ERR_FORMAT, "truncated");
    v2[11] = 0x80;
    expect_error(v2, MPE_ERR_FORMAT, "truncated");
    // data shorter or longer than the shape needs
    expect_error(Bytes(good.begin(), good.end() - 1), MPE_ERR_FORMAT, "data has 23 bytes");
    Bytes longer = good;
    longer.push_back(0);
    expect_error(longer, MPE_ERR_FORMAT, "data has 25 bytes");
    // every truncation fails cleanly
    for (size_t n = 0; n < good.size(); n++) {
        Parsed p(Bytes(good.begin(), good.begin() + n));
        EXPECT_NE(p.st, MPE_OK) << n;
    }
}

TEST(Npy, RejectsBadDictionaries) {
    Bytes data = from_hex(kF4Data);
    struct { std::string d; const char *what; } cases[] = {
        {"", "not a valid header"},
        {"not a dict", "not a valid header"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", "not a valid header"},
        {"{'descr': '<f4', 'fortran_order': False}", "lacks"},
        {"{'descr': '<f4', 'shape': (2, 3)}", "lacks"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", "unexpected key"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", "duplicate"},
        {"{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}", "not a valid header"},
        {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3)}", "not a valid header"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3)}", "not a valid header"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3)}", "not a valid header"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.5, 3)}", "not a valid header"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", "not a valid header"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}", "not a valid header"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} junk", "not a valid header"},
        {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,)}", "structured"},
        {"{'descr': 'a\\'b', 'fortran_order': False, 'shape': (6,)}", "structured"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,6)}",
         "too many dimensions"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
         "too large"},
        {"{'" + std::string(100, 'k') + "': 1}", "not a valid header"},
    };
    for (auto &c : cases) {
        SCOPED_TRACE(c.d);
        expect_error(npy(1, 0, c.d, data), MPE_ERR_FORMAT, c.what);
    }
}

TEST(Npy, RejectsUnsupportedArrays) {
    expect_error(npy(1, 0, dict("<f4", "(2, 2)", "True"), Bytes(16, 0)), MPE_ERR_UNSUPPORTED,
                 "fortran_order");
    expect_error(npy(1, 0, dict(">f4", "(2,)"), Bytes(8, 0)), MPE_ERR_UNSUPPORTED, "big-endian");
    expect_error(npy(1, 0, dict("<c8", "(2,)"), Bytes(16, 0)), MPE_ERR_UNSUPPORTED,
                 "unsupported dtype");
    expect_error(npy(1, 0, dict("<U3", "(2,)"), Bytes(24, 0)), MPE_ERR_UNSUPPORTED,
                 "unsupported dtype");
    expect_error(npy(1, 0, dict("|O", "(2,)"), Bytes(16, 0)), MPE_ERR_UNSUPPORTED, "dtype");
}

TEST(Npy, RejectsAbsurdShapes) {
    // a shape whose byte size overflows or does not match a tiny file
    expect_error(npy(1, 0, dict("<f8", "(4611686018427387904,)"), Bytes(8, 0)),
                 MPE_ERR_FORMAT, "too large");
    expect_error(npy(1, 0, dict("<f8", "(65536, 65536, 65537)"), Bytes(8, 0)),
                 MPE_ERR_FORMAT, "too large");
    expect_error(npy(1, 0, dict("<f4", "(1000000, 1000)"), Bytes(8, 0)), MPE_ERR_FORMAT,
                 "the shape needs 4000000000");
    expect_error(npy(1, 0, dict("<f4", "(0, 3)"), Bytes(4, 0)), MPE_ERR_FORMAT, "data has 4");
}

TEST(Npy, HeaderByteFlipsNeverCrash) {
    Bytes good = numpy_f4();
    int ok = 0;
    for (size_t i = 0; i < 128; i++)
        for (uint8_t x : {0x01, 0x20, 0x80, 0xFF}) {
            Bytes b = good;
            b[i] ^= x;
            Parsed p(b);
            if (p.st == MPE_OK) {
                ok++;
                EXPECT_EQ(p.t.count * mpe_ttype_size(p.t.dtype), 24u) << i;
            } else {
                EXPECT_FALSE(p.err.empty()) << i;
            }
        }
    EXPECT_LT(ok, 200);  // most flips are rejected; padding flips may survive
}

}  // namespace
