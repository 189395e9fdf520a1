/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVE-2019-5736: no process that a container can influence may run, map or
 * reopen the runtime's on-disk binary. Every command that starts a process
 * in a container (`create`, `run`, `exec`) re-executes itself first from a
 * sealed memfd copy (runc 1.1's answer, chosen by measuring: a copy of the
 * ~260 KiB release binary costs tens of microseconds, the second exec is
 * the price). The init, the helper, exec'd processes and the hooks that
 * run inside the container are all children of that image, so
 * /proc/PID/exe is an anonymous copy that cannot be written or grown.
 * This holds whatever the container's program is: a `#!/proc/self/exe`
 * script, or an image loader (PT_INTERP) the image replaced, executes the
 * sealed copy, never the file the administrator installed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "self-exe.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

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

/* An executable memfd: MFD_EXEC says so where vm.memfd_noexec exists
 * (Linux 6.3); older kernels refuse the flag and make memfds executable. */
static int memfd_exec(struct modrun_error **reterr)
{
        int fd = memfd_create("modrun", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create("modrun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return error_new(reterr, errno,
                                 errno == EACCES ? "the sysctl vm.memfd_noexec is 2 here, which forbids executable "
                                                   "memfds: set it to 0 or 1"
                                                 : NULL,
                                 "memfd_create for a sealed copy of the runtime (CVE-2019-5736 protection)");
        return fd;
}

static int copy_all(int dst, int src, off_t size, struct modrun_error **reterr)
{
        for (off_t done = 0; done < size;) {
                ssize_t k = sendfile(dst, src, NULL, (size_t)(size - done));
                if (k <= 0)
                        return error_new(reterr, k < 0 ? errno : EIO, NULL,
                                         "copy the runtime into its sealed memfd (%jd of %jd bytes)", (intmax_t)done,
                                         (intmax_t)size);
                done += k;
        }
        return 0;
}

int self_exe_reexec_sealed(struct modrun_error **reterr)
{
        if (self_exe_is_sealed())
                return 0;
        if (!saved_argv)
                return error_new(reterr, EINVAL, NULL, "re-execute the runtime: its command line was not saved");
        _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (src < 0)
                return error_new(reterr, errno, "mount /proc", "open /proc/self/exe to copy the runtime into a sealed memfd");
        struct stat st;
        if (fstat(src, &st) < 0)
                return error_new(reterr, errno, NULL, "stat /proc/self/exe");
        _cleanup_close_ int mfd = memfd_exec(reterr);
        if (mfd < 0)
                return mfd;
        int r = copy_all(mfd, src, st.st_size, reterr);
        if (r < 0)
                return r;
        /* F_SEAL_EXEC (Linux 6.3) also freezes the mode bits. */
        if (fcntl(mfd, F_ADD_SEALS, SEALS | F_SEAL_EXEC) < 0 && fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
                return error_new(reterr, errno, NULL, "seal the memfd copy of the runtime");
        fexecve(mfd, saved_argv, environ);
        return error_new(reterr, errno, NULL, "re-execute the runtime from its sealed memfd copy");
}
