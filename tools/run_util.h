/* Shared by `mpe run` and `mpe test-onnx`: the default cycle limit and the
 * progress line on stderr. */
#ifndef MPE_TOOLS_RUN_UTIL_H
#define MPE_TOOLS_RUN_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Without --max-cycles a run stops after FACTOR x the binary's cycle
 * estimate + SLACK cycles, or after NO_ESTIMATE cycles when the binary has
 * no estimate (hand-written assembler). */
#define RUN_LIMIT_FACTOR 4
#define RUN_LIMIT_SLACK 100000ull
#define RUN_LIMIT_NO_ESTIMATE 1000000000ull

typedef struct {
    uint64_t cycles;   /* the limit */
    uint64_t estimate; /* the binary's estimate, 0: none */
    int given;         /* set by --max-cycles */
} run_limit;

/* given: the --max-cycles value (0: not given). */
void run_limit_init(run_limit *l, uint64_t given, uint64_t estimate);
/* "no halt within N cycles (...why this limit...; --max-cycles N changes it)" */
void run_limit_message(const run_limit *l, char *buf, size_t len);

/* The progress line: cycles simulated, cycles/s, the estimate and an ETA.
 * On a terminal one line rewritten with \r at most every 0.25 s; with
 * --progress to anything else a line every 5 s. MPE_PROGRESS_INTERVAL
 * (seconds) sets the interval in both cases (the tests use 0). */
typedef struct {
    char prefix[300];
    uint64_t estimate;
    int tty, shown;
    double interval, start, last;
} run_progress;

/* 1 and a started reporter when progress is wanted (`forced` by --progress,
 * or stderr is a terminal), else 0. */
int run_progress_start(run_progress *p, int forced, const char *prefix, uint64_t estimate);
/* The mpe_progress_fn (user: the run_progress). */
void run_progress_update(void *user, uint64_t cycles);
/* Clears the terminal line, if one is shown. */
void run_progress_end(run_progress *p);

#endif
