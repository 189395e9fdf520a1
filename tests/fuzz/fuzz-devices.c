/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: linux.resources.devices (JSON text) through the
 * devices-ebpf plugin's pure files: devbpf_rules_parse(),
 * devbpf_rules_normalize(), devbpf_compile() (no bpf() syscall).
 *
 * Beyond "no crash": the compiled program is run in a small interpreter
 * of the instructions compile.c may emit (as tests/unit/devices-ebpf does,
 * plus the verifier's rules that every jump stays inside the program and
 * no register is read before it is written), and its answer for probe
 * devices must equal the semantics of devices-ebpf.h evaluated on the
 * rules as given, before normalisation: for each access bit, the last
 * rule that matches the device and lists the bit decides; none: deny.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "devices-ebpf.h"
#include "fuzz-json.h"

#define MAX_ORACLE_RULES 64 /* probes cost rules x probes; larger lists are only compiled */
#define MAX_INSNS 1000000   /* the kernel's BPF_COMPLEXITY_LIMIT_INSNS */

/* 1 allow, 0 deny; abort() on an instruction compile.c must not emit. */
static int run(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access, uint32_t major, uint32_t minor)
{
        const uint32_t ctx[3] = {(access << 16) | type, major, minor};
        uint64_t reg[MAX_BPF_REG] = {0};
        unsigned init = 1u << BPF_REG_1 | 1u << BPF_REG_10;
        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];
                if (i->dst_reg >= MAX_BPF_REG || i->src_reg >= MAX_BPF_REG)
                        abort();
                bool x = BPF_SRC(i->code) == BPF_X;
                uint32_t a = (uint32_t)reg[i->dst_reg];
                uint32_t b = x ? (uint32_t)reg[i->src_reg] : (uint32_t)i->imm;
                if (x && !(init & 1u << i->src_reg))
                        abort();
                switch (BPF_CLASS(i->code)) {
                case BPF_LDX:
                        if (i->code != (BPF_LDX | BPF_MEM | BPF_W) || i->src_reg != BPF_REG_1 || i->off < 0 ||
                            i->off % 4 || i->off >= (int)sizeof(ctx))
                                abort();
                        reg[i->dst_reg] = ctx[i->off / 4];
                        init |= 1u << i->dst_reg;
                        break;
                case BPF_ALU:
                        if (BPF_OP(i->code) != BPF_MOV && !(init & 1u << i->dst_reg))
                                abort();
                        switch (BPF_OP(i->code)) {
                        case BPF_MOV: a = b; break;
                        case BPF_AND: a &= b; break;
                        case BPF_OR: a |= b; break;
                        case BPF_XOR: a ^= b; break;
                        case BPF_RSH:
                                if (b >= 32)
                                        abort();
                                a >>= b;
                                break;
                        default: abort();
                        }
                        reg[i->dst_reg] = a; /* 32-bit ops zero the upper half */
                        init |= 1u << i->dst_reg;
                        break;
                case BPF_JMP32:
                        if (x || i->off < 0 || pc + 1 + (size_t)i->off >= n || !(init & 1u << i->dst_reg) ||
                            (BPF_OP(i->code) != BPF_JNE && BPF_OP(i->code) != BPF_JEQ))
                                abort();
                        if ((BPF_OP(i->code) == BPF_JNE) == (a != b))
                                pc += (size_t)i->off;
                        break;
                case BPF_JMP:
                        if (i->code != (BPF_JMP | BPF_EXIT) || !(init & 1u << BPF_REG_0))
                                abort();
                        if (reg[BPF_REG_0] > 1)
                                abort();
                        return (int)reg[BPF_REG_0];
                default:
                        abort();
                }
        }
        abort(); /* fell off the end */
}

/* The specification, on the rules as parsed (spec order, not normalised). */
static int expected(const struct devbpf_rule *v, size_t n, char type, uint32_t access, uint32_t major, uint32_t minor)
{
        static const uint32_t bits[] = {BPF_DEVCG_ACC_READ, BPF_DEVCG_ACC_WRITE, BPF_DEVCG_ACC_MKNOD};
        for (size_t b = 0; b < 3; b++) {
                if (!(access & bits[b]))
                        continue;
                bool allowed = false;
                for (size_t i = 0; i < n; i++) {
                        const struct devbpf_rule *r = &v[i];
                        if ((r->type == 'a' || r->type == type) && (r->major < 0 || r->major == major) &&
                            (r->minor < 0 || r->minor == minor) && (r->access & bits[b]))
                                allowed = r->allow;
                }
                if (!allowed)
                        return 0;
        }
        return 1;
}

static void add_probe(uint32_t *v, size_t *n, size_t max, int64_t x)
{
        if (x < 0 || x > UINT32_MAX)
                return;
        for (size_t i = 0; i < *n; i++)
                if (v[i] == (uint32_t)x)
                        return;
        if (*n < max)
                v[(*n)++] = (uint32_t)x;
}

static void check_program(const struct devbpf_rule *given, size_t n_given, const struct devbpf_rules *rules)
{
        size_t want = DEVBPF_PROLOGUE_INSNS + DEVBPF_EPILOGUE_INSNS;
        for (size_t i = 0; i < rules->n; i++)
                want += devbpf_rule_insns(&rules->v[i]);
        struct bpf_insn *p = NULL;
        size_t n = 0;
        int r = devbpf_compile(rules, &p, &n);
        if (r == -ENOMEM)
                return;
        if (r < 0 || !p || n != want || n > MAX_INSNS)
                abort();
        if (n_given <= MAX_ORACLE_RULES) {
                uint32_t majors[12], minors[12];
                size_t nma = 0, nmi = 0;
                add_probe(majors, &nma, 12, 0);
                add_probe(minors, &nmi, 12, 0);
                add_probe(majors, &nma, 12, UINT32_MAX);
                for (size_t i = 0; i < n_given; i++) {
                        add_probe(majors, &nma, 12, given[i].major);
                        add_probe(majors, &nma, 12, given[i].major + 1);
                        add_probe(minors, &nmi, 12, given[i].minor);
                        add_probe(minors, &nmi, 12, given[i].minor - 1);
                }
                static const uint32_t accs[] = {
                        BPF_DEVCG_ACC_READ, BPF_DEVCG_ACC_WRITE, BPF_DEVCG_ACC_MKNOD,
                        BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE, DEVBPF_ACC_ALL,
                };
                for (size_t t = 0; t < 2; t++)
                        for (size_t a = 0; a < sizeof(accs) / sizeof(accs[0]); a++)
                                for (size_t i = 0; i < nma; i++)
                                        for (size_t j = 0; j < nmi; j++) {
                                                char type = t ? 'b' : 'c';
                                                uint32_t kt = t ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
                                                if (run(p, n, kt, accs[a], majors[i], minors[j]) !=
                                                    expected(given, n_given, type, accs[a], majors[i], minors[j]))
                                                        abort();
                                        }
        }
        free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct json_object *j = fuzz_json_parse(data, size);
        if (!j && size > 0)
                return 0; /* not JSON: the core refuses the config before any plugin */
        struct devbpf_rules rules;
        size_t index = SIZE_MAX;
        const char *why = NULL;
        int r = devbpf_rules_parse(j, &rules, &index, &why);
        if (r < 0) {
                size_t n = j && json_object_is_type(j, json_type_array) ? json_object_array_length(j) : 1;
                if (r != -ENOMEM && (r != -EINVAL || !why || index >= (n ? n : 1)))
                        abort();
                json_object_put(j);
                return 0;
        }
        size_t n_given = rules.n;
        if (rules.n_given != n_given || (n_given && !rules.v) || rules.default_allow)
                abort();
        struct devbpf_rule *given = n_given ? malloc(n_given * sizeof(*given)) : NULL;
        if (n_given && !given) {
                devbpf_rules_done(&rules);
                json_object_put(j);
                return 0;
        }
        char buf[80], tiny[6];
        for (size_t i = 0; i < n_given; i++) {
                const struct devbpf_rule *x = &rules.v[i];
                if (!strchr("abc", x->type) || x->type == 0 || x->major < -1 || x->major > UINT32_MAX ||
                    x->minor < -1 || x->minor > UINT32_MAX || (x->access & ~DEVBPF_ACC_ALL) || x->index != i)
                        abort();
                devbpf_rule_format(x, buf, sizeof(buf));
                devbpf_rule_format(x, tiny, sizeof(tiny));
                given[i] = *x;
        }
        devbpf_rules_normalize(&rules);
        if (rules.n > n_given)
                abort();
        check_program(given, n_given, &rules);
        free(given);
        devbpf_rules_done(&rules);
        json_object_put(j);
        return 0;
}
