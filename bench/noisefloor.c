/* noisefloor.c -- the machine's own iteration-to-iteration noise, for
 * bench/harness.py --noise-floor.
 *
 *   noisefloor NAME MS ITERATIONS [alu|memory]
 *
 * Runs ITERATIONS iterations of a fixed native workload, calibrated once at
 * start-up to take about MS milliseconds each, and prints them in the
 * runner's protocol (BENCH-START, BENCH NAME i ms, BENCH-OK), timed like
 * spy's `Object millisecondsToRun:` (whole milliseconds of the monotonic
 * clock).  Every iteration does exactly the same work, allocates nothing
 * and has no JIT or GC: whatever spread its times show is the machine's
 * (other tenants, frequency changes, the clock's resolution), the floor
 * under any VM's steady-state spread measured at that length.
 *
 * alu:    a chain of dependent multiply-adds (registers only).
 * memory: read-modify-write passes over 2 MB, one word per cache line
 *         (the size of spy's nursery).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUFFER_WORDS (2 * 1024 * 1024 / sizeof(long))
#define ALU_STEPS 100000L

static long *buffer;
static volatile unsigned long sink;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* one unit of work: ALU_STEPS multiply-adds, or one pass over the buffer */
static void unit(int memory, unsigned long k)
{
    if (memory) {
        for (size_t i = 0; i < BUFFER_WORDS; i += 8)
            buffer[i] = buffer[i] * 3 + (long)k;
        sink += (unsigned long)buffer[k % BUFFER_WORDS & ~7UL];
    } else {
        unsigned long x = sink + k;
        for (long i = 0; i < ALU_STEPS; i++)
            x = x * 6364136223846793005UL + 1442695040888963407UL;
        sink = x;
    }
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: noisefloor NAME MS ITERATIONS [alu|memory]\n");
        return 2;
    }
    const char *name = argv[1];
    double target = atof(argv[2]);
    long iterations = atol(argv[3]);
    int memory = argc < 5 || strcmp(argv[4], "alu") != 0;
    if (argc == 5 && memory && strcmp(argv[4], "memory") != 0) {
        fprintf(stderr, "noisefloor: kind must be alu or memory, not %s\n", argv[4]);
        return 2;
    }
    if (!(target >= 1) || iterations < 1) {
        fprintf(stderr, "noisefloor: MS must be >= 1 and ITERATIONS >= 1\n");
        return 2;
    }
    buffer = calloc(BUFFER_WORDS, sizeof(long));
    if (!buffer) {
        fprintf(stderr, "noisefloor: out of memory\n");
        return 1;
    }
    /* calibration: units per millisecond over at least 200 ms */
    unsigned long k = 0;
    long units = 0;
    double start = now_ms();
    while (now_ms() - start < 200) {
        unit(memory, k++);
        units++;
    }
    double per_ms = units / (now_ms() - start);
    long n = (long)(per_ms * target + 0.5);
    if (n < 1)
        n = 1;
    printf("BENCH-START %s %ld %ld\n", name, n, iterations);
    fflush(stdout);             /* the harness may time the lines (--clock lines) */
    for (long it = 1; it <= iterations; it++) {
        long t0 = (long)now_ms();
        for (long u = 0; u < n; u++)
            unit(memory, k++);
        long t1 = (long)now_ms();
        printf("BENCH %s %ld %ld\n", name, it, t1 - t0);
        fflush(stdout);
    }
    printf("BENCH-OK %s\n", name);
    return 0;
}
