/* Quantization parameters (scales, zero points) read from constants and
 * validated: a scale is a positive finite FP32 number, a zero point lies in
 * the range of the quantized type and has that type, per-axis vectors have
 * the length of the axis. */
#include "comp.h"

#include <math.h>
#include <string.h>

#include "mpe/format.h"

static int qerr(comp *c, int node, const char *what, const char *msg, double x)
{
    char d[256];
    return comp_err(c, "%s: %s %s %g", comp_node_desc(c, node, d, sizeof d), what, msg, x);
}

static int need_const(comp *c, int node, int val, const char *what)
{
    char d[256];
    if (val < 0 || c->v[val].kind != VK_CONST)
        return comp_err(c, "%s: %s must be a constant (initializer)",
                        comp_node_desc(c, node, d, sizeof d), what);
    return 0;
}

static int check_len(comp *c, int node, int val, int64_t n, const char *what)
{
    int64_t cnt = ir_count(&c->v[val]);
    char d[256];
    if (cnt != 1 && cnt != n)
        return comp_err(c, "%s: %s has %lld values, expected 1 or %lld",
                        comp_node_desc(c, node, d, sizeof d), what, (long long)cnt,
                        (long long)n);
    return 0;
}

int qp_scales_n(comp *c, int node, int val, int64_t n, const char *what, uint32_t *out)
{
    if (need_const(c, node, val, what) || check_len(c, node, val, n, what))
        return -1;
    const ir_value *v = &c->v[val];
    int dt = v->c.dtype;
    if (dt != MPE_T_FLOAT && dt != MPE_T_FLOAT16 && dt != MPE_T_BFLOAT16)
        return qerr(c, node, what, "must be a float tensor; its ONNX type code is", dt);
    int64_t cnt = ir_count(v);
    for (int64_t i = 0; i < n; i++) {
        float s = ir_const_f32(v, cnt == 1 ? 0 : i);
        if (!(s > 0) || !isfinite(s))
            return qerr(c, node, what, "must be positive and finite, got", s);
        out[i] = mpe_f32_bits(s);
    }
    return 0;
}

int qp_scale(comp *c, int node, int val, const char *what, uint32_t *out)
{
    if (need_const(c, node, val, what))
        return -1;
    if (ir_count(&c->v[val]) != 1) {
        char d[256];
        return comp_err(c, "%s: %s must be a single value (per-tensor), it has %lld",
                        comp_node_desc(c, node, d, sizeof d), what,
                        (long long)ir_count(&c->v[val]));
    }
    return qp_scales_n(c, node, val, 1, what, out);
}

static int dtype_range(int dt, int64_t *lo, int64_t *hi)
{
    switch (dt) {
    case MPE_T_INT8: *lo = -128; *hi = 127; return 0;
    case MPE_T_UINT8: *lo = 0; *hi = 255; return 0;
    case MPE_T_INT16: *lo = -32768; *hi = 32767; return 0;
    case MPE_T_UINT16: *lo = 0; *hi = 65535; return 0;
    case MPE_T_INT32: *lo = INT32_MIN; *hi = INT32_MAX; return 0;
    default: return -1;
    }
}

int qp_zps_n(comp *c, int node, int val, int64_t n, int dtype, const char *what, int32_t *out)
{
    char d[256];
    int64_t lo, hi;
    if (dtype_range(dtype, &lo, &hi))
        return comp_err(c, "%s: quantized type %s is not supported (int8, uint8, int32)",
                        comp_node_desc(c, node, d, sizeof d), mpe_ttype_name(dtype));
    if (val < 0) {
        for (int64_t i = 0; i < n; i++)
            out[i] = 0;
        return 0;
    }
    if (need_const(c, node, val, what) || check_len(c, node, val, n, what))
        return -1;
    const ir_value *v = &c->v[val];
    int64_t cnt = ir_count(v);
    for (int64_t i = 0; i < n; i++) {
        int64_t z = ir_const_i64(v, cnt == 1 ? 0 : i);
        if (z < lo || z > hi)
            return comp_err(c, "%s: %s %lld is out of range for %s",
                            comp_node_desc(c, node, d, sizeof d), what, (long long)z,
                            mpe_ttype_name(dtype));
        out[i] = (int32_t)z;
    }
    if (v->c.dtype != dtype)
        return comp_err(c, "%s: %s has type %s, the quantized tensor is %s",
                        comp_node_desc(c, node, d, sizeof d), what, mpe_ttype_name(v->c.dtype),
                        mpe_ttype_name(dtype));
    return 0;
}

int qp_zp(comp *c, int node, int val, int dtype, const char *what, int32_t *out)
{
    return qp_zps_n(c, node, val, 1, dtype, what, out);
}
