/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.apparmorProfile and process.selinuxLabel: the label the process
 * gets at execve(), written to /proc/thread-self/attr/... as runc does.
 * An AppArmor profile on a host without AppArmor is an error (runc's
 * behaviour: running unconfined silently would be worse); a SELinux label
 * on a host without SELinux is ignored, as runc and crun do.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "process.h"
#include "init/rootfs/procfs.h"
#include "util/fs-util.h"

bool lsm_apparmor_enabled(const char *sysroot)
{
        char path[256];
        (void)snprintf(path, sizeof(path), "%s/sys/module/apparmor/parameters/enabled", sysroot);
        _cleanup_free_ char *v = NULL;
        return fs_read_file(AT_FDCWD, path, &v, NULL) >= 0 && v[0] == 'Y';
}

bool lsm_selinux_enabled(const char *sysroot)
{
        char path[256];
        (void)snprintf(path, sizeof(path), "%s/sys/fs/selinux/enforce", sysroot);
        return access(path, F_OK) == 0;
}

int lsm_plan(const struct oci_process *proc, const char *sysroot, struct lsm_plan *ret, struct modrun_error **reterr)
{
        *ret = (struct lsm_plan){0};
        if (proc->apparmor_profile && *proc->apparmor_profile) {
                if (!lsm_apparmor_enabled(sysroot))
                        return error_new(reterr, EINVAL,
                                         "enable AppArmor on the host, or remove process.apparmorProfile",
                                         "process.apparmorProfile \"%s\": AppArmor is not enabled on this host",
                                         proc->apparmor_profile);
                (void)snprintf(ret->apparmor, sizeof(ret->apparmor), "exec %s", proc->apparmor_profile);
        }
        if (proc->selinux_label && *proc->selinux_label && lsm_selinux_enabled(sysroot))
                (void)snprintf(ret->selinux, sizeof(ret->selinux), "%s", proc->selinux_label);
        return 0;
}

/* CVE-2025-52881 class: after the root switch, /proc is the container's
 * and could be redirected by a mount (/dev/null or a file bound over
 * attr/exec); the attributes are written through a procfs we can trust
 * (a private instance attached nowhere, see init/rootfs/procfs.h), opened
 * without following any symlink or crossing a mount, and checked to be a
 * regular file on procfs. */
static int write_attr(int proc, const char *what, const char *rel, const char *value, struct modrun_error **reterr)
{
        char path[96];
        (void)snprintf(path, sizeof(path), "%d/task/%d/attr/%s", (int)getpid(), (int)gettid(), rel);
        _cleanup_close_ int fd = procfs_open(proc, path, O_WRONLY, S_IFREG, what, reterr);
        if (fd < 0)
                return fd;
        if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
                return error_new(reterr, errno, NULL, "%s: write \"%s\" to /proc/%s", what, value, path);
        return 0;
}

int lsm_apply(const struct lsm_plan *plan, struct modrun_error **reterr)
{
        if (!plan->apparmor[0] && !plan->selinux[0])
                return 0;
        _cleanup_close_ int proc = procfs_open_root("process.apparmorProfile/selinuxLabel", true, reterr);
        if (proc < 0)
                return proc;
        int r = 0;
        if (plan->apparmor[0] &&
            write_attr(proc, "process.apparmorProfile", "apparmor/exec", plan->apparmor, NULL) < 0)
                r = write_attr(proc, "process.apparmorProfile", "exec", plan->apparmor, reterr);
        if (r >= 0 && plan->selinux[0])
                r = write_attr(proc, "process.selinuxLabel", "exec", plan->selinux, reterr);
        return r;
}
