/* SPDX-License-Identifier: Apache-2.0 */
/* state, list */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "state/state.h"
#include "util/log.h"

/* The state of an opened container directory: a container being created
 * has no state.json yet, or one with pid 0, and shows as "creating". */
static int dir_state(const struct container_dir *d, struct json_object **ret, struct modrun_error **reterr)
{
        _cleanup_error_ struct modrun_error *err = NULL;
        _cleanup_state_ struct container_state *s = NULL;
        if (state_load(d, &s, &err) < 0 && err->errnum != ENOENT) {
                *reterr = TAKE_PTR(err);
                return error_ret(*reterr);
        }
        return state_to_json(d, s, ret, reterr);
}

int cmd_state(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v;
        int r = cli_next(a, cli_no_options, &v, reterr);
        if (r < 0 || (r = cli_expect_args(a, 1, "state ID", reterr)) < 0)
                return r;
        const char *id = a->positional[0];
        _cleanup_container_dir_ struct container_dir *d = NULL;
        struct json_object *o = NULL;
        if ((r = state_validate_id(id, reterr)) < 0 || (r = container_dir_open(ctx->root, id, 30000, &d, reterr)) < 0 ||
            (r = dir_state(d, &o, reterr)) < 0)
                return r;
        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return 0;
}

enum { OPT_QUIET = 1, OPT_FORMAT };
const struct cli_option cli_list_options[] = {
        {"quiet", 'q', false, OPT_QUIET, NULL, "print the container ids only"},
        {"format", 'f', true, OPT_FORMAT, "table|json", "a table (default) or a JSON array of states"},
        {0},
};

static const char *field(struct json_object *o, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* runc's table: columns padded to the widest cell (at least 12) plus 3. */
static void print_table(struct json_object *arr)
{
        static const char *const head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
        static const char *const keys[] = {"id", "pid", "status", "bundle", "created", "owner"};
        size_t n = json_object_array_length(arr), w[6];
        for (size_t c = 0; c < 6; c++) {
                w[c] = strlen(head[c]) > 12 ? strlen(head[c]) : 12;
                for (size_t i = 0; i < n; i++) {
                        struct json_object *o = json_object_array_get_idx(arr, i);
                        size_t l = strlen(field(o, keys[c]));
                        if (l > w[c])
                                w[c] = l;
                }
        }
        for (size_t c = 0; c < 6; c++)
                printf("%-*s%s", c < 5 ? (int)(w[c] + 3) : 0, head[c], c < 5 ? "" : "\n");
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                for (size_t c = 0; c < 6; c++) {
                        const char *cell = field(o, keys[c]);
                        printf("%-*s%s", c < 5 ? (int)(w[c] + 3) : 0, cell, c < 5 ? "" : "\n");
                }
        }
}

/* Add the state of every container under root to arr: the root is opened
 * and checked once, each container directory then beneath its fd, read
 * without its lock (STATE_NO_LOCK). A container directory refused (not the
 * invoking user's alone) is left out with a warning; one deleted meanwhile
 * silently. */
static int list_states(const char *root, struct json_object *arr, struct modrun_error **reterr)
{
        _cleanup_error_ struct modrun_error *err = NULL;
        _cleanup_close_ int root_fd = state_root_open(root, false, &err);
        if (root_fd == -ENOENT)
                return 0;
        if (root_fd < 0) {
                *reterr = TAKE_PTR(err);
                return error_ret(*reterr);
        }
        char **ids = NULL;
        int r = state_list_ids(root_fd, root, &ids, reterr);
        if (r < 0)
                return r;
        for (char **i = ids; *i; i++) {
                _cleanup_container_dir_ struct container_dir *d = NULL;
                _cleanup_error_ struct modrun_error *e = NULL;
                struct json_object *o = NULL;
                r = container_dir_open_at(root_fd, root, *i, STATE_NO_LOCK, &d, &e);
                if (r == -EPERM || r == -ELOOP || r == -ENOTDIR)
                        log_warning("%s, ignoring", e->msg);
                if (r >= 0 && dir_state(d, &o, NULL) >= 0)
                        json_object_array_add(arr, o);
                free(*i);
        }
        free(ids);
        return 0;
}

int cmd_list(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v, *format = "table";
        bool quiet = false;
        int id;
        while ((id = cli_next(a, cli_list_options, &v, reterr)) > 0) {
                if (id == OPT_QUIET)
                        quiet = cli_bool_value(v);
                else
                        format = v;
        }
        if (id < 0 || (id = cli_expect_args(a, 0, "list [--quiet] [--format table|json]", reterr)) < 0)
                return id;
        if (!streq(format, "table") && !streq(format, "json"))
                return error_new(reterr, 0, "use table or json", "list --format: unknown format \"%s\"", format);
        struct json_object *arr = json_object_new_array();
        int r = list_states(ctx->root, arr, reterr);
        if (r < 0) {
                json_object_put(arr);
                return r;
        }
        if (quiet)
                for (size_t i = 0; i < json_object_array_length(arr); i++)
                        printf("%s\n", field(json_object_array_get_idx(arr, i), "id"));
        else if (streq(format, "json"))
                printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        else
                print_table(arr);
        json_object_put(arr);
        return 0;
}
