/* SPDX-License-Identifier: Apache-2.0 */
/* The -ENOSYS stub of core/init/process/seccomp-enosys.c, run by a small
 * classic-BPF interpreter on made-up seccomp_data: per architecture, a
 * number above the profile's highest gets ENOSYS and everything else
 * reaches the filter behind the stub; x32 numbers (bit 30) are judged by
 * x32's own highest; an architecture without one, and an unlisted
 * architecture, go to the filter. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "init/process/seccomp-enosys.h"

#define FILTER_RET 0x7fff1234u /* what the "filter" behind the stub returns */

/* Run prog (stub, then one "ret FILTER_RET") on (arch, nr): only the
 * instructions the stub uses. */
static uint32_t run(const struct sock_filter *prog, size_t n, uint32_t arch, uint32_t nr)
{
        struct seccomp_data d = {.nr = (int)nr, .arch = arch};
        uint32_t a = 0;
        for (size_t pc = 0; pc < n; pc++) {
                const struct sock_filter *i = &prog[pc];
                switch (i->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        assert_true(i->k + 4 <= sizeof(d));
                        memcpy(&a, (const char *)&d + i->k, 4);
                        break;
                case BPF_JMP | BPF_JA:
                        pc += i->k;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        pc += a == i->k ? i->jt : i->jf;
                        break;
                case BPF_JMP | BPF_JGT | BPF_K:
                        pc += a > i->k ? i->jt : i->jf;
                        break;
                case BPF_JMP | BPF_JSET | BPF_K:
                        pc += (a & i->k) ? i->jt : i->jf;
                        break;
                case BPF_RET | BPF_K:
                        return i->k;
                default:
                        fail_msg("instruction %#x at %zu", i->code, pc);
                }
        }
        fail_msg("ran off the end");
        return 0;
}

#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)

static size_t build(const struct enosys_arch *arches, size_t n, struct sock_filter *prog)
{
        size_t len = seccomp_enosys_stub(arches, n, prog);
        assert_true(len <= ENOSYS_STUB_MAX(n));
        prog[len] = (struct sock_filter){.code = BPF_RET | BPF_K, .k = FILTER_RET};
        return len + 1;
}

static void test_x86_64_with_x32_and_i386(void **unused)
{
        const struct enosys_arch arches[] = {
                {.audit_arch = AUDIT_ARCH_X86_64, .last = 439, .last_x32 = 0x40000000 | 300},
                {.audit_arch = AUDIT_ARCH_I386, .last = 400, .last_x32 = -1},
        };
        struct sock_filter prog[ENOSYS_STUB_MAX(2) + 1];
        size_t n = build(arches, 2, prog);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 0), FILTER_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 439), FILTER_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 440), ENOSYS_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 1000), ENOSYS_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 0x40000000 | 300), FILTER_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 0x40000000 | 301), ENOSYS_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_I386, 400), FILTER_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_I386, 401), ENOSYS_RET);
        /* an architecture the stub does not know: the filter decides */
        assert_int_equal(run(prog, n, AUDIT_ARCH_AARCH64, 5000), FILTER_RET);
}

static void test_x32_without_own_numbers(void **unused)
{
        const struct enosys_arch arches[] = {{.audit_arch = AUDIT_ARCH_X86_64, .last = 200, .last_x32 = -1}};
        struct sock_filter prog[ENOSYS_STUB_MAX(1) + 1];
        size_t n = build(arches, 1, prog);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 201), ENOSYS_RET);
        /* x32 not in the profile: its calls are the filter's (bad arch) */
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 0x40000000 | 900), FILTER_RET);
}

static void test_only_x32(void **unused)
{
        const struct enosys_arch arches[] = {{.audit_arch = AUDIT_ARCH_X86_64, .last = -1, .last_x32 = 0x40000000 | 10}};
        struct sock_filter prog[ENOSYS_STUB_MAX(1) + 1];
        size_t n = build(arches, 1, prog);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 500), FILTER_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 0x40000000 | 11), ENOSYS_RET);
}

static void test_no_numbers_no_stub(void **unused)
{
        const struct enosys_arch arches[] = {{.audit_arch = AUDIT_ARCH_AARCH64, .last = -1, .last_x32 = -1}};
        struct sock_filter prog[ENOSYS_STUB_MAX(1)];
        assert_int_equal(seccomp_enosys_stub(arches, 1, prog), 0);
        assert_int_equal(seccomp_enosys_stub(arches, 0, prog), 0);
}

/* The most architectures libseccomp knows, one of them with x32 too and
 * some without any number (no block): the jumps stay in range and every
 * block is reachable. */
static void test_many_arches(void **unused)
{
        struct enosys_arch arches[24];
        for (size_t i = 0; i < 24; i++)
                arches[i] = (struct enosys_arch){.audit_arch = 0x1000 + (uint32_t)i, .last = 100 + (int64_t)i, .last_x32 = -1};
        arches[23].audit_arch = AUDIT_ARCH_X86_64;
        arches[23].last_x32 = 0x40000000 | 50;
        arches[5].last = -1; /* between listed ones: left out */
        arches[6].last = -1;
        struct sock_filter prog[ENOSYS_STUB_MAX(24) + 1];
        size_t n = build(arches, 24, prog);
        for (size_t i = 0; i < 23; i++) {
                bool listed = i != 5 && i != 6;
                assert_int_equal(run(prog, n, 0x1000 + (uint32_t)i, 100 + (uint32_t)i), FILTER_RET);
                assert_int_equal(run(prog, n, 0x1000 + (uint32_t)i, 101 + (uint32_t)i),
                                 listed ? ENOSYS_RET : FILTER_RET);
        }
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 0x40000000 | 51), ENOSYS_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 123), FILTER_RET);
        assert_int_equal(run(prog, n, AUDIT_ARCH_X86_64, 124), ENOSYS_RET);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_x86_64_with_x32_and_i386), cmocka_unit_test(test_x32_without_own_numbers),
                cmocka_unit_test(test_only_x32), cmocka_unit_test(test_no_numbers_no_stub),
                cmocka_unit_test(test_many_arches),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
