/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpu-bpf-hook: an OCI hook that behaves like the NVIDIA container
 * toolkit on cgroup v2 (FIELD-NOTES #2). It reads the container state on
 * stdin, finds the container's cgroup v2 directory through /proc/PID/cgroup,
 * requires exactly one device program there, and replaces it (BPF_F_REPLACE)
 * with one that allows what the bundle's config.json allows, runc's default
 * devices, and char major 195 (the NVIDIA devices). It prints the old and new
 * program ids on stderr. Built from the devices-ebpf plugin's rule parser
 * and compiler; it uses nothing of modrun at run time.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices-ebpf.h"

static const char *const extra_rules =
        "[{\"allow\": true, \"type\": \"c\", \"access\": \"m\"}, {\"allow\": true, \"type\": \"b\", \"access\": \"m\"},"
        " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"rwm\"},"
        " {\"allow\": true, \"type\": \"c\", \"major\": 5, \"access\": \"rwm\"},"
        " {\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\"},"
        " {\"allow\": true, \"type\": \"c\", \"major\": 195, \"access\": \"rwm\"}]";

static int die(const char *what)
{
        fprintf(stderr, "gpu-bpf-hook: %s: %s\n", what, strerror(errno ? errno : EINVAL));
        return 1;
}

/* The cgroup2 mount point ("/sys/fs/cgroup" or ".../unified"). */
static int cgroup2_root(char *buf, size_t size)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        int found = -1;
        while (f && fgets(line, sizeof(line), f)) {
                char mp[1024];
                const char *dash = strstr(line, " - cgroup2 ");
                if (dash && sscanf(line, "%*d %*d %*s %*s %1023s", mp) == 1) {
                        (void)snprintf(buf, size, "%s", mp);
                        found = 0;
                }
        }
        if (f)
                fclose(f);
        return found;
}

static int container_cgroup(int pid, char *buf, size_t size)
{
        char path[64], line[1024], root[1024];
        (void)snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
        FILE *f = fopen(path, "re");
        int r = -1;
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "0::", 3) == 0 && cgroup2_root(root, sizeof(root)) == 0) {
                        line[strcspn(line, "\n")] = '\0';
                        (void)snprintf(buf, size, "%s%s", root, line + 3);
                        r = 0;
                }
        if (f)
                fclose(f);
        return r;
}

static struct json_object *rules_of(const char *bundle)
{
        char path[4096];
        (void)snprintf(path, sizeof(path), "%s/config.json", bundle);
        struct json_object *cfg = json_object_from_file(path), *l, *res, *dev;
        struct json_object *all = json_tokener_parse(extra_rules), *out = json_object_new_array();
        if (cfg && json_object_object_get_ex(cfg, "linux", &l) && json_object_object_get_ex(l, "resources", &res) &&
            json_object_object_get_ex(res, "devices", &dev))
                for (size_t i = 0; i < json_object_array_length(dev); i++)
                        json_object_array_add(out, json_object_get(json_object_array_get_idx(dev, i)));
        for (size_t i = 0; i < json_object_array_length(all); i++)
                json_object_array_add(out, json_object_get(json_object_array_get_idx(all, i)));
        json_object_put(all);
        json_object_put(cfg);
        return out;
}

int main(void)
{
        struct json_object *state = json_object_from_fd(STDIN_FILENO), *v;
        if (!state || !json_object_object_get_ex(state, "pid", &v))
                return die("read the state on stdin");
        int pid = json_object_get_int(v);
        const char *bundle = json_object_object_get_ex(state, "bundle", &v) ? json_object_get_string(v) : ".";
        char cg[2100];
        if (container_cgroup(pid, cg, sizeof(cg)) < 0)
                return die("find the container's cgroup v2 directory");
        int cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        __u32 ids[8], n = 8, attach_flags = 0;
        if (cgfd < 0 || bpf_prog_query(cgfd, BPF_CGROUP_DEVICE, 0, &attach_flags, ids, &n) < 0)
                return die(cg);
        if (n != 1) {
                fprintf(stderr, "gpu-bpf-hook: %s: expected exactly one device program, found %u\n", cg, n);
                return 1;
        }
        int old = bpf_prog_get_fd_by_id(ids[0]);
        struct devbpf_rules rules;
        size_t bad;
        const char *why = NULL;
        struct json_object *arr = rules_of(bundle);
        struct bpf_insn *insns = NULL;
        size_t ni = 0;
        if (old < 0 || devbpf_rules_parse(arr, &rules, &bad, &why) < 0)
                return die(why ? why : "the rules");
        devbpf_rules_normalize(&rules);
        if (devbpf_compile(&rules, &insns, &ni) < 0)
                return die("compile");
        int prog = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "gpu_hook", "GPL", insns, ni, NULL);
        LIBBPF_OPTS(bpf_prog_attach_opts, opts, .flags = BPF_F_ALLOW_MULTI | BPF_F_REPLACE, .replace_prog_fd = old);
        if (prog < 0 || bpf_prog_attach_opts(prog, cgfd, BPF_CGROUP_DEVICE, &opts) < 0)
                return die("load and attach the replacement program");
        struct bpf_prog_info info = {0};
        __u32 len = sizeof(info);
        (void)bpf_obj_get_info_by_fd(prog, &info, &len);
        fprintf(stderr, "gpu-bpf-hook: replaced program %u with %u on %s\n", ids[0], info.id, cg);
        free(insns);
        devbpf_rules_done(&rules);
        json_object_put(arr);
        json_object_put(state);
        return 0;
}
