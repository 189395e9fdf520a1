/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec --cgroup (runc's [CONTROLLER[,CONTROLLER]:]PATH): a process moved into
 * existing sub-cgroups of the container's, per hierarchy. The path is
 * opened beneath the container's directory (symlinks and ".." stay in it),
 * so a sub-cgroup is never above or beside the container's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroupfs.h"

/* The path for place p: an entry naming one of its controllers (v1), else
 * the entry without a controller, else NULL (the container's own). */
static const char *sub_for(const struct cg_place *p, const struct modrun_sub_cgroup *subs, size_t n)
{
        const char *any = NULL;
        for (size_t i = 0; i < n; i++) {
                if (!subs[i].controller)
                        any = subs[i].path;
                else if (!p->m->unified && cg_list_has(p->m->controllers, subs[i].controller))
                        return subs[i].path;
        }
        return any;
}

static bool controller_known(const struct cgfs *s, const char *ctrl)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->p[i].dir && !s->p[i].m->unified && cg_list_has(s->p[i].m->controllers, ctrl))
                        return true;
        return false;
}

static int enter_one(const struct cgfs *s, const char *dir, const char *sub, const char *pidstr,
                     struct modrun_error **reterr)
{
        int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return s->host->error(reterr, errno, NULL, "cgroupfs: open the container's cgroup %s", dir);
        int sfd = s->host->open_beneath(s->host, dfd, sub, O_PATH | O_DIRECTORY, 0, NULL);
        (void)close(dfd);
        if (sfd < 0)
                return s->host->error(reterr, -sfd, "create the sub-cgroup first (exec does not create it)",
                                      "cgroupfs: exec --cgroup: no sub-cgroup %s in the container's cgroup %s", sub,
                                      dir);
        int fd = openat(sfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        int e = fd < 0 ? errno : 0;
        (void)close(sfd);
        if (fd >= 0) {
                ssize_t k = write(fd, pidstr, strlen(pidstr));
                e = k < 0 ? errno : 0;
                (void)close(fd);
        }
        if (e)
                return s->host->error(reterr, e,
                                      e == ENOSPC ? "give the sub-cgroup cpuset.cpus and cpuset.mems (a new cpuset "
                                                    "cgroup has none)"
                                                  : NULL,
                                      "cgroupfs: exec --cgroup: write %s to %s/%s/cgroup.procs", pidstr, dir, sub);
        return 0;
}

int cg_enter_sub(const struct cgfs *s, pid_t pid, const struct modrun_sub_cgroup *subs, size_t n,
                 struct modrun_error **reterr)
{
        for (size_t i = 0; i < n; i++)
                if (subs[i].controller && !controller_known(s, subs[i].controller))
                        return s->host->error(reterr, ENOENT,
                                              "name a controller of a mounted cgroup v1 hierarchy (see "
                                              "/proc/PID/cgroup of the container's init)",
                                              "cgroupfs: exec --cgroup %s:%s: the container has no cgroup v1 "
                                              "hierarchy with the controller %s",
                                              subs[i].controller, subs[i].path, subs[i].controller);
        char pidstr[16];
        (void)snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
        for (size_t i = 0; i < s->n; i++) {
                const char *sub = s->p[i].dir ? sub_for(&s->p[i], subs, n) : NULL;
                int r = sub ? enter_one(s, s->p[i].dir, sub, pidstr, reterr)
                      : s->p[i].dir ? cg_write(s, s->p[i].dir, "cgroup.procs", pidstr, NULL, reterr)
                                    : 0;
                if (r < 0)
                        return r;
        }
        return 0;
}
