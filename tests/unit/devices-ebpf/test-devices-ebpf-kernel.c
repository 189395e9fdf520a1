/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugins/devices-ebpf against the kernel (root only, else exit 77): the
 * verifier accepts the compiled programs (bpf_prog_test_run cannot run
 * BPF_PROG_TYPE_CGROUP_DEVICE, so loading is the check), attach.c attaches,
 * replaces, refuses a foreign program and detaches on a cgroup of its own
 * below the cgroup2 mount, and a process in that cgroup gets exactly the
 * access the rules give (open and mknod).
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices-ebpf.h"
#include "compile-json.h"

struct modrun_error {
        int errnum;
        char msg[1024];
};

static char state_dir[64] = "/tmp/devbpf-state.XXXXXX";
static char cg_dir[600];
static int cg_path_fd = -1; /* O_PATH, as the core passes it */

__attribute__((format(printf, 3, 4)))
static void fake_log(const struct modrun_host *h, int level, const char *fmt, ...)
{
        if (!getenv("DEVBPF_TEST_VERBOSE"))
                return;
        va_list ap;
        va_start(ap, fmt);
        (void)vfprintf(stderr, fmt, ap);
        va_end(ap);
        (void)fputc('\n', stderr);
}

__attribute__((format(printf, 4, 5)))
static int fake_error(struct modrun_error **reterr, int errnum, const char *hint, const char *fmt, ...)
{
        errnum = errnum < 0 ? -errnum : errnum;
        if (reterr && !*reterr && (*reterr = calloc(1, sizeof(**reterr)))) {
                va_list ap;
                va_start(ap, fmt);
                (void)vsnprintf((*reterr)->msg, sizeof((*reterr)->msg), fmt, ap);
                va_end(ap);
                (*reterr)->errnum = errnum;
        }
        return errnum ? -errnum : -EINVAL;
}

static const struct modrun_host host = {
        .size = sizeof(struct modrun_host),
        .abi_major = MODRUN_PLUGIN_ABI_MAJOR,
        .log = fake_log,
        .error = fake_error,
        .container_id = "unit",
        .bundle = "",
        .state_dir = state_dir,
        .rootfs = "",
};


/* apply() as the plugin does it, on the test's cgroup: the program id */
static uint32_t apply(const char *rules_json)
{
        struct prog p = compile_json(rules_json);
        struct devbpf_cgroup cg = {.fd = -1};
        struct modrun_error *err = NULL;
        uint32_t id = 0;
        assert_int_equal(devbpf_cgroup_open(&host, cg_path_fd, &cg, &err), 0);
        assert_string_equal(cg.path, cg_dir);
        int r = devbpf_attach(&host, &cg, p.insns, p.n, &id, &err);
        if (r < 0)
                fail_msg("devbpf_attach: %s (%s)", err ? err->msg : "?", strerror(-r));
        devbpf_cgroup_done(&cg);
        free(p.insns);
        return id;
}

static uint32_t attached(uint32_t ids[DEVBPF_MAX_PROGS])
{
        uint32_t n = DEVBPF_MAX_PROGS;
        _cleanup_close_ int fd = open(cg_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(devbpf_query(fd, ids, &n), 0);
        return n;
}

static uint32_t recorded(void)
{
        char path[128], buf[32] = "";
        (void)snprintf(path, sizeof(path), "%s/%s", state_dir, DEVBPF_RECORD_FILE);
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        if (!fgets(buf, sizeof(buf), f))
                buf[0] = '\0';
        (void)fclose(f);
        return (uint32_t)strtoul(buf, NULL, 10);
}

#define DENY_ALL "{\"allow\": false, \"access\": \"rwm\"}"
#define NULL_RW "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rw\"}"

static void test_verifier_accepts(void **unused)
{
        const char *sets[] = {
                NULL,
                "[]",
                "[{\"allow\": true}]",
                "[" DENY_ALL ", " NULL_RW "]",
                "[" DENY_ALL ", {\"allow\": true, \"type\": \"c\", \"access\": \"m\"}, {\"allow\": true, \"type\": "
                "\"b\", \"access\": \"m\"}, {\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\"}]",
                "[{\"allow\": true, \"type\": \"a\", \"major\": 7}, {\"allow\": false, \"minor\": 3, \"access\": "
                "\"w\"}, {\"allow\": true, \"type\": \"c\", \"major\": 4294967295, \"minor\": 4294967295}]",
        };
        for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
                struct prog p = compile_json(sets[i]);
                int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "unit", "Apache-2.0", p.insns, p.n, NULL);
                if (fd < 0)
                        fail_msg("rule set %zu (%zu instructions) refused: %s", i, p.n, strerror(errno));
                (void)close(fd);
                free(p.insns);
        }
        /* 200 rules, every shape */
        size_t cap = 200 * 100 + 16, len = 0;
        char *big = malloc(cap);
        assert_non_null(big);
        len += (size_t)snprintf(big + len, cap - len, "[" DENY_ALL);
        for (int i = 0; i < 200; i++)
                len += (size_t)snprintf(big + len, cap - len, ", {\"allow\": %s, \"type\": \"%c\", \"major\": %d%s}",
                                        i % 3 ? "true" : "false", "abc"[i % 3], i, i % 2 ? ", \"minor\": 1" : "");
        (void)snprintf(big + len, cap - len, "]");
        struct prog p = compile_json(big);
        int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "unit", "Apache-2.0", p.insns, p.n, NULL);
        if (fd < 0)
                fail_msg("200 rules (%zu instructions) refused: %s", p.n, strerror(errno));
        (void)close(fd);
        free(p.insns);
        free(big);
}

static void test_attach_replace_detach(void **unused)
{
        uint32_t ids[DEVBPF_MAX_PROGS];
        uint32_t id1 = apply("[" DENY_ALL ", " NULL_RW "]");
        assert_int_equal(attached(ids), 1);
        assert_int_equal(ids[0], id1);
        assert_int_equal(recorded(), id1);

        uint32_t id2 = apply("[{\"allow\": true}]"); /* update: replaced, one program */
        assert_int_not_equal(id2, id1);
        assert_int_equal(attached(ids), 1);
        assert_int_equal(ids[0], id2);
        assert_int_equal(recorded(), id2);

        char path[128];
        (void)snprintf(path, sizeof(path), "%s/%s", state_dir, DEVBPF_RECORD_FILE);
        assert_int_equal(unlink(path), 0);
        uint32_t id3 = apply("[" DENY_ALL "]"); /* record lost: ours by its name */
        assert_int_equal(attached(ids), 1);
        assert_int_equal(ids[0], id3);

        struct devbpf_cgroup cg = {.fd = -1};
        struct modrun_error *err = NULL;
        assert_int_equal(devbpf_cgroup_open(&host, cg_path_fd, &cg, &err), 0);
        assert_int_equal(devbpf_detach(&host, &cg, &err), 0);
        assert_int_equal(attached(ids), 0);
        assert_int_equal(recorded(), 0);
        assert_int_equal(devbpf_detach(&host, &cg, &err), 0); /* nothing there: success */
        assert_null(err);
        devbpf_cgroup_done(&cg);
}

static void test_foreign_refused(void **unused)
{
        struct prog p = compile_json("[{\"allow\": true}]");
        int foreign = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "foreign", "Apache-2.0", p.insns, p.n, NULL);
        assert_true(foreign >= 0);
        _cleanup_close_ int cgfd = open(cg_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(bpf_prog_attach(foreign, cgfd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI), 0);

        struct devbpf_cgroup cg = {.fd = -1};
        struct modrun_error *err = NULL;
        assert_int_equal(devbpf_cgroup_open(&host, cg_path_fd, &cg, &err), 0);
        assert_true(devbpf_attach(&host, &cg, p.insns, p.n, NULL, &err) < 0);
        assert_non_null(err);
        fake_log(&host, MODRUN_LOG_ERROR, "refusal: %s", err->msg);
        if (!strstr(err->msg, cg_dir) || !strstr(err->msg, "(foreign)") || !strstr(err->msg, "not installed by modrun"))
                fail_msg("unexpected message: %s", err->msg);
        uint32_t ids[DEVBPF_MAX_PROGS];
        assert_int_equal(attached(ids), 1); /* nothing of ours was added */
        /* remove() leaves a program that is not ours alone */
        free(err);
        err = NULL;
        assert_int_equal(devbpf_detach(&host, &cg, &err), 0);
        assert_int_equal(attached(ids), 1);
        devbpf_cgroup_done(&cg);
        assert_int_equal(bpf_prog_detach2(foreign, cgfd, BPF_CGROUP_DEVICE), 0);
        assert_int_equal(attached(ids), 0);
        (void)close(foreign);
        free(p.insns);
}

/* In a child moved into the cgroup: errno of each access (0 = allowed). */
enum { T_NULL_R, T_NULL_W, T_NULL_RW, T_ZERO_RW, T_FULL_R, T_MKNOD_C, T_MKNOD_B, T_N };

static int try_open(const char *path, int flags)
{
        int fd = open(path, flags | O_CLOEXEC);
        if (fd < 0)
                return errno;
        (void)close(fd);
        return 0;
}

static int try_mknod(const char *dir, mode_t type, unsigned major, unsigned minor)
{
        char path[128];
        (void)snprintf(path, sizeof(path), "%s/node", dir);
        if (mknod(path, type | 0600, makedev(major, minor)) < 0)
                return errno;
        (void)unlink(path);
        return 0;
}

static void child_probe(int out)
{
        int res[T_N];
        char path[700];
        (void)snprintf(path, sizeof(path), "%s/cgroup.procs", cg_dir);
        FILE *f = fopen(path, "we");
        if (!f || fprintf(f, "0\n") < 0 || fclose(f) != 0)
                _exit(3);
        res[T_NULL_R] = try_open("/dev/null", O_RDONLY);
        res[T_NULL_W] = try_open("/dev/null", O_WRONLY);
        res[T_NULL_RW] = try_open("/dev/null", O_RDWR);
        res[T_ZERO_RW] = try_open("/dev/zero", O_RDWR);
        res[T_FULL_R] = try_open("/dev/full", O_RDONLY);
        res[T_MKNOD_C] = try_mknod(state_dir, S_IFCHR, 1, 3);
        res[T_MKNOD_B] = try_mknod(state_dir, S_IFBLK, 7, 0);
        _exit(write(out, res, sizeof(res)) == sizeof(res) ? 0 : 4);
}

static void probe(int res[T_N])
{
        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                child_probe(fds[1]);
        (void)close(fds[1]);
        ssize_t k = read(fds[0], res, sizeof(int) * T_N);
        (void)close(fds[0]);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_int_equal(k, sizeof(int) * T_N);
}

static void test_enforced(void **unused)
{
        int res[T_N];
        (void)apply("[" DENY_ALL ", {\"allow\": true, \"type\": \"c\", \"access\": \"m\"}, "
                    "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"r\"}, "
                    "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5}]");
        probe(res);
        assert_int_equal(res[T_NULL_R], 0);
        assert_int_equal(res[T_NULL_W], EPERM);
        assert_int_equal(res[T_NULL_RW], EPERM); /* read allowed, write not */
        assert_int_equal(res[T_ZERO_RW], 0);
        assert_int_equal(res[T_FULL_R], EPERM);
        assert_int_equal(res[T_MKNOD_C], 0);
        assert_int_equal(res[T_MKNOD_B], EPERM);
        /* update: last match wins, a later deny of write on 1:5 */
        (void)apply("[{\"allow\": true}, {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 5, "
                    "\"access\": \"w\"}, {\"allow\": false, \"type\": \"b\"}]");
        probe(res);
        assert_int_equal(res[T_NULL_RW], 0);
        assert_int_equal(res[T_ZERO_RW], EPERM);
        assert_int_equal(res[T_FULL_R], 0);
        assert_int_equal(res[T_MKNOD_C], 0);
        assert_int_equal(res[T_MKNOD_B], EPERM);
        struct devbpf_cgroup cg = {.fd = -1};
        struct modrun_error *err = NULL;
        assert_int_equal(devbpf_cgroup_open(&host, cg_path_fd, &cg, &err), 0);
        assert_int_equal(devbpf_detach(&host, &cg, &err), 0);
        devbpf_cgroup_done(&cg);
        probe(res); /* no program: everything (that v1 allows) */
        assert_int_equal(res[T_NULL_RW], 0);
        assert_int_equal(res[T_MKNOD_B], 0);
}

/* The cgroup2 mount point, from /proc/self/mountinfo. */
static int cgroup2_mount(char *buf, size_t size)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[1024];
        int found = -1;
        while (f && fgets(line, sizeof(line), f)) {
                char mp[512], fstype[64];
                const char *dash = strstr(line, " - ");
                if (dash && sscanf(line, "%*s %*s %*s %*s %511s", mp) == 1 && sscanf(dash + 3, "%63s", fstype) == 1 &&
                    strcmp(fstype, "cgroup2") == 0) {
                        (void)snprintf(buf, size, "%s", mp);
                        found = 0;
                }
        }
        if (f)
                (void)fclose(f);
        return found;
}

int main(void)
{
        char mnt[512];
        if (geteuid() != 0) {
                (void)printf("SKIP: needs root (BPF_PROG_LOAD, cgroups)\n");
                return 77;
        }
        if (cgroup2_mount(mnt, sizeof(mnt)) < 0) {
                (void)printf("SKIP: no cgroup2 mount\n");
                return 77;
        }
        (void)snprintf(cg_dir, sizeof(cg_dir), "%s/devbpf-unit-%d", mnt, (int)getpid());
        if (!mkdtemp(state_dir) || mkdir(cg_dir, 0755) < 0) {
                (void)printf("SKIP: cannot make %s: %s\n", cg_dir, strerror(errno));
                return 77;
        }
        cg_path_fd = open(cg_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        const struct bpf_insn allow[] = {{.code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1},
                                         {.code = BPF_JMP | BPF_EXIT}};
        int probe_fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "probe", "Apache-2.0", allow, 2, NULL);
        if (probe_fd < 0 && (errno == EPERM || errno == EACCES)) {
                (void)printf("SKIP: BPF_PROG_LOAD refused (%s): no CAP_BPF/CAP_SYS_ADMIN\n", strerror(errno));
                (void)rmdir(cg_dir);
                (void)rmdir(state_dir);
                return 77;
        }
        if (probe_fd >= 0)
                (void)close(probe_fd);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_verifier_accepts),
                cmocka_unit_test(test_attach_replace_detach),
                cmocka_unit_test(test_foreign_refused),
                cmocka_unit_test(test_enforced),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        (void)close(cg_path_fd);
        for (int i = 0; i < 50 && rmdir(cg_dir) < 0 && errno == EBUSY; i++)
                (void)usleep(20000);
        char rec[128];
        (void)snprintf(rec, sizeof(rec), "%s/%s", state_dir, DEVBPF_RECORD_FILE);
        (void)unlink(rec);
        (void)rmdir(state_dir);
        return r;
}
