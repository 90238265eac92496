/* The ONNX compiler: internal header (chibicc style: one header, one section
 * per file). The public entry points are in compile.h.
 *
 * Pipeline (compile.c lists it, with an invariant check after every pass;
 * `mpe compile M --dump-after PASS` prints the IR after PASS, and
 * tests/golden/<model>/<pass>.txt holds that dump for a few models):
 *
 *   pass         file           job
 *   import       import.c       read model.onnx (protobuf-c), build values and nodes
 *   fold         fold.c         shape/layout glue (Reshape, Transpose, ...) folded
 *                               into constants or views
 *   fuse         fuse.c         quantized GEMM/conv patterns -> accelerator layers,
 *                fuse_io.c      graph inputs/outputs -> tensor descriptors (ir_io)
 *   lower_conv   lower_conv.c   convolutions become GEMMs (im2col, gather.c)
 *   precision    precision.c    effective weight precision from the weight values
 *   choose_mode  choose_mode.c  the PE mode of each layer (cheapest by cost.c)
 *   tile         tile.c         the chosen tiling and activation layouts
 *   pack         pack.c         the external memory map and the data placed in it
 *   schedule     schedule.c     the instruction stream (tasks.c: per-layer tasks)
 *   emit         emit.c         encoded instructions and descriptors -> the binary
 *
 * Helpers, not passes: ir.c (IR), irdump.c (--dump-after), check.c
 * (invariants), attr.c, shapes.c, qparams.c, onnx_tensor.c, modelio.c,
 * layer.c, bfp_exact.c, cost.c, tasks.c, gather.c, listing.c (--emit-asm),
 * report.c (--report), mpeb_out.c (writing .mpeb), compile.c (the driver).
 *
 * The IR is a graph of values (tensors) and nodes (ONNX operators); `fuse`
 * turns every quantized GEMM/convolution pattern into one accelerator layer
 * (ir_layer) and the host-side input quantization / output dequantization
 * into tensor descriptors (ir_io). Later passes work on the layers. */
#ifndef MPE_COMP_H
#define MPE_COMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compile.h"
#include "mpe/arch.h"
#include "mpe/isa.h"
#include "mpe/outfile.h"
#include "mpe/outstage.h"
#include "mpe/pe.h"
#include "mpe/tensor.h"
#include "onnx.pb-c.h"

#define IR_MAX_IO 16
#define IR_ERRLEN 512

/* ---- ir.c: values, nodes, layers, the context ------------------------------ */

enum { VK_ACT, VK_CONST, VK_INPUT }; /* computed, constant, graph input */

/* Quantization parameters of an activation (per tensor). */
typedef struct {
    int dtype;      /* MPE_T_INT8 / MPE_T_UINT8 / MPE_T_INT32; 0 = not quantized */
    uint32_t scale; /* FP32 bits */
    int32_t zp;
} ir_quant;

typedef struct {
    char *name;
    int kind;   /* VK_* */
    int dtype;  /* ONNX element type (MPE_T_*) */
    int ndim;
    int64_t dims[MPE_TENSOR_MAX_DIMS];
    char dynamic[64]; /* name of a symbolic dimension, "" if static */
    mpe_tensor c;     /* VK_CONST: the data */
    int borrowed;     /* c.data belongs to the ONNX model (not freed here) */
    Onnx__TensorProto *tp; /* initializer whose raw_data c.data points into */
    int owner;        /* value owning the data (views share it), -1: itself */
    int producer;     /* node index, -1 for inputs and constants */
    int is_output;    /* graph output */
    /* set by fuse: the integer activation this value stands for */
    ir_quant q;
    int alias;        /* DequantizeLinear output: the quantized value it reads */
    int view_of;      /* fold: a reshaped view of this value (same memory), -1 none */
    int nchw;         /* image [N, C, H, W] stored as a matrix rows = N*H*W, cols = C */
    /* set by lower_conv: the im2col matrix of layer `im2col_of`'s input, written
     * by the stores of the layer producing `gather_src` (-1: not such a matrix) */
    int im2col_of, gather_src;
    /* set by tile: the activation matrix in external memory */
    int64_t rows, cols; /* real extent of the matrix */
    int64_t rows_p, cols_p; /* padded to R / lanes */
    int cw;             /* container bits of one code */
    uint64_t addr, bytes;
} ir_value;

typedef struct {
    char *name; /* the node's name, or "#index" */
    char *op;   /* op_type */
    char *domain;
    const Onnx__NodeProto *np; /* attributes */
    int nin, in[IR_MAX_IO];    /* value index, -1 for an omitted optional input */
    int nout, out[IR_MAX_IO];
    int dead;
    int layer; /* fused into this layer (-1: not fused) */
} ir_node;

/* Where a layer's weights come from (read on demand, never copied whole).
 * Convolution weights [OC][C][kh][kw] are WS_NK; their column k follows the
 * layer's im2col column order (conv_tap, lower_conv.c). */
enum { WS_NK, WS_KN, WS_NBITS };
typedef struct {
    int kind;
    int src;        /* constant value */
    int64_t base;   /* element offset into the source (batched MatMul) */
    int32_t *zp;    /* [N] zero point per column (NULL: 0); WS_NBITS: unused */
    int sub_zp;     /* the effective weight is (code - zp) */
    /* WS_NBITS: source uint8 [N][kblocks][blob] */
    int bits, bs;
    int64_t kblocks, blob;
    uint16_t *gscale; /* [N][kblocks] FP16 bits */
    int16_t *gzp;     /* [N][kblocks] */
} ir_wsrc;

/* Effective weight precision found by `precision`. */
typedef struct {
    int32_t lo, hi;  /* value range of the effective weights */
    int ibits;       /* smallest B with the range inside intB */
    int ubits;       /* smallest B with the range inside uintB (0: has negatives) */
    int binary;      /* every value is -1 or +1 */
    int ternary;     /* every value in {-1, 0, 1} */
    int pow2;        /* every value 0 or +-2^e, e = 0..6 */
    int grouped;     /* NBITS: uintB codes with FP16 group scales */
} ir_prec;

/* Tiling of one layer (tile.c). */
typedef struct {
    int64_t mp, np, kp;    /* padded M (R), N (C, then lanes), K (lanes) */
    int ks;                /* k-steps per tile = kp / lanes */
    int mt, nt;            /* tile rows / columns per matmul */
    int mblocks, nblocks;  /* number of M and N blocks */
    int abuf, wbuf, obuf;  /* buffers (1 or 2) in ASP, WSP/PSP, OSP */
    int w_resident;        /* every weight block fits: weights loaded once */
    int a_resident;        /* every activation block fits: loaded once */
    int a_outer;           /* loop order: M blocks outer (1) or N blocks outer */
    uint32_t asz, wsz, psz, ssz, osz; /* bytes of one buffer */
    uint32_t a_sp[2], w_sp[2], p_sp[2], s_sp[2], o_sp[2]; /* scratchpad bases */
    int a_cw, w_cw, o_cw;  /* container bits */
} ir_tiling;

/* Cost estimate of a layer in a mode. */
typedef struct {
    uint64_t cycles;     /* estimated cycles of the layer */
    uint64_t pe_cycles;  /* sum of PE op cycles */
    uint64_t load_bytes, store_bytes;
    double energy;       /* proxy per lane-product (choose_mode.c) */
} ir_cost;

typedef struct {
    char *name;  /* anchor node name */
    char *op;    /* anchor op_type */
    int x, y;    /* activation input value, output value (memory roots) */
    int64_t M, N, K; /* M: rows processed, padded to R; N, K real */
    int64_t Mreal;   /* real rows (reports, im2col) */
    int64_t xrow0, yrow0; /* first row in x and y (multiple of R; batched MatMul) */
    int64_t st_lo, st_hi; /* rows of y this layer stores (batched MatMul) */
    int batch;   /* batched MatMul: index of this layer's batch (-1 none) */
    /* activations */
    ir_quant aq;
    /* weights */
    ir_wsrc w;
    ir_prec prec;
    /* output stage */
    int rq, out, relu; /* MPE_RQ_*, MPE_OUT_*, float ReLU */
    int32_t lo, hi;
    ir_quant yq;
    int has_bias;
    int32_t *bias;  /* [N] int32 (integer accumulator) */
    uint32_t *fbias;/* [N] FP32 bits (FP32 accumulator) */
    uint32_t *mult; /* [N] FP32 bits */
    /* convolution geometry (is_conv) */
    int is_conv;
    int C, H, W, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, OH, OW;
    int cseg; /* lower_conv: 0, or the per-tap channel segment of a gathered im2col */
    /* mode (choose_mode) */
    mpe_pe_cfg cfg;
    ir_cost cost;
    ir_cost cand[MPE_MODE_COUNT]; /* every mode tried (report) */
    mpe_pe_cfg cand_cfg[MPE_MODE_COUNT];
    uint8_t cand_ok[MPE_MODE_COUNT];
    char why[160]; /* reason of the choice (report) */
    /* tiling, memory */
    ir_tiling t;
    uint64_t w_addr, p_addr, s_addr; /* external memory */
    uint64_t w_bytes, p_bytes, s_bytes;
    uint64_t s_block_bytes; /* scale bytes of one N block of nt tile columns */
} ir_layer;

/* A model input or output as the host sees it (a tensor descriptor). */
enum { IO_MATRIX, IO_IM2COL };
typedef struct {
    char *name;
    int is_input;
    int value;      /* the activation value in memory */
    int onnx_dtype; /* type in the model (float: quantize / dequantize on the host) */
    int ndim;
    int64_t dims[MPE_TENSOR_MAX_DIMS];
    ir_quant q;     /* code type, scale, zero point */
    int layout;     /* IO_MATRIX or IO_IM2COL */
    int nchw;       /* tensor is [1, C, H, W], matrix rows = H*W, cols = C */
    int layer;      /* IO_IM2COL: the convolution layer */
    int64_t row0, rows; /* rows of the matrix this output reads */
} ir_io;

/* One instruction before encoding (schedule.c). */
typedef struct {
    mpe_insn in;
    int layer; /* -1: not part of a layer */
} ir_insn;

/* A block of bytes placed in external memory before the run. */
typedef struct {
    uint64_t addr, len;
    uint8_t *data; /* owned */
} ir_blob;

struct comp {
    mpe_comp_opts o;   /* the caller's options; the strings are our copies */
    char *strs[5];
    mpe_arch arch;
    char err[IR_ERRLEN];
    Onnx__ModelProto *model;
    ir_value *v;
    int nv, cap_v;
    ir_node *n;
    int nn, cap_n;
    ir_layer *L;
    int nl, cap_l;
    ir_io *io;
    int nio, cap_io;
    ir_insn *ins;
    int nins, cap_ins;
    ir_blob *blob;
    int nblob, cap_blob;
    uint64_t mem_top; /* next free external memory byte */
    int stage;        /* index of the last pass run */
    FILE *dump;       /* --dump-after output */
    mpe_program *prog; /* emitted program */
    int *insn_layer;   /* layer of each instruction (emit) */
};

/* Error reporting: formats ctx->err, returns -1. */
int comp_err(comp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Node description for messages: "node 'name' (Op)". */
const char *comp_node_desc(comp *c, int node, char *buf, size_t len);
void *comp_grow(void *p, int *cap, int need, size_t elem);
char *comp_strdup(const char *s);

int ir_new_value(comp *c, const char *name, int kind);
int ir_find_value(const comp *c, const char *name);
int ir_root(const comp *c, int v); /* follows view_of */
/* Frees a constant's data once no pass needs it (pack, after packing). */
void ir_release(comp *c, int v);
/* Matrix of an activation in memory (binary.h layouts TILED, TILED_NCHW):
 * rows = product of all dims but the last, cols = the last; an image
 * [N,C,H,W] is rows = N*H*W, cols = C. */
void ir_matrix(const ir_value *v, int64_t *rows, int64_t *cols);
int ir_new_node(comp *c);
int ir_new_layer(comp *c);
int ir_new_io(comp *c);
int ir_new_blob(comp *c, uint64_t addr, uint64_t len); /* data zeroed */
void ir_free(comp *c);
/* Element access of constants (any integer/float type). */
int64_t ir_const_i64(const ir_value *v, int64_t i);
float ir_const_f32(const ir_value *v, int64_t i);
int64_t ir_count(const ir_value *v);
/* The `bits`-bit field (1..8) at bit offset `bit` of a byte string packed
 * LSB-first across bytes (MatMulNBits codes and zero points). */
uint32_t ir_bitfield(const uint8_t *p, int64_t bit, int bits);
/* Effective weight w(n, k) of a layer (code - zero point, or the NBITS code). */
int32_t ir_wget(const comp *c, const ir_layer *L, int64_t n, int64_t k);
void ir_dump(comp *c, FILE *f);
int ir_check(comp *c); /* invariants of the current stage; 0 ok */
/* Stages: index of the last pass run (compile.c lists the passes in this order). */
enum { ST_IMPORT, ST_FOLD, ST_FUSE, ST_LOWER, ST_PRECISION, ST_MODE, ST_TILE, ST_PACK,
       ST_SCHEDULE, ST_EMIT };

/* ---- attr.c: node attributes ------------------------------------------------ */
const Onnx__AttributeProto *attr_find(const ir_node *n, const char *name);
int64_t attr_int(const ir_node *n, const char *name, int64_t dflt);
float attr_float(const ir_node *n, const char *name, float dflt);
/* Copies up to max ints; returns the count, or -1 if absent. */
int attr_ints(const ir_node *n, const char *name, int64_t *out, int max);
/* Every attribute of the node is named in `rules` ("name:T name:T=0 ..."; T is
 * i, b, f, s or is for int, 0/1 int, float, string, ints; =0: only the value 0 is
 * supported) and has that type; else an error naming the attribute. */
int attr_check(comp *c, int node, const char *rules);

/* ---- import.c, shapes.c: ModelProto -> IR with shapes ------------------------ */
int pass_import(comp *c);
int import_shapes(comp *c, int node); /* op check + shape inference of one node */
typedef struct {
    int64_t N, C, H, W, OC, OH, OW;
    int kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, group;
} ir_convgeom;
/* Geometry of a 2-D convolution node (x [N,C,H,W], w [OC,C/group,kh,kw]). */
int conv_geom(comp *c, int node, const ir_value *x, const ir_value *w, ir_convgeom *g);
/* Matrix product shape (numpy matmul rules); -1 with an error on mismatch. */
int matmul_shape(comp *c, int node, const ir_value *a, const ir_value *b, ir_value *out);

/* ---- the passes, one file each --------------------------------------------- */
int pass_fold(comp *c);
int pass_fuse(comp *c);
int fuse_host(comp *c); /* fuse_io.c: host quantize/dequantize, descriptors */
int pass_precision(comp *c);
int pass_choose_mode(comp *c);
int pass_lower_conv(comp *c);
/* lower_conv.c: the column order of a convolution's im2col matrix and weights.
 *  - cseg == 0 (fed by a graph input, or a plain 1x1 GEMM): k = (c*kh + ky)*kw + kx,
 *    the order of the im2col tensor layout (binary.h) and of ONNX weights;
 *  - cseg > 0 (gathered by the producing layer's stores): k = (ky*kw + kx)*cseg + c,
 *    cseg = C padded to the lanes, columns c >= C are padding (weight 0).
 * conv_col: column of (c, ky, kx); conv_tap: the inverse, 0 for a padding column. */
int64_t conv_col(const ir_layer *L, int ch, int ky, int kx);
int conv_tap(const ir_layer *L, int64_t k, int *ch, int *ky, int *kx);
int pass_tile(comp *c);
int pass_pack(comp *c);
int pass_schedule(comp *c);
int pass_emit(comp *c);

/* ---- qparams.c: quantization parameters, validated ----------------------- */
/* Reads a per-tensor scale (FP32 bits) / zero point from a constant input,
 * validating it; `what` names the input in messages. */
int qp_scale(comp *c, int node, int val, const char *what, uint32_t *out);
int qp_zp(comp *c, int node, int val, int dtype, const char *what, int32_t *out);
/* Per-axis scales/zero points of length n (or per tensor, broadcast). */
int qp_scales_n(comp *c, int node, int val, int64_t n, const char *what, uint32_t *out);
int qp_zps_n(comp *c, int node, int val, int64_t n, int dtype, const char *what, int32_t *out);

/* ---- layer.c: building layers from matched patterns ------------------------ */
enum { ACT_NONE, ACT_RELU, ACT_CLIP };
typedef struct {
    int node;         /* anchor node (name, op, messages) */
    int x;            /* activation codes (value, a memory root) */
    ir_quant aq;
    int y;            /* output value */
    int w;            /* weight constant */
    int wkind;        /* WS_KN, WS_NK, WS_NBITS */
    int64_t K, N;
    int nb;           /* weight batches (batched MatMul), 1 otherwise */
    int32_t *wzp;     /* [N] weight zero points (NULL: 0) */
    uint32_t *wscale; /* [N] weight scales; NULL: integer output, no requantization */
    double *bias_real;/* [N] real-valued bias, or NULL */
    int32_t *bias_int;/* [N] bias already in accumulator units, or NULL */
    ir_quant yq;      /* output; dtype 0: float output */
    int act;
    float clip_lo, clip_hi;
    int is_conv;
    ir_convgeom g;
    /* MatMulNBits */
    int bits, bs;
    int scales, zps;  /* values (zps -1: default 2^(bits-1)) */
} lb_desc;
int layer_build(comp *c, const lb_desc *d);

/* ---- choose_mode.c / cost.c ------------------------------------------------- */
/* Fills cfg for layer L in `mode`; returns 0 or -1 with the reason in why. */
int mode_cfg(comp *c, const ir_layer *L, int mode, mpe_pe_cfg *cfg, char *why, size_t len);
/* Estimated cycles of layer L under cfg and tiling t (cost.c). */
int cost_sim(comp *c, const ir_layer *L, const mpe_pe_cfg *cfg, const ir_tiling *t,
             ir_cost *out);
double energy_proxy(const mpe_pe_cfg *cfg, int cols);
/* bfp_exact.c: an integer layer in bfp mode as MXINT8 (int8 codes are the
 * element codes, every block scale 2^6), only where it is proven bit exact.
 * bfp_cfg fills cfg or returns -1 with the reason; bfp_fbias sets the FP32
 * bias of the chosen layer; bfp_scale_code is the E8M0 code of 2^6. */
int bfp_cfg(comp *c, const ir_layer *L, mpe_pe_cfg *cfg, char *why, size_t len);
int bfp_fbias(comp *c, ir_layer *L);
uint8_t bfp_scale_code(void);
#define BFP_BLOCK 32 /* the MX block (OCP MX v1.0) */
/* Tiling of one layer for a configuration (tile.c). 0 ok, -1 with reason. */
int tile_layer(comp *c, const ir_layer *L, const mpe_pe_cfg *cfg, ir_tiling *t,
               char *why, size_t len);
int cw_of_bits(int bits);
int out_cw(int out);

/* ---- tasks.c: the task sequence of a layer (shared by cost.c and schedule.c) */
typedef struct {
    int mb, nb;          /* M block and N block */
    int mt, nt, okt;     /* tile rows, tile columns, output vectors per row */
    int load_a, load_w;  /* this task loads its A block / its W (+P, S) block */
    uint32_t a_sp, w_sp, p_sp, o_sp; /* scratchpad addresses (s follows p) */
    uint32_t s_sp;
    uint64_t a_off, a_bytes; /* A block: offset in the activation matrix */
    uint64_t w_off, w_bytes; /* W block: offset in the layer's weight data */
    uint64_t p_off, p_bytes; /* P (+S) block: offset in the layer's parameter data */
    int wait_load;   /* loads wait for this task's compute (-1: none) */
    int wait_store;  /* compute waits for this task's store (-1: none) */
} ir_task;
/* Fills *out (malloc'ed) with the tasks of layer L under tiling t. */
int plan_tasks(comp *c, const ir_layer *L, const mpe_pe_cfg *cfg, const ir_tiling *t,
               ir_task **out, int *n);
/* Cycles of one matmul of a task (docs/isa.md section 5 timing). */
uint64_t task_matmul_cycles(comp *c, const mpe_pe_cfg *cfg, const ir_tiling *t, int mt, int nt,
                            uint64_t *pe_cycles);
uint32_t param_block_bytes(comp *c, const mpe_pe_cfg *cfg, const ir_tiling *t, int nt);

/* ---- gather.c: the stores writing a gathered im2col matrix ----------------- */
/* One store: OSP address, memory offset from the target value's address,
 * rows of rb bytes, memory stride between rows. */
typedef struct {
    uint32_t sp;
    uint64_t off;
    uint32_t rows;
    uint64_t rb, stride;
} ir_store;
typedef struct {
    ir_store *s;
    int n, cap;
} ir_stores;
/* Appends to *out the stores of task k of layer P (tiling t) writing its
 * output into the gathered im2col matrix gv (a value with gather_src == P->y). */
int gather_stores(comp *c, const ir_layer *P, const ir_tiling *t, const ir_task *k, int gv,
                  ir_stores *out);
/* Next value gathered from layer P's output after value `from` (-1: start); -1 at the end. */
int gather_next(const comp *c, const ir_layer *P, int from);
/* Whether a layer or the host reads value v (a layer output read only
 * through gathered copies is not stored in its plain layout). */
int value_read(const comp *c, int v);
int stores_add(comp *c, ir_stores *o, const ir_store *s); /* 0, or -1 out of memory */

/* ---- schedule.c ----------------------------------------------------------- */
mpe_insn *sched_add(comp *c, int id, int layer); /* NULL on OOM (error set) */

/* ---- report.c, listing.c, mpeb_out.c: output files ------------------------- */
int comp_write_report(comp *c, const char *path);
int comp_write_listing(comp *c, const char *path);
int comp_write_mpeb(comp *c, const char *path);
/* mpe/outfile.h for the compiler's outputs, errors through comp_err. */
int comp_out_open(comp *c, mpe_outfile *o, const char *path);
int comp_out_close(comp *c, mpe_outfile *o);

#endif
