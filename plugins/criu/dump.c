/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checkpoint: criu dump (or pre-dump) of the container's init and its
 * descendants into the image directory, criu's log in the work directory.
 *
 *   criu dump|pre-dump -t PID -D IMAGES -W WORK -o dump.log -v4 --root ROOTFS
 *        --manage-cgroups=MODE [--leave-running] [--tcp-established]
 *        [--ext-unix-sk] [--shell-job] [--file-locks] [--lazy-pages]
 *        [--auto-dedup] [--prev-images-dir PARENT --track-mem]
 *        [--page-server --address A --port P] [--status-fd N]
 *        [--empty-ns net] --external=mnt[DEST]:DEST ... [--external=net[INO]:extRootNetNS]
 *        [--external=tty[RDEV:DEV]]
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "criu.h"

void criu_add_common_flags(struct argv_builder *a, uint32_t flags, const char *mode, const char *const *empty_ns)
{
        argv_addf(a, "--manage-cgroups=%s", mode ? mode : "soft");
        static const struct {
                uint32_t flag;
                const char *opt;
        } map[] = {
                {MODRUN_CHECKPOINT_TCP_ESTABLISHED, "--tcp-established"},
                {MODRUN_CHECKPOINT_EXT_UNIX_SK, "--ext-unix-sk"},
                {MODRUN_CHECKPOINT_SHELL_JOB, "--shell-job"},
                {MODRUN_CHECKPOINT_FILE_LOCKS, "--file-locks"},
                {MODRUN_CHECKPOINT_LAZY_PAGES, "--lazy-pages"},
                {MODRUN_CHECKPOINT_AUTO_DEDUP, "--auto-dedup"},
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (flags & map[i].flag)
                        argv_add(a, map[i].opt);
        /* As runc 1.1: the container's own network namespace is always
         * restored empty (runc manages no network devices); --empty-ns
         * network, the one value the core accepts, adds nothing to that.
         * A joined one is external (externals.c). */
        (void)empty_ns;
}

static int add_page_server(const struct modrun_host *host, struct argv_builder *a, const char *server,
                           struct modrun_error **reterr)
{
        const char *colon = strrchr(server, ':');
        if (!colon || colon == server || !colon[1])
                return host->error(reterr, EINVAL, "write ADDRESS:PORT, e.g. 192.0.2.1:27",
                                   "--page-server %s: not ADDRESS:PORT", server);
        argv_add(a, "--page-server");
        argv_addf(a, "--address=%.*s", (int)(colon - server), server);
        argv_addf(a, "--port=%s", colon + 1);
        return 0;
}

int criu_checkpoint(void *state, const struct modrun_checkpoint_request *req, struct modrun_error **reterr)
{
        struct criu_state *s = state;
        const struct modrun_host *host = s->host;
        char *criu = NULL;
        int r = criu_find(host, req->engine_path, &criu, reterr);
        if (r < 0)
                return r;
        bool pre = req->flags & MODRUN_CHECKPOINT_PRE_DUMP;
        struct argv_builder a = {0};
        argv_add(&a, criu);
        argv_add(&a, pre ? "pre-dump" : "dump");
        argv_addf(&a, "--tree=%d", (int)req->pid);
        argv_addf(&a, "--images-dir=%s", req->image_path);
        argv_addf(&a, "--work-dir=%s", req->work_path);
        argv_add(&a, "--log-file=dump.log"); /* as runc, pre-dump too */
        argv_add(&a, "-v4");
        argv_addf(&a, "--root=%s", host->rootfs);
        criu_add_common_flags(&a, req->flags, req->manage_cgroups_mode, req->empty_ns);
        if ((req->flags & MODRUN_CHECKPOINT_LEAVE_RUNNING) && !pre)
                argv_add(&a, "--leave-running");
        if (pre || req->parent_path)
                argv_add(&a, "--track-mem");
        if (req->parent_path)
                argv_addf(&a, "--prev-images-dir=%s", req->parent_path);
        if (req->status_fd >= 0)
                argv_addf(&a, "--status-fd=%d", req->status_fd);
        if (req->page_server)
                r = add_page_server(host, &a, req->page_server, reterr);
        if (r >= 0)
                r = criu_dump_externals(host, req->pid, req->image_path, &a, reterr);
        int status = 0;
        char *err = NULL;
        const int inherit[] = {req->status_fd, -1};
        if (r >= 0 && a.oom)
                r = host->error(reterr, ENOMEM, NULL, "criu: build the command line");
        if (r >= 0)
                r = criu_run(host, &(struct criu_run){.argv = a.v, .inherit = inherit, .timeout_ms = CRIU_RUN_TIMEOUT_MS},
                             &status, &err, reterr);
        if (r >= 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
                char log[PATH_MAX];
                (void)snprintf(log, sizeof(log), "%s/dump.log", req->work_path);
                r = criu_fail(host, pre ? "criu pre-dump" : "criu dump", status, log, err, NULL, reterr);
        }
        free(err);
        argv_done(&a);
        free(criu);
        return r;
}
