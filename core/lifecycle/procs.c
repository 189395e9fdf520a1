/* SPDX-License-Identifier: Apache-2.0 */
/* Finding a container's processes without a cgroup. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "container.h"
#include "util/fs-util.h"

static bool pid_ns_inode(pid_t pid, ino_t *ret)
{
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
        if (stat(path, &st) < 0)
                return false;
        *ret = st.st_ino;
        return true;
}

static pid_t parent_of(pid_t pid)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (fs_read_file(AT_FDCWD, path, &text, NULL) < 0)
                return 0;
        const char *p = strrchr(text, ')');
        int ppid = 0;
        if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1)
                return 0;
        return (pid_t)ppid;
}

static bool descends_from(pid_t pid, pid_t ancestor)
{
        for (int depth = 0; pid > 1 && depth < 4096; depth++) {
                if (pid == ancestor)
                        return true;
                pid = parent_of(pid);
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

int procs_best_known(pid_t init, bool own_pidns, pid_t **ret_pids, size_t *ret_n, struct modrun_error **reterr)
{
        ino_t ns = 0;
        if (own_pidns && !pid_ns_inode(init, &ns))
                own_pidns = false;
        DIR *proc = opendir("/proc");
        if (!proc)
                return error_new(reterr, errno, NULL, "list /proc");
        pid_t *pids = NULL;
        size_t n = 0;
        int r = 0;
        for (struct dirent *de; r == 0 && (de = readdir(proc));) {
                char *end = NULL;
                long v = strtol(de->d_name, &end, 10);
                if (!end || *end || v <= 0)
                        continue;
                pid_t pid = (pid_t)v;
                ino_t other;
                bool member = own_pidns ? pid_ns_inode(pid, &other) && other == ns : descends_from(pid, init);
                if (member)
                        r = append_pid(&pids, &n, pid);
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
