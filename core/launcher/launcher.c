/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The installed `modrun`: a first image with no C library, no dynamic
 * linker and no heap, whose one job is to start the runtime (the real
 * modrun, MODRUN_RUNTIME) with the same arguments and environment.
 *
 * For create, run and exec the runtime must run from a sealed copy of
 * itself (CVE-2019-5736, core/util/self-exe.c). Without the launcher the
 * runtime from disk makes that copy and executes it: two dynamically
 * linked images per command, and the first does nothing but copy. The
 * launcher makes the same sealed memfd copy of the runtime's file and
 * executes it, so the dynamic linking, relocation and C library start-up
 * happen once (bench/README.md: launcher). Any other command executes the
 * runtime's file as it is.
 *
 * The launcher decides nothing about protection: the runtime checks the
 * seals of its own image and copies itself when they are missing (a wrong
 * guess of the command here, a kernel that refuses the memfd: then the
 * runtime reports the error, to --log too).
 */
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/memfd.h>

#include "command.h"
#include "syscall.h"
#include "util/elf-extent.h"
#include "util/seals.h"
#define SEEK_END_ 2
#define PATH_SIZE 4096

LAUNCHER_ENTRY;
_Noreturn void launcher_main(long *stack) __attribute__((used));

static long str_len(const char *s)
{
        long n = 0;
        while (s[n])
                n++;
        return n;
}

/* dir (with its trailing '/') and then rel, or rel alone when absolute */
static const char *join(char *buf, const char *dir, long dir_len, const char *rel)
{
        if (rel[0] == '/')
                return rel;
        long n = str_len(rel);
        if (dir_len <= 0 || dir_len + n >= PATH_SIZE)
                return 0;
        for (long i = 0; i < dir_len; i++)
                buf[i] = dir[i];
        for (long i = 0; i <= n; i++)
                buf[dir_len + i] = rel[i];
        return buf;
}

/* The launcher's directory, "/" included: the length, or 0 (no /proc, or
 * a path too long to read whole). */
static long own_dir(char *buf)
{
        long n = SYS(__NR_readlinkat, AT_FDCWD, "/proc/self/exe", buf, PATH_SIZE, 0);
        if (n >= PATH_SIZE)
                return 0;
        while (n > 0 && buf[n - 1] != '/')
                n--;
        return n > 0 ? n : 0;
}

/* Copy the runtime into a sealed memfd and execute that; returns only when
 * something failed, leaving the rest to the runtime. */
static void exec_sealed_copy(long src, char **argv, char **envp)
{
        _Alignas(elf_ehdr) char head[ELF_EXTENT_HEAD];
        long size = SYS(__NR_lseek, src, 0, SEEK_END_, 0, 0);
        long got = SYS(__NR_pread64, src, head, sizeof(head), 0, 0);
        long mfd = SYS(__NR_memfd_create, "modrun", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC, 0, 0, 0);
        if (mfd == -EINVAL) /* before Linux 6.3: no MFD_EXEC, memfds executable */
                mfd = SYS(__NR_memfd_create, "modrun", MFD_CLOEXEC | MFD_ALLOW_SEALING, 0, 0, 0);
        if (size <= 0 || got <= 0 || mfd < 0)
                goto close_mfd;
        /* the part the kernel and ld.so load, without the debug information
         * and symbol tables of an unstripped build (util/elf-extent.h) */
        long len = (long)elf_extent(head, (unsigned long)got, (unsigned long)size);
        long long off = 0;
        while (off < len) {
                long k = SYS(__NR_sendfile, mfd, src, &off, len - off, 0);
                if (k <= 0 && k != -EINTR)
                        goto close_mfd;
        }
        if (len < size) {
                elf_drop_section_headers(head);
                if (SYS(__NR_pwrite64, mfd, head, sizeof(elf_ehdr), 0, 0) != (long)sizeof(elf_ehdr))
                        goto close_mfd;
        }
        if (SYS(__NR_fcntl, mfd, F_ADD_SEALS, SEALED_COPY_SEALS | F_SEAL_EXEC, 0, 0) < 0 &&
            SYS(__NR_fcntl, mfd, F_ADD_SEALS, SEALED_COPY_SEALS, 0, 0) < 0)
                goto close_mfd;
        SYS(__NR_execveat, mfd, "", argv, envp, AT_EMPTY_PATH);
close_mfd:
        if (mfd >= 0)
                SYS(__NR_close, mfd, 0, 0, 0, 0);
}

static void say(const char *s) { SYS(__NR_write, 2, s, str_len(s), 0, 0); }

/* Start the runtime at rel (relative to the launcher's directory unless
 * absolute); returns the error when it could not. */
static long start_runtime(const char *rel, const char *dir, long dir_len, bool seal, char **argv, char **envp)
{
        char buf[PATH_SIZE];
        const char *path = join(buf, dir, dir_len, rel);
        if (!path)
                return -ENOENT;
        if (seal) {
                long fd = SYS(__NR_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0, 0);
                if (fd >= 0) {
                        exec_sealed_copy(fd, argv, envp);
                        SYS(__NR_close, fd, 0, 0, 0, 0);
                }
        }
        return SYS(__NR_execve, path, argv, envp, 0, 0);
}

_Noreturn void launcher_main(long *stack)
{
        int argc = (int)stack[0];
        char **argv = (char **)(stack + 1), **envp = argv + argc + 1;
        bool seal = launcher_seals(argc, argv);
        char dir[PATH_SIZE];
        long dir_len = own_dir(dir);
        /* the build tree's layout (core/runtime/modrun beside core/modrun),
         * then the installed one (meson: libexecdir/modrun/modrun, relative
         * to the launcher's directory, or absolute, which is also the way
         * without /proc) */
        long err = start_runtime("runtime/modrun", dir, dir_len, seal, argv, envp);
        if (err == -ENOENT)
                err = start_runtime(MODRUN_RUNTIME, dir, dir_len, seal, argv, envp);
        if (err == -ENOENT && dir_len == 0)
                err = start_runtime(MODRUN_RUNTIME_ABS, dir, dir_len, seal, argv, envp);
        say("modrun: cannot start its runtime " MODRUN_RUNTIME " (from the directory of /proc/self/exe unless "
            "absolute; runtime/modrun in a build tree; " MODRUN_RUNTIME_ABS " without /proc): ");
        say(err == -ENOENT    ? "not found"
            : err == -EACCES  ? "permission denied"
            : err == -ENOEXEC ? "not an executable of this machine"
                              : "execve failed");
        say("; install modrun completely (meson install puts both there), or run the runtime itself\n");
        SYS(__NR_exit_group, 127, 0, 0, 0, 0);
        for (;;)
                ;
}
