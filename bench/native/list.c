/* list.c -- bench/list.st written in C, the floor under any compiler of it.
 *
 *   cc -O2 -o list bench/native/list.c
 *   list IMAGE FILE...        (as a VM of bench/harness.py: --vm 'c=bench/native/list
 *                              {image} {files}' --vm-benchmarks c=list)
 *
 * Reads the driver line `EVAL BenchRunner run: BenchList iterations: N size: S`
 * from the files (the image is ignored) and runs the benchmark as list.st
 * does: S times, make lists of 15, 10 and 6 elements and answer the length
 * of `tail:with:with:` on them (10).  Prints the runner's protocol, each line
 * written as it goes, with whole milliseconds like `millisecondsToRun:`.
 * Elements come from malloc and go back with free after each run (spy's
 * nursery makes and forgets them with no such calls).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Element { long val; struct Element *next; } Element;

static Element *make_list(long length)
{
    if (length == 0)
        return NULL;
    Element *e = malloc(sizeof(Element));
    if (e == NULL) {
        fprintf(stderr, "list: out of memory\n");
        exit(1);
    }
    e->val = length;
    e->next = make_list(length - 1);
    return e;
}

static int is_shorter(Element *x, Element *y)
{
    while (y != NULL) {
        if (x == NULL)
            return 1;
        x = x->next;
        y = y->next;
    }
    return 0;
}

static Element *tail(Element *x, Element *y, Element *z)
{
    if (is_shorter(y, x))
        return tail(tail(x->next, y, z), tail(y->next, z, x), tail(z->next, x, y));
    return z;
}

static long length(Element *e)
{
    long n = 0;
    for (; e != NULL; e = e->next)
        n++;
    return n;
}

static void free_list(Element *e)
{
    while (e != NULL) {
        Element *next = e->next;
        free(e);
        e = next;
    }
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static long run(long size)
{
    long result = 0;
    for (long i = 0; i < size; i++) {
        Element *x = make_list(15), *y = make_list(10), *z = make_list(6);
        result = length(tail(x, y, z));
        free_list(x);
        free_list(y);
        free_list(z);
    }
    return result;
}

int main(int argc, char **argv)
{
    long iterations = -1, size = -1;
    char line[1024];
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (f == NULL)
            continue;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "EVAL BenchRunner run: BenchList iterations: %ld size: %ld",
                       &iterations, &size) == 2)
                break;
        fclose(f);
    }
    if (iterations < 0 || size < 0) {
        fprintf(stderr, "list: no driver line `EVAL BenchRunner run: BenchList "
                        "iterations: N size: S` in the files\n");
        return 2;
    }
    if (size < 1)
        size = 30;          /* BenchList defaultSize */
    printf("BENCH-START list %ld %ld\n", size, iterations);
    fflush(stdout);
    int ok = 1;
    for (long it = 1; it <= iterations; it++) {
        long t0 = (long)now_ms();
        long result = run(size);
        long t1 = (long)now_ms();
        printf("BENCH list %ld %ld\n", it, t1 - t0);
        if (result != 10) {
            printf("BENCH-FAIL list %ld %ld\n", it, result);
            ok = 0;
        }
        fflush(stdout);
    }
    if (ok)
        printf("BENCH-OK list\n");
    return 0;
}
