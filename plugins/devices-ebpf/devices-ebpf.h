/* SPDX-License-Identifier: Apache-2.0 */
/*
 * devices plugin "ebpf": linux.resources.devices enforced by one
 * BPF_PROG_TYPE_CGROUP_DEVICE program on the container's cgroup v2
 * directory, built as raw instructions at run time (no clang, no object
 * file) and loaded with libbpf.
 *
 * Internal header, shared by the plugin's topic files only:
 *   rules.c         the OCI rules (json) -> normalised rules (pure)
 *   compile.c       normalised rules -> BPF instructions (pure)
 *   attach.c        load, attach or replace, verify, detach; the record of
 *                   the attached program in <state_dir>/devices-ebpf.prog
 *   devices-ebpf.c  the ops table, the state, libbpf's log and memlock
 * The pure files use neither the host table nor a syscall, so the unit
 * tests in tests/unit/devices-ebpf/ compile them alone.
 *
 * Semantics (as runc and crun: in spec order, the last matching rule wins,
 * and nothing matched means deny), decided for each access bit on its own:
 * an access (say "rw" for an O_RDWR open) is allowed when, for each of its
 * bits, the last rule that matches the device's type, major and minor and
 * lists that bit is an allow rule. For rules that list all of "rwm" this
 * is plain "last match wins"; for partial ones it is what the v1 devices
 * controller does: "allow a rwm" then "deny c 1:3 w" refuses an O_RDWR
 * open of /dev/null, where a whole-access comparison would let it through.
 */
#ifndef DEVICES_EBPF_H
#define DEVICES_EBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <modrun/plugin.h>

#define DEVBPF_PROG_NAME "modrun_devices" /* BPF object names: < 16 bytes, [A-Za-z0-9_.] */
#define DEVBPF_RECORD_FILE "devices-ebpf.prog"
#define DEVBPF_ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
#define DEVBPF_MAX_PROGS 64 /* programs a query reads back */

static inline void devbpf_freep(void *p) { free(*(void **)p); }
static inline void devbpf_closep(const int *fd)
{
        if (*fd >= 0)
                (void)close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(devbpf_freep)))
#define _cleanup_close_ __attribute__((cleanup(devbpf_closep)))

/* ---- rules.c (pure) ---- */
struct devbpf_rule {
        bool allow;
        char type;            /* 'a', 'b', 'c' */
        int64_t major, minor; /* -1: any */
        uint32_t access;      /* BPF_DEVCG_ACC_* bits */
        size_t index;         /* its index in linux.resources.devices */
};

struct devbpf_rules {
        struct devbpf_rule *v;
        size_t n;
        bool default_allow; /* the answer when no rule matches */
        size_t n_given;     /* rules in the config, before normalisation */
};

/* Parse linux.resources.devices (a json array; NULL = no rules, deny all).
 * -EINVAL with *ret_index (the rule's index) and *ret_why on bad input,
 * -ENOMEM. Rules come out in spec order, default deny. */
int devbpf_rules_parse(const struct json_object *array, struct devbpf_rules *ret, size_t *ret_index,
                       const char **ret_why);
/* Drop what cannot change the answer: rules without access, everything
 * before the last rule matching every device with "rwm" (which becomes the
 * default), and leading rules that agree with the default. */
void devbpf_rules_normalize(struct devbpf_rules *rules);
void devbpf_rules_done(struct devbpf_rules *rules);
/* "allow c 1:3 rw", "deny a *:* rwm": for debug output. */
void devbpf_rule_format(const struct devbpf_rule *r, char *buf, size_t size);

/* ---- compile.c (pure) ---- */
#define DEVBPF_PROLOGUE_INSNS 7
#define DEVBPF_EPILOGUE_INSNS 6
/* Instructions one rule takes: a compare per non-wildcard field, then the
 * update of the allowed bits. */
size_t devbpf_rule_insns(const struct devbpf_rule *r);
/* The program for rules: a malloc()ed array of *ret_n instructions. */
int devbpf_compile(const struct devbpf_rules *rules, struct bpf_insn **ret, size_t *ret_n);

/* ---- attach.c ---- */
struct devbpf_cgroup {
        int fd;      /* O_RDONLY|O_DIRECTORY, for BPF_PROG_ATTACH/QUERY */
        char *path;  /* for messages */
};

/* Reopen the core's (O_PATH) cgroup fd for reading and resolve its path. */
int devbpf_cgroup_open(const struct modrun_host *h, int cgroup_fd, struct devbpf_cgroup *ret,
                       struct modrun_error **reterr);
void devbpf_cgroup_done(struct devbpf_cgroup *cg);
/* Load insns, attach the program to cg as the one device program of
 * modrun (replacing the one attached before), record it, verify it is
 * the only one. *ret_id (may be NULL) gets the new program's id. */
int devbpf_attach(const struct modrun_host *h, const struct devbpf_cgroup *cg, const struct bpf_insn *insns,
                  size_t n, uint32_t *ret_id, struct modrun_error **reterr);
/* Detach the program devbpf_attach() put on cg (none: success). */
int devbpf_detach(const struct modrun_host *h, const struct devbpf_cgroup *cg, struct modrun_error **reterr);
/* The ids of the device programs attached to cg itself. */
int devbpf_query(int cgroup_fd, uint32_t *ids, uint32_t *n);

#endif /* DEVICES_EBPF_H */
