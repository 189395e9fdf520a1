/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing the id maps of the container's init (user_namespaces(7)):
 *  - as root: /proc/PID/uid_map and gid_map, directly; setgroups stays
 *    "allow" (process.user.additionalGids needs it);
 *  - unprivileged: a map that is one entry of size 1 of the caller's own id
 *    is written directly (the kernel allows that, for gid_map only after
 *    "deny" went to /proc/PID/setgroups); any other map goes through the
 *    setuid helpers newuidmap/newgidmap (shadow's uidmap package), which
 *    check the ranges against /etc/subuid and /etc/subgid.
 * The helpers run in a child with stdin from /dev/null and stdout and
 * stderr into a pipe (a plugin never prints), bounded by
 * IDMAP_HELPER_TIMEOUT_MS; their output goes into the error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "idmap.h"
#include "../common/child.h"
#include "../common/test-faults.h"

#define HELPER_OUTPUT_MAX 1024

struct map_kind {
        const char *file;   /* "uid_map" */
        const char *helper; /* "newuidmap" */
        const char *subfile; /* "/etc/subuid" */
        const char *what;   /* "uid" */
};

static const struct map_kind uid_kind = { "uid_map", "newuidmap", "/etc/subuid", "uid" };
static const struct map_kind gid_kind = { "gid_map", "newgidmap", "/etc/subgid", "gid" };

static const char *write_hint(const struct idmap_state *s, const struct map_kind *k, int err)
{
        switch (err) {
        case EPERM:
                return s->host->rootless
                               ? "unprivileged, only your own id can be mapped directly (one entry of size 1); "
                                 "other ids need newuidmap/newgidmap and ranges for your user in /etc/subuid "
                                 "and /etc/subgid"
                               : "the runtime needs CAP_SETUID and CAP_SETGID over the parent user namespace, "
                                 "and every host id must be mapped in the runtime's own user namespace "
                                 "(/proc/self/uid_map, /proc/self/gid_map)";
        case EACCES:
                return "/proc/PID/uid_map of a non-dumpable process belongs to root: the init must stay dumpable "
                       "until its maps are written when modrun runs unprivileged";
        case EINVAL:
                return "the kernel refused the map: it was written already, or ranges overlap or wrap, or it has "
                       "more than 340 lines";
        case ENOENT:
        case ESRCH:
                return "the container's init exited before its id maps were written";
        default:
                (void)k;
                return NULL;
        }
}

/* One write(2) of value to /proc/PID/file. */
static int proc_write(pid_t pid, const char *file, const char *value)
{
        char path[64];
        (void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        size_t len = strlen(value);
        ssize_t n = write(fd, value, len);
        int r = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
        (void)close(fd);
        return r;
}

static int write_direct(struct idmap_state *s, pid_t pid, const struct map_kind *k, const struct idmap_set *m,
                        struct modrun_error **reterr)
{
        _cleanup_free_ char *text = idmap_format(m), *line = idmap_format_inline(m);
        if (!text || !line)
                return s->host->error(reterr, ENOMEM, NULL, "idmap: format linux.%s", m->key);
        int r = proc_write(pid, k->file, text);
        if (r < 0)
                return s->host->error(reterr, -r, write_hint(s, k, -r), "idmap: write /proc/%d/%s (linux.%s: \"%s\")",
                                      (int)pid, k->file, m->key, line);
        s->host->log(s->host, MODRUN_LOG_DEBUG, "wrote /proc/%d/%s: %s", (int)pid, k->file, line);
        return 0;
}

static int setgroups_deny(struct idmap_state *s, pid_t pid, struct modrun_error **reterr)
{
        int r = proc_write(pid, "setgroups", "deny");
        if (r < 0)
                return s->host->error(reterr, -r, write_hint(s, &gid_kind, -r), "idmap: write \"deny\" to /proc/%d/setgroups",
                                      (int)pid);
        s->host->log(s->host, MODRUN_LOG_DEBUG,
                     "wrote \"deny\" to /proc/%d/setgroups: an unprivileged gid_map of the own gid requires it",
                     (int)pid);
        return 0;
}

/* The helper's path: a fixed list, not $PATH (it is setuid root). */
static const char *helper_find(const char *name, char *buf, size_t size)
{
        static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin" };
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                (void)snprintf(buf, size, "%s/%s", dirs[i], name);
                if (access(buf, X_OK) == 0)
                        return buf;
        }
        return NULL;
}

/* argv: helper PID C H N C H N ...; one malloc()ed block. */
static char **helper_argv(const char *path, pid_t pid, const struct idmap_set *m)
{
        size_t n = 2 + 3 * m->n + 1;
        char **argv = calloc(n, sizeof(char *) + 12);
        if (!argv)
                return NULL;
        char *str = (char *)(argv + n);
        size_t a = 0;
        argv[a++] = (char *)path;
        argv[a] = str;
        str += snprintf(str, 12, "%d", (int)pid) + 1;
        a++;
        for (size_t i = 0; i < m->n; i++) {
                const uint32_t v[3] = { m->e[i].container_id, m->e[i].host_id, m->e[i].size };
                for (int j = 0; j < 3; j++) {
                        argv[a++] = str;
                        str += snprintf(str, 12, "%" PRIu32, v[j]) + 1;
                }
        }
        argv[a] = NULL;
        return argv;
}

_Noreturn static void helper_child(int out, char **argv)
{
        static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
                _exit(126);
        (void)syscall(SYS_close_range, 3U, ~0U, 0U);
        execve(argv[0], argv, envp);
        _exit(127);
}

/* Read the helper's output until EOF or the deadline; 0, or -ETIMEDOUT. */
static int helper_collect(int fd, int64_t deadline, char *out, size_t size)
{
        size_t len = 0;
        out[0] = '\0';
        for (;;) {
                int64_t left = deadline - clock_now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int n = poll(&p, 1, (int)left);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n == 0 ? -ETIMEDOUT : -errno;
                char buf[256];
                ssize_t k = read(fd, buf, sizeof(buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return 0;
                size_t take = (size_t)k < size - 1 - len ? (size_t)k : size - 1 - len;
                memcpy(out + len, buf, take);
                len += take;
                out[len] = '\0';
        }
}

static void trim(char *s)
{
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                s[--n] = '\0';
        for (char *c = s; *c; c++)
                if (*c == '\n')
                        *c = ' ';
}

/* " --add-subuids 100000-165535" per entry that is not the caller's own id. */
static void usermod_args(const struct idmap_set *m, uint32_t own, const char *what, char *buf, size_t size)
{
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < m->n && len < size; i++) {
                const struct idmap_entry *e = &m->e[i];
                if (e->size == 1 && e->host_id == own)
                        continue;
                int k = snprintf(buf + len, size - len, " --add-sub%ss %" PRIu32 "-%" PRIu64, what, e->host_id,
                                 (uint64_t)e->host_id + e->size - 1);
                if (k < 0)
                        break;
                len += (size_t)k;
        }
}

static int helper_failed(struct idmap_state *s, const struct map_kind *k, const struct idmap_set *m, pid_t pid,
                         int err, const char *how, const char *output, struct modrun_error **reterr)
{
        _cleanup_free_ char *line = idmap_format_inline(m);
        char hint[768], add[256];
        uint32_t own = k == &uid_kind ? (uint32_t)s->euid : (uint32_t)s->egid;
        usermod_args(m, own, k->what, add, sizeof(add));
        (void)snprintf(hint, sizeof(hint),
                       "every host id but your own must be granted to %s (uid %u) in %s: `usermod%s %s` (as root); "
                       "a map of only your own %s (size 1) needs no helper",
                       s->user[0] ? s->user : "your user", (unsigned)s->euid, k->subfile, add,
                       s->user[0] ? s->user : "USER", k->what);
        return s->host->error(reterr, err, hint, "idmap: %s %d for linux.%s (\"%s\") %s%s%s", k->helper, (int)pid,
                              m->key, line ? line : "?", how, output[0] ? ": " : "", output);
}

static int write_helper(struct idmap_state *s, pid_t pid, const struct map_kind *k, const struct idmap_set *m,
                        struct modrun_error **reterr)
{
        char path[64];
        if (!helper_find(k->helper, path, sizeof(path)))
                return s->host->error(reterr, ENOENT,
                                      "install the uidmap package (newuidmap, newgidmap) and grant your user ranges "
                                      "in /etc/subuid and /etc/subgid, or map only your own id (container 0 -> "
                                      "your id, size 1, as `modrun spec --rootless` writes)",
                                      "idmap: linux.%s maps more than your own %s, which needs the setuid helper %s, "
                                      "and it is in none of /usr/bin, /bin, /usr/sbin, /sbin, /usr/local/bin",
                                      m->key, k->what, k->helper);
        _cleanup_free_ char **argv = helper_argv(path, pid, m);
        int pipefd[2];
        if (!argv)
                return s->host->error(reterr, ENOMEM, NULL, "idmap: arguments of %s", k->helper);
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return s->host->error(reterr, errno, NULL, "idmap: pipe for the output of %s", k->helper);
        pid_t child = fork();
        if (child == 0)
                helper_child(pipefd[1], argv);
        int e = errno;
        (void)close(pipefd[1]);
        if (child < 0) {
                (void)close(pipefd[0]);
                return s->host->error(reterr, e, NULL, "idmap: fork to run %s", path);
        }
        int64_t deadline = clock_now_ms() + IDMAP_HELPER_TIMEOUT_MS;
        char out[HELPER_OUTPUT_MAX];
        int r = helper_collect(pipefd[0], deadline, out, sizeof(out));
        (void)close(pipefd[0]);
        int status = 0;
        int w = child_wait_until(child, r < 0 ? clock_now_ms() : deadline, &status);
        trim(out);
        if (r == -ETIMEDOUT || w == -ETIMEDOUT)
                return helper_failed(s, k, m, pid, ETIMEDOUT, "did not finish within 10 s (killed)", out, reterr);
        if (w < 0)
                return s->host->error(reterr, -w, NULL, "idmap: wait for %s", path);
        char how[64];
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                s->host->log(s->host, MODRUN_LOG_DEBUG, "%s %d: linux.%s written", path, (int)pid, m->key);
                return 0;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                (void)snprintf(how, sizeof(how), "could not be executed");
        else if (WIFEXITED(status))
                (void)snprintf(how, sizeof(how), "failed with exit status %d", WEXITSTATUS(status));
        else
                (void)snprintf(how, sizeof(how), "was killed by signal %d", WTERMSIG(status));
        return helper_failed(s, k, m, pid, EPERM, how, out, reterr);
}

int idmap_write_maps(struct idmap_state *s, pid_t pid, struct modrun_error **reterr)
{
        const struct idmap_set *u = &s->cfg.uids, *g = &s->cfg.gids;
        bool rootless = s->host->rootless != 0;
        int r;
        if (!rootless || idmap_is_single_own(u, (uint32_t)s->euid))
                r = write_direct(s, pid, &uid_kind, u, reterr);
        else
                r = write_helper(s, pid, &uid_kind, u, reterr);
        if (r < 0)
                return r;
        /* the init, its uid map written, sees itself as root from here on */
        plugin_test_pause("idmap-uid-written", 300);
        if (!rootless)
                return write_direct(s, pid, &gid_kind, g, reterr);
        if (!idmap_is_single_own(g, (uint32_t)s->egid))
                return write_helper(s, pid, &gid_kind, g, reterr);
        if ((r = setgroups_deny(s, pid, reterr)) < 0)
                return r;
        return write_direct(s, pid, &gid_kind, g, reterr);
}
