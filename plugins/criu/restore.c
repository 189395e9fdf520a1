/* SPDX-License-Identifier: Apache-2.0 */
/*
 * restore: criu restore of the images into the container the core has
 * prepared (state directory, cgroup with its limits and device filter;
 * the core runs inside that cgroup, so criu and the restored processes
 * start there). criu runs in a mount namespace of its own where the rootfs
 * is bound at STATE_DIR/criu-root (criu wants --root to be a mount point);
 * the restored processes get the mount namespace of the images.
 *
 *   criu restore -D IMAGES -W WORK -o restore.log -v4 -d --pidfile STATE/criu.pid
 *        --root STATE/criu-root --manage-cgroups=MODE [--cgroup-root=[CTRL:]PATH ...]
 *        [flags as dump] [--lsm-profile P] [--lsm-mount-context C]
 *        --external=mnt[DEST]:SOURCE ... --external=mnt[MASKED]:/dev/null ...
 *        [--inherit-fd=fd[N]:extRootNetNS] [--inherit-fd=fd[N]:tty[RDEV:DEV]]
 *        [--inherit-fd=fd[0-2]:pipe:[INO]]
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criu.h"

static int read_pid(const struct modrun_host *host, const char *path, pid_t *ret, struct modrun_error **reterr)
{
        FILE *f = fopen(path, "re");
        int pid = 0;
        bool ok = f && fscanf(f, "%d", &pid) == 1 && pid > 0;
        if (f)
                fclose(f);
        if (!ok)
                return host->error(reterr, ENOENT, NULL, "criu restore wrote no pid into %s", path);
        *ret = pid;
        return 0;
}

#define N_INHERIT 8

int criu_restore(void *state, const struct modrun_restore_request *req, pid_t *ret_pid,
                 struct modrun_error **reterr)
{
        struct criu_state *s = state;
        const struct modrun_host *host = s->host;
        char *criu = NULL;
        int r = criu_find(host, req->engine_path, &criu, reterr);
        if (r < 0)
                return r;
        char root[PATH_MAX], pidfile[PATH_MAX];
        (void)snprintf(root, sizeof(root), "%s/criu-root", host->state_dir);
        (void)snprintf(pidfile, sizeof(pidfile), "%s/criu.pid", host->state_dir);
        (void)unlink(pidfile);
        int inherit[N_INHERIT + 1];
        inherit[0] = -1;
        struct argv_builder a = {0};
        argv_add(&a, criu);
        argv_add(&a, "restore");
        argv_addf(&a, "--images-dir=%s", req->image_path);
        argv_addf(&a, "--work-dir=%s", req->work_path);
        argv_add(&a, "--log-file=restore.log");
        argv_add(&a, "-v4");
        argv_add(&a, "--restore-detached");
        argv_addf(&a, "--pidfile=%s", pidfile);
        argv_addf(&a, "--root=%s", root);
        criu_add_common_flags(&a, req->flags, req->manage_cgroups_mode, req->empty_ns);
        if (req->cgroup_path)
                criu_add_cgroup_roots(&a);
        if (req->lsm_profile)
                argv_addf(&a, "--lsm-profile=%s", req->lsm_profile);
        if (req->lsm_mount_context)
                argv_addf(&a, "--lsm-mount-context=%s", req->lsm_mount_context);
        if (req->status_fd >= 0) {
                argv_addf(&a, "--status-fd=%d", req->status_fd);
                inherit[0] = req->status_fd;
                inherit[1] = -1;
        }
        r = criu_restore_externals(host, req->image_path, req->cgroup_path, req->console_fd, &a, inherit, N_INHERIT,
                                   reterr);
        if (r >= 0 && a.oom)
                r = host->error(reterr, ENOMEM, NULL, "criu: build the command line");
        int status = 0;
        char *err = NULL;
        if (r >= 0)
                r = criu_run(host,
                             &(struct criu_run){.argv = a.v, .inherit = inherit, .rootfs = host->rootfs,
                                                .new_root = root, .timeout_ms = CRIU_RUN_TIMEOUT_MS},
                             &status, &err, reterr);
        if (r >= 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
                char log[PATH_MAX];
                (void)snprintf(log, sizeof(log), "%s/restore.log", req->work_path);
                r = criu_fail(host, "criu restore", status, log, err, NULL, reterr);
        }
        if (r >= 0)
                r = read_pid(host, pidfile, ret_pid, reterr);
        for (int *fd = inherit; *fd >= 0; fd++)
                if (*fd != req->console_fd && *fd != req->status_fd)
                        close(*fd);
        (void)unlink(pidfile);
        (void)rmdir(root);
        free(err);
        argv_done(&a);
        free(criu);
        return r;
}
