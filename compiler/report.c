/* --report: JSON with, per layer, the shape, chosen mode and operand types,
 * effective weight precision, tiling, estimated cycles and PE utilization,
 * and the estimate of every mode that could run the layer. */
#include "comp.h"

#include <string.h>

static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static double util(const ir_cost *k)
{
    return k->cycles ? (double)k->pe_cycles / (double)k->cycles : 0;
}

static void cost_json(FILE *f, const ir_cost *k)
{
    fprintf(f, "{\"cycles\": %llu, \"pe_cycles\": %llu, \"utilization\": %.4f, "
            "\"load_bytes\": %llu, \"store_bytes\": %llu, \"energy_proxy\": %.3f}",
            (unsigned long long)k->cycles, (unsigned long long)k->pe_cycles, util(k),
            (unsigned long long)k->load_bytes, (unsigned long long)k->store_bytes, k->energy);
}

static void prec_json(FILE *f, const ir_layer *L)
{
    const ir_prec *p = &L->prec;
    fprintf(f, "{\"min\": %d, \"max\": %d, \"int_bits\": %d, \"uint_bits\": %d, "
            "\"binary\": %s, \"ternary\": %s, \"pow2\": %s, \"grouped\": %s",
            p->lo, p->hi, p->ibits, p->ubits, p->binary ? "true" : "false",
            p->ternary ? "true" : "false", p->pow2 ? "true" : "false",
            p->grouped ? "true" : "false");
    if (p->grouped)
        fprintf(f, ", \"block_size\": %d", L->w.bs);
    fputc('}', f);
}

static void layer_json(comp *c, FILE *f, int i)
{
    const ir_layer *L = &c->L[i];
    const ir_tiling *t = &L->t;
    fprintf(f, "    {\"index\": %d, \"name\": ", i);
    jstr(f, L->name);
    fprintf(f, ", \"op\": ");
    jstr(f, L->op);
    fprintf(f, ", \"M\": %lld, \"N\": %lld, \"K\": %lld,\n     \"mode\": \"%s\", "
            "\"activation\": \"%s\", \"weight\": \"%s\", \"group\": %d, \"output\": \"%s\",\n"
            "     \"precision\": ", (long long)L->Mreal, (long long)L->N, (long long)L->K,
            mpe_mode_name((mpe_mode)L->cfg.mode), mpe_dt_name(L->cfg.a), mpe_dt_name(L->cfg.w),
            L->cfg.group, mpe_out_name(L->out));
    prec_json(f, L);
    fprintf(f, ",\n     \"tiling\": {\"mp\": %lld, \"np\": %lld, \"kp\": %lld, \"ks\": %d, "
            "\"mt\": %d, \"nt\": %d, \"m_blocks\": %d, \"n_blocks\": %d, \"a_buffers\": %d, "
            "\"w_buffers\": %d, \"o_buffers\": %d, \"weights_resident\": %s, "
            "\"activations_resident\": %s, \"loop\": \"%s\"},\n     \"estimate\": ",
            (long long)t->mp, (long long)t->np, (long long)t->kp, t->ks, t->mt, t->nt,
            t->mblocks, t->nblocks, t->abuf, t->wbuf, t->obuf,
            t->w_resident ? "true" : "false", t->a_resident ? "true" : "false",
            t->a_outer ? "m_outer" : "n_outer");
    cost_json(f, &L->cost);
    fprintf(f, ",\n     \"choice\": ");
    jstr(f, L->why);
    fprintf(f, ",\n     \"candidates\": {");
    int first = 1;
    for (int m = 0; m < MPE_MODE_COUNT; m++) {
        if (!L->cand_ok[m])
            continue;
        fprintf(f, "%s\n       \"%s\": ", first ? "" : ",", mpe_mode_name((mpe_mode)m));
        cost_json(f, &L->cand[m]);
        first = 0;
    }
    fprintf(f, "}}");
}

int comp_write_report(comp *c, const char *path)
{
    mpe_outfile out;
    if (comp_out_open(c, &out, path))
        return -1;
    FILE *f = out.f;
    uint64_t total = 0, pe = 0;
    for (int i = 0; i < c->nl; i++) {
        total += c->L[i].cost.cycles;
        pe += c->L[i].cost.pe_cycles;
    }
    fprintf(f, "{\n  \"model\": ");
    jstr(f, c->o.model_path);
    fprintf(f, ",\n  \"arch\": {\"rows\": %u, \"cols\": %u, \"lanes\": %u},\n"
            "  \"instructions\": %d,\n  \"memory_bytes\": %llu,\n"
            "  \"estimated_cycles\": %llu,\n  \"estimated_utilization\": %.4f,\n  \"layers\": [\n",
            c->arch.rows, c->arch.cols, c->arch.lanes, c->nins,
            (unsigned long long)c->mem_top, (unsigned long long)total,
            total ? (double)pe / (double)total : 0);
    for (int i = 0; i < c->nl; i++) {
        layer_json(c, f, i);
        fprintf(f, "%s\n", i + 1 < c->nl ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return comp_out_close(c, &out);
}
