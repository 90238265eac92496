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

/* The type letters of attr_check's rules. */
static const struct {
    const char *code;
    Onnx__AttributeProto__AttributeType type;
    const char *name;
} types[] = {
    {"i", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, "an int"},
    {"b", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, "an int, 0 or 1"},
    {"f", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, "a float"},
    {"s", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING, "a string"},
    {"is", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS, "a list of ints"},
};

/* Finds `name` in rules ("name:type[=0] ..."); copies its type letters and
 * whether it must be 0. Returns 0 when found. */
static int rule_of(const char *rules, const char *name, char *type, size_t tlen, int *zero)
{
    size_t nl = strlen(name);
    for (const char *p = rules; *p;) {
        while (*p == ' ')
            p++;
        const char *colon = strchr(p, ':'), *end = strchr(p, ' ');
        if (!end)
            end = p + strlen(p);
        if (!*p || !colon || colon > end)
            break;
        if ((size_t)(colon - p) == nl && !strncmp(p, name, nl)) {
            const char *eq = memchr(colon, '=', (size_t)(end - colon));
            const char *te = eq ? eq : end;
            snprintf(type, tlen, "%.*s", (int)(te - colon - 1), colon + 1);
            *zero = eq != NULL;
            return 0;
        }
        p = end;
    }
    return -1;
}

int attr_check(comp *c, int node, const char *rules)
{
    const ir_node *n = &c->n[node];
    for (size_t i = 0; n->np && i < n->np->n_attribute; i++) {
        const Onnx__AttributeProto *a = n->np->attribute[i];
        const char *name = a->name ? a->name : "";
        char type[8];
        int zero;
        char d[256];
        comp_node_desc(c, node, d, sizeof d);
        if (rule_of(rules, name, type, sizeof type, &zero))
            return comp_err(c, "%s: attribute '%s' is not supported", d, name);
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
            if (strcmp(types[t].code, type))
                continue;
            if (a->type != types[t].type || (!strcmp(type, "b") && (a->i < 0 || a->i > 1)))
                return comp_err(c, "%s: attribute '%s' must be %s", d, name, types[t].name);
            if (zero && a->i != 0)
                return comp_err(c, "%s: attribute %s=%lld is not supported (only 0)", d, name,
                                (long long)a->i);
        }
    }
    return 0;
}
