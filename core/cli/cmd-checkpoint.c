/* SPDX-License-Identifier: Apache-2.0 */
/* checkpoint and restore: runc 1.1's options, their meaning and defaults
 * (`runc checkpoint --help`, `runc restore --help`), plus CRI-O's
 * restore --lsm-mount-context. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"

enum {
        OPT_IMAGE_PATH = 1,
        OPT_WORK_PATH,
        OPT_PARENT_PATH,
        OPT_LEAVE_RUNNING,
        OPT_TCP_ESTABLISHED,
        OPT_EXT_UNIX_SK,
        OPT_SHELL_JOB,
        OPT_LAZY_PAGES,
        OPT_STATUS_FD,
        OPT_PAGE_SERVER,
        OPT_FILE_LOCKS,
        OPT_PRE_DUMP,
        OPT_MANAGE_CGROUPS_MODE,
        OPT_EMPTY_NS,
        OPT_AUTO_DEDUP,
        OPT_CONSOLE_SOCKET,
        OPT_BUNDLE,
        OPT_DETACH,
        OPT_PID_FILE,
        OPT_NO_SUBREAPER,
        OPT_NO_PIVOT,
        OPT_LSM_PROFILE,
        OPT_LSM_MOUNT_CONTEXT,
};

#define O_IMAGE_PATH {"image-path", 0, true, OPT_IMAGE_PATH, "DIR", "the criu image files (default: ./checkpoint)"}
#define O_WORK_PATH {"work-path", 0, true, OPT_WORK_PATH, "DIR", "criu's work files and log (default: the image path)"}
#define O_TCP {"tcp-established", 0, false, OPT_TCP_ESTABLISHED, NULL, "allow open TCP connections"}
#define O_EXT_UNIX {"ext-unix-sk", 0, false, OPT_EXT_UNIX_SK, NULL, "allow external unix sockets"}
#define O_SHELL_JOB {"shell-job", 0, false, OPT_SHELL_JOB, NULL, "allow shell jobs"}
#define O_LAZY {"lazy-pages", 0, false, OPT_LAZY_PAGES, NULL, "use userfaultfd to restore memory pages lazily"}
#define O_FILE_LOCKS {"file-locks", 0, false, OPT_FILE_LOCKS, NULL, "handle file locks, for safety"}
#define O_CG_MODE                                                                                                 \
        {"manage-cgroups-mode", 0, true, OPT_MANAGE_CGROUPS_MODE, "MODE",                                        \
         "cgroups mode: soft (default), full or strict"}
#define O_EMPTY_NS                                                                                                \
        {"empty-ns", 0, true, OPT_EMPTY_NS, "NS", "create a namespace, but do not restore its properties (network)"}
#define O_AUTO_DEDUP {"auto-dedup", 0, false, OPT_AUTO_DEDUP, NULL, "enable auto deduplication of memory images"}

const struct cli_option cli_checkpoint_options[] = {
        O_IMAGE_PATH,
        O_WORK_PATH,
        {"parent-path", 0, true, OPT_PARENT_PATH, "DIR", "the images of a previous (pre-)dump, relative to the image path"},
        {"leave-running", 0, false, OPT_LEAVE_RUNNING, NULL, "leave the processes running after checkpointing"},
        O_TCP,
        O_EXT_UNIX,
        O_SHELL_JOB,
        O_LAZY,
        {"status-fd", 0, true, OPT_STATUS_FD, "FD", "criu writes \\0 to this fd once lazy pages are ready (default -1)"},
        {"page-server", 0, true, OPT_PAGE_SERVER, "ADDRESS:PORT", "send the memory pages to this criu page server"},
        O_FILE_LOCKS,
        {"pre-dump", 0, false, OPT_PRE_DUMP, NULL, "dump the memory only and leave the container running"},
        O_CG_MODE,
        O_EMPTY_NS,
        O_AUTO_DEDUP,
        {0},
};

const struct cli_option cli_restore_options[] = {
        {"console-socket", 0, true, OPT_CONSOLE_SOCKET, "SOCKET",
         "send the pty master (process.terminal) to this AF_UNIX socket"},
        O_IMAGE_PATH,
        O_WORK_PATH,
        O_TCP,
        O_EXT_UNIX,
        O_SHELL_JOB,
        O_FILE_LOCKS,
        O_CG_MODE,
        {"bundle", 'b', true, OPT_BUNDLE, "DIR", "the bundle: config.json and the rootfs (default: the current directory)"},
        {"detach", 'd', false, OPT_DETACH, NULL, "return once restored, instead of waiting for the container"},
        {"pid-file", 0, true, OPT_PID_FILE, "FILE", "write the restored init's pid to FILE"},
        {"no-subreaper", 0, false, OPT_NO_SUBREAPER, NULL, "do not become the subreaper of the restored process"},
        {"no-pivot", 0, false, OPT_NO_PIVOT, NULL, "accepted as runc's: criu restores the mounts itself"},
        O_EMPTY_NS,
        O_AUTO_DEDUP,
        O_LAZY,
        {"lsm-profile", 0, true, OPT_LSM_PROFILE, "TYPE:NAME", "the LSM profile to restore with (e.g. apparmor:NAME)"},
        {"lsm-mount-context", 0, true, OPT_LSM_MOUNT_CONTEXT, "CONTEXT", "the LSM (SELinux) mount context to restore with"},
        {0},
};

struct ck_parse {
        struct restore_opts r; /* r.ck: what checkpoint takes */
        char *empty_ns[2];
};

static int parse_mode(const char *v, struct modrun_error **reterr)
{
        if (streq(v, "soft") || streq(v, "full") || streq(v, "strict"))
                return 0;
        return error_new(reterr, 0, "use soft, full or strict",
                         "Invalid manage cgroups mode: --manage-cgroups-mode %s", v);
}

static int parse_empty_ns(const char *v, struct ck_parse *p, struct modrun_error **reterr)
{
        if (!streq(v, "network"))
                return error_new(reterr, 0, "only the network namespace can be left empty",
                                 "namespace \"%s\" is not supported (--empty-ns)", v);
        p->empty_ns[0] = (char *)"network";
        p->r.ck.empty_ns = p->empty_ns;
        return 0;
}

static int parse_page_server(const char *v, struct modrun_error **reterr)
{
        const char *colon = strchr(v, ':');
        char *end = NULL;
        if (!colon || strchr(colon + 1, ':'))
                return error_new(reterr, 0, NULL, "use --page-server ADDRESS:PORT to specify page server");
        long port = strtol(colon + 1, &end, 10);
        if (!colon[1] || *end || port < 0 || port > 65535)
                return error_new(reterr, 0, "give a port number, e.g. 192.0.2.1:27", "Invalid port number: %s", v);
        return 0;
}

static const uint32_t flag_of[] = {
        [OPT_LEAVE_RUNNING] = MODRUN_CHECKPOINT_LEAVE_RUNNING, [OPT_TCP_ESTABLISHED] = MODRUN_CHECKPOINT_TCP_ESTABLISHED,
        [OPT_EXT_UNIX_SK] = MODRUN_CHECKPOINT_EXT_UNIX_SK,     [OPT_SHELL_JOB] = MODRUN_CHECKPOINT_SHELL_JOB,
        [OPT_LAZY_PAGES] = MODRUN_CHECKPOINT_LAZY_PAGES,       [OPT_FILE_LOCKS] = MODRUN_CHECKPOINT_FILE_LOCKS,
        [OPT_PRE_DUMP] = MODRUN_CHECKPOINT_PRE_DUMP,           [OPT_AUTO_DEDUP] = MODRUN_CHECKPOINT_AUTO_DEDUP,
};

static int parse_one(struct runtime_ctx *ctx, int id, const char *v, struct ck_parse *p, struct modrun_error **reterr)
{
        struct checkpoint_opts *ck = &p->r.ck;
        if (id < (int)ELEMENTSOF(flag_of) && flag_of[id]) {
                if (cli_bool_value(v))
                        ck->flags |= flag_of[id];
                else
                        ck->flags &= ~flag_of[id];
                return 0;
        }
        switch (id) {
        case OPT_IMAGE_PATH: ck->image_path = v; return 0;
        case OPT_WORK_PATH: ck->work_path = v; return 0;
        case OPT_PARENT_PATH: ck->parent_path = v; return 0;
        case OPT_STATUS_FD: {
                char *end = NULL;
                long fd = strtol(v, &end, 10);
                if (!*v || *end || fd < -1 || fd > 1 << 20)
                        return error_new(reterr, 0, "give an open file descriptor number", "--status-fd %s: not a number", v);
                ck->status_fd = (int)fd;
                return 0;
        }
        case OPT_PAGE_SERVER: ck->page_server = v; return parse_page_server(v, reterr);
        case OPT_MANAGE_CGROUPS_MODE: ck->manage_cgroups_mode = v; return parse_mode(v, reterr);
        case OPT_EMPTY_NS: return parse_empty_ns(v, p, reterr);
        case OPT_CONSOLE_SOCKET: p->r.create.console_socket = v; return 0;
        case OPT_BUNDLE: p->r.create.bundle = v; return 0;
        case OPT_PID_FILE: p->r.create.pid_file = v; return 0;
        case OPT_DETACH: p->r.detach = cli_bool_value(v); return 0;
        case OPT_NO_SUBREAPER: p->r.no_subreaper = cli_bool_value(v); return 0;
        case OPT_NO_PIVOT: return 0; /* criu makes the mounts of the images, no pivot_root of ours */
        case OPT_LSM_PROFILE: p->r.lsm_profile = v; return 0;
        case OPT_LSM_MOUNT_CONTEXT: p->r.lsm_mount_context = v; return 0;
        }
        return 0;
}

static int parse(struct runtime_ctx *ctx, struct cli_args *a, const struct cli_option *opts, const char *usage,
                 struct ck_parse *p, struct modrun_error **reterr)
{
        p->r.ck.status_fd = -1;
        p->r.create.console_fd = -1;
        const char *v;
        int id, r = 0;
        while (r >= 0 && (id = cli_next(a, opts, &v, reterr)) > 0)
                r = parse_one(ctx, id, v, p, reterr);
        if (id < 0 || r < 0)
                return id < 0 ? id : r;
        ctx->plugins.load_checkpoint = true;
        return cli_expect_args(a, 1, usage, reterr);
}

int cmd_checkpoint(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        struct ck_parse p = {0};
        int r = parse(ctx, a, cli_checkpoint_options, "checkpoint [options] ID", &p, reterr);
        if (r < 0)
                return r;
        return lifecycle_checkpoint(ctx, a->positional[0], &p.r.ck, reterr);
}

int cmd_restore(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        struct ck_parse p = {0};
        int r = parse(ctx, a, cli_restore_options, "restore [options] ID", &p, reterr);
        if (r < 0)
                return r;
        int status = 0;
        r = lifecycle_restore(ctx, a->positional[0], &p.r, &status, reterr);
        return r < 0 ? r : status;
}
