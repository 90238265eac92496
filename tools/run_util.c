/* The default cycle limit and the progress line (run_util.h). */
#include "run_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

void run_limit_init(run_limit *l, uint64_t given, uint64_t estimate)
{
    l->given = given != 0;
    l->estimate = estimate;
    if (given)
        l->cycles = given;
    else if (!estimate)
        l->cycles = RUN_LIMIT_NO_ESTIMATE;
    else if (estimate > (UINT64_MAX - RUN_LIMIT_SLACK) / RUN_LIMIT_FACTOR)
        l->cycles = UINT64_MAX;
    else
        l->cycles = RUN_LIMIT_FACTOR * estimate + RUN_LIMIT_SLACK;
}

void run_limit_message(const run_limit *l, char *buf, size_t len)
{
    unsigned long long n = l->cycles, e = l->estimate;
    if (l->given)
        snprintf(buf, len, "no halt within %llu cycles (--max-cycles %llu)", n, n);
    else if (e)
        snprintf(buf, len,
                 "no halt within %llu cycles: the default limit, %d x the binary's estimate of "
                 "%llu cycles + %llu (--max-cycles N changes it)",
                 n, RUN_LIMIT_FACTOR, e, RUN_LIMIT_SLACK);
    else
        snprintf(buf, len,
                 "no halt within %llu cycles: the default limit for a binary without a cycle "
                 "estimate (--max-cycles N changes it)", n);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* MPE_PROGRESS_INTERVAL when it is a number >= 0, else `dflt`. */
static double interval(double dflt)
{
    const char *v = getenv("MPE_PROGRESS_INTERVAL");
    char *end;
    double x = v ? strtod(v, &end) : -1;
    return v && end != v && !*end && x >= 0 && x < 1e6 ? x : dflt;
}

int run_progress_start(run_progress *p, int forced, const char *prefix, uint64_t estimate)
{
    memset(p, 0, sizeof *p);
    p->tty = isatty(STDERR_FILENO);
    if (!forced && !p->tty)
        return 0;
    snprintf(p->prefix, sizeof p->prefix, "%s", prefix);
    p->estimate = estimate;
    p->interval = interval(p->tty ? 0.25 : 5.0);
    p->start = p->last = now();
    return 1;
}

/* "PREFIX: N cycles, R cycles/s, estimate E cycles (P%), ETA S s" */
static void format_line(const run_progress *p, uint64_t cycles, double secs, char *buf,
                        size_t len)
{
    double rate = secs > 0 ? (double)cycles / secs : 0;
    int n = snprintf(buf, len, "%s: %llu cycles, %.0f cycles/s", p->prefix,
                     (unsigned long long)cycles, rate);
    if (n < 0 || (size_t)n >= len)
        return;
    buf += n;
    len -= (size_t)n;
    if (!p->estimate) {
        snprintf(buf, len, ", no estimate");
        return;
    }
    n = snprintf(buf, len, ", estimate %llu cycles (%.0f%%)", (unsigned long long)p->estimate,
                 100.0 * (double)cycles / (double)p->estimate);
    if (n < 0 || (size_t)n >= len)
        return;
    if (cycles >= p->estimate)
        snprintf(buf + n, len - (size_t)n, ", past the estimate");
    else if (rate > 0)
        snprintf(buf + n, len - (size_t)n, ", ETA %.0f s",
                 (double)(p->estimate - cycles) / rate);
}

/* Terminal width - 1 (a full line would wrap and break the \r rewrite). */
static size_t line_room(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) || ws.ws_col < 20)
        return 79;
    return (size_t)ws.ws_col - 1;
}

void run_progress_update(void *user, uint64_t cycles)
{
    run_progress *p = user;
    double t = now();
    if (t - p->last < p->interval)
        return;
    p->last = t;
    char line[600];
    format_line(p, cycles, t - p->start, line, sizeof line);
    if (!p->tty) {
        fprintf(stderr, "%s\n", line);
        return;
    }
    size_t room = line_room();
    if (strlen(line) > room)
        line[room] = 0;
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->shown = 1;
}

void run_progress_end(run_progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r\033[K");
    p->shown = 0;
}
