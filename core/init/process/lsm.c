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

#include "process.h"
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

static int write_attr(const char *what, const char *path, const char *alt, const char *value,
                      struct modrun_error **reterr)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 && alt)
                fd = open(alt, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t)strlen(value))
                return error_new(reterr, errno, NULL, "%s: write \"%s\" to %s", what, value, path);
        return 0;
}

int lsm_apply(const struct lsm_plan *plan, struct modrun_error **reterr)
{
        int r = 0;
        if (plan->apparmor[0])
                r = write_attr("process.apparmorProfile", "/proc/thread-self/attr/apparmor/exec",
                               "/proc/thread-self/attr/exec", plan->apparmor, reterr);
        if (r >= 0 && plan->selinux[0])
                r = write_attr("process.selinuxLabel", "/proc/thread-self/attr/exec", NULL, plan->selinux, reterr);
        return r;
}
