/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>

#include "seccomp-enosys.h"

#define X32_SYSCALL_BIT 0x40000000u

/* Where an unconditional jump of the stub goes, fixed up at the end. */
enum { TO_ENOSYS, TO_FILTER };

struct stub {
        struct sock_filter *ins;
        size_t n;
};

static void emit(struct stub *s, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
        s->ins[s->n++] = (struct sock_filter){.code = code, .jt = jt, .jf = jf, .k = k};
}

/* Number in A above last: ENOSYS, else the filter (no last: the filter). */
static void emit_compare(struct stub *s, int64_t last)
{
        if (last >= 0) {
                emit(s, BPF_JMP | BPF_JGT | BPF_K, 0, 1, (uint32_t)last);
                emit(s, BPF_JMP | BPF_JA, 0, 0, TO_ENOSYS);
        }
        emit(s, BPF_JMP | BPF_JA, 0, 0, TO_FILTER);
}

static size_t compare_len(int64_t last)
{
        return last >= 0 ? 3 : 1;
}

size_t seccomp_enosys_stub(const struct enosys_arch *arches, size_t n, struct sock_filter *out)
{
        struct stub s = {.ins = out};
        emit(&s, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
        bool any = false;
        for (size_t i = 0; i < n; i++) {
                const struct enosys_arch *a = &arches[i];
                bool x32 = a->audit_arch == AUDIT_ARCH_X86_64;
                if (a->last < 0 && !(x32 && a->last_x32 >= 0))
                        continue;
                any = true;
                /* on another architecture, jump over this block to the next */
                size_t body = 1 + (x32 ? 1 + compare_len(a->last) + compare_len(a->last_x32) : compare_len(a->last));
                emit(&s, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)body, a->audit_arch);
                emit(&s, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
                if (x32) /* an x32 call: past the x86_64 comparison */
                        emit(&s, BPF_JMP | BPF_JSET | BPF_K, (uint8_t)compare_len(a->last), 0, X32_SYSCALL_BIT);
                emit_compare(&s, a->last);
                if (x32)
                        emit_compare(&s, a->last_x32);
        }
        if (!any)
                return 0;
        emit(&s, BPF_JMP | BPF_JA, 0, 0, TO_FILTER); /* no architecture listed */
        emit(&s, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
        /* the ret is the last instruction; the filter follows the stub */
        size_t enosys = s.n - 1, filter = s.n;
        for (size_t i = 0; i < s.n; i++)
                if (out[i].code == (BPF_JMP | BPF_JA))
                        out[i].k = (uint32_t)((out[i].k == TO_ENOSYS ? enosys : filter) - (i + 1));
        return s.n;
}
