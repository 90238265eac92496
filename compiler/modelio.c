/* The graph inputs and outputs of a model, and which inputs are
 * activations (read as the first operand of a node). */
#include "compile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

static int is_init(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_initializer; i++)
        if (g->initializer[i]->name && !strcmp(g->initializer[i]->name, name))
            return 1;
    return 0;
}

static int first_operand(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_node; i++)
        if (g->node[i]->n_input && g->node[i]->input[0] && !strcmp(g->node[i]->input[0], name))
            return 1;
    return 0;
}

static char *dup(const char *s)
{
    s = s ? s : "";
    char *d = malloc(strlen(s) + 1);
    if (d)
        strcpy(d, s);
    return d;
}

static int fill(const Onnx__GraphProto *g, mpe_model_io *io)
{
    io->in = calloc(g->n_input + 1, sizeof *io->in);
    io->data = calloc(g->n_input + 1, sizeof *io->data);
    io->out = calloc(g->n_output + 1, sizeof *io->out);
    if (!io->in || !io->data || !io->out)
        return -1;
    for (size_t i = 0; i < g->n_input; i++) {
        const char *n = g->input[i]->name;
        if (!n || is_init(g, n))
            continue;
        io->data[io->nin] = first_operand(g, n);
        if (!(io->in[io->nin++] = dup(n)))
            return -1;
    }
    for (size_t i = 0; i < g->n_output; i++)
        if (!(io->out[io->nout++] = dup(g->output[i]->name)))
            return -1;
    return 0;
}

int mpe_model_io_read(const char *path, mpe_model_io *io, char *err, size_t errlen)
{
    memset(io, 0, sizeof *io);
    uint8_t *buf;
    size_t len;
    mpe_status st = mpe_read_file(path, (size_t)1 << 34, &buf, &len);
    if (st != MPE_OK) {
        snprintf(err, errlen, "%s: cannot read (%s)", path, mpe_read_error(st));
        return -1;
    }
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    if (!m || !m->graph) {
        snprintf(err, errlen, "%s: not a valid ONNX model", path);
        if (m)
            onnx__model_proto__free_unpacked(m, NULL);
        return -1;
    }
    int rc = fill(m->graph, io);
    onnx__model_proto__free_unpacked(m, NULL);
    if (rc) {
        mpe_model_io_free(io);
        snprintf(err, errlen, "out of memory");
    }
    return rc;
}

void mpe_model_io_free(mpe_model_io *io)
{
    for (int i = 0; i < io->nin; i++)
        free(io->in[i]);
    for (int i = 0; i < io->nout; i++)
        free(io->out[i]);
    free(io->in);
    free(io->out);
    free(io->data);
    memset(io, 0, sizeof *io);
}
