/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVE-2019-5736: a process in the container must never be able to open the
 * runtime's binary for writing through /proc/PID/exe while the runtime
 * runs in the container's namespaces. A command whose new process joins a
 * pid namespace where others already run (`exec`; `create` and `run` with
 * a joined pid namespace or the host's) re-execs modrun from a sealed memfd
 * copy of itself first (runc's answer), so /proc/PID/exe is a read-only,
 * unlinked copy. An init in a pid namespace of its own is seen by no
 * process of any container until it has exec()ed the container's program,
 * so `create` and `run` skip the copy there (about 1 ms: a second exec and
 * dynamic link); only processes of the runtime's own pid namespace see it,
 * and the helper and init are non-dumpable, so opening their /proc/PID/exe
 * takes CAP_SYS_PTRACE over the host's user namespace, which is root on
 * the host already.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "self-exe.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static char **saved_argv;

void self_exe_set_argv(char **argv) { saved_argv = argv; }

bool self_exe_is_sealed(void)
{
        _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        int seals = fd >= 0 ? fcntl(fd, F_GET_SEALS) : -1;
        return seals >= 0 && (seals & SEALS) == SEALS;
}

int self_exe_reexec_sealed(struct modrun_error **reterr)
{
        if (self_exe_is_sealed())
                return 0;
        if (!saved_argv)
                return error_new(reterr, EINVAL, NULL, "re-execute the runtime: its command line was not saved");
        _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (src < 0)
                return error_new(reterr, errno, NULL, "open /proc/self/exe to copy the runtime into a sealed memfd");
        struct stat st;
        if (fstat(src, &st) < 0)
                return error_new(reterr, errno, NULL, "stat /proc/self/exe");
        _cleanup_close_ int mfd = memfd_create("modrun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (mfd < 0)
                return error_new(reterr, errno, NULL, "memfd_create for a sealed copy of the runtime");
        for (off_t done = 0; done < st.st_size;) {
                ssize_t k = sendfile(mfd, src, NULL, (size_t)(st.st_size - done));
                if (k <= 0)
                        return error_new(reterr, k < 0 ? errno : EIO, NULL, "copy the runtime into a memfd");
                done += k;
        }
        if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
                return error_new(reterr, errno, NULL, "seal the memfd copy of the runtime");
        fexecve(mfd, saved_argv, environ);
        return error_new(reterr, errno, NULL, "re-execute the runtime from its sealed memfd copy");
}
