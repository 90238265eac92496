// mpe-rtl run (binaries on the RTL model, simulation speed) and mpe-rtl
// serve (one run for the process backend of runtime/backend_rtl.c; the file
// formats are described there).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "accel_rtl.h"

extern "C" {
#include "rtl_serve.h"
#include "mpe/binary.h"
}

namespace {

double now()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int run_one(const mpe_backend *be, const mpe_program *p, const char *name, uint64_t max,
            const char *fst)
{
    char err[512];
    void *ctx = nullptr;
    if (be->create(&p->arch, &ctx, err, sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe-rtl run: %s\n", err);
        return 1;
    }
    mpe_status st = be->load_code(ctx, p->code, p->ninsns);
    for (size_t i = 0; st == MPE_OK && i < p->ndata; i++)
        st = be->mem_write(ctx, p->data[i].addr, p->data[i].bytes, p->data[i].len);
    if (st == MPE_OK && fst && accel_rtl_fst(ctx, fst)) st = MPE_ERR_IO;
    int rc = 1;
    if (st != MPE_OK) {
        fprintf(stderr, "mpe-rtl run: %s: %s\n", name, mpe_status_str(st));
    } else {
        double t0 = now();
        mpe_run_state rs = be->run(ctx, max);
        double secs = now() - t0;
        const mpe_accel_stats *s = be->stats(ctx);
        if (rs == MPE_RUN_DONE) {
            double util = s->cycles ? 100.0 * (double)s->pe_busy / (double)s->cycles : 0.0;
            printf("%-8s %-40s %12" PRIu64 " cycles %10" PRIu64 " PE ops %7.2f%% util %9.3f s"
                   " %12.0f cycles/s\n",
                   be->name, name, s->cycles, s->pe_ops, util, secs, (double)s->cycles / secs);
            rc = 0;
        } else {
            fprintf(stderr, "mpe-rtl run: %s on %s: %s\n", name, be->name,
                    rs == MPE_RUN_TRAP ? be->trap(ctx)->msg : "cycle limit");
        }
    }
    be->destroy(ctx);
    return rc;
}

}  // namespace

int run_main(int argc, char **argv)
{
    uint64_t max = 0;
    int cmodel = 0, rc = 0;
    const char *fst = nullptr;
    std::vector<const char *> files;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cmodel")) cmodel = 1;
        else if (!strcmp(argv[i], "--max-cycles") && i + 1 < argc) max = strtoull(argv[++i], nullptr, 0);
        else if (!strcmp(argv[i], "--fst") && i + 1 < argc) fst = argv[++i];
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: mpe-rtl run PROG.mpeb... [--cmodel] [--fst FILE] [--max-cycles N]\n");
            return 2;
        } else files.push_back(argv[i]);
    }
    for (const char *f : files) {
        mpe_program p;
        char err[512];
        if (mpe_program_load(f, &p, err, sizeof err) != MPE_OK) {
            fprintf(stderr, "mpe-rtl run: %s\n", err);
            rc = 1;
            continue;
        }
        const char *base = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;
        rc |= run_one(&accel_rtl_backend, &p, base, max, fst);
        if (cmodel) rc |= run_one(&mpe_backend_cmodel, &p, base, max, nullptr);
        mpe_program_free(&p);
    }
    return rc;
}

int serve_main(int argc, char **argv)
{
    mpe_rtl_fst fst = {accel_rtl_fst, nullptr};
    if (argc == 5 && !strcmp(argv[3], "--fst")) fst.path = argv[4];
    if (argc != 3 && !fst.path) {
        fprintf(stderr, "usage: mpe-rtl serve REQUEST RESPONSE [--fst FILE]\n");
        return 2;
    }
    char err[512];
    if (mpe_rtl_serve(&accel_rtl_backend, argv[1], argv[2], accel_rtl_dirty_pages, &fst, err,
                      sizeof err) != MPE_OK) {
        fprintf(stderr, "mpe-rtl serve: %s\n", err);
        return 1;
    }
    return 0;
}
