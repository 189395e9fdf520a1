/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp through libseccomp. The filter is compiled in the runtime,
 * before any process exists, so that every error (unknown action, bad
 * operator, unknown architecture) is reported at once with its JSON path;
 * the init only loads it, as runc does: before dropping capabilities when
 * noNewPrivileges is false (loading then needs CAP_SYS_ADMIN), else as late
 * as possible, right before the startContainer hooks and execve(). The
 * program is libseccomp's behind runc's -ENOSYS stub (seccomp-enosys.h).
 */
#include <json-c/json.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libseccomp.h"
#include "process.h"
#include "seccomp-enosys.h"
#include "util/fault.h"
#include "util/log.h"

#define FAIL_UNKNOWN_ANNOTATION "run.oci.seccomp_fail_unknown_syscall"

/* Architectures a filter may hold: every one libseccomp knows. */
#define MAX_ARCHES 24

/* What seccomp_compile() hands the init: the program it loads. */
struct seccomp_filter {
        const struct libseccomp *lib; /* loaded by seccomp_compile(), before clone() */
        scmp_filter_ctx ctx;          /* while compiling */
        uint32_t arches[MAX_ARCHES];  /* the filter's (SCMP_ARCH_*), the native one first */
        size_t n_arches;
        bool notify; /* a rule with SCMP_ACT_NOTIFY was added: loading makes a notify fd */
        struct sock_fprog prog; /* the -ENOSYS stub, then libseccomp's program */
        unsigned int flags;     /* SECCOMP_FILTER_FLAG_* */
};

static const struct {
        const char *name;
        uint32_t action;
        bool takes_errno;
} actions[] = {
        {"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
        {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
        {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
        {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
        {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
        {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
        {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
        {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
        {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

static const struct {
        const char *name;
        enum scmp_compare op;
} operators[] = {
        {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
        {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
        {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const struct {
        const char *name;
        enum scmp_filter_attr attr;
} flags[] = {
        {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC},
        {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG},
        {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB},
};

const char *const *seccomp_action_names(void)
{
        static const char *names[ELEMENTSOF(actions) + 1];
        for (size_t i = 0; i < ELEMENTSOF(actions); i++)
                names[i] = actions[i].name;
        return names;
}

const char *const *seccomp_flag_names(void)
{
        static const char *names[ELEMENTSOF(flags) + 1];
        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                names[i] = flags[i].name;
        return names;
}

static const char *member_string(const struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

/* The action named at path; errno_ret (or dflt_errno) for ERRNO/TRACE. */
static int parse_action(const char *name, const char *path, const struct json_object *o, int dflt_errno,
                        uint32_t *ret, struct modrun_error **reterr)
{
        if (!name)
                return error_new(reterr, EINVAL, "e.g. \"SCMP_ACT_ERRNO\"", "%s: expected an action name", path);
        for (size_t i = 0; i < ELEMENTSOF(actions); i++) {
                if (!streq(name, actions[i].name))
                        continue;
                int e = dflt_errno;
                struct json_object *v = NULL;
                if (o && json_object_object_get_ex(o, "errnoRet", &v) && v)
                        e = json_object_get_int(v);
                *ret = actions[i].takes_errno ? (actions[i].action | ((uint32_t)e & 0xffffu)) : actions[i].action;
                return 0;
        }
        return error_new(reterr, EINVAL, "use one of SCMP_ACT_KILL, _KILL_PROCESS, _TRAP, _ERRNO, _TRACE, _ALLOW, _LOG",
                         "%s: unknown seccomp action \"%s\"", path, name);
}

static int parse_arg(const struct json_object *a, const char *path, struct scmp_arg_cmp *ret,
                     struct modrun_error **reterr)
{
        struct json_object *idx = NULL, *val = NULL, *val2 = NULL;
        const char *op = member_string(a, "op");
        if (!json_object_object_get_ex(a, "index", &idx) || !json_object_object_get_ex(a, "value", &val) || !op)
                return error_new(reterr, EINVAL, NULL, "%s: an argument needs index, value and op", path);
        int64_t i = json_object_get_int64(idx);
        if (i < 0 || i > 5)
                return error_new(reterr, EINVAL, "a syscall has arguments 0 to 5", "%s.index: %lld is out of range",
                                 path, (long long)i);
        (void)json_object_object_get_ex(a, "valueTwo", &val2);
        for (size_t k = 0; k < ELEMENTSOF(operators); k++)
                if (streq(op, operators[k].name)) {
                        *ret = (struct scmp_arg_cmp){.arg = (unsigned)i, .op = operators[k].op,
                                                     .datum_a = json_object_get_uint64(val),
                                                     .datum_b = val2 ? json_object_get_uint64(val2) : 0};
                        return 0;
                }
        return error_new(reterr, EINVAL, "use SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT or _MASKED_EQ",
                         "%s.op: unknown operator \"%s\"", path, op);
}

/* Two conditions on one argument mean "either" (runc): one rule each. */
static bool args_repeat_index(const struct scmp_arg_cmp *c, size_t n)
{
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        if (c[i].arg == c[j].arg)
                                return true;
        return false;
}

static int add_rule(const struct seccomp_filter *f, uint32_t action, int nr, const char *name, const struct scmp_arg_cmp *c,
                    size_t n, const char *path, struct modrun_error **reterr)
{
        int r = 0;
        if (args_repeat_index(c, n))
                for (size_t i = 0; i < n && r >= 0; i++)
                        r = f->lib->rule_add_array(f->ctx, action, nr, 1, &c[i]);
        else
                r = f->lib->rule_add_array(f->ctx, action, nr, (unsigned)n, c);
        if (r < 0)
                return error_new(reterr, -r, NULL, "%s: add the seccomp rule for syscall \"%s\"", path, name);
        return 0;
}

static int add_syscalls(struct seccomp_filter *f, const struct json_object *entry, const char *path, uint32_t dflt,
                        int dflt_errno, bool fail_unknown, struct modrun_error **reterr)
{
        uint32_t action = 0;
        int r = parse_action(member_string(entry, "action"), path, entry, dflt_errno, &action, reterr);
        if (r < 0)
                return r;
        struct scmp_arg_cmp cmp[6];
        size_t n = 0;
        struct json_object *args = NULL, *names = NULL;
        if (json_object_object_get_ex(entry, "args", &args) && json_object_is_type(args, json_type_array)) {
                if (json_object_array_length(args) > ELEMENTSOF(cmp))
                        return error_new(reterr, EINVAL, NULL, "%s.args: at most 6 conditions", path);
                for (size_t i = 0; i < json_object_array_length(args); i++) {
                        char ap[256];
                        (void)snprintf(ap, sizeof(ap), "%s.args[%zu]", path, i);
                        if ((r = parse_arg(json_object_array_get_idx(args, i), ap, &cmp[n++], reterr)) < 0)
                                return r;
                }
        }
        if (action == dflt) /* libseccomp refuses a rule that changes nothing */
                return 0;
        (void)json_object_object_get_ex(entry, "names", &names);
        for (size_t i = 0; names && i < json_object_array_length(names); i++) {
                const char *name = json_object_get_string(json_object_array_get_idx(names, i));
                int nr = name ? f->lib->syscall_resolve_name(name) : __NR_SCMP_ERROR;
                if (nr == __NR_SCMP_ERROR) {
                        if (fail_unknown)
                                return error_new(reterr, EINVAL, "remove it, or the annotation " FAIL_UNKNOWN_ANNOTATION,
                                                 "%s.names[%zu]: unknown syscall \"%s\"", path, i, name ? name : "");
                        log_debug("seccomp: %s.names[%zu]: unknown syscall \"%s\", skipped", path, i, name ? name : "");
                        continue;
                }
                if ((r = add_rule(f, action, nr, name, cmp, n, path, reterr)) < 0)
                        return r;
                f->notify = f->notify || action == SCMP_ACT_NOTIFY;
        }
        return 0;
}

static int add_arches_and_flags(struct seccomp_filter *sf, const struct json_object *sc, struct modrun_error **reterr)
{
        struct json_object *a = NULL;
        (void)json_object_object_get_ex(sc, "architectures", &a);
        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                const char *name = json_object_get_string(json_object_array_get_idx(a, i));
                char lower[32] = "";
                for (size_t k = 0; name && name[k] && k + 1 < sizeof(lower); k++)
                        lower[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
                uint32_t arch = strncmp(lower, "scmp_arch_", 10) == 0 ? sf->lib->arch_resolve_name(lower + 10) : 0;
                if (!arch)
                        return error_new(reterr, EINVAL, "e.g. SCMP_ARCH_X86_64",
                                         "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i,
                                         name ? name : "");
                int r = sf->lib->arch_add(sf->ctx, arch);
                if (r < 0 && r != -EEXIST)
                        return error_new(reterr, -r, NULL, "linux.seccomp.architectures[%zu]: add %s", i, name);
                if (r == 0 && sf->n_arches < MAX_ARCHES)
                        sf->arches[sf->n_arches++] = arch;
        }
        struct json_object *f = NULL;
        (void)json_object_object_get_ex(sc, "flags", &f);
        for (size_t i = 0; f && i < json_object_array_length(f); i++) {
                const char *name = json_object_get_string(json_object_array_get_idx(f, i));
                size_t k = 0;
                while (k < ELEMENTSOF(flags) && !(name && streq(name, flags[k].name)))
                        k++;
                if (k == ELEMENTSOF(flags))
                        return error_new(reterr, EOPNOTSUPP, "modrun supports TSYNC, LOG and SPEC_ALLOW",
                                         "linux.seccomp.flags[%zu]: \"%s\" is not supported here", i,
                                         name ? name : "");
                int r = sf->lib->attr_set(sf->ctx, flags[k].attr, 1);
                if (r < 0)
                        return error_new(reterr, -r, "the kernel or libseccomp lacks this flag",
                                         "linux.seccomp.flags[%zu]: set %s", i, name);
        }
        return 0;
}

static int seccomp_build(const struct oci_config *cfg, struct seccomp_filter *f, struct modrun_error **reterr)
{
        const struct json_object *sc = cfg->linux_.seccomp;
        int r = f->lib->attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0); /* process.noNewPrivileges decides */
        if (r >= 0)
                r = add_arches_and_flags(f, sc, reterr);
        else
                return error_new(reterr, -r, NULL, "seccomp: clear the no_new_privs attribute");
        if (r < 0)
                return r;
        const char *fail = config_annotation(cfg, FAIL_UNKNOWN_ANNOTATION);
        bool fail_unknown = fail && *fail && !streq(fail, "false") && !streq(fail, "0");
        struct json_object *syscalls = NULL;
        uint32_t dflt = 0;
        (void)f->lib->attr_get(f->ctx, SCMP_FLTATR_ACT_DEFAULT, &dflt);
        (void)json_object_object_get_ex(sc, "syscalls", &syscalls);
        for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++) {
                const char *action = member_string(json_object_array_get_idx(syscalls, i), "action");
                if (action && streq(action, "SCMP_ACT_NOTIFY") && !member_string(sc, "listenerPath"))
                        return error_new(reterr, EINVAL, "set linux.seccomp.listenerPath to the listener's socket",
                                         "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY without a listenerPath", i);
                char path[64];
                (void)snprintf(path, sizeof(path), "linux.seccomp.syscalls[%zu]", i);
                /* a rule's ERRNO without errnoRet is EPERM, as in runc */
                r = add_syscalls(f, json_object_array_get_idx(syscalls, i), path, dflt, EPERM, fail_unknown,
                                 reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The highest number any syscall of the profile has on arch (whatever
 * the rule's action: a syscall the profile names is one it knows), or -1. */
static int64_t profile_last(const struct seccomp_filter *f, const struct json_object *sc, uint32_t arch)
{
        int64_t last = -1;
        struct json_object *syscalls = NULL, *names = NULL;
        (void)json_object_object_get_ex(sc, "syscalls", &syscalls);
        for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++) {
                names = NULL;
                (void)json_object_object_get_ex(json_object_array_get_idx(syscalls, i), "names", &names);
                for (size_t k = 0; names && k < json_object_array_length(names); k++) {
                        const char *name = json_object_get_string(json_object_array_get_idx(names, k));
                        int nr = name ? f->lib->syscall_resolve_name_arch(arch, name) : -1;
                        if (nr > last)
                                last = nr;
                }
        }
        return last;
}

/* The stub's architectures, as the kernel names them: x32 is x86_64's
 * with its own numbers. s390 is left to the filter (an unknown syscall
 * arrives there as number 0, which the stub cannot tell apart). */
static size_t enosys_arches(const struct seccomp_filter *f, const struct json_object *sc, struct enosys_arch *out)
{
        size_t n = 0;
        for (size_t i = 0; i < f->n_arches; i++) {
                uint32_t t = f->arches[i];
                if (t == SCMP_ARCH_S390 || t == SCMP_ARCH_S390X)
                        continue;
                uint32_t audit = t == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : t;
                size_t k = 0;
                while (k < n && out[k].audit_arch != audit)
                        k++;
                if (k == n)
                        out[n++] = (struct enosys_arch){.audit_arch = audit, .last = -1, .last_x32 = -1};
                *(t == SCMP_ARCH_X32 ? &out[k].last_x32 : &out[k].last) = profile_last(f, sc, t);
        }
        return n;
}

/* Does the default action leave a syscall the profile does not know to
 * the stub? Not when it allows it (ALLOW, LOG, TRACE: a tracer handles new
 * syscalls itself) or already says ENOSYS (runc's rule). */
static bool wants_enosys_stub(uint32_t dflt)
{
        return dflt != SCMP_ACT_ALLOW && dflt != SCMP_ACT_LOG && (dflt & 0xffff0000u) != SCMP_ACT_TRACE(0) &&
               dflt != SCMP_ACT_ERRNO(ENOSYS);
}

/* libseccomp's program for f, after room empty instructions. */
static int export_program(const struct seccomp_filter *f, size_t room, struct sock_filter **ret, size_t *ret_n,
                          struct modrun_error **reterr)
{
        _cleanup_close_ int fd = memfd_create("modrun-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "seccomp: a memfd for the compiled filter");
        int r = FAULT_ALLOC_EXEMPT(f->lib->export_bpf(f->ctx, fd));
        if (r < 0)
                return error_new(reterr, -r, NULL, "seccomp: export the compiled filter (seccomp_export_bpf)");
        off_t size = lseek(fd, 0, SEEK_END);
        if (size < 0)
                return error_new(reterr, errno, NULL, "seccomp: the size of the compiled filter");
        if (size == 0 || size % (off_t)sizeof(struct sock_filter) != 0)
                return error_new(reterr, EINVAL, NULL, "seccomp: the compiled filter has %lld bytes",
                                 (long long)size);
        size_t n = (size_t)size / sizeof(struct sock_filter);
        struct sock_filter *p = calloc(room + n, sizeof(*p));
        if (!p)
                return error_new(reterr, ENOMEM, NULL, "seccomp: %zu instructions", room + n);
        ssize_t got = pread(fd, p + room, (size_t)size, 0);
        if (got != size) {
                free(p);
                return error_new(reterr, got < 0 ? errno : EIO, NULL, "seccomp: read the compiled filter back");
        }
        *ret = p;
        *ret_n = room + n;
        return 0;
}

/* What the init loads: libseccomp's program behind the -ENOSYS stub
 * (seccomp-enosys.h), and the flags seccomp(2) takes for the filter's
 * attributes; the init then loads it with one system call and no library. */
static int seccomp_program(struct seccomp_filter *f, const struct json_object *sc, uint32_t dflt,
                           struct modrun_error **reterr)
{
        struct enosys_arch arches[MAX_ARCHES];
        struct sock_filter stub[ENOSYS_STUB_MAX(MAX_ARCHES)];
        size_t n_stub = wants_enosys_stub(dflt) ? seccomp_enosys_stub(arches, enosys_arches(f, sc, arches), stub) : 0;
        struct sock_filter *p = NULL;
        size_t n = 0;
        int r = export_program(f, n_stub, &p, &n, reterr);
        if (r < 0)
                return r;
        if (n > BPF_MAXINSNS && n - n_stub <= BPF_MAXINSNS) { /* the stub does not fit: the filter alone */
                log_debug("seccomp: %zu instructions with the -ENOSYS stub, over %d: left out", n, BPF_MAXINSNS);
                memmove(p, p + n_stub, (n - n_stub) * sizeof(*p));
                n -= n_stub;
                n_stub = 0;
        }
        if (n > BPF_MAXINSNS) {
                free(p);
                return error_new(reterr, E2BIG, "fewer rules in linux.seccomp.syscalls, or rules for more syscalls each",
                                 "linux.seccomp: the compiled filter has %zu instructions, the kernel takes at most %d",
                                 n, BPF_MAXINSNS);
        }
        memcpy(p, stub, n_stub * sizeof(*p));
        f->prog = (struct sock_fprog){.len = (unsigned short)n, .filter = p};
        uint32_t v = 0;
        if (f->lib->attr_get(f->ctx, SCMP_FLTATR_CTL_LOG, &v) == 0 && v)
                f->flags |= SECCOMP_FILTER_FLAG_LOG;
        if (f->lib->attr_get(f->ctx, SCMP_FLTATR_CTL_SSB, &v) == 0 && v)
                f->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        /* the init has one thread: TSYNC changes nothing, and the kernel
         * refuses it beside NEW_LISTENER */
        if (f->notify)
                f->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        else if (f->lib->attr_get(f->ctx, SCMP_FLTATR_CTL_TSYNC, &v) == 0 && v)
                f->flags |= SECCOMP_FILTER_FLAG_TSYNC;
        f->lib->release(f->ctx);
        f->ctx = NULL;
        return 0;
}

int seccomp_compile(const struct oci_config *cfg, void **ret_filter, struct modrun_error **reterr)
{
        const struct json_object *sc = cfg->linux_.seccomp;
        *ret_filter = NULL;
        if (!sc)
                return 0;
        struct json_object *v = NULL;
        int dflt_errno = json_object_object_get_ex(sc, "defaultErrnoRet", &v) ? json_object_get_int(v) : EPERM;
        uint32_t dflt = 0;
        int r = parse_action(member_string(sc, "defaultAction"), "linux.seccomp.defaultAction", NULL, dflt_errno,
                             &dflt, reterr);
        if (r < 0)
                return r;
        /* Here, in the runtime on the host: it compiles and exports the
         * program; the init needs no library to load it. */
        const struct libseccomp *lib = libseccomp_load(reterr);
        if (!lib)
                return -ENOENT;
        struct seccomp_filter *f = calloc(1, sizeof(*f));
        if (f)
                f->lib = lib;
        if (!f || !(f->ctx = lib->init(dflt))) {
                free(f);
                return error_new(reterr, ENOMEM, NULL, "seccomp_init(default action %#x)", dflt);
        }
        f->arches[f->n_arches++] = lib->arch_native();
        if ((r = seccomp_build(cfg, f, reterr)) < 0 || (r = seccomp_program(f, sc, dflt, reterr)) < 0) {
                seccomp_free(f);
                return r;
        }
        *ret_filter = f;
        return 0;
}

int seccomp_install(void *filter, int *ret_notify_fd, struct modrun_error **reterr)
{
        struct seccomp_filter *f = filter;
        if (ret_notify_fd)
                *ret_notify_fd = -1;
        if (!f)
                return 0;
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &f->prog);
        if (r < 0)
                return error_new(reterr, errno,
                                 errno == EACCES ? "without noNewPrivileges, loading a filter needs CAP_SYS_ADMIN" : NULL,
                                 "load the seccomp filter of linux.seccomp");
        /* Without a SCMP_ACT_NOTIFY rule there is no notify fd, and the
         * listener is not contacted (runtime-spec: the state is sent "when
         * the SCMP_ACT_NOTIFY action is used"; runc) */
        if (!(f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
                return 0;
        if (ret_notify_fd)
                *ret_notify_fd = (int)r;
        else
                (void)close((int)r);
        return 0;
}

const char *seccomp_listener_path(const struct oci_config *cfg)
{
        return cfg->linux_.seccomp ? member_string(cfg->linux_.seccomp, "listenerPath") : NULL;
}

void seccomp_free(void *filter)
{
        struct seccomp_filter *f = filter;
        if (!f)
                return;
        if (f->ctx)
                f->lib->release(f->ctx);
        free(f->prog.filter);
        free(f);
}
