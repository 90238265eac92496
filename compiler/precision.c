/* Pass `precision`: the effective precision of each layer's weights, from
 * their values (after subtracting zero points): the value range, the
 * smallest signed / unsigned width holding it, and the special sets the PE
 * modes exploit: binary {-1, +1}, ternary {-1, 0, +1}, powers of two
 * {0, +-1, +-2, ..., +-64}. Block-quantized weights (MatMulNBits) keep their
 * stored width. */
#include "comp.h"

static int sbits(int32_t lo, int32_t hi)
{
    for (int b = 1; b <= 32; b++) {
        int64_t mn = -((int64_t)1 << (b - 1)), mx = ((int64_t)1 << (b - 1)) - 1;
        if (lo >= mn && hi <= mx)
            return b;
    }
    return 33;
}

static int ubits(int32_t lo, int32_t hi)
{
    if (lo < 0)
        return 0;
    int b = 1;
    while (b < 32 && hi > (int32_t)((1u << b) - 1))
        b++;
    return b;
}

static int is_pow2_value(int32_t v)
{
    int32_t a = v < 0 ? -v : v;
    return a == 0 || (a <= 64 && (a & (a - 1)) == 0);
}

static void scan(comp *c, ir_layer *L)
{
    ir_prec *p = &L->prec;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    int binary = 1, ternary = 1, pow2 = 1;
    for (int64_t n = 0; n < L->N; n++) {
        for (int64_t k = 0; k < L->K; k++) {
            int32_t v = ir_wget(c, L, n, k);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            binary &= v == 1 || v == -1;
            ternary &= v >= -1 && v <= 1;
            pow2 &= is_pow2_value(v);
        }
    }
    p->lo = lo;
    p->hi = hi;
    p->ibits = sbits(lo, hi);
    p->ubits = ubits(lo, hi);
    p->binary = binary;
    p->ternary = ternary;
    p->pow2 = pow2;
}

int pass_precision(comp *c)
{
    for (int i = 0; i < c->nl; i++) {
        ir_layer *L = &c->L[i];
        if (L->prec.grouped) {
            L->prec.lo = 0;
            L->prec.hi = (1 << L->w.bits) - 1;
            L->prec.ubits = L->w.bits;
            L->prec.ibits = L->w.bits + 1;
            continue;
        }
        scan(c, L);
        if (L->prec.ibits > 16)
            return comp_err(c, "layer '%s' (%s): weights (minus zero points) span [%d, %d], "
                            "more than 16 bits", L->name, L->op, L->prec.lo, L->prec.hi);
        if (c->o.verbose)
            fprintf(stderr, "note: %s: weights in [%d, %d] (int%d%s%s%s)\n", L->name,
                    L->prec.lo, L->prec.hi, L->prec.ibits, L->prec.binary ? ", binary" : "",
                    L->prec.ternary ? ", ternary" : "", L->prec.pow2 ? ", powers of two" : "");
    }
    return 0;
}
