/* SPDX-License-Identifier: Apache-2.0 */
/* Finding the executable inside the container, the exec fifo, execve. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <errno.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "process.h"
#include "util/fs-util.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

const char *exec_path_env(char *const *env)
{
        const char *path = NULL;
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], "PATH=", 5) == 0)
                        path = env[i] + 5; /* the last one wins, as with getenv after putenv */
        return path ? path : EXEC_DEFAULT_PATH;
}

/* 0 when path (absolute: beneath root_fd; relative: from the cwd) is an
 * executable regular file, else -errno. */
static int check_executable(int root_fd, const char *path)
{
        int dfd = AT_FDCWD;
        if (path[0] == '/' && root_fd != AT_FDCWD) {
                dfd = root_fd;
                while (*path == '/')
                        path++;
        }
        struct stat st;
        if (fstatat(dfd, path, &st, 0) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EACCES;
        /* faccessat2 itself (5.8): glibc's fallback for an older kernel
         * drops AT_EACCESS and checks as access() does, without the
         * capabilities; there only the x bits are checked, execve decides */
        if (syscall(SYS_faccessat2, dfd, path, X_OK, AT_EACCESS) < 0 && errno != ENOSYS)
                return -errno;
        return st.st_mode & 0111 ? 0 : -EACCES;
}

int exec_find(int root_fd, const char *name, const char *path, char **ret_path, struct modrun_error **reterr)
{
        if (!name || !*name)
                return error_new(reterr, EINVAL, "set process.args[0]", "exec: process.args[0] is empty");
        if (strchr(name, '/')) {
                int r = check_executable(root_fd, name);
                if (r < 0)
                        return error_new(reterr, -r,
                                         r == -ENOENT ? "check process.args[0]: the path is resolved inside the container"
                                                      : NULL,
                                         "exec: \"%s\"", name);
                char *p = strdup(name);
                if (!p)
                        return error_new(reterr, ENOMEM, NULL, "exec: \"%s\"", name);
                *ret_path = p;
                return 0;
        }
        int denied = 0;
        const char *p = path;
        for (;;) {
                size_t len = strcspn(p, ":");
                char cand[PATH_MAX];
                int n = len == 0 ? snprintf(cand, sizeof(cand), "%s", name)
                                 : snprintf(cand, sizeof(cand), "%.*s/%s", (int)len, p, name);
                if (n > 0 && (size_t)n < sizeof(cand)) {
                        int r = check_executable(root_fd, cand);
                        if (r == 0) {
                                char *c = strdup(cand);
                                if (!c)
                                        return error_new(reterr, ENOMEM, NULL, "exec: \"%s\"", name);
                                *ret_path = c;
                                return 0;
                        }
                        if (r == -EACCES || r == -EPERM)
                                denied = -r;
                }
                if (p[len] == '\0')
                        break;
                p += len + 1;
        }
        if (denied)
                return error_new(reterr, denied, "make it executable for the container's user",
                                 "exec: \"%s\": found in $PATH (%s) but not executable", name, path);
        return error_new(reterr, ENOENT, "install it in the rootfs or give its absolute path in process.args[0]",
                         "exec: \"%s\": executable file not found in $PATH (PATH=%s)", name, path);
}

int exec_wait_fifo(int fifo_fd, struct modrun_error **reterr)
{
        for (;;) {
                struct pollfd pfd = {.fd = fifo_fd, .events = POLLIN};
                /* Unbounded by design: a created container waits for `start`. */
                int r = poll(&pfd, 1, -1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return error_new(reterr, errno, NULL, "wait on the exec fifo");
                char c;
                ssize_t k = read(fifo_fd, &c, 1);
                if (k < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (k < 0)
                        return error_new(reterr, errno, NULL, "read the exec fifo");
                return 0; /* a byte, or the writer closed: start */
        }
}

/* The signals this process ignores, from SigIgn in /proc/self/status
 * (bit sig-1); false when that is not procfs's own file (no /proc in the
 * container, or a file of the image's there). */
static bool ignored_signals(uint64_t *ret)
{
        _cleanup_close_ int fd = open("/proc/self/status", O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        struct statfs sfs;
        _cleanup_free_ char *text = NULL;
        if (fd < 0 || fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC ||
            fs_read_fd(fd, "/proc/self/status", 64 * 1024, &text, NULL) < 0)
                return false;
        const char *line = strstr(text, "\nSigIgn:\t");
        char *end = NULL;
        if (!line)
                return false;
        errno = 0;
        *ret = strtoull(line + strlen("\nSigIgn:\t"), &end, 16);
        return errno == 0 && end && *end == '\n';
}

/* execve() resets every caught signal to SIG_DFL itself; only ignored ones
 * stay ignored in the new program. So only those are reset, known from one
 * read of /proc/self/status instead of a sigaction() per signal (60 system
 * calls, about 0.15 ms in a VM); without procfs, every signal. */
static int reset_signals(void)
{
        uint64_t ign = UINT64_MAX;
        if (!ignored_signals(&ign))
                ign = UINT64_MAX;
        for (int sig = 1; sig < NSIG && sig <= 64; sig++) {
                if (sig == SIGKILL || sig == SIGSTOP || !(ign & (UINT64_C(1) << (sig - 1))))
                        continue;
                (void)signal(sig, SIG_DFL);
        }
        sigset_t none;
        sigemptyset(&none);
        return RET_NERRNO(sigprocmask(SIG_SETMASK, &none, NULL));
}

int exec_prepare(int preserve_fds, struct modrun_error **reterr)
{
        int r = reset_signals();
        if (r < 0)
                return error_new(reterr, -r, NULL, "reset the signal mask before exec");
        for (int fd = 3; fd < 3 + preserve_fds; fd++) {
                int fl = fcntl(fd, F_GETFD);
                if (fl >= 0)
                        (void)fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
        }
        /* fds above the preserved ones: CLOEXEC, so an exec failure can
         * still be reported on stderr */
        if (close_range(3u + (unsigned)preserve_fds, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
                return error_new(reterr, errno, NULL, "close_range from fd %d", 3 + preserve_fds);
        return 0;
}

int exec_process(const char *path, char *const *args, char *const *env, volatile int *execd,
                 struct modrun_error **reterr)
{
        static char *const empty_env[] = {NULL};
        if (execd)
                *execd = 1;
        execve(path, args, env ? env : empty_env);
        if (execd)
                *execd = 0;
        return error_new(reterr, errno, errno == ENOEXEC ? "is it a binary for this architecture or a script without #!?" : NULL,
                         "exec %s", path);
}
