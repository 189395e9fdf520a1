/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `restore`: a new container from a checkpoint. Made as create makes one
 * (config checked, state directory, the same plugins, the cgroup with its
 * limits and device filter), then a helper process enters that cgroup and
 * has the checkpoint engine restore the processes there; the restored init
 * is recorded as the container's (status running). Without --detach,
 * modrun is the subreaper the init is reparented to, waits for it as `run`
 * does and deletes the container after.
 */
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "container/devices.h"
#include "container/sync.h"
#include "util/fd-pass.h"
#include "util/log.h"

/* process.terminal: a new pty whose master goes to --console-socket, and
 * whose slave replaces the checkpointed terminal. */
static int console_open(const struct restore_opts *o, int *ret_slave, struct modrun_error **reterr)
{
        _cleanup_close_ int master = -1, slave = -1;
        if (openpty(&master, &slave, NULL, NULL, NULL) < 0)
                return error_new(reterr, errno, NULL, "openpty for the restored container's terminal");
        _cleanup_close_ int s = unix_connect(o->create.console_socket);
        if (s < 0)
                return error_new(reterr, -s, "is something listening there?", "connect to --console-socket %s",
                                 o->create.console_socket);
        int r = fd_send(s, master, "/dev/ptmx", 9);
        if (r < 0)
                return error_new(reterr, -r, NULL, "send the pty master to %s", o->create.console_socket);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

/* The helper: into the cgroup, then the engine restores. Sends the pid
 * (SYNC_PID) or the error. */
_noreturn_ static void restore_helper(int sock, struct plugins *pl, const struct modrun_restore_request *req)
{
        _cleanup_error_ struct modrun_error *err = NULL;
        void *cst = NULL, *kst = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(pl, &cst);
        const struct modrun_checkpoint_ops *ck = plugins_checkpoint(pl, &kst);
        pid_t pid = 0;
        log_adopt_process(); /* a copy of ours: --log is its own too */
        int r = cg ? cg->enter(cst, getpid(), &err) : 0;
        if (r < 0)
                (void)error_wrap(&err, "move the restore into the container's cgroup");
        if (r >= 0 && (r = ck->restore(kst, req, &pid, &err)) < 0 && !err)
                (void)error_new(&err, -r, NULL, "the checkpoint engine failed without a message");
        if (r < 0)
                (void)sync_send_error(sock, err, -r);
        else
                (void)sync_send(sock, SYNC_PID, pid, NULL, NULL);
        _exit(r < 0 ? 1 : 0);
}

static int restore_run(const struct runtime_ctx *ctx, struct plugins *pl, const struct modrun_restore_request *req,
                       pid_t *ret_pid, struct modrun_error **reterr)
{
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return error_new(reterr, errno, NULL, "socketpair(AF_UNIX, SOCK_SEQPACKET) for the restore");
        pid_t helper = fork();
        if (helper < 0) {
                int e = errno;
                close(sp[0]);
                close(sp[1]);
                return error_new(reterr, e, NULL, "fork the restore helper");
        }
        if (helper == 0) {
                close(sp[0]);
                restore_helper(sp[1], pl, req);
        }
        close(sp[1]);
        struct sync_msg m = {.fd = -1};
        /* the engine bounds its own run (10 min); this bound is above it */
        int r = sync_recv(sp[0], 11 * 60 * 1000, "the restore helper", &m, reterr);
        close(sp[0]);
        if (r < 0)
                (void)kill(helper, SIGKILL);
        while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
                ;
        if (r >= 0 && m.type == SYNC_ERROR)
                r = sync_msg_to_error(&m, reterr);
        else if (r >= 0 && (m.type != SYNC_PID || m.value <= 0))
                r = error_new(reterr, EPROTO, NULL, "the restore helper sent %s", sync_type_to_string(m.type));
        else if (r >= 0)
                *ret_pid = m.value;
        sync_msg_done(&m);
        return r;
}

static int restore_in_dir(const struct runtime_ctx *ctx, struct container_dir *d, struct oci_config *cfg,
                          const char *bundle, const char *rootfs, const struct restore_opts *o, pid_t *ret_pid,
                          struct modrun_error **reterr)
{
        _cleanup_plugins_ struct plugins *pl = NULL;
        int r = container_prepare(ctx, d, cfg, bundle, rootfs, &pl, reterr);
        if (r < 0)
                return r;
        char image[PATH_MAX], work[PATH_MAX];
        _cleanup_free_ char *cgroup = NULL;
        _cleanup_close_ int console = -1;
        void *cst = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(pl, &cst);
        if (cg && MODRUN_HAS_OP(cg, get_path)) {
                _cleanup_error_ struct modrun_error *e = NULL;
                (void)cg->get_path(cst, &cgroup, &e);
        }
        r = checkpoint_paths(&o->ck, image, work, reterr);
        if (r >= 0)
                r = devices_apply(pl, cfg->linux_.resources, reterr);
        if (r >= 0 && cfg->process.terminal)
                r = console_open(o, &console, reterr);
        pid_t pid = 0;
        if (r >= 0) {
                struct modrun_restore_request req = {
                        .size = sizeof(req),
                        .flags = o->ck.flags,
                        .console_fd = console,
                        .status_fd = o->ck.status_fd,
                        .image_path = image,
                        .work_path = work,
                        .manage_cgroups_mode = o->ck.manage_cgroups_mode,
                        .empty_ns = (const char *const *)o->ck.empty_ns,
                        .cgroup_path = cgroup,
                        .lsm_profile = o->lsm_profile,
                        .lsm_mount_context = o->lsm_mount_context,
                        .engine_path = ctx->criu_path,
                };
                r = restore_run(ctx, pl, &req, &pid, reterr);
        }
        if (r >= 0)
                r = container_record_state(ctx, d, cfg, pl, bundle, rootfs, pid, reterr);
        if (r >= 0 && o->create.pid_file)
                r = write_pid_file(o->create.pid_file, pid, reterr);
        if (r < 0) {
                if (pid > 0)
                        (void)kill(pid, SIGKILL);
                container_prepare_undo(d, pl);
                return r;
        }
        log_debug("restored container %s: init pid %d, images %s", d->id, (int)pid, image);
        *ret_pid = pid;
        return 0;
}

static int restore_create(const struct runtime_ctx *ctx, const char *id, const struct restore_opts *o,
                          pid_t *ret_pid, struct modrun_error **reterr)
{
        int r = state_validate_id(id, reterr);
        if (r < 0)
                return r;
        const char *img = o->ck.image_path ? o->ck.image_path : "checkpoint";
        if (access(img, R_OK | X_OK) < 0)
                return error_new(reterr, errno, "give the directory `modrun checkpoint --image-path` wrote",
                                 "--image-path %s", img);
        char bundle[PATH_MAX];
        _cleanup_config_ struct oci_config *cfg = NULL;
        _cleanup_free_ char *rootfs = NULL;
        if ((r = container_load_bundle(&o->create, bundle, &cfg, &rootfs, reterr)) < 0)
                return r;
        _cleanup_container_dir_ struct container_dir *d = NULL;
        if ((r = container_dir_create(ctx->root, id, &d, reterr)) < 0)
                return r;
        r = restore_in_dir(ctx, d, cfg, bundle, rootfs, o, ret_pid, reterr);
        if (r < 0) {
                _cleanup_error_ struct modrun_error *e2 = NULL;
                if (container_dir_remove(d, &e2) < 0)
                        log_warning("cleaning up after a failed restore: %s", e2->msg);
        }
        return r;
}

int lifecycle_restore(const struct runtime_ctx *ctx, const char *id, const struct restore_opts *o, int *ret_status,
                      struct modrun_error **reterr)
{
        bool wait = !o->detach;
        sigset_t set, old;
        if (wait) {
                forward_signals_block(&set, &old);
                /* the restored init is reparented to us once criu exits */
                if (!o->no_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                        log_warning("prctl(PR_SET_CHILD_SUBREAPER) failed, ignoring: %m");
        }
        pid_t pid = 0;
        int r = restore_create(ctx, id, o, &pid, reterr);
        *ret_status = 0;
        if (r >= 0 && wait) {
                r = wait_forwarding(pid, &set, ret_status);
                if (r < 0)
                        r = error_new(reterr, -r, o->no_subreaper ? "drop --no-subreaper, or use --detach" : NULL,
                                      "wait for restored container %s (pid %d)", id, (int)pid);
                _cleanup_error_ struct modrun_error *e2 = NULL;
                if (lifecycle_delete(ctx, id, true, &e2) < 0)
                        log_warning("removing container %s after it exited: %s", id, e2->msg);
        }
        if (wait)
                sigprocmask(SIG_SETMASK, &old, NULL);
        return r < 0 ? error_wrap(reterr, "restore container %s", id) : 0;
}
