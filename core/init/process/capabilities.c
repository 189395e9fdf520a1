/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities by name, the bounding set, capset(2) and the ambient set,
 * without libcap: raw capset and prctl. Every set is always applied: one
 * absent from config.json (or process.capabilities absent) is empty, as in
 * runc, so the process never keeps the runtime's capabilities by omission. */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "process.h"
#include "util/fs-util.h"
#include "util/log.h"

static const char *const cap_names[] = {
        [0] = "CAP_CHOWN",
        [1] = "CAP_DAC_OVERRIDE",
        [2] = "CAP_DAC_READ_SEARCH",
        [3] = "CAP_FOWNER",
        [4] = "CAP_FSETID",
        [5] = "CAP_KILL",
        [6] = "CAP_SETGID",
        [7] = "CAP_SETUID",
        [8] = "CAP_SETPCAP",
        [9] = "CAP_LINUX_IMMUTABLE",
        [10] = "CAP_NET_BIND_SERVICE",
        [11] = "CAP_NET_BROADCAST",
        [12] = "CAP_NET_ADMIN",
        [13] = "CAP_NET_RAW",
        [14] = "CAP_IPC_LOCK",
        [15] = "CAP_IPC_OWNER",
        [16] = "CAP_SYS_MODULE",
        [17] = "CAP_SYS_RAWIO",
        [18] = "CAP_SYS_CHROOT",
        [19] = "CAP_SYS_PTRACE",
        [20] = "CAP_SYS_PACCT",
        [21] = "CAP_SYS_ADMIN",
        [22] = "CAP_SYS_BOOT",
        [23] = "CAP_SYS_NICE",
        [24] = "CAP_SYS_RESOURCE",
        [25] = "CAP_SYS_TIME",
        [26] = "CAP_SYS_TTY_CONFIG",
        [27] = "CAP_MKNOD",
        [28] = "CAP_LEASE",
        [29] = "CAP_AUDIT_WRITE",
        [30] = "CAP_AUDIT_CONTROL",
        [31] = "CAP_SETFCAP",
        [32] = "CAP_MAC_OVERRIDE",
        [33] = "CAP_MAC_ADMIN",
        [34] = "CAP_SYSLOG",
        [35] = "CAP_WAKE_ALARM",
        [36] = "CAP_BLOCK_SUSPEND",
        [37] = "CAP_AUDIT_READ",
        [38] = "CAP_PERFMON",
        [39] = "CAP_BPF",
        [40] = "CAP_CHECKPOINT_RESTORE",
};

int cap_last_known(void)
{
        return (int)ELEMENTSOF(cap_names) - 1;
}

int cap_from_name(const char *name)
{
        if (!name)
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
                if (strcasecmp(cap_names[i], name) == 0)
                        return (int)i;
        return -1;
}

const char *cap_to_name(int cap)
{
        if (cap < 0 || (size_t)cap >= ELEMENTSOF(cap_names))
                return NULL;
        return cap_names[cap];
}

int cap_last_cap(void)
{
        _cleanup_free_ char *s = NULL;
        if (fs_read_file(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", &s, NULL) < 0)
                return cap_last_known();
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || v < 0 || v > 63)
                return cap_last_known();
        return (int)v;
}

int cap_parse_name(const char *list, const char *name, int last_cap)
{
        int c = cap_from_name(name);
        if (c < 0)
                log_warning("process.capabilities.%s: ignoring the unknown capability \"%s\" (names are as in "
                            "capabilities(7), e.g. \"CAP_NET_BIND_SERVICE\")", list, name);
        else if (c > last_cap)
                log_warning("process.capabilities.%s: ignoring %s (%d): this kernel has capabilities up to %d "
                            "(/proc/sys/kernel/cap_last_cap)", list, name, c, last_cap);
        return c > last_cap ? -1 : c;
}

static void parse_list(const char *list, char **names, int last_cap, uint64_t *ret)
{
        uint64_t m = 0;
        for (size_t i = 0; names && names[i]; i++) {
                int c = cap_parse_name(list, names[i], last_cap);
                if (c >= 0)
                        m |= UINT64_C(1) << c;
        }
        *ret = m;
}

void caps_parse(const struct oci_capabilities *c, int last_cap, struct cap_sets *ret)
{
        struct cap_sets s = {0};
        parse_list("bounding", c->bounding, last_cap, &s.bounding);
        parse_list("effective", c->effective, last_cap, &s.effective);
        parse_list("inheritable", c->inheritable, last_cap, &s.inheritable);
        parse_list("permitted", c->permitted, last_cap, &s.permitted);
        parse_list("ambient", c->ambient, last_cap, &s.ambient);
        *ret = s;
}

int caps_apply_bounding(const struct cap_sets *s, int last_cap, struct modrun_error **reterr)
{
        for (int c = 0; c <= last_cap; c++) {
                if (s->bounding & (UINT64_C(1) << c))
                        continue;
                if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0UL, 0UL, 0UL) < 0 && errno != EINVAL)
                        return error_new(reterr, errno, "the init needs CAP_SETPCAP to drop capabilities",
                                         "drop %s (%d) from the bounding set", cap_to_name(c) ?: "?", c);
        }
        return 0;
}

static int sys_capset(uint64_t eff, uint64_t prm, uint64_t inh)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[2] = {
                {.effective = (uint32_t)eff, .permitted = (uint32_t)prm, .inheritable = (uint32_t)inh},
                {.effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(prm >> 32),
                 .inheritable = (uint32_t)(inh >> 32)},
        };
        return (int)syscall(SYS_capset, &h, d);
}

int caps_set_effective(uint64_t mask, struct modrun_error **reterr)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[2] = {0};
        if (syscall(SYS_capget, &h, d) < 0)
                return error_new(reterr, errno, NULL, "capget of the container init");
        d[0].effective = d[0].permitted & (uint32_t)mask;
        d[1].effective = d[1].permitted & (uint32_t)(mask >> 32);
        if (syscall(SYS_capset, &h, d) < 0)
                return error_new(reterr, errno, NULL, "set the effective capabilities to 0x%" PRIx64 " of the permitted ones",
                                 mask);
        return 0;
}

static void cap_mask_names(uint64_t m, char *buf, size_t size)
{
        size_t off = 0;
        buf[0] = '\0';
        for (int c = 0; c < 64 && off < size; c++) {
                if (!(m & (UINT64_C(1) << c)))
                        continue;
                int n = snprintf(buf + off, size - off, "%s%s", off ? "," : "", cap_to_name(c) ?: "?");
                if (n < 0)
                        break;
                off += (size_t)n;
        }
}

int caps_apply(const struct cap_sets *s, int last_cap, struct modrun_error **reterr)
{
        if (sys_capset(s->effective, s->permitted, s->inheritable) < 0) {
                int e = errno;
                char missing[1024];
                cap_mask_names((s->effective & ~s->permitted) | (s->permitted & ~s->bounding), missing,
                               sizeof(missing));
                return error_new(reterr, e,
                                 missing[0] ? "effective must be a subset of permitted, and permitted of bounding"
                                            : NULL,
                                 "capset effective=%#llx permitted=%#llx inheritable=%#llx%s%s%s",
                                 (unsigned long long)s->effective, (unsigned long long)s->permitted,
                                 (unsigned long long)s->inheritable, missing[0] ? " (not allowed: " : "", missing,
                                 missing[0] ? ")" : "");
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) < 0)
                return error_new(reterr, errno, NULL, "clear the ambient capability set");
        /* As runc and crun: an ambient capability that is not both permitted
         * and inheritable cannot be raised (the kernel says EPERM) and is
         * left out, since runc's default spec lists ambient capabilities
         * without inheritable ones. */
        uint64_t raisable = s->ambient & s->permitted & s->inheritable;
        for (int c = 0; c <= last_cap; c++) {
                if (!(raisable & (UINT64_C(1) << c)))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0UL, 0UL) < 0)
                        return error_new(reterr, errno,
                                         "an ambient capability must also be permitted and inheritable",
                                         "raise %s in the ambient set", cap_to_name(c) ?: "?");
        }
        return 0;
}
