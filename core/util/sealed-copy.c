/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sealed memfd is an anonymous file no process can write, grow or shrink,
 * and whose seals cannot be lifted: a process that executes or maps it and
 * is then reached by a container (/proc/PID/exe, /proc/PID/map_files) gives
 * away nothing that the host runs again.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-extent.h"
#include "sealed-copy.h"

/* An executable memfd: MFD_EXEC says so where vm.memfd_noexec exists
 * (Linux 6.3); older kernels refuse the flag and make memfds executable. */
static int memfd_exec(const char *name, const char *what, struct modrun_error **reterr)
{
        int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return error_new(reterr, errno,
                                 errno == EACCES ? "the sysctl vm.memfd_noexec is 2 here, which forbids executable "
                                                   "memfds: set it to 0 or 1"
                                                 : NULL,
                                 "memfd_create for a sealed copy of %s (CVE-2019-5736 protection)", what);
        return fd;
}

/* the first size bytes of src, whatever its file position */
static int copy_all(int dst, int src, off_t size, const char *what, struct modrun_error **reterr)
{
        for (off_t done = 0; done < size;) {
                ssize_t k = sendfile(dst, src, &done, (size_t)(size - done));
                if (k <= 0)
                        return error_new(reterr, k < 0 ? errno : EIO, NULL,
                                         "copy %s into its sealed memfd (%jd of %jd bytes)", what, (intmax_t)done,
                                         (intmax_t)size);
        }
        return 0;
}

int sealed_copy(int src, const char *name, const char *what, struct modrun_error **reterr)
{
        struct stat st;
        if (fstat(src, &st) < 0)
                return error_new(reterr, errno, NULL, "stat %s to copy it into a sealed memfd", what);
        _Alignas(elf_ehdr) char head[ELF_EXTENT_HEAD];
        ssize_t got = pread(src, head, sizeof(head), 0);
        if (got < 0)
                return error_new(reterr, errno, NULL, "read the start of %s to copy it into a sealed memfd", what);
        _cleanup_close_ int mfd = memfd_exec(name, what, reterr);
        if (mfd < 0)
                return mfd;
        /* what the kernel and ld.so load, not an unstripped build's
         * debug information (elf-extent.h) */
        off_t len = st.st_size;
        if ((unsigned long long)st.st_size <= ULONG_MAX)
                len = (off_t)elf_extent(head, (unsigned long)got, (unsigned long)st.st_size);
        int r = copy_all(mfd, src, len, what, reterr);
        if (r < 0)
                return r;
        if (len < st.st_size) {
                elf_drop_section_headers(head);
                ssize_t k = pwrite(mfd, head, sizeof(elf_ehdr), 0);
                if (k != (ssize_t)sizeof(elf_ehdr))
                        return error_new(reterr, k < 0 ? errno : EIO, "is memory short?",
                                         "write the ELF header of the sealed copy of %s", what);
        }
        /* F_SEAL_EXEC (Linux 6.3) also freezes the mode bits. */
        if (fcntl(mfd, F_ADD_SEALS, SEALED_COPY_SEALS | F_SEAL_EXEC) < 0 &&
            fcntl(mfd, F_ADD_SEALS, SEALED_COPY_SEALS) < 0)
                return error_new(reterr, errno, NULL, "seal the memfd copy of %s", what);
        return TAKE_FD(mfd);
}
