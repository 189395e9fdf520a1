/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Load, attach, replace, verify and detach the container's device program.
 *
 * The cgroup must end up with exactly one BPF_CGROUP_DEVICE program
 * attached to it directly, and it must be ours (FIELD-NOTES #2: GPU tooling
 * rewrites "the" device program; a second one would still deny). Ours is
 * the program whose id <state_dir>/devices-ebpf.prog records, or, when no
 * recorded program is attached (the record is lost), one named
 * DEVBPF_PROG_NAME. Before attaching, any other device program on the
 * cgroup is a refusal (someone else filters devices there). A program of
 * ours is replaced atomically (BPF_F_REPLACE, Linux 5.6), or, where the
 * kernel refuses that, by attaching the new one and then detaching the old
 * one. Afterwards the cgroup is queried again: anything but our new program
 * alone is an error naming the cgroup and the ids found.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices-ebpf.h"

#define PRIV_HINT                                                                                     \
        "loading and attaching cgroup device programs needs CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN, " \
        "in the initial user namespace"
#define ROOTLESS_HINT "rootless modrun cannot attach device programs: select no devices plugin"
#define VERIFIER_LOG_SIZE (64 * 1024)

/* The programs attached to the cgroup itself, and which one is ours. */
struct attached {
        uint32_t ids[DEVBPF_MAX_PROGS];
        char names[DEVBPF_MAX_PROGS][BPF_OBJ_NAME_LEN];
        uint32_t n;
        int ours;    /* index in ids, or -1 */
        int ours_fd; /* an fd of our program, or -1 */
};

static const char *priv_hint(const struct modrun_host *h, int err)
{
        if (err != EPERM && err != EACCES)
                return NULL;
        return h->rootless ? ROOTLESS_HINT : PRIV_HINT;
}

static const char *load_hint(const struct modrun_host *h, int err)
{
        if ((err == EPERM || err == EACCES) && !h->rootless)
                return PRIV_HINT "; before Linux 5.11 BPF memory also counts against RLIMIT_MEMLOCK (ulimit -l)";
        if (err == EINVAL || err == EOPNOTSUPP)
                return "the kernel needs CONFIG_CGROUP_BPF; --debug shows the verifier's log";
        if (err == E2BIG || err == ENOSPC)
                return "the program is too large for the kernel: fewer or wider linux.resources.devices rules";
        return priv_hint(h, err);
}

int devbpf_cgroup_open(const struct modrun_host *h, int cgroup_fd, struct devbpf_cgroup *ret,
                       struct modrun_error **reterr)
{
        char proc[64], path[PATH_MAX];
        (void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", cgroup_fd);
        ssize_t k = readlink(proc, path, sizeof(path) - 1);
        if (k < 0)
                return h->error(reterr, errno, NULL, "devices-ebpf: resolve the cgroup fd %d (%s)", cgroup_fd, proc);
        path[k] = '\0';
        char *dup = strdup(path);
        if (!dup)
                return h->error(reterr, ENOMEM, NULL, "devices-ebpf: cgroup %s", path);
        /* BPF_PROG_ATTACH wants a directory opened for reading; the core's
         * fd may be O_PATH. Reopening through /proc keeps it the same one. */
        int fd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                int e = errno;
                free(dup);
                return h->error(reterr, e, NULL, "devices-ebpf: open the cgroup %s", path);
        }
        *ret = (struct devbpf_cgroup){.fd = fd, .path = dup};
        return 0;
}

void devbpf_cgroup_done(struct devbpf_cgroup *cg)
{
        if (cg->fd >= 0)
                (void)close(cg->fd);
        free(cg->path);
        *cg = (struct devbpf_cgroup){.fd = -1};
}

int devbpf_query(int cgroup_fd, uint32_t *ids, uint32_t *n)
{
        uint32_t flags = 0;
        return bpf_prog_query(cgroup_fd, BPF_CGROUP_DEVICE, 0, &flags, ids, n) < 0 ? -errno : 0;
}

/* ---- the record: <state_dir>/devices-ebpf.prog holds the id ---- */

static int record_read(const struct modrun_host *h, uint32_t *ret_id)
{
        if (!h->state_dir || !h->state_dir[0])
                return 0;
        char path[PATH_MAX], buf[32] = "";
        (void)snprintf(path, sizeof(path), "%s/%s", h->state_dir, DEVBPF_RECORD_FILE);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        ssize_t k = read(fd, buf, sizeof(buf) - 1);
        char *end = NULL;
        unsigned long id = k > 0 ? strtoul(buf, &end, 10) : 0;
        if (k <= 0 || !end || (*end && *end != '\n') || id == 0 || id > UINT32_MAX) {
                h->log(h, MODRUN_LOG_WARNING, "%s does not hold a program id, ignoring", path);
                return 0;
        }
        *ret_id = (uint32_t)id;
        return 1;
}

static int record_write(const struct modrun_host *h, uint32_t id)
{
        if (!h->state_dir || !h->state_dir[0])
                return -ENOENT;
        _cleanup_close_ int dir = open(h->state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return -errno;
        const char *tmp = DEVBPF_RECORD_FILE ".tmp";
        char text[32];
        int len = snprintf(text, sizeof(text), "%" PRIu32 "\n", id);
        _cleanup_close_ int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (write(fd, text, (size_t)len) != len || renameat(dir, tmp, dir, DEVBPF_RECORD_FILE) < 0) {
                int e = errno ? errno : EIO;
                (void)unlinkat(dir, tmp, 0);
                return -e;
        }
        return 0;
}

static void record_remove(const struct modrun_host *h)
{
        char path[PATH_MAX];
        if (!h->state_dir || !h->state_dir[0])
                return;
        (void)snprintf(path, sizeof(path), "%s/%s", h->state_dir, DEVBPF_RECORD_FILE);
        if (unlink(path) < 0 && errno != ENOENT)
                h->log(h, MODRUN_LOG_WARNING, "remove %s, ignoring: %s", path, strerror(errno));
}

/* ---- what is attached ---- */

/* The name of program id, or "?" when it cannot be read. */
static void prog_name(uint32_t id, char name[BPF_OBJ_NAME_LEN])
{
        struct bpf_prog_info info = {0};
        uint32_t len = sizeof(info);
        _cleanup_close_ int fd = bpf_prog_get_fd_by_id(id);
        (void)snprintf(name, BPF_OBJ_NAME_LEN, "?");
        if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
                (void)snprintf(name, BPF_OBJ_NAME_LEN, "%s", info.name[0] ? (const char *)info.name : "unnamed");
}

/* Ours: the recorded id (with our name, in case the id was reused), else
 * the first program with our name. */
static int attached_find_ours(const struct modrun_host *h, const struct attached *a, const char *path)
{
        uint32_t recorded = 0;
        int k = record_read(h, &recorded);
        for (uint32_t i = 0; k > 0 && i < a->n; i++)
                if (a->ids[i] == recorded && strcmp(a->names[i], DEVBPF_PROG_NAME) == 0)
                        return (int)i;
        if (k > 0)
                h->log(h, MODRUN_LOG_DEBUG, "the recorded program %" PRIu32 " is not attached to %s",
                       recorded, path);
        for (uint32_t i = 0; i < a->n; i++)
                if (strcmp(a->names[i], DEVBPF_PROG_NAME) == 0) {
                        h->log(h, MODRUN_LOG_DEBUG, "program %" PRIu32 " on %s is ours by its name "
                               "%s", a->ids[i], path, DEVBPF_PROG_NAME);
                        return (int)i;
                }
        return -1;
}

static int attached_read(const struct modrun_host *h, const struct devbpf_cgroup *cg, struct attached *a,
                         struct modrun_error **reterr)
{
        *a = (struct attached){.n = DEVBPF_MAX_PROGS, .ours = -1, .ours_fd = -1};
        int r = devbpf_query(cg->fd, a->ids, &a->n);
        if (r == -ENOSPC)
                return h->error(reterr, ENOSPC, NULL, "devices-ebpf: cgroup %s has %" PRIu32 " device programs attached, "
                                "more than %d", cg->path, a->n, DEVBPF_MAX_PROGS);
        if (r < 0)
                return h->error(reterr, -r, priv_hint(h, -r),
                                "devices-ebpf: query the device programs (BPF_PROG_QUERY) of cgroup %s", cg->path);
        for (uint32_t i = 0; i < a->n; i++)
                prog_name(a->ids[i], a->names[i]);
        a->ours = attached_find_ours(h, a, cg->path);
        if (a->ours < 0)
                return 0;
        a->ours_fd = bpf_prog_get_fd_by_id(a->ids[a->ours]);
        if (a->ours_fd < 0)
                return h->error(reterr, errno, priv_hint(h, errno), "devices-ebpf: get the device program %" PRIu32
                                " attached to cgroup %s (BPF_PROG_GET_FD_BY_ID)", a->ids[a->ours], cg->path);
        return 0;
}

static void attached_done(struct attached *a)
{
        if (a->ours_fd >= 0)
                (void)close(a->ours_fd);
        a->ours_fd = -1;
}

/* "12 (modrun_devices, ours), 14 (sd_devices)" or "none" */
static void attached_describe(const struct attached *a, uint32_t ours_id, char *buf, size_t size)
{
        size_t len = 0;
        (void)snprintf(buf, size, "none");
        for (uint32_t i = 0; i < a->n && len < size; i++) {
                int k = snprintf(buf + len, size - len, "%s%" PRIu32 " (%s%s)", i ? ", " : "", a->ids[i], a->names[i],
                                 a->ids[i] == ours_id ? ", ours" : "");
                len += k > 0 ? (size_t)k : 0;
        }
}

/* ---- load, attach, verify ---- */

static int prog_load(const struct modrun_host *h, const struct devbpf_cgroup *cg, const struct bpf_insn *insns,
                     size_t n, struct modrun_error **reterr)
{
        LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_CGROUP_DEVICE);
        int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, DEVBPF_PROG_NAME, "Apache-2.0", insns, n, &opts);
        if (fd >= 0)
                return fd;
        int e = errno;
        /* Again with the verifier's log, for the message. */
        _cleanup_free_ char *log = calloc(1, VERIFIER_LOG_SIZE);
        const char *last = "";
        if (log) {
                LIBBPF_OPTS(bpf_prog_load_opts, again, .expected_attach_type = BPF_CGROUP_DEVICE, .log_buf = log,
                            .log_size = VERIFIER_LOG_SIZE, .log_level = 1);
                int fd2 = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, DEVBPF_PROG_NAME, "Apache-2.0", insns, n, &again);
                if (fd2 >= 0)
                        return fd2; /* a transient failure */
                h->log(h, MODRUN_LOG_DEBUG, "verifier log:\n%s", log);
                size_t len = strlen(log);
                while (len && log[len - 1] == '\n')
                        log[--len] = '\0';
                last = strrchr(log, '\n') ? strrchr(log, '\n') + 1 : log;
        }
        return h->error(reterr, e, load_hint(h, e),
                        "devices-ebpf: load the device program (%zu instructions) for cgroup %s%s%s%s", n, cg->path,
                        last[0] ? " (verifier: " : "", last, last[0] ? ")" : "");
}

static uint32_t prog_id(int fd)
{
        struct bpf_prog_info info = {0};
        uint32_t len = sizeof(info);
        return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

/* Attach new_fd, replacing old (fd -1: none). */
static int attach_replace(const struct modrun_host *h, const struct devbpf_cgroup *cg, int new_fd, int old_fd,
                          uint32_t old_id, struct modrun_error **reterr)
{
        LIBBPF_OPTS(bpf_prog_attach_opts, opts, .flags = BPF_F_ALLOW_MULTI);
        if (old_fd >= 0) {
                opts.flags |= BPF_F_REPLACE;
                opts.replace_prog_fd = old_fd;
        }
        if (bpf_prog_attach_opts(new_fd, cg->fd, BPF_CGROUP_DEVICE, &opts) == 0)
                return 0;
        int e = errno;
        if (old_fd < 0 || e != EINVAL)
                return h->error(reterr, e, priv_hint(h, e),
                                "devices-ebpf: attach the device program to cgroup %s (BPF_CGROUP_DEVICE, "
                                "BPF_F_ALLOW_MULTI%s)", cg->path, old_fd >= 0 ? "|BPF_F_REPLACE" : "");
        /* No BPF_F_REPLACE (before Linux 5.6): the new one first, so no
         * device is allowed by an empty filter list in between. */
        h->log(h, MODRUN_LOG_DEBUG, "BPF_F_REPLACE refused (%s): attach, then detach %" PRIu32,
               strerror(e), old_id);
        opts.flags = BPF_F_ALLOW_MULTI;
        opts.replace_prog_fd = 0;
        if (bpf_prog_attach_opts(new_fd, cg->fd, BPF_CGROUP_DEVICE, &opts) < 0)
                return h->error(reterr, errno, priv_hint(h, errno),
                                "devices-ebpf: attach the device program to cgroup %s (BPF_CGROUP_DEVICE, "
                                "BPF_F_ALLOW_MULTI)", cg->path);
        if (bpf_prog_detach2(old_fd, cg->fd, BPF_CGROUP_DEVICE) < 0)
                return h->error(reterr, errno, NULL, "devices-ebpf: detach the previous device program %" PRIu32
                                " from cgroup %s", old_id, cg->path);
        return 0;
}

/* Exactly one device program on the cgroup, and it is new_id. */
static int verify(const struct modrun_host *h, const struct devbpf_cgroup *cg, uint32_t new_id,
                  struct modrun_error **reterr)
{
        struct attached a;
        int r = attached_read(h, cg, &a, reterr);
        if (r < 0)
                return r;
        attached_done(&a);
        if (a.n == 1 && a.ids[0] == new_id)
                return 0;
        char list[512];
        attached_describe(&a, new_id, list, sizeof(list));
        return h->error(reterr, 0, "another tool attaches device programs to this cgroup; let one component own "
                        "device access", "devices-ebpf: cgroup %s has the device programs %s attached, "
                        "expected exactly one, ours (id %" PRIu32 ")", cg->path, list, new_id);
}

int devbpf_attach(const struct modrun_host *h, const struct devbpf_cgroup *cg, const struct bpf_insn *insns,
                  size_t n, uint32_t *ret_id, struct modrun_error **reterr)
{
        struct attached a;
        int r = attached_read(h, cg, &a, reterr);
        if (r < 0)
                return r;
        uint32_t old_id = a.ours >= 0 ? a.ids[a.ours] : 0;
        if (a.n > (a.ours >= 0 ? 1u : 0u)) {
                char list[512];
                attached_describe(&a, old_id, list, sizeof(list));
                attached_done(&a);
                return h->error(reterr, 0, "remove the other device programs (bpftool cgroup detach), or let that "
                                "tool own device access and select no devices plugin",
                                "devices-ebpf: cgroup %s already has device programs not installed by modrun: %s",
                                cg->path, list);
        }
        _cleanup_close_ int fd = prog_load(h, cg, insns, n, reterr);
        if (fd < 0) {
                attached_done(&a);
                return fd;
        }
        uint32_t id = prog_id(fd);
        r = attach_replace(h, cg, fd, a.ours_fd, old_id, reterr);
        attached_done(&a);
        if (r < 0)
                return r;
        h->log(h, MODRUN_LOG_DEBUG, "program %" PRIu32 " (%zu instructions) attached to %s%s", id, n,
               cg->path, old_id ? ", replacing the previous one" : "");
        if ((r = record_write(h, id)) < 0)
                h->log(h, MODRUN_LOG_WARNING, "record program %" PRIu32 " in %s/%s, ignoring: %s", id,
                       h->state_dir, DEVBPF_RECORD_FILE, strerror(-r));
        if ((r = verify(h, cg, id, reterr)) < 0)
                return r;
        if (ret_id)
                *ret_id = id;
        return 0;
}

int devbpf_detach(const struct modrun_host *h, const struct devbpf_cgroup *cg, struct modrun_error **reterr)
{
        struct attached a;
        int r = attached_read(h, cg, &a, reterr);
        if (r < 0)
                return r;
        if (a.ours < 0) {
                h->log(h, MODRUN_LOG_DEBUG, "no program of ours on %s", cg->path);
                record_remove(h);
                return 0;
        }
        uint32_t id = a.ids[a.ours];
        r = bpf_prog_detach2(a.ours_fd, cg->fd, BPF_CGROUP_DEVICE) < 0 ? -errno : 0;
        attached_done(&a);
        if (r < 0)
                return h->error(reterr, -r, priv_hint(h, -r), "devices-ebpf: detach the device program %" PRIu32
                                " from cgroup %s", id, cg->path);
        record_remove(h);
        h->log(h, MODRUN_LOG_DEBUG, "program %" PRIu32 " detached from %s", id, cg->path);
        return 0;
}
