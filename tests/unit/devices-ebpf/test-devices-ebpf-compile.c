/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugins/devices-ebpf/compile.c: rules -> BPF instructions.
 *
 * The shape (counts, only forward jumps inside the program, a final exit)
 * is checked directly; the meaning by running the program in a tiny
 * interpreter of exactly the instructions compile.c may emit, which
 * fails on anything else. test-devices-ebpf-kernel.c checks that the
 * kernel's verifier accepts these programs and that the kernel enforces
 * them the same way.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "devices-ebpf.h"
#include "compile-json.h"

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD


/* The program's answer for a device access: 1 allow, 0 deny. */
static int run(const struct prog *p, uint32_t type, uint32_t access, uint32_t major, uint32_t minor)
{
        const uint32_t ctx[3] = {(access << 16) | type, major, minor};
        uint64_t reg[MAX_BPF_REG] = {0};
        for (size_t pc = 0; pc < p->n; pc++) {
                const struct bpf_insn *i = &p->insns[pc];
                uint32_t a = (uint32_t)reg[i->dst_reg];
                uint32_t b = BPF_SRC(i->code) == BPF_X ? (uint32_t)reg[i->src_reg] : (uint32_t)i->imm;
                switch (BPF_CLASS(i->code)) {
                case BPF_LDX:
                        assert_int_equal(i->code, BPF_LDX | BPF_MEM | BPF_W);
                        assert_int_equal(i->src_reg, BPF_REG_1);
                        assert_true(i->off >= 0 && i->off % 4 == 0 && i->off < (int)sizeof(ctx));
                        reg[i->dst_reg] = ctx[i->off / 4];
                        break;
                case BPF_ALU:
                        switch (BPF_OP(i->code)) {
                        case BPF_MOV: a = b; break;
                        case BPF_AND: a &= b; break;
                        case BPF_OR: a |= b; break;
                        case BPF_XOR: a ^= b; break;
                        case BPF_RSH: a >>= b; break;
                        default: fail_msg("insn %zu: ALU op 0x%x", pc, BPF_OP(i->code));
                        }
                        reg[i->dst_reg] = a; /* 32-bit ops zero the upper half */
                        break;
                case BPF_JMP32:
                        assert_int_equal(BPF_SRC(i->code), BPF_K);
                        assert_true(i->off >= 0 && pc + 1 + (size_t)i->off < p->n); /* forward, inside */
                        assert_true(BPF_OP(i->code) == BPF_JNE || BPF_OP(i->code) == BPF_JEQ);
                        if ((BPF_OP(i->code) == BPF_JNE) == (a != b))
                                pc += (size_t)i->off;
                        break;
                case BPF_JMP:
                        assert_int_equal(i->code, BPF_JMP | BPF_EXIT);
                        return (int)reg[BPF_REG_0];
                default:
                        fail_msg("insn %zu: class 0x%x", pc, BPF_CLASS(i->code));
                }
        }
        fail_msg("fell off the end of the program");
        return -1;
}

static void test_shape(void **unused)
{
        struct prog p = compile_json("[{\"allow\": false}, {\"allow\": true, \"type\": \"c\", \"major\": 1, "
                                     "\"minor\": 3}, {\"allow\": true, \"type\": \"c\", \"major\": 136}, "
                                     "{\"allow\": true, \"access\": \"m\"}, {\"allow\": false, \"minor\": 9}]");
        assert_int_equal(p.n, DEVBPF_PROLOGUE_INSNS + DEVBPF_EPILOGUE_INSNS + 4 + 3 + 1 + 2);
        assert_int_equal(p.insns[0].code, BPF_LDX | BPF_MEM | BPF_W);
        assert_int_equal(p.insns[p.n - 1].code, BPF_JMP | BPF_EXIT);
        /* the rule c 1:3: type, major, minor compares jumping 3, 2, 1 ahead */
        const struct bpf_insn *r1 = &p.insns[DEVBPF_PROLOGUE_INSNS];
        assert_int_equal(r1[0].code, BPF_JMP32 | BPF_JNE | BPF_K);
        assert_int_equal(r1[0].imm, BPF_DEVCG_DEV_CHAR);
        assert_int_equal(r1[0].off, 3);
        assert_int_equal(r1[1].imm, 1);
        assert_int_equal(r1[1].off, 2);
        assert_int_equal(r1[2].imm, 3);
        assert_int_equal(r1[2].off, 1);
        assert_int_equal(r1[3].code, BPF_ALU | BPF_OR | BPF_K);
        assert_int_equal(r1[3].imm, DEVBPF_ACC_ALL);
        free(p.insns);

        /* nothing: prologue and epilogue only, and it denies */
        p = compile_json(NULL);
        assert_int_equal(p.n, DEVBPF_PROLOGUE_INSNS + DEVBPF_EPILOGUE_INSNS);
        assert_int_equal(run(&p, C, R, 1, 3), 0);
        free(p.insns);
}

static void test_rule_insns(void **unused)
{
        struct devbpf_rule r = {.type = 'a', .major = -1, .minor = -1, .access = R};
        assert_int_equal(devbpf_rule_insns(&r), 1);
        r.type = 'b';
        assert_int_equal(devbpf_rule_insns(&r), 2);
        r.major = 0; /* 0 is a number, not a wildcard */
        assert_int_equal(devbpf_rule_insns(&r), 3);
        r.minor = 0;
        assert_int_equal(devbpf_rule_insns(&r), 4);
}

/* runc's default set after a deny-all, as the core appends it */
#define DEFAULTS                                                                                           \
        "{\"allow\": true, \"type\": \"c\", \"access\": \"m\"}, {\"allow\": true, \"type\": \"b\", \"access\": " \
        "\"m\"}, {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rwm\"}, "          \
        "{\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\"}"

static void test_defaults(void **unused)
{
        struct prog p = compile_json("[{\"allow\": false, \"access\": \"rwm\"}, " DEFAULTS "]");
        assert_int_equal(run(&p, C, R | W, 1, 3), 1);  /* /dev/null */
        assert_int_equal(run(&p, C, R, 1, 11), 0);     /* /dev/kmsg */
        assert_int_equal(run(&p, C, M, 1, 11), 1);     /* mknod of anything */
        assert_int_equal(run(&p, B, M, 7, 0), 1);
        assert_int_equal(run(&p, B, R, 7, 0), 0);
        assert_int_equal(run(&p, C, R | W, 136, 4), 1); /* /dev/pts/4 */
        assert_int_equal(run(&p, C, R, 195, 255), 0);  /* /dev/nvidiactl */
        free(p.insns);
}

static void test_last_match_wins(void **unused)
{
        struct prog p = compile_json("[{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3}, "
                                     "{\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3}]");
        assert_int_equal(run(&p, C, R, 1, 3), 0);
        free(p.insns);
        p = compile_json("[{\"allow\": false, \"type\": \"c\", \"major\": 1}, "
                         "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3}]");
        assert_int_equal(run(&p, C, R, 1, 3), 1);
        assert_int_equal(run(&p, C, R, 1, 5), 0);
        free(p.insns);
        /* allow all, then deny a block major */
        p = compile_json("[{\"allow\": true}, {\"allow\": false, \"type\": \"b\", \"major\": 8}]");
        assert_int_equal(run(&p, B, R, 8, 1), 0);
        assert_int_equal(run(&p, C, R, 8, 1), 1); /* the type matters */
        assert_int_equal(run(&p, B, R, 9, 1), 1);
        free(p.insns);
}

static void test_access_bits(void **unused)
{
        /* read allowed, write denied: an O_RDWR open asks for both */
        struct prog p = compile_json("[{\"allow\": true}, {\"allow\": false, \"type\": \"c\", \"major\": 1, "
                                     "\"minor\": 3, \"access\": \"w\"}]");
        assert_int_equal(run(&p, C, R, 1, 3), 1);
        assert_int_equal(run(&p, C, W, 1, 3), 0);
        assert_int_equal(run(&p, C, R | W, 1, 3), 0);
        assert_int_equal(run(&p, C, M, 1, 3), 1);
        free(p.insns);
        /* bits granted by different rules add up */
        p = compile_json("[{\"allow\": true, \"type\": \"c\", \"access\": \"r\"}, "
                         "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"w\"}]");
        assert_int_equal(run(&p, C, R | W, 1, 3), 1);
        assert_int_equal(run(&p, C, R | W, 2, 3), 0);
        assert_int_equal(run(&p, C, R, 2, 3), 1);
        assert_int_equal(run(&p, C, R | W | M, 1, 3), 0);
        free(p.insns);
}

static void test_wildcards(void **unused)
{
        struct prog p = compile_json("[{\"allow\": true, \"type\": \"c\", \"minor\": 3}, "
                                     "{\"allow\": true, \"type\": \"a\", \"major\": 7, \"access\": \"r\"}, "
                                     "{\"allow\": true, \"type\": \"c\", \"major\": 4294967295, \"minor\": 0}]");
        assert_int_equal(run(&p, C, R, 1, 3), 1);
        assert_int_equal(run(&p, C, R, 99, 3), 1);
        assert_int_equal(run(&p, B, R, 99, 3), 0);
        assert_int_equal(run(&p, B, R, 7, 0), 1); /* "a" with a major: both types */
        assert_int_equal(run(&p, C, R, 7, 1), 1);
        assert_int_equal(run(&p, C, W, 7, 1), 0);
        assert_int_equal(run(&p, C, R, 4294967295u, 0), 1); /* 32-bit compares */
        assert_int_equal(run(&p, C, R, 2147483647u, 0), 0);
        free(p.insns);
}

/* Device access is an allow-list: no rule, an empty list, rules that only
 * deny, or only allow, leave every other device denied (the v1 devices
 * controller let such lists inherit its parent's "a *:* rwm"). */
static void test_allow_list(void **unused)
{
        static const char *lists[] = {
                NULL, "[]", "[{\"allow\": false, \"type\": \"c\"}]", "[" DEFAULTS "]",
                "[{\"allow\": false, \"type\": \"c\"}, " DEFAULTS "]",
                "[{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": false, \"type\": \"c\"}, " DEFAULTS "]",
        };
        for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
                struct prog p = compile_json(lists[i]);
                bool defaults = i >= 3;
                assert_int_equal(run(&p, B, R, 7, 0), 0); /* a loop device */
                assert_int_equal(run(&p, B, W, 8, 0), 0); /* a disk */
                assert_int_equal(run(&p, C, R, 1, 1), 0); /* /dev/mem */
                assert_int_equal(run(&p, B, M, 7, 0), defaults);
                assert_int_equal(run(&p, C, R | W, 1, 3), defaults);
                free(p.insns);
        }
        /* the explicitly allowed device, and nothing next to it */
        struct prog p = compile_json("[{\"allow\": true, \"type\": \"b\", \"major\": 7, \"minor\": 0, "
                                     "\"access\": \"r\"}, " DEFAULTS "]");
        assert_int_equal(run(&p, B, R, 7, 0), 1);
        assert_int_equal(run(&p, B, W, 7, 0), 0);
        assert_int_equal(run(&p, B, R, 7, 1), 0);
        free(p.insns);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shape),          cmocka_unit_test(test_rule_insns),
                cmocka_unit_test(test_defaults),       cmocka_unit_test(test_last_match_wins),
                cmocka_unit_test(test_access_bits),    cmocka_unit_test(test_wildcards),
                cmocka_unit_test(test_allow_list),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
