/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How long the devices-ebpf plugin takes to turn linux.resources.devices
 * into a loaded, attached BPF device program: parse + compile (user space)
 * and load + attach (kernel: verifier, JIT), for runc's default rule set and
 * for 200 rules, on a scratch cgroup v2 directory. Medians of N runs.
 *   devices-ebpf CGROUP2_DIR [N]
 */
#include <bpf/bpf.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices-ebpf.h"

static double now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static struct json_object *rule_set(int n_extra)
{
        static const char *const defaults =
                "[{\"allow\": false, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"access\": \"m\"}, {\"allow\": true, \"type\": \"b\", \"access\": \"m\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 8, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 7, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 5, \"minor\": 0, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 9, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 5, \"minor\": 1, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 5, \"minor\": 2, \"access\": \"rwm\"}]";
        struct json_object *a = json_tokener_parse(defaults);
        for (int i = 0; i < n_extra; i++) {
                struct json_object *r = json_object_new_object();
                json_object_object_add(r, "allow", json_object_new_boolean(i % 3 != 0));
                json_object_object_add(r, "type", json_object_new_string(i % 2 ? "c" : "b"));
                json_object_object_add(r, "major", json_object_new_int(200 + i % 50));
                json_object_object_add(r, "minor", json_object_new_int(i));
                json_object_object_add(r, "access", json_object_new_string(i % 4 ? "rw" : "rwm"));
                json_object_array_add(a, r);
        }
        return a;
}

static void measure(const char *label, struct json_object *rules, int cgfd, int n)
{
        double *user = calloc((size_t)n, sizeof(double)), *kern = calloc((size_t)n, sizeof(double));
        size_t ni = 0;
        for (int i = 0; i < n; i++) {
                struct devbpf_rules r;
                size_t bad;
                const char *why;
                struct bpf_insn *insns = NULL;
                double t0 = now_us();
                if (devbpf_rules_parse(rules, &r, &bad, &why) < 0 || (devbpf_rules_normalize(&r), 0) ||
                    devbpf_compile(&r, &insns, &ni) < 0)
                        exit(1);
                double t1 = now_us();
                int prog = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "bench", "GPL", insns, ni, NULL);
                if (prog < 0 || bpf_prog_attach(prog, cgfd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI) < 0) {
                        perror("load/attach");
                        exit(1);
                }
                double t2 = now_us();
                (void)bpf_prog_detach2(prog, cgfd, BPF_CGROUP_DEVICE);
                close(prog);
                free(insns);
                devbpf_rules_done(&r);
                user[i] = t1 - t0;
                kern[i] = t2 - t1;
        }
        qsort(user, (size_t)n, sizeof(double), cmp);
        qsort(kern, (size_t)n, sizeof(double), cmp);
        printf("| %s | %zu | %.1f | %.1f | %.1f |\n", label, ni, user[n / 2], kern[n / 2], user[n / 2] + kern[n / 2]);
        free(user);
        free(kern);
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        int n = argc > 2 ? atoi(argv[2]) : 50;
        int cgfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cgfd < 0) {
                perror(argv[1]);
                return 1;
        }
        printf("| rules | instructions | parse + compile (µs) | load + attach (µs) | total (µs) |\n|---|---|---|---|---|\n");
        struct json_object *d = rule_set(0), *big = rule_set(200 - 12);
        measure("runc's defaults after deny-all (12)", d, cgfd, n);
        measure("200 rules", big, cgfd, n);
        json_object_put(d);
        json_object_put(big);
        return 0;
}
