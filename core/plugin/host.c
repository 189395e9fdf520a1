/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host table (struct modrun_host): the core's services as a plugin sees
 * them. Each plugin gets its own copy, whose `core` points at its struct
 * plugin, so its log lines are prefixed with its kind and name.
 */
#include <json-c/json.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "plugin/plugin-internal.h"
#include "util/fs-util.h"
#include "util/log.h"
#include "util/mountinfo.h"
#include "../../plugins/common/clock.h"

static int level_to_core(int level)
{
        if (level <= MODRUN_LOG_ERROR)
                return LOG_ERR;
        if (level <= 5)
                return LOG_WARNING;
        if (level == MODRUN_LOG_INFO)
                return LOG_INFO;
        return LOG_DEBUG;
}

_printf_(3, 4) static void host_log(const struct modrun_host *host, int level, const char *fmt, ...)
{
        const struct plugin *pl = host ? host->core : NULL;
        int core_level = level_to_core(level);
        if (core_level == LOG_DEBUG && !log_debug_enabled())
                return;
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;
        if (pl)
                log_msg(core_level, "%s-%s: %s", plugin_kind_to_string(pl->kind), pl->name, msg);
        else
                log_msg(core_level, "plugin: %s", msg);
}

_printf_(4, 5) static int host_error(struct modrun_error **reterr, int errnum, const char *hint, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_newv(reterr, errnum < 0 ? -errnum : errnum, hint, fmt, ap);
        va_end(ap);
        return r;
}

static const char *host_annotation(const struct modrun_host *host, const char *key)
{
        struct json_object *config = (struct json_object *)host->config, *annotations, *v;
        if (!config || !key || !json_object_object_get_ex(config, "annotations", &annotations) ||
            !json_object_is_type(annotations, json_type_object) ||
            !json_object_object_get_ex(annotations, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int host_open_beneath(const struct modrun_host *host, int dirfd, const char *path, int flags, mode_t mode,
                             struct modrun_error **reterr)
{
        return fs_open_beneath(dirfd, path, flags, mode, reterr);
}

static int host_read_file(const struct modrun_host *host, int dirfd, const char *path, char **ret_content,
                          struct modrun_error **reterr)
{
        return fs_read_file(dirfd, path, ret_content, reterr);
}

static int host_write_file(const struct modrun_host *host, int dirfd, const char *path, const char *value,
                           struct modrun_error **reterr)
{
        return fs_write_file(dirfd, path, value, reterr);
}

static int host_wait_fd(const struct modrun_host *host, int fd, short events, int timeout_ms, const char *what,
                        struct modrun_error **reterr)
{
        const char *w = what ? what : "a file descriptor";
        int64_t deadline = clock_now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
        for (;;) {
                int64_t left = deadline - clock_now_ms();
                struct pollfd p = { .fd = fd, .events = events };
                int r = poll(&p, 1, left < 0 ? 0 : (int)left);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return error_new(reterr, errno, NULL, "wait for %s (fd %d)", w, fd);
                if (r == 0)
                        return error_new(reterr, ETIMEDOUT, NULL, "waited %d ms for %s, giving up", timeout_ms, w);
                if (p.revents & POLLNVAL)
                        return error_new(reterr, EBADF, NULL, "wait for %s: fd %d is not open", w, fd);
                return p.revents;
        }
}

static int host_mount_table(const struct modrun_host *host, const char **ret_text, struct modrun_error **reterr)
{
        return mountinfo_self_text(ret_text, reterr);
}

void plugin_host_init(struct modrun_host *host, const struct host_params *hp, const struct plugin *pl)
{
        *host = (struct modrun_host){
                .size = sizeof(struct modrun_host),
                .abi_major = MODRUN_PLUGIN_ABI_MAJOR,
                .rootless = hp && hp->rootless,
                .log = host_log,
                .error = host_error,
                .container_id = hp && hp->container_id ? hp->container_id : "",
                .bundle = hp && hp->bundle ? hp->bundle : "",
                .state_dir = hp && hp->state_dir ? hp->state_dir : "",
                .rootfs = hp && hp->rootfs ? hp->rootfs : "",
                .config = hp ? hp->config : NULL,
                .annotation = host_annotation,
                .open_beneath = host_open_beneath,
                .read_file = host_read_file,
                .write_file = host_write_file,
                .wait_fd = host_wait_fd,
                .core = (void *)pl,
                .mount_table = host_mount_table,
        };
}
