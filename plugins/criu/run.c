/* SPDX-License-Identifier: Apache-2.0 */
/* Finding and running the criu program: a bounded run whose stderr is
 * kept (a memfd, so that no pipe can fill up), and the error of a failed
 * run built from the last "Error" lines of criu's log. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/child.h"
#include "criu.h"

void argv_add(struct argv_builder *a, const char *s)
{
        if (a->oom)
                return;
        if (a->n + 2 > a->cap) {
                size_t cap = a->cap ? a->cap * 2 : 32;
                char **v = realloc(a->v, cap * sizeof(char *));
                if (!v) {
                        a->oom = true;
                        return;
                }
                a->v = v;
                a->cap = cap;
        }
        if (!(a->v[a->n] = strdup(s))) {
                a->oom = true;
                return;
        }
        a->v[++a->n] = NULL;
}

void argv_addf(struct argv_builder *a, const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (k < 0) {
                a->oom = true;
                return;
        }
        argv_add(a, s);
        free(s);
}

void argv_done(struct argv_builder *a)
{
        for (size_t i = 0; i < a->n; i++)
                free(a->v[i]);
        free(a->v);
        *a = (struct argv_builder){0};
}

static const char CRIU_HINT[] =
        "install CRIU (Debian: apt-get install criu) or give its program with modrun --criu PATH";

int criu_find(const struct modrun_host *host, const char *engine_path, char **ret_path,
              struct modrun_error **reterr)
{
        if (engine_path) {
                struct stat st;
                if (stat(engine_path, &st) < 0)
                        return host->error(reterr, errno, CRIU_HINT, "criu: --criu %s", engine_path);
                if (!S_ISREG(st.st_mode) || access(engine_path, X_OK) < 0)
                        return host->error(reterr, EACCES, CRIU_HINT, "criu: --criu %s is not an executable file",
                                           engine_path);
                *ret_path = strdup(engine_path);
                return *ret_path ? 0 : host->error(reterr, ENOMEM, NULL, "criu: --criu %s", engine_path);
        }
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (const char *p = path; *p;) {
                const char *colon = strchrnul(p, ':');
                char cand[PATH_MAX];
                int k = snprintf(cand, sizeof(cand), "%.*s/criu", (int)(colon - p), p);
                struct stat st;
                if (colon > p && k > 0 && (size_t)k < sizeof(cand) && stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
                    access(cand, X_OK) == 0) {
                        *ret_path = strdup(cand);
                        return *ret_path ? 0 : host->error(reterr, ENOMEM, NULL, "criu: %s", cand);
                }
                p = *colon ? colon + 1 : colon;
        }
        return host->error(reterr, ENOENT, CRIU_HINT, "criu: the criu program is not in $PATH (%s)", path);
}

/* In the child: keep 0-2 and the inherited fds, close nothing else (the
 * core's fds are O_CLOEXEC), clear O_CLOEXEC of the inherited ones. */
_Noreturn static void run_child(const struct criu_run *run, int err_fd)
{
        if (dup2(err_fd, STDERR_FILENO) < 0 || (run->capture_stdout && dup2(err_fd, STDOUT_FILENO) < 0))
                _exit(126);
        for (const int *fd = run->inherit; fd && *fd >= 0; fd++) {
                int fl = fcntl(*fd, F_GETFD);
                if (fl < 0 || fcntl(*fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
                        _exit(126);
        }
        if (run->new_root) {
                /* criu restores with --root on a mount point: bind the rootfs
                 * in a mount namespace of its own, gone with it. */
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0 ||
                    (mkdir(run->new_root, 0700) < 0 && errno != EEXIST) ||
                    mount(run->rootfs, run->new_root, NULL, MS_BIND | MS_REC, NULL) < 0) {
                        dprintf(STDERR_FILENO, "Error (modrun): bind the rootfs %s at %s: %s\n", run->rootfs,
                                run->new_root, strerror(errno));
                        _exit(126);
                }
        }
        execv(run->argv[0], run->argv);
        dprintf(STDERR_FILENO, "Error (modrun): execute %s: %s\n", run->argv[0], strerror(errno));
        _exit(127);
}

static char *read_all(int fd)
{
        off_t size = lseek(fd, 0, SEEK_END);
        if (size < 0 || lseek(fd, 0, SEEK_SET) < 0)
                return NULL;
        if (size > 1 << 20)
                size = 1 << 20;
        char *buf = malloc((size_t)size + 1);
        if (!buf)
                return NULL;
        ssize_t n = read(fd, buf, (size_t)size);
        buf[n > 0 ? n : 0] = '\0';
        return buf;
}

int criu_run(const struct modrun_host *host, const struct criu_run *run, int *ret_status, char **ret_stderr,
             struct modrun_error **reterr)
{
        int err_fd = memfd_create("criu-stderr", MFD_CLOEXEC);
        if (err_fd < 0)
                return host->error(reterr, errno, NULL, "criu: memfd_create for criu's stderr");
        char *line = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&line, &size);
        for (char *const *a = run->argv; f && *a; a++)
                fprintf(f, "%s%s", a == run->argv ? "" : " ", *a);
        if (f)
                fclose(f);
        host->log(host, MODRUN_LOG_DEBUG, "running %s", line ? line : run->argv[0]);
        free(line);
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(err_fd);
                return host->error(reterr, e, NULL, "criu: fork to run %s", run->argv[0]);
        }
        if (pid == 0)
                run_child(run, err_fd);
        int status = 0;
        int r = child_wait_until(pid, clock_now_ms() + run->timeout_ms, &status);
        char *text = read_all(err_fd);
        close(err_fd);
        if (r < 0) {
                free(text);
                return r == -ETIMEDOUT ? host->error(reterr, ETIMEDOUT, "look at criu's log in the work path",
                                                     "criu: %s %s did not finish within %d s, killed",
                                                     run->argv[0], run->argv[1], run->timeout_ms / 1000)
                                       : host->error(reterr, -r, NULL, "criu: wait for %s", run->argv[0]);
        }
        *ret_status = status;
        if (ret_stderr)
                *ret_stderr = text;
        else
                free(text);
        return 0;
}

/* The last (at most ERROR_LINES) lines of text holding "Error" (else the
 * last non-empty lines), "; "-joined, malloc()ed. */
#define ERROR_LINES 4
static char *error_lines(const char *text)
{
        if (!text)
                return NULL;
        const char *lines[ERROR_LINES] = {0};
        size_t lens[ERROR_LINES] = {0}, n = 0;
        bool only_errors = strstr(text, "Error") != NULL;
        for (const char *p = text; *p;) {
                const char *nl = strchrnul(p, '\n');
                size_t len = (size_t)(nl - p);
                bool take = len > 0 && (!only_errors || memmem(p, len, "Error", 5));
                if (take) {
                        if (n == ERROR_LINES) {
                                memmove(lines, lines + 1, sizeof(lines[0]) * (ERROR_LINES - 1));
                                memmove(lens, lens + 1, sizeof(lens[0]) * (ERROR_LINES - 1));
                        } else {
                                n++;
                        }
                        lines[n - 1] = p;
                        lens[n - 1] = len;
                }
                p = *nl ? nl + 1 : nl;
        }
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        if (!f)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                /* "(00.012345) Error (criu/vdso.c:613): vdso: ..." -> "vdso: ..." */
                const char *l = lines[i], *e = memmem(l, lens[i], "Error (", 7);
                const char *close = e ? memmem(e, lens[i] - (size_t)(e - l), "): ", 3) : NULL;
                size_t len = lens[i];
                if (close) {
                        len -= (size_t)(close + 3 - l);
                        l = close + 3;
                }
                fprintf(f, "%s%.*s", i ? "; " : "", (int)len, l);
        }
        fclose(f);
        return out;
}

static char *read_log(const char *path)
{
        int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
        if (fd < 0)
                return NULL;
        char *text = read_all(fd);
        close(fd);
        return text;
}

int criu_fail(const struct modrun_host *host, const char *what, int status, const char *log_path,
              const char *stderr_text, const char *hint, struct modrun_error **reterr)
{
        char *log = read_log(log_path);
        char *lines = error_lines(log && *log ? log : stderr_text);
        if (!lines || !*lines) {
                free(lines);
                lines = error_lines(stderr_text);
        }
        char how[64];
        if (WIFEXITED(status))
                (void)snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(status));
        else
                (void)snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(status));
        char log_hint[PATH_MAX + 64];
        (void)snprintf(log_hint, sizeof(log_hint), "criu's whole log is %s", log_path ? log_path : "(none)");
        int r = host->error(reterr, 0, hint ? hint : log_path ? log_hint : NULL, "%s failed (%s): %s", what, how,
                            lines && *lines ? lines : "criu gave no reason");
        free(lines);
        free(log);
        return r;
}
