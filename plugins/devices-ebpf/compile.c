/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Normalised rules -> a BPF_PROG_TYPE_CGROUP_DEVICE program (pure).
 *
 * The kernel calls the program with a struct bpf_cgroup_dev_ctx in r1:
 * access_type (the device type, BPF_DEVCG_DEV_BLOCK or _CHAR, in the low
 * 16 bits, the BPF_DEVCG_ACC_* bits asked for above them), major, minor.
 * It returns 1 to allow, 0 to deny (EPERM).
 *
 * The program is straight-line code, one block per rule in spec order,
 * keeping in w6 the set of access bits allowed so far:
 *
 *   w2 = type, w3 = access asked, w4 = major, w5 = minor   (prologue)
 *   w6 = default ? rwm : 0
 *   per rule:  if w2 != TYPE goto next      (absent for "a")
 *              if w4 != MAJOR goto next     (absent for any)
 *              if w5 != MINOR goto next     (absent for any)
 *              w6 |= ACCESS  (allow)  or  w6 &= ~ACCESS  (deny)
 *   w0 = (w3 & ~w6) == 0                                    (epilogue)
 *
 * so for each access bit the last matching rule that lists it decides.
 * The comparisons are 32-bit (BPF_JMP32, Linux 5.1): the context fields
 * are u32 and an immediate is an s32, so a 64-bit compare would never
 * match a major above 2^31-1.
 */
#include <errno.h>
#include <string.h>

#include "devices-ebpf.h"

/* Instruction builders: the kernel's filter.h macros are not uapi. */
static struct bpf_insn ldx_w(int dst, int src, int16_t off)
{
        return (struct bpf_insn){.code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = dst, .src_reg = src, .off = off};
}

static struct bpf_insn alu32_imm(int op, int dst, int32_t imm)
{
        return (struct bpf_insn){.code = BPF_ALU | op | BPF_K, .dst_reg = dst, .imm = imm};
}

static struct bpf_insn alu32_reg(int op, int dst, int src)
{
        return (struct bpf_insn){.code = BPF_ALU | op | BPF_X, .dst_reg = dst, .src_reg = src};
}

static struct bpf_insn jmp32_imm(int op, int dst, int32_t imm, int16_t off)
{
        return (struct bpf_insn){.code = BPF_JMP32 | op | BPF_K, .dst_reg = dst, .imm = imm, .off = off};
}

static struct bpf_insn exit_insn(void)
{
        return (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
}

enum {
        R_TYPE = BPF_REG_2,
        R_ACCESS = BPF_REG_3,
        R_MAJOR = BPF_REG_4,
        R_MINOR = BPF_REG_5,
        R_ALLOWED = BPF_REG_6,
};

size_t devbpf_rule_insns(const struct devbpf_rule *r)
{
        return (r->type != 'a') + (r->major >= 0) + (r->minor >= 0) + 1;
}

static size_t prologue(struct bpf_insn *p, bool default_allow)
{
        size_t n = 0;
        p[n++] = ldx_w(R_TYPE, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[n++] = alu32_imm(BPF_AND, R_TYPE, 0xffff);
        p[n++] = ldx_w(R_ACCESS, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[n++] = alu32_imm(BPF_RSH, R_ACCESS, 16);
        p[n++] = ldx_w(R_MAJOR, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major));
        p[n++] = ldx_w(R_MINOR, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor));
        p[n++] = alu32_imm(BPF_MOV, R_ALLOWED, default_allow ? DEVBPF_ACC_ALL : 0);
        return n;
}

/* One rule's block; every failed compare jumps past the block's end. */
static size_t rule_block(struct bpf_insn *p, const struct devbpf_rule *r)
{
        size_t n = 0, len = devbpf_rule_insns(r);
        /* a compare at n jumps over the len - n - 1 instructions after it */
        if (r->type != 'a') {
                int32_t type = r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
                p[n] = jmp32_imm(BPF_JNE, R_TYPE, type, (int16_t)(len - n - 1));
                n++;
        }
        if (r->major >= 0) {
                p[n] = jmp32_imm(BPF_JNE, R_MAJOR, (int32_t)(uint32_t)r->major, (int16_t)(len - n - 1));
                n++;
        }
        if (r->minor >= 0) {
                p[n] = jmp32_imm(BPF_JNE, R_MINOR, (int32_t)(uint32_t)r->minor, (int16_t)(len - n - 1));
                n++;
        }
        if (r->allow)
                p[n++] = alu32_imm(BPF_OR, R_ALLOWED, (int32_t)r->access);
        else
                p[n++] = alu32_imm(BPF_AND, R_ALLOWED, (int32_t)(~r->access & DEVBPF_ACC_ALL));
        return n;
}

static size_t epilogue(struct bpf_insn *p)
{
        size_t n = 0;
        p[n++] = alu32_imm(BPF_XOR, R_ALLOWED, -1);          /* w6 = the bits not allowed */
        p[n++] = alu32_reg(BPF_AND, R_ACCESS, R_ALLOWED);    /* w3 = asked and not allowed */
        p[n++] = alu32_imm(BPF_MOV, BPF_REG_0, 1);
        p[n++] = jmp32_imm(BPF_JEQ, R_ACCESS, 0, 1);
        p[n++] = alu32_imm(BPF_MOV, BPF_REG_0, 0);
        p[n++] = exit_insn();
        return n;
}

int devbpf_compile(const struct devbpf_rules *rules, struct bpf_insn **ret, size_t *ret_n)
{
        size_t total = DEVBPF_PROLOGUE_INSNS + DEVBPF_EPILOGUE_INSNS;
        for (size_t i = 0; i < rules->n; i++)
                total += devbpf_rule_insns(&rules->v[i]);
        struct bpf_insn *p = calloc(total, sizeof(*p));
        if (!p)
                return -ENOMEM;
        size_t n = prologue(p, rules->default_allow);
        for (size_t i = 0; i < rules->n; i++)
                n += rule_block(p + n, &rules->v[i]);
        n += epilogue(p + n);
        if (n != total) { /* the counts above and the builders disagree: a bug here */
                free(p);
                return -EPROTO;
        }
        *ret = p;
        *ret_n = n;
        return 0;
}
