/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finding a container's processes without a cgroup: the best-known set.
 * With a pid namespace of its own, every member of it. Sharing one (joined,
 * or the host's), the init and its descendants, plus, when the container
 * made its own mount namespace, every process of that pid namespace in the
 * container's mount namespace: a process its parent left behind (a daemon
 * that forked into a new session) is reparented out of the init's tree,
 * but stays in the mount namespace it was born in (FIELD-NOTES #4). Zombies
 * are left out: they are dead, and in a joined pid namespace nobody may
 * ever reap them.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../../plugins/common/pid-list.h"
#include "container.h"
#include "../../plugins/common/clock.h"
#include "util/fs-util.h"
#include "util/log.h"

static bool ns_inode(pid_t pid, const char *ns, ino_t *ret)
{
        char path[64];
        struct stat st;
        (void)snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
        if (stat(path, &st) < 0)
                return false;
        *ret = st.st_ino;
        return true;
}

/* The parent and the state letter from /proc/PID/stat; false when gone. */
static bool stat_of(pid_t pid, pid_t *ret_ppid, char *ret_state)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        (void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (fs_read_file(AT_FDCWD, path, &text, NULL) < 0)
                return false;
        const char *p = strrchr(text, ')');
        int ppid = 0;
        char state = 0;
        if (!p || sscanf(p + 2, "%c %d", &state, &ppid) != 2)
                return false;
        *ret_ppid = (pid_t)ppid;
        *ret_state = state;
        return true;
}

static bool descends_from(pid_t pid, pid_t ancestor)
{
        char state;
        for (int depth = 0; pid > 1 && depth < 4096; depth++) {
                if (pid == ancestor)
                        return true;
                if (!stat_of(pid, &pid, &state))
                        return false;
        }
        return false;
}

static int append_pid(pid_t **pids, size_t *n, pid_t pid)
{
        pid_t *grown = realloc(*pids, (*n + 1) * sizeof(pid_t));
        if (!grown)
                return -ENOMEM;
        *pids = grown;
        (*pids)[(*n)++] = pid;
        return 0;
}

int procs_scope_open(const struct oci_config *cfg, pid_t init, struct procs_scope *ret)
{
        const struct oci_namespace *pidns = cfg ? config_namespace(cfg, OCI_NS_PID) : NULL;
        const struct oci_namespace *mntns = cfg ? config_namespace(cfg, OCI_NS_MOUNT) : NULL;
        struct procs_scope sc = {.init = init, .own_pidns = pidns && !pidns->path, .mntns_fd = -1};
        if (init <= 0 || !ns_inode(init, "pid", &sc.pidns))
                return -ESRCH;
        if (!sc.own_pidns && mntns && !mntns->path) {
                /* held open: the inode cannot be reused while we look for it */
                char path[64];
                struct stat st;
                (void)snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)init);
                sc.mntns_fd = open(path, O_RDONLY | O_CLOEXEC);
                if (sc.mntns_fd >= 0 && fstat(sc.mntns_fd, &st) == 0)
                        sc.mntns = st.st_ino;
        }
        *ret = sc;
        return 0;
}

void procs_scope_close(struct procs_scope *sc)
{
        if (sc->mntns_fd >= 0)
                (void)close(sc->mntns_fd);
        sc->mntns_fd = -1;
        sc->mntns = 0;
}

static bool is_member(const struct procs_scope *sc, pid_t pid)
{
        ino_t ns;
        pid_t ppid;
        char state;
        if (!stat_of(pid, &ppid, &state) || state == 'Z' || state == 'X' || !ns_inode(pid, "pid", &ns) ||
            ns != sc->pidns)
                return false;
        if (sc->own_pidns || (sc->init > 0 && descends_from(pid, sc->init)))
                return true;
        return sc->mntns && ns_inode(pid, "mnt", &ns) && ns == sc->mntns;
}

int procs_scope_list(const struct procs_scope *sc, pid_t **ret_pids, size_t *ret_n, struct modrun_error **reterr)
{
        DIR *proc = opendir("/proc");
        if (!proc)
                return error_new(reterr, errno, NULL, "list /proc");
        pid_t *pids = NULL, self = getpid();
        size_t n = 0;
        int r = 0;
        for (struct dirent *de; r == 0 && (de = readdir(proc));) {
                char *end = NULL;
                long v = strtol(de->d_name, &end, 10);
                if (!end || *end || v <= 0 || (pid_t)v == self)
                        continue;
                if (is_member(sc, (pid_t)v))
                        r = append_pid(&pids, &n, (pid_t)v);
        }
        closedir(proc);
        if (r < 0) {
                free(pids);
                return error_new(reterr, -r, NULL, "list the processes of the container");
        }
        *ret_pids = pids;
        *ret_n = n;
        return 0;
}

int procs_best_known(const struct oci_config *cfg, pid_t init, pid_t **ret_pids, size_t *ret_n,
                     struct modrun_error **reterr)
{
        struct procs_scope sc;
        if (procs_scope_open(cfg, init, &sc) < 0) {
                *ret_pids = NULL;
                *ret_n = 0;
                return 0;
        }
        int r = procs_scope_list(&sc, ret_pids, ret_n, reterr);
        procs_scope_close(&sc);
        return r;
}

static bool pid_in(const pid_t *pids, size_t n, pid_t pid)
{
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

/* SIGSTOP every member, again for those born meanwhile, until a listing
 * finds none that was not stopped yet: a stopped process cannot fork, so
 * the SIGKILL rounds that follow do not race with new children. Returns
 * how many were stopped. */
static int stop_all(const struct procs_scope *sc, int64_t deadline, struct modrun_error **reterr)
{
        _cleanup_free_ pid_t *stopped = NULL;
        size_t n_stopped = 0;
        for (bool fresh = true; fresh && clock_now_ms() < deadline;) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                int r = procs_scope_list(sc, &pids, &n, reterr);
                if (r < 0)
                        return r;
                fresh = false;
                for (size_t i = 0; i < n; i++) {
                        if (pid_in(stopped, n_stopped, pids[i]))
                                continue;
                        (void)kill(pids[i], SIGSTOP);
                        if (append_pid(&stopped, &n_stopped, pids[i]) < 0)
                                return error_new(reterr, ENOMEM, NULL, "stop the processes of the container");
                        fresh = true;
                }
                if (fresh)
                        clock_sleep_ms(1);
        }
        return n_stopped > INT_MAX ? INT_MAX : (int)n_stopped;
}

static int left_error(const char *id, const pid_t *pids, size_t n, int timeout_ms, struct modrun_error **reterr)
{
        char list[512];
        pid_list_format(list, sizeof(list), pids, n);
        return error_new(reterr, ETIMEDOUT,
                         "they may be frozen or stuck in the kernel (see State in /proc/PID/status and "
                         "/proc/PID/cgroup); nothing else tracks them: kill them yourself once they can die",
                         "container %s has no cgroup: %zu of its processes are still alive %d ms after SIGKILL: pids %s",
                         id, n, timeout_ms, list);
}

int procs_scope_signal(struct procs_scope *sc, int init_pidfd, int signo, int timeout_ms, const char *id,
                       struct modrun_error **reterr)
{
        int64_t deadline = clock_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
        const char *where = sc->own_pidns ? "pid namespace"
                            : sc->mntns   ? "process tree and mount namespace"
                                          : "process tree";
        /* half the time at most for stopping: the kill rounds need the rest */
        int r = signo == SIGKILL ? stop_all(sc, deadline - (timeout_ms > 0 ? timeout_ms : 0) / 2, reterr) : 0;
        if (r >= 0 && signo == SIGKILL)
                log_debug("container %s has no cgroup: %d process(es) of its %s stopped, now killed", id, r, where);
        for (int wait = 1, round = 0; r >= 0; wait = wait < 50 ? wait * 2 : 50, round++) {
                struct pollfd p = {.fd = init_pidfd, .events = POLLIN};
                if (sc->init > 0 && init_pidfd >= 0 && poll(&p, 1, 0) > 0)
                        sc->init = 0; /* exited: its pid may be reused, its tree is no guide */
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                if ((r = procs_scope_list(sc, &pids, &n, reterr)) < 0)
                        break;
                if (signo != SIGKILL) {
                        for (size_t i = 0; i < n; i++)
                                (void)kill(pids[i], signo);
                        log_debug("container %s has no cgroup: signal %d sent to %zu process(es) of its %s", id, signo,
                                  n, where);
                        return 0;
                }
                if (n == 0)
                        return 0;
                if (round > 0 && clock_now_ms() >= deadline) /* never without one SIGKILL: some may be stopped */
                        return left_error(id, pids, n, timeout_ms, reterr);
                for (size_t i = 0; i < n; i++)
                        (void)kill(pids[i], SIGKILL);
                clock_sleep_ms(wait);
        }
        return r;
}
