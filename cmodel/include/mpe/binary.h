/* The accelerator binary (.mpeb, docs/isa.md section 6): a plain in-memory
 * program (code, memory images, tensor descriptors, architecture, meta
 * text), its writer and its validating reader. */
#ifndef MPE_BINARY_H
#define MPE_BINARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "mpe/arch.h"
#include "mpe/dtype.h"
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPE_BIN_MAGIC "MPEB"
#define MPE_BIN_FORMAT_VERSION 1
#define MPE_BIN_HEADER_BYTES 32
#define MPE_BIN_SECTION_BYTES 16
#define MPE_BIN_MAX_SECTIONS 5 /* each type at most once */
#define MPE_BIN_MAX_BYTES ((size_t)1 << 31)

/* Section types (the `type` word of a section table entry). */
typedef enum {
    MPE_SEC_CODE = 1,    /* instructions, 16 bytes each (required) */
    MPE_SEC_DATA = 2,    /* memory images: {u64 addr, u64 len, bytes} records */
    MPE_SEC_TENSORS = 3, /* tensor descriptors */
    MPE_SEC_ARCH = 4,    /* canonical architecture text (required) */
    MPE_SEC_META = 5     /* free text */
} mpe_section_type;

/* ---- tensor descriptors ------------------------------------------------ */

#define MPE_TDESC_NAME_MAX 127
#define MPE_TDESC_MAX_DIMS 4
#define MPE_TDESC_MAX_PARAMS 16

enum { MPE_ROLE_INPUT = 0, MPE_ROLE_OUTPUT = 1 };
/* How the stored element is described. */
enum { MPE_ELEM_DTYPE = 0, MPE_ELEM_OUT = 1 };

/* Memory layouts (docs/isa.md section 6 defines each index mapping). The
 * tiled layouts store a matrix [Mp][Kp] as vectors of VR x K codes, vector
 * (m / VR) * (Kp / K) + k / K, code (m % VR) * K + k % K (docs/isa.md
 * section 3: VR = R for activations and outputs, C for weights). */
typedef enum {
    MPE_LAYOUT_ROW_MAJOR = 0,  /* codes in row-major order of the shape; no params */
    MPE_LAYOUT_TILED = 1,      /* matrix [prod(dims[0..n-2])][dims[n-1]], tiled */
    MPE_LAYOUT_IM2COL = 2,     /* NCHW input as its im2col matrix, tiled */
    MPE_LAYOUT_TILED_NCHW = 3, /* NCHW tensor as matrix [N*H*W][C], tiled */
    MPE_LAYOUT_COUNT
} mpe_layout;

/* Parameter indices. Every tiled layout starts with VR, K, Mp, Kp. */
enum { MPE_LP_VR, MPE_LP_K, MPE_LP_MP, MPE_LP_KP, MPE_LP_TILED_COUNT };
/* IM2COL adds the convolution: kernel, strides, pads, dilations. */
enum {
    MPE_LP_KH = MPE_LP_TILED_COUNT, MPE_LP_KW, MPE_LP_SH, MPE_LP_SW,
    MPE_LP_PAD_T, MPE_LP_PAD_L, MPE_LP_PAD_B, MPE_LP_PAD_R, MPE_LP_DH, MPE_LP_DW,
    MPE_LP_IM2COL_COUNT
};

typedef struct {
    char name[MPE_TDESC_NAME_MAX + 1]; /* 1..127 printable ASCII, unique */
    uint8_t role;                      /* MPE_ROLE_* */
    uint8_t ttype;                     /* host element type (mpe_ttype) */
    uint8_t elem;                      /* MPE_ELEM_DTYPE or MPE_ELEM_OUT */
    mpe_dtype dt;                      /* stored operand type (MPE_ELEM_DTYPE) */
    uint8_t out;                       /* stored output format MPE_OUT_* (MPE_ELEM_OUT) */
    uint8_t ndim;                      /* 1..4 */
    uint32_t dims[MPE_TDESC_MAX_DIMS]; /* logical shape, each >= 1; unused 0 */
    uint64_t addr;                     /* external memory byte address */
    uint8_t layout;                    /* mpe_layout */
    uint8_t nparams;                   /* exactly the layout's count */
    int32_t params[MPE_TDESC_MAX_PARAMS];
    uint8_t has_quant;                 /* scale/zero point valid (else both 0) */
    uint32_t scale;                    /* FP32 bits, finite and > 0 */
    int32_t zero_point;                /* inside the stored element's range */
} mpe_tdesc;

/* Container width of one stored code: 1, 2, 4, 8, 16 or 32 bits; 0 if the
 * element description is invalid. */
int mpe_tdesc_cw(const mpe_tdesc *d);
/* Number of parameters a layout takes (-1 for an unknown layout). */
int mpe_layout_nparams(int layout);
const char *mpe_layout_name(int layout); /* "row_major", "tiled", "im2col", "tiled_nchw" */
int mpe_layout_parse(const char *name, int *layout);
/* The im2col geometry (IM2COL only): output height/width, matrix rows M and
 * columns Kt. MPE_ERR_SHAPE when the convolution does not fit. */
mpe_status mpe_tdesc_conv_out(const mpe_tdesc *d, int64_t *oh, int64_t *ow);
/* Logical matrix of a tiled layout: M rows and Kt columns before padding. */
mpe_status mpe_tdesc_matrix(const mpe_tdesc *d, int64_t *m, int64_t *kt);
/* Bytes the tensor occupies in memory. */
mpe_status mpe_tdesc_bytes(const mpe_tdesc *d, uint64_t *bytes);
/* Code index (bit offset / cw from addr) of matrix element (m, k) of a
 * tiled layout, or of element number m of a ROW_MAJOR tensor (k ignored). */
uint64_t mpe_tdesc_code_index(const mpe_tdesc *d, int64_t m, int64_t k);
/* Every rule of a descriptor (names, types, shape, layout parameters,
 * quantization, memory range inside arch->mem_bytes). `msg` gets a reason
 * that starts with the tensor's name. */
mpe_status mpe_tdesc_check(const mpe_tdesc *d, const mpe_arch *arch, char *msg, size_t msglen);
/* The descriptor name of a model tensor named `in`: printable ASCII without
 * spaces (others become '_'), at most MPE_TDESC_NAME_MAX characters; dup > 0
 * appends "#<dup+1>" to make the dup-th repetition unique. */
void mpe_tdesc_name(const char *in, int dup, char *out);

/* ---- program ------------------------------------------------------------ */

typedef struct {
    uint64_t addr;  /* external memory byte address */
    uint64_t len;   /* >= 1 */
    uint8_t *bytes; /* len bytes, owned */
} mpe_data_rec;

typedef struct {
    mpe_arch arch;         /* the configuration the program was built for */
    uint8_t *code;         /* ninsns * MPE_INSN_BYTES bytes, owned */
    size_t ninsns;         /* 1 .. arch.imem_insns */
    mpe_data_rec *data;    /* ndata records, owned, non-overlapping */
    size_t ndata;
    mpe_tdesc *tensors;    /* ntensors descriptors, owned */
    size_t ntensors;
    char *meta;            /* NUL-terminated text or NULL, owned */
} mpe_program;

/* An empty program for the default architecture. */
void mpe_program_init(mpe_program *p);
void mpe_program_free(mpe_program *p);
/* Builders; they copy their inputs. */
mpe_status mpe_program_set_code(mpe_program *p, const uint8_t *code, size_t ninsns);
mpe_status mpe_program_add_data(mpe_program *p, uint64_t addr, const uint8_t *bytes,
                                uint64_t len);
mpe_status mpe_program_add_tensor(mpe_program *p, const mpe_tdesc *d);
mpe_status mpe_program_set_meta(mpe_program *p, const char *text);

/* Every rule the reader enforces, on the struct: valid arch, 1..imem_insns
 * instructions, data records inside mem_bytes and non-overlapping, valid and
 * uniquely named tensor descriptors. */
mpe_status mpe_program_check(const mpe_program *p, char *err, size_t errlen);
/* Errors unless the program was built for `arch` (names the first key). */
mpe_status mpe_program_check_arch(const mpe_program *p, const mpe_arch *arch, char *err,
                                  size_t errlen);

/* Serializes a valid program into a malloc'ed buffer. */
mpe_status mpe_program_write(const mpe_program *p, uint8_t **buf, size_t *len, char *err,
                             size_t errlen);
/* Writes a valid program to a stream without building the image in memory:
 * two passes over the program, the first only computing the header's size
 * and CRC, so nothing seeks (a pipe works) and the bytes are those of
 * mpe_program_write. MPE_ERR_RANGE when the file would be larger than
 * MPE_BIN_MAX_BYTES (nothing written), MPE_ERR_IO when a write failed (the
 * stream's error flag tells mpe_out_close), else what mpe_program_check says. */
mpe_status mpe_program_write_stream(const mpe_program *p, FILE *f, char *err, size_t errlen);
/* Parses and validates a whole file image; on error `p` is left empty and
 * `err` holds a one-line reason. */
mpe_status mpe_program_read(const uint8_t *buf, size_t len, mpe_program *p, char *err,
                            size_t errlen);
/* File versions (through mpe/outfile.h, streaming): errors are prefixed with
 * the path. */
mpe_status mpe_program_save(const mpe_program *p, const char *path, char *err, size_t errlen);
mpe_status mpe_program_load(const char *path, mpe_program *p, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
