/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `checkpoint`: the container's processes saved into image files by the
 * checkpoint engine (a plugin of kind checkpoint, CRIU by default). As
 * runc: the engine is checked before anything is touched; without
 * --leave-running or --pre-dump the processes are gone afterwards and the
 * container is destroyed (cgroup and state), so that `restore` can bring it
 * back under the same id.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "util/log.h"

static const char *engine_name(const struct plugins *pl)
{
        const struct plugin *p = pl ? pl->by_kind[MODRUN_KIND_CHECKPOINT] : NULL;
        return p ? p->name : "none";
}

int checkpoint_engine_check(const struct runtime_ctx *ctx, const struct plugins *pl, struct modrun_error **reterr)
{
        if (!ctx->plugins.load_checkpoint)
                return 0;
        void *st = NULL;
        const struct modrun_checkpoint_ops *ck = plugins_checkpoint(pl, &st);
        if (!ck)
                return error_new(reterr, EOPNOTSUPP,
                                 "choose one with --plugin checkpoint=NAME or the checkpoint key of modrun.conf; "
                                 "`modrun features` lists the installed plugins",
                                 "the checkpoint engine is \"none\": checkpoint and restore are disabled");
        if (!MODRUN_HAS_OP(ck, check))
                return 0;
        int r = ck->check(st, ctx->criu_path, reterr);
        return r < 0 ? error_wrap(reterr, "checkpoint engine %s", engine_name(pl)) : 0;
}

/* mkdir -p of an absolute or relative dir, made absolute in ret (PATH_MAX). */
static int make_dir(const char *flag, const char *dir, char *ret, struct modrun_error **reterr)
{
        char path[PATH_MAX];
        if (dir[0] == '/')
                (void)snprintf(path, sizeof(path), "%s", dir);
        else if (!getcwd(path, sizeof(path)) || strlen(path) + 1 + strlen(dir) >= sizeof(path))
                return error_new(reterr, errno ? errno : ENAMETOOLONG, NULL, "%s %s", flag, dir);
        else
                (void)snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", dir);
        for (char *p = path + 1;; p++) {
                bool end = *p == '\0';
                if (*p == '/' || end) {
                        *p = '\0';
                        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                                return error_new(reterr, errno, "give a directory that can be made",
                                                 "%s: create the directory %s", flag, path);
                        if (!end)
                                *p = '/';
                }
                if (end)
                        break;
        }
        if (!realpath(path, ret))
                return error_new(reterr, errno, NULL, "%s %s", flag, path);
        return 0;
}

int checkpoint_paths(const struct checkpoint_opts *o, char image[PATH_MAX], char work[PATH_MAX],
                     struct modrun_error **reterr)
{
        int r = make_dir("--image-path", o->image_path ? o->image_path : "checkpoint", image, reterr);
        if (r >= 0)
                r = o->work_path ? make_dir("--work-path", o->work_path, work, reterr)
                                 : (snprintf(work, PATH_MAX, "%s", image), 0);
        return r;
}

static int do_checkpoint(const struct runtime_ctx *ctx, struct container *c, const struct checkpoint_opts *o,
                         struct modrun_error **reterr)
{
        enum container_status st = c->state ? state_status(c->dir, c->state) : STATUS_CREATING;
        if (st != STATUS_RUNNING && st != STATUS_PAUSED)
                return error_new(reterr, 0, "checkpoint a running container (`modrun state ID` shows its status)",
                                 "container %s is not running (status %s)", c->dir->id,
                                 container_status_to_string(st));
        int r = checkpoint_engine_check(ctx, c->plugins, reterr);
        if (r < 0)
                return r;
        char image[PATH_MAX], work[PATH_MAX];
        if ((r = checkpoint_paths(o, image, work, reterr)) < 0)
                return r;
        _cleanup_free_ char *cgroup = NULL;
        void *cst = NULL, *kst = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(c->plugins, &cst);
        if (cg && MODRUN_HAS_OP(cg, get_path)) {
                _cleanup_error_ struct modrun_error *e = NULL;
                (void)cg->get_path(cst, &cgroup, &e);
        }
        const struct modrun_checkpoint_ops *ck = plugins_checkpoint(c->plugins, &kst);
        struct modrun_checkpoint_request req = {
                .size = sizeof(req),
                .flags = o->flags,
                .pid = c->state->pid,
                .status_fd = o->status_fd,
                .image_path = image,
                .work_path = work,
                .parent_path = o->parent_path,
                .page_server = o->page_server,
                .manage_cgroups_mode = o->manage_cgroups_mode,
                .empty_ns = (const char *const *)o->empty_ns,
                .cgroup_path = cgroup,
                .engine_path = ctx->criu_path,
        };
        log_debug("checkpoint %s: pid %d into %s (work %s) with %s", c->dir->id, (int)req.pid, image, work,
                  engine_name(c->plugins));
        r = ck->checkpoint(kst, &req, reterr);
        if (r < 0)
                return error_wrap(reterr, "checkpoint engine %s", engine_name(c->plugins));
        if (o->flags & (MODRUN_CHECKPOINT_LEAVE_RUNNING | MODRUN_CHECKPOINT_PRE_DUMP))
                return 0;
        /* as runc: the processes are gone; the container goes too */
        r = container_wait_stopped(c, LIFECYCLE_KILL_TIMEOUT_MS, reterr);
        return r < 0 ? r : container_destroy(c, reterr);
}

int lifecycle_checkpoint(const struct runtime_ctx *ctx, const char *id, const struct checkpoint_opts *o,
                         struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        int r = container_open(ctx, id, true, &c, reterr);
        if (r >= 0)
                r = do_checkpoint(ctx, c, o, reterr);
        return r < 0 ? error_wrap(reterr, "checkpoint container %s", id) : 0;
}
