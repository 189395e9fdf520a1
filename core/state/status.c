/* SPDX-License-Identifier: Apache-2.0 */
/* The real status of a container, as the kernel shows it, and the state
 * object that `state` and `list` print. */
#include <fcntl.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "container/spawn.h"
#include "state.h"
#include "oci/config.h"
#include "util/fs-util.h"

static uint64_t start_time(pid_t pid, bool even_zombie)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        _cleanup_free_ char *text = NULL;
        if (pid <= 0 || fs_read_file(AT_FDCWD, path, &text, NULL) < 0)
                return 0;
        /* comm may contain spaces and parentheses: fields follow the last ')' */
        const char *p = strrchr(text, ')');
        if (!p)
                return 0;
        char state = 0;
        unsigned long long start = 0;
        /* state is field 3, starttime field 22 */
        if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &state,
                   &start) != 2)
                return 0;
        if (!even_zombie && (state == 'Z' || state == 'X'))
                return 0; /* a zombie has stopped */
        return start;
}

uint64_t proc_start_time(pid_t pid) { return start_time(pid, false); }

uint64_t proc_start_time_any(pid_t pid) { return start_time(pid, true); }

bool state_init_alive(const struct container_state *s)
{
        /* no live process has start time 0: one recorded so had gone */
        return s->pid > 0 && s->pid_start_time != 0 && proc_start_time(s->pid) == s->pid_start_time;
}

enum container_status state_status(const struct container_dir *d, const struct container_state *s)
{
        if (!s || s->pid <= 0) /* no state.json yet, or create's first one (pid 0) */
                return STATUS_CREATING;
        if (!state_init_alive(s))
                return STATUS_STOPPED;
        if (s->paused)
                return STATUS_PAUSED;
        struct stat st;
        if (fstatat(d->dir_fd, SPAWN_EXEC_FIFO, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return STATUS_CREATED;
        return STATUS_RUNNING;
}

const char *container_status_to_string(enum container_status st)
{
        static const char *const names[] = {
                [STATUS_CREATING] = "creating", [STATUS_CREATED] = "created", [STATUS_RUNNING] = "running",
                [STATUS_PAUSED] = "paused",     [STATUS_STOPPED] = "stopped",
        };
        return names[st];
}

/* annotations of the config.json stored at create: for a state.json of
 * an earlier modrun, which did not record them (`list` then parses every
 * config.json) */
static struct json_object *stored_annotations(const struct container_dir *d)
{
        _cleanup_free_ char *text = NULL;
        if (fs_read_regular_file(d->dir_fd, "config.json", O_NOFOLLOW, SIZE_MAX, &text, NULL) < 0)
                return NULL;
        struct json_object *cfg = json_tokener_parse(text), *a = NULL;
        if (cfg && json_object_object_get_ex(cfg, "annotations", &a) && json_object_is_type(a, json_type_object))
                a = json_object_get(a);
        else
                a = NULL;
        json_object_put(cfg);
        return a;
}

/* The user name of uid (or the number), remembered for the next call:
 * `list` asks once per container, and every getpwuid() reads /etc/passwd. */
const char *state_owner_name(uid_t uid)
{
        static uid_t cached_uid = (uid_t)-1;
        static char cached[256];
        if (uid != cached_uid) {
                struct passwd *pw = getpwuid(uid);
                if (pw)
                        (void)snprintf(cached, sizeof(cached), "%s", pw->pw_name);
                else
                        (void)snprintf(cached, sizeof(cached), "%u", (unsigned)uid);
                cached_uid = uid;
        }
        return cached;
}

pid_t state_shown_pid(enum container_status st, const struct container_state *s)
{
        return st == STATUS_STOPPED || !s ? 0 : s->pid;
}

int state_to_json(const struct container_dir *d, const struct container_state *s, struct json_object **ret,
                  struct modrun_error **reterr)
{
        enum container_status st = state_status(d, s);
        struct json_object *o = json_object_new_object();
        if (!o)
                return error_new(reterr, ENOMEM, NULL, "state of %s", d->id);
        json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION_IMPLEMENTED));
        json_object_object_add(o, "id", json_object_new_string(d->id));
        json_object_object_add(o, "pid", json_object_new_int(state_shown_pid(st, s)));
        json_object_object_add(o, "status", json_object_new_string(container_status_to_string(st)));
        if (s) {
                json_object_object_add(o, "bundle", json_object_new_string(s->bundle ? s->bundle : ""));
                json_object_object_add(o, "rootfs", json_object_new_string(s->rootfs ? s->rootfs : ""));
                json_object_object_add(o, "created", json_object_new_string(s->created ? s->created : ""));
                json_object_object_add(o, "owner", json_object_new_string(state_owner_name(s->owner)));
        }
        struct json_object *a = s && s->annotations ? json_object_get(s->annotations) : stored_annotations(d);
        if (a && json_object_object_length(a) == 0) {
                json_object_put(a);
                a = NULL;
        }
        if (a)
                json_object_object_add(o, "annotations", a);
        *ret = o;
        return 0;
}
