/* ONNX node attributes. */
#include "comp.h"

#include <string.h>

const Onnx__AttributeProto *attr_find(const ir_node *n, const char *name)
{
    if (!n->np)
        return NULL;
    for (size_t i = 0; i < n->np->n_attribute; i++) {
        const Onnx__AttributeProto *a = n->np->attribute[i];
        if (a->name && !strcmp(a->name, name))
            return a;
    }
    return NULL;
}

int64_t attr_int(const ir_node *n, const char *name, int64_t dflt)
{
    const Onnx__AttributeProto *a = attr_find(n, name);
    return a ? a->i : dflt;
}

float attr_float(const ir_node *n, const char *name, float dflt)
{
    const Onnx__AttributeProto *a = attr_find(n, name);
    return a ? a->f : dflt;
}

int attr_ints(const ir_node *n, const char *name, int64_t *out, int max)
{
    const Onnx__AttributeProto *a = attr_find(n, name);
    if (!a)
        return -1;
    int cnt = (int)a->n_ints;
    for (int i = 0; i < cnt && i < max; i++)
        out[i] = a->ints[i];
    return cnt;
}
