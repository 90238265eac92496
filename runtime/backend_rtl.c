/* The RTL backend through a separate simulator process (mpe/backend_rtl.h).
 *
 * The client forks the simulator (`mpe-rtl serve REQ RESP [--fst FILE]`);
 * when the caller wants progress, with the write end of a pipe as
 * descriptor 3 (MPE_RTL_PROGRESS_FD=3 in its environment): the server
 * writes its cycle count there as native u64 records while it runs. The
 * child gets PR_SET_PDEATHSIG (SIGKILL), so it does not outlive the tool;
 * SIGINT, SIGTERM and SIGHUP during a run kill it, remove the temporary
 * directory and are then re-raised. The messages are in rtl_proto.h;
 * the server half is sim/rtl_serve.c. */
#include "mpe/backend_rtl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mpe/isa.h"
#include "rtl_proto.h"

_Static_assert(sizeof(mpe_accel_stats) % sizeof(uint64_t) == 0, "stats are u64 words");

extern char **environ;


/* ---- client ------------------------------------------------------------------- */

typedef struct {
    mpe_arch arch;
    uint8_t *mem, *dirty;
    size_t npages;
    uint8_t *code;
    mpe_insn *insn;
    size_t ninsns;
    mpe_commit_fn fn;
    void *user;
    mpe_run_state state;
    mpe_trap trap;
    mpe_accel_stats st;
    char sim[4096];
    char fst[4096]; /* waveform file ("" none) */
} rtl_ctx;

static int find_sim(char *out, size_t len)
{
    const char *env = getenv("MPE_RTL_SIM");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return access(out, X_OK);
    }
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    snprintf(out, len, "%s/../sim/accel/mpe-rtl", exe);
    if (!access(out, X_OK))
        return 0;
    snprintf(out, len, "%s/../../sim/accel/mpe-rtl", exe);
    if (!access(out, X_OK))
        return 0;
    snprintf(out, len, "%s/../sim/accel/mpe-rtl", exe);
    return -1;
}

static mpe_status create(const mpe_arch *arch, void **ctx, char *err, size_t errlen)
{
    *ctx = NULL;
    rtl_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return MPE_ERR_NOMEM;
    if (find_sim(c->sim, sizeof c->sim)) {
        snprintf(err, errlen,
                 "RTL simulator not built: run 'make rtl-sim' (looked for %s; or set MPE_RTL_SIM)",
                 c->sim);
        free(c);
        return MPE_ERR_UNSUPPORTED;
    }
    c->arch = *arch;
    c->npages = (arch->mem_bytes + MPE_RTL_PAGE - 1) / MPE_RTL_PAGE;
    c->mem = calloc(1, arch->mem_bytes);
    c->dirty = calloc(c->npages, 1);
    if (!c->mem || !c->dirty) {
        free(c->mem);
        free(c->dirty);
        free(c);
        return MPE_ERR_NOMEM;
    }
    *ctx = c;
    return MPE_OK;
}

static void destroy(void *ctx)
{
    rtl_ctx *c = ctx;
    if (!c)
        return;
    free(c->mem);
    free(c->dirty);
    free(c->code);
    free(c->insn);
    free(c);
}

static mpe_status load_code(void *ctx, const uint8_t *code, size_t n)
{
    rtl_ctx *c = ctx;
    if (n > c->arch.imem_insns)
        return MPE_ERR_RANGE;
    free(c->code);
    free(c->insn);
    c->code = malloc(n * MPE_INSN_BYTES + 1);
    c->insn = calloc(n + 1, sizeof *c->insn);
    if (!c->code || !c->insn)
        return MPE_ERR_NOMEM;
    if (n)
        memcpy(c->code, code, n * MPE_INSN_BYTES);
    for (size_t i = 0; i < n; i++)
        mpe_insn_decode(code + i * MPE_INSN_BYTES, &c->insn[i]);
    c->ninsns = n;
    return MPE_OK;
}

static mpe_status mem_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
    rtl_ctx *c = ctx;
    if (addr > c->arch.mem_bytes || len > c->arch.mem_bytes - addr)
        return MPE_ERR_RANGE;
    if (!len)
        return MPE_OK;
    memcpy(c->mem + addr, src, len);
    for (uint64_t p = addr / MPE_RTL_PAGE; p <= (addr + len - 1) / MPE_RTL_PAGE; p++)
        c->dirty[p] = 1;
    return MPE_OK;
}

static mpe_status mem_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
    rtl_ctx *c = ctx;
    if (addr > c->arch.mem_bytes || len > c->arch.mem_bytes - addr)
        return MPE_ERR_RANGE;
    if (len)
        memcpy(dst, c->mem + addr, len);
    return MPE_OK;
}

static void set_trace(void *ctx, mpe_commit_fn fn, void *user)
{
    rtl_ctx *c = ctx;
    c->fn = fn;
    c->user = user;
}

static int write_request(rtl_ctx *c, const char *path, uint64_t max)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    char text[MPE_ARCH_TEXT_MAX];
    size_t tl = mpe_arch_format(&c->arch, text, sizeof text);
    int bad = fwrite("MPERTLQ1", 1, 8, f) != 8 || mpe_rtl_put(f, tl, 4) ||
              fwrite(text, 1, tl, f) != tl || mpe_rtl_put(f, max, 8) || mpe_rtl_put(f, c->ninsns, 4) ||
              fwrite(c->code, 1, c->ninsns * MPE_INSN_BYTES, f) != c->ninsns * MPE_INSN_BYTES;
    uint64_t *pages = malloc((c->npages + 1) * sizeof *pages);
    size_t n = 0;
    for (size_t p = 0; pages && p < c->npages; p++)
        if (c->dirty[p])
            pages[n++] = p;
    bad = bad || !pages || mpe_rtl_put_pages(f, c->mem, c->arch.mem_bytes, pages, n);
    free(pages);
    return (fclose(f) || bad) ? -1 : 0;
}

static int read_response(rtl_ctx *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char magic[8];
    uint64_t v = 0, cause = 0, pc = 0, cyc = 0, nw = 0, nrec = 0;
    int bad = fread(magic, 1, 8, f) != 8 || memcmp(magic, "MPERTLA1", 8) || mpe_rtl_get(f, &v, 4) ||
              mpe_rtl_get(f, &cause, 4) || mpe_rtl_get(f, &pc, 4) || mpe_rtl_get(f, &cyc, 8) ||
              fread(c->trap.msg, 1, sizeof c->trap.msg, f) != sizeof c->trap.msg ||
              mpe_rtl_get(f, &nw, 4) || nw != MPE_RTL_STAT_WORDS;
    c->state = (mpe_run_state)v;
    c->trap.cause = (mpe_trap_cause)cause;
    c->trap.pc = (uint32_t)pc;
    c->trap.cycle = cyc;
    c->trap.msg[sizeof c->trap.msg - 1] = 0;
    uint64_t *w = (uint64_t *)&c->st;
    for (size_t i = 0; !bad && i < MPE_RTL_STAT_WORDS; i++)
        bad = mpe_rtl_get(f, &w[i], 8);
    bad = bad || mpe_rtl_get(f, &nrec, 8);
    for (uint64_t i = 0; !bad && i < nrec; i++) {
        uint64_t rc, rp, ru;
        bad = mpe_rtl_get(f, &rc, 8) || mpe_rtl_get(f, &rp, 4) || mpe_rtl_get(f, &ru, 1) || rp >= c->ninsns;
        if (!bad && c->fn) {
            mpe_commit cm = {rc, (uint8_t)ru, (uint32_t)rp, &c->insn[rp]};
            c->fn(c->user, &cm);
        }
    }
    bad = bad || mpe_rtl_get_pages(f, c->mem, c->arch.mem_bytes, c->dirty);
    fclose(f);
    return bad ? -1 : 0;
}

static mpe_run_state fail(rtl_ctx *c, const char *why)
{
    c->state = MPE_RUN_TRAP;
    memset(&c->trap, 0, sizeof c->trap);
    snprintf(c->trap.msg, sizeof c->trap.msg, "RTL simulator: %s", why);
    return c->state;
}

/* ---- running the simulator ------------------------------------------------ */

/* The stop signal that arrived during a run (0: none). */
static volatile sig_atomic_t stop_signal;
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP ((int)(sizeof stop_signals / sizeof stop_signals[0]))

static void on_stop_signal(int sig) { stop_signal = sig; }

/* Records the stop signals that are not ignored (no SA_RESTART: a blocked
 * poll or waitpid returns EINTR); old[] keeps the previous actions. */
static void catch_stop_signals(struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    for (int i = 0; i < NSTOP; i++) {
        sigaction(stop_signals[i], NULL, &old[i]);
        if ((old[i].sa_flags & SA_SIGINFO) || old[i].sa_handler != SIG_IGN)
            sigaction(stop_signals[i], &sa, NULL);
    }
}

static void restore_stop_signals(const struct sigaction *old)
{
    for (int i = 0; i < NSTOP; i++)
        sigaction(stop_signals[i], &old[i], NULL);
}

/* environ without MPE_RTL_PROGRESS_ENV, plus MPE_RTL_PROGRESS_ENV=3 when `progress`
 * (malloc'ed array). */
static char **child_env(int progress)
{
    static char var[] = MPE_RTL_PROGRESS_ENV "=3";
    size_t n = 0, k = 0, len = strlen(MPE_RTL_PROGRESS_ENV);
    while (environ[n])
        n++;
    char **env = malloc((n + 2) * sizeof *env);
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], MPE_RTL_PROGRESS_ENV, len) || environ[i][len] != '=')
            env[k++] = environ[i];
    if (progress)
        env[k++] = var;
    env[k] = NULL;
    return env;
}

/* In the child: die with the parent, the progress pipe's write end (if
 * any: fd[1] >= 0) as MPE_RTL_PROGRESS_FD, exec. */
static void exec_child(const char *sim, char *const argv[], char **env, pid_t parent,
                       const int fd[2])
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    if (fd[1] >= 0) {
        close(fd[0]);
        int bad = fd[1] == MPE_RTL_PROGRESS_FD ? fcntl(fd[1], F_SETFD, 0) != 0
                                       : dup2(fd[1], MPE_RTL_PROGRESS_FD) != MPE_RTL_PROGRESS_FD;
        if (bad)
            _exit(127);
    }
    execve(sim, argv, env);
    _exit(127);
}

/* Starts the simulator; with rfd, *rfd gets the read end of its progress
 * pipe. */
static pid_t start_sim(const rtl_ctx *c, char *const argv[], int *rfd)
{
    int fd[2] = {-1, -1};
    char **env = child_env(rfd != NULL);
    if (!env || (rfd && pipe(fd))) {
        free(env);
        return -1;
    }
    if (rfd) {
        fcntl(fd[0], F_SETFD, FD_CLOEXEC);
        fcntl(fd[1], F_SETFD, FD_CLOEXEC);
    }
    pid_t parent = getpid(), pid = fork();
    if (pid == 0)
        exec_child(c->sim, argv, env, parent, fd);
    free(env);
    if (!rfd)
        return pid;
    close(fd[1]);
    if (pid < 0)
        close(fd[0]);
    *rfd = fd[0];
    return pid;
}

/* Passes the child's progress records to fn until it closes the pipe (it
 * exited) or a stop signal arrives. */
static void relay_progress(int rfd, mpe_progress_fn fn, void *user)
{
    struct pollfd pfd = {rfd, POLLIN, 0};
    uint8_t buf[8 * 64];
    size_t have = 0;
    while (!stop_signal) {
        int n = poll(&pfd, 1, 200);
        if (n < 0 && errno != EINTR)
            return;
        if (n <= 0)
            continue;
        ssize_t k = read(rfd, buf + have, sizeof buf - have);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return;
        have += (size_t)k;
        size_t whole = have / 8 * 8;
        if (whole && fn) {
            uint64_t cycles;
            memcpy(&cycles, buf + whole - 8, 8);
            fn(user, cycles);
        }
        memmove(buf, buf + whole, have - whole);
        have -= whole;
    }
}

/* Reaps the child, killing it first when a stop signal arrived. */
static int reap(pid_t pid, int *status)
{
    int killed = 0;
    for (;;) {
        if (stop_signal && !killed)
            killed = !kill(pid, SIGKILL);
        if (waitpid(pid, status, 0) == pid)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

static mpe_run_state serve(rtl_ctx *c, const char *req, const char *resp, mpe_progress_fn fn,
                           void *user)
{
    char *argv[] = {c->sim, "serve", (char *)req, (char *)resp, "--fst", c->fst, NULL};
    if (!c->fst[0])
        argv[4] = NULL;
    int rfd = -1, status = 0;
    if (stop_signal)
        return fail(c, "interrupted");
    pid_t pid = start_sim(c, argv, fn ? &rfd : NULL);
    if (pid < 0)
        return fail(c, "cannot start it");
    if (fn) {
        relay_progress(rfd, fn, user);
        close(rfd);
    }
    if (reap(pid, &status))
        return fail(c, "lost track of it");
    if (stop_signal)
        return fail(c, "interrupted");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
        return fail(c, "it rejected its arguments (built from older sources? make rtl-sim)");
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return fail(c, "it failed (see its message above)");
    if (read_response(c, resp))
        return fail(c, "malformed response");
    return c->state;
}

static mpe_run_state run_progress(void *ctx, uint64_t max, mpe_progress_fn fn, void *user)
{
    rtl_ctx *c = ctx;
    struct sigaction old[NSTOP];
    catch_stop_signals(old);
    const char *tmp = getenv("TMPDIR");
    char dir[1024], req[1100], resp[1100];
    snprintf(dir, sizeof dir, "%s/mpe-rtl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    mpe_run_state rs;
    if (!mkdtemp(dir)) {
        rs = fail(c, "cannot make a temporary directory");
    } else {
        snprintf(req, sizeof req, "%s/req", dir);
        snprintf(resp, sizeof resp, "%s/resp", dir);
        rs = write_request(c, req, max) ? fail(c, "cannot write the request")
                                        : serve(c, req, resp, fn, user);
        remove(req);
        remove(resp);
        rmdir(dir);
    }
    int sig = stop_signal;
    restore_stop_signals(old);
    if (sig)
        raise(sig); /* the default action ends the process here */
    return rs;
}

static mpe_run_state run(void *ctx, uint64_t max) { return run_progress(ctx, max, NULL, NULL); }

/* One process per run: a step is a whole run. */
static mpe_run_state step(void *ctx) { return run(ctx, 0); }
static const mpe_accel_stats *stats(void *ctx) { return &((rtl_ctx *)ctx)->st; }
static const mpe_trap *trap(void *ctx) { return &((rtl_ctx *)ctx)->trap; }

const mpe_backend mpe_backend_rtl = {"rtl",     create,    destroy, load_code,
                                     mem_write, mem_read,  set_trace, step,
                                     run,       stats,     trap,    run_progress};

mpe_status mpe_backend_rtl_set_fst(void *ctx, const char *path)
{
    rtl_ctx *c = ctx;
    if (strlen(path) >= sizeof c->fst)
        return MPE_ERR_RANGE;
    snprintf(c->fst, sizeof c->fst, "%s", path);
    return MPE_OK;
}

