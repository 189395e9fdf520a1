/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVE-2019-5736: a process in the container must never be able to open the
 * runtime's binary for writing through /proc/PID/exe while the runtime
 * runs in the container's namespaces. The commands that enter them re-exec
 * modrun from a sealed memfd copy of itself first (runc's answer), so
 * /proc/PID/exe is a read-only, unlinked copy; the helper and init are
 * also made non-dumpable, so the container cannot open it at all.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "self-exe.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool self_exe_is_sealed(void)
{
        _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        int seals = fd >= 0 ? fcntl(fd, F_GET_SEALS) : -1;
        return seals >= 0 && (seals & SEALS) == SEALS;
}

int self_exe_reexec_sealed(char **argv, struct modrun_error **reterr)
{
        if (self_exe_is_sealed())
                return 0;
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
        fexecve(mfd, argv, environ);
        return error_new(reterr, errno, NULL, "re-execute the runtime from its sealed memfd copy");
}
