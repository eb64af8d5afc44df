/* maxrss.c -- the peak resident set size of a command, measured from a
 * small parent, for bench/procs.py.
 *
 *   maxrss OUTFILE COMMAND
 *
 * Runs `/bin/sh -c COMMAND` as its child, waits for it and writes
 * "maxrss_kb" (the largest of the shell and what it waited for) to OUTFILE,
 * then exits with the command's status (128 + N after signal N).
 *
 * Why: Linux carries a process's peak RSS across exec, so a VM started by
 * the Python harness, forked from a process of 20 MB or more, reports at
 * least that much; forked from this program it reports its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: maxrss OUTFILE COMMAND\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("maxrss: fork");
        return 2;
    }
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", argv[2], (char *)NULL);
        perror("maxrss: /bin/sh");
        _exit(127);
    }
    int status;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            perror("maxrss: wait4");
            return 2;
        }
    }
    FILE *f = fopen(argv[1], "w");
    if (f != NULL) {
        fprintf(f, "%ld\n", usage.ru_maxrss);
        fclose(f);
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
