/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp.listenerPath: the seccomp notify fd of a container process
 * goes to the listener as runc sends it: one message on a unix stream
 * socket, the fd attached (SCM_RIGHTS), and the container process state as
 * JSON: {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"}.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "seccomp-listener.h"
#include "oci/config.h"
#include "util/fd-pass.h"

static char *process_state_json(const struct oci_config *cfg, pid_t pid, const char *state_json)
{
        struct json_object *o = json_object_new_object(), *fds = json_object_new_array(), *v = NULL;
        json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION_IMPLEMENTED));
        json_object_array_add(fds, json_object_new_string("seccompFd"));
        json_object_object_add(o, "fds", fds);
        json_object_object_add(o, "pid", json_object_new_int(pid));
        const char *meta = json_object_object_get_ex(cfg->linux_.seccomp, "listenerMetadata", &v)
                                   ? json_object_get_string(v)
                                   : "";
        json_object_object_add(o, "metadata", json_object_new_string(meta));
        json_object_object_add(o, "state", json_tokener_parse(state_json));
        char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return s;
}

int seccomp_send_to_listener(const struct oci_config *cfg, const char *path, int notify_fd, pid_t pid,
                             const char *state_json, struct modrun_error **reterr)
{
        _cleanup_close_ int s = unix_connect(path);
        if (s < 0)
                return error_new(reterr, -s, s == -ENAMETOOLONG ? NULL : "start the seccomp agent that listens there first",
                                 "connect to linux.seccomp.listenerPath %s", path);
        _cleanup_free_ char *text = process_state_json(cfg, pid, state_json);
        if (!text)
                return error_new(reterr, ENOMEM, NULL, "the state for the seccomp listener");
        int r = fd_send(s, notify_fd, text, strlen(text));
        if (r < 0)
                return error_new(reterr, -r, NULL, "send the seccomp notify fd to %s", path);
        return 0;
}
