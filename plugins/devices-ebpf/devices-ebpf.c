/* SPDX-License-Identifier: Apache-2.0 */
/*
 * devices plugin "ebpf": the ops table and the state; see devices-ebpf.h.
 *
 * apply() parses and normalises linux.resources.devices (rules.c),
 * compiles it (compile.c), and attaches the program as the one device
 * program of the container's cgroup v2 directory, replacing ours from
 * before (attach.c): create and update call it alike. remove() detaches it.
 *
 * libbpf prints through a process-wide callback without user data; init()
 * points it at this plugin's host (debug level), fini() restores it.
 *
 * RLIMIT_MEMLOCK: since Linux 5.11 BPF memory is charged to the memory
 * cgroup and the limit does not apply; libbpf 1.x probes for that and
 * only on older kernels tries setrlimit(RLIM_INFINITY), ignoring a
 * failure. On those older kernels apply() also raises the soft limit to the
 * hard one (allowed without CAP_SYS_RESOURCE). Nothing here fails for a
 * setrlimit() refusal: on this CI host the hard limit is 8 MiB and
 * CAP_SYS_RESOURCE is missing, which made crun 1.8 fail every BPF path.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "devices-ebpf.h"

struct devbpf {
        const struct modrun_host *host;
};

static const struct modrun_host *libbpf_host; /* for libbpf_log(), set by init() */
static libbpf_print_fn_t libbpf_old_print;

__attribute__((format(printf, 2, 0))) static int libbpf_log(enum libbpf_print_level level, const char *fmt,
                                                            va_list ap)
{
        char buf[1024];
        if (!libbpf_host)
                return 0;
        (void)vsnprintf(buf, sizeof(buf), fmt, ap);
        size_t len = strlen(buf);
        while (len && buf[len - 1] == '\n')
                buf[--len] = '\0';
        libbpf_host->log(libbpf_host, MODRUN_LOG_DEBUG, "libbpf%s: %s", level == LIBBPF_WARN ? " warning" : "", buf);
        return 0;
}

/* Linux 5.11 charges BPF memory to the memory cgroup, not RLIMIT_MEMLOCK. */
static bool kernel_charges_memcg(void)
{
        struct utsname u;
        unsigned major = 0, minor = 0;
        if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
                return true; /* unknown: libbpf's own probe still decides */
        return major > 5 || (major == 5 && minor >= 11);
}

static void memlock_raise(const struct modrun_host *h)
{
        struct rlimit rl;
        if (kernel_charges_memcg() || getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
                return;
        rlim_t old = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
                h->log(h, MODRUN_LOG_DEBUG, "raise RLIMIT_MEMLOCK to its hard limit, ignoring: %s",
                       strerror(errno));
        else
                h->log(h, MODRUN_LOG_DEBUG, "RLIMIT_MEMLOCK raised from %llu to %llu (kernel before 5.11)",
                       (unsigned long long)old, (unsigned long long)rl.rlim_max);
}

static int devbpf_init(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr)
{
        if (host->size < MODRUN_HOST_SIZE_1_0)
                return host->error(reterr, EINVAL, NULL, "devices-ebpf: the host table is %u bytes, older than ABI 1.0",
                                   (unsigned)host->size);
        struct devbpf *s = calloc(1, sizeof(*s));
        if (!s)
                return host->error(reterr, ENOMEM, NULL, "devices-ebpf: allocate the plugin state");
        s->host = host;
        libbpf_host = host;
        libbpf_old_print = libbpf_set_print(libbpf_log);
        *ret_state = s;
        return 0;
}

static void devbpf_fini(void *state)
{
        struct devbpf *s = state;
        if (!s)
                return;
        if (libbpf_host == s->host) {
                (void)libbpf_set_print(libbpf_old_print);
                libbpf_host = NULL;
        }
        free(s);
}

static void rules_log(const struct modrun_host *h, const struct devbpf_rules *rules, const char *path)
{
        h->log(h, MODRUN_LOG_DEBUG, "%zu rule(s) for %s, %zu after normalisation, default %s",
               rules->n_given, path, rules->n, rules->default_allow ? "allow" : "deny");
        for (size_t i = 0; i < rules->n; i++) {
                char text[64];
                devbpf_rule_format(&rules->v[i], text, sizeof(text));
                h->log(h, MODRUN_LOG_DEBUG, "  [%zu] %s", rules->v[i].index, text);
        }
}

/* linux.resources.devices -> instructions, errors naming the rule. */
static int rules_compile(const struct modrun_host *h, const struct json_object *json, const char *path,
                         struct bpf_insn **ret, size_t *ret_n, struct modrun_error **reterr)
{
        struct devbpf_rules rules;
        size_t index = 0;
        const char *why = NULL;
        int r = devbpf_rules_parse(json, &rules, &index, &why);
        if (r == -EINVAL)
                return h->error(reterr, 0, "see the runtime spec's linux.resources.devices",
                                "devices-ebpf: linux.resources.devices[%zu] (cgroup %s): %s", index, path, why);
        if (r < 0)
                return h->error(reterr, -r, NULL, "devices-ebpf: read linux.resources.devices (cgroup %s)", path);
        devbpf_rules_normalize(&rules);
        rules_log(h, &rules, path);
        r = devbpf_compile(&rules, ret, ret_n);
        devbpf_rules_done(&rules);
        if (r < 0)
                return h->error(reterr, -r, NULL, "devices-ebpf: compile linux.resources.devices (cgroup %s)", path);
        return 0;
}

static int devbpf_apply(void *state, int cgroup_fd, const struct json_object *rules, struct modrun_error **reterr)
{
        const struct devbpf *s = state;
        const struct modrun_host *h = s->host;
        struct devbpf_cgroup cg = {.fd = -1};
        int r = devbpf_cgroup_open(h, cgroup_fd, &cg, reterr);
        if (r < 0)
                return r;
        struct bpf_insn *insns = NULL;
        size_t n = 0;
        r = rules_compile(h, rules, cg.path, &insns, &n, reterr);
        if (r >= 0) {
                memlock_raise(h);
                r = devbpf_attach(h, &cg, insns, n, NULL, reterr);
        }
        free(insns);
        devbpf_cgroup_done(&cg);
        return r;
}

static int devbpf_remove(void *state, int cgroup_fd, struct modrun_error **reterr)
{
        const struct devbpf *s = state;
        struct devbpf_cgroup cg = {.fd = -1};
        int r = devbpf_cgroup_open(s->host, cgroup_fd, &cg, reterr);
        if (r < 0)
                return r;
        r = devbpf_detach(s->host, &cg, reterr);
        devbpf_cgroup_done(&cg);
        return r;
}

static const struct modrun_devices_ops devbpf_ops = {
        .size = sizeof(struct modrun_devices_ops),
        .init = devbpf_init,
        .fini = devbpf_fini,
        .apply = devbpf_apply,
        .remove = devbpf_remove,
};

MODRUN_PLUGIN_DEFINE(MODRUN_KIND_DEVICES, "ebpf", "1.0",
                     "linux.resources.devices as one cgroup v2 BPF device program (libbpf), replaced atomically",
                     &devbpf_ops);
