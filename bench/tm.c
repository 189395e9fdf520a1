/* SPDX-License-Identifier: Apache-2.0 */
/* tm: time one command the way the benchmark needs it.
 *
 *   tm [-o LOGFILE] -- COMMAND [ARG...]
 *
 * Spawns COMMAND (posix_spawn: stdin from /dev/null, stdout and stderr to
 * LOGFILE, default /dev/null, so a detached container never holds our pipe),
 * waits for it with wait4() and prints one line:
 *
 *   <wall-clock ns> <peak RSS in KiB> <exit code, or 128+signal> <CPU us>
 *
 * The peak RSS is the ru_maxrss wait4() reports: the largest of the command
 * and of the descendants it waited for (runc's "runc init", modrun's
 * container init before it execs the container's process). The CPU time is
 * user + system time of the same set of processes, in microseconds. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
        const char *log = "/dev/null";
        int i = 1;
        if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
                log = argv[i + 1];
                i += 2;
        }
        if (i < argc && strcmp(argv[i], "--") == 0)
                i++;
        if (i >= argc) {
                fprintf(stderr, "usage: tm [-o LOGFILE] -- COMMAND [ARG...]\n");
                return 2;
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);

        long long t0 = now_ns();
        pid_t pid;
        int r = posix_spawn(&pid, argv[i], &fa, NULL, &argv[i], environ);
        if (r != 0) {
                fprintf(stderr, "tm: spawn %s: %s\n", argv[i], strerror(r));
                return 2;
        }
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) < 0) {
                perror("tm: wait4");
                return 2;
        }
        long long t1 = now_ns();
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        long long cpu_us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec +
                           ru.ru_stime.tv_usec;
        printf("%lld %ld %d %lld\n", t1 - t0, ru.ru_maxrss, code, cpu_us);
        return 0;
}
