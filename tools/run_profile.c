/* Per-layer cycles and PE utilization of a run (run_profile.h). */
#include "run_profile.h"

#include <stdlib.h>
#include <string.h>

int run_profile_init(run_profile *pr, const mpe_program *p)
{
    memset(pr, 0, sizeof *pr);
    int n = mpe_meta_layers(p, NULL, 0);
    if (n < 0)
        pr->malformed = 1;
    if (n <= 0)
        return 0;
    pr->layer = calloc((size_t)n, sizeof *pr->layer);
    pr->end = calloc((size_t)n, sizeof *pr->end);
    pr->pc_layer = malloc(p->ninsns * sizeof *pr->pc_layer);
    if (!pr->layer || !pr->end || !pr->pc_layer) {
        run_profile_free(pr);
        return -1;
    }
    pr->n = mpe_meta_layers(p, pr->layer, n);
    pr->npc = p->ninsns;
    for (size_t i = 0; i < p->ninsns; i++)
        pr->pc_layer[i] = -1;
    for (int l = 0; l < pr->n; l++)
        for (uint32_t pc = pr->layer[l].pc_lo; pc < pr->layer[l].pc_hi; pc++)
            pr->pc_layer[pc] = l;
    return 0;
}

void run_profile_commit(run_profile *pr, const mpe_commit *c)
{
    if (c->pc >= pr->npc || pr->pc_layer[c->pc] < 0)
        return;
    uint64_t *e = &pr->end[pr->pc_layer[c->pc]];
    if (c->cycle + 1 > *e)
        *e = c->cycle + 1;
}

static double pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static int name_width(const run_profile *pr)
{
    int w = 12;
    for (int i = 0; i < pr->n; i++) {
        int k = (int)strlen(pr->layer[i].name);
        w = k > w ? k : w;
    }
    return w > 48 ? 48 : w;
}

static void header(FILE *f, int w)
{
    fprintf(f, "  %-4s %-*s %11s %11s %11s %6s\n", "#", w, "layer", "cycles", "estimate",
            "PE cycles", "PE%");
}

void run_profile_print(const run_profile *pr, const mpe_accel_stats *st, FILE *f)
{
    int w = name_width(pr);
    if (!pr->n)
        fprintf(f, "profile: %s; whole program only\n",
                pr->malformed ? "the binary's layer table is malformed"
                              : "no layer table in the binary (only mpe compile writes one)");
    else
        fprintf(f, "profile: per layer (cycles measured, PE cycles counted by the compiler)\n");
    header(f, w);
    uint64_t prev = 0, est = 0, pe = 0;
    for (int i = 0; i < pr->n; i++) {
        const mpe_meta_layer *L = &pr->layer[i];
        uint64_t end = pr->end[i] > prev ? pr->end[i] : prev, cyc = end - prev;
        fprintf(f, "  %-4d %-*.*s %11llu %11llu %11llu %5.1f%%\n", i, w, w, L->name,
                (unsigned long long)cyc, (unsigned long long)L->est_cycles,
                (unsigned long long)L->pe_cycles, pct(L->pe_cycles, cyc));
        prev = end;
        est += L->est_cycles;
        pe += L->pe_cycles;
    }
    if (pr->n && st->cycles > prev)
        fprintf(f, "  %-4s %-*s %11llu\n", "", w, "(after the last layer)",
                (unsigned long long)(st->cycles - prev));
    char total_est[24] = "";
    if (pr->n)
        snprintf(total_est, sizeof total_est, "%llu", (unsigned long long)est);
    fprintf(f, "  %-4s %-*s %11llu %11s %11llu %5.1f%%\n", "", w, "total",
            (unsigned long long)st->cycles, total_est, (unsigned long long)st->pe_busy,
            pct(st->pe_busy, st->cycles));
    if (pr->n && pe != st->pe_busy)
        fprintf(f, "profile: note: the layers' PE cycles sum to %llu, the run measured %llu\n",
                (unsigned long long)pe, (unsigned long long)st->pe_busy);
}

void run_profile_free(run_profile *pr)
{
    free(pr->layer);
    free(pr->end);
    free(pr->pc_layer);
    memset(pr, 0, sizeof *pr);
}
