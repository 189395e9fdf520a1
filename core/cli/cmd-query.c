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

/* What `list` prints, one container at a time: the state objects are freed
 * as soon as they are printed (--format json, --quiet) or reduced to the
 * table's six cells, so 1,000 containers never hold 1,000 json objects. */
enum { COLS = 6 };
struct list_row {
        const char *cell[COLS];
        char text[]; /* the cells, NUL-separated */
};
struct list_out {
        bool quiet, json;
        size_t n, cap, w[COLS];
        struct list_row **rows;
};

static const char *const head[COLS] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
static const char *const keys[COLS] = {"id", "pid", "status", "bundle", "created", "owner"};

static int list_add_row(struct list_out *out, struct json_object *o)
{
        const char *v[COLS];
        size_t len[COLS], total = 0;
        for (size_t c = 0; c < COLS; c++) {
                v[c] = field(o, keys[c]);
                len[c] = strlen(v[c]);
                total += len[c] + 1;
        }
        if (out->n == out->cap) {
                size_t cap = out->cap ? out->cap * 2 : 64;
                struct list_row **rows = realloc(out->rows, cap * sizeof(*rows));
                if (!rows)
                        return -ENOMEM;
                out->rows = rows;
                out->cap = cap;
        }
        struct list_row *row = malloc(sizeof(*row) + total);
        if (!row)
                return -ENOMEM;
        char *p = row->text;
        for (size_t c = 0; c < COLS; c++) {
                row->cell[c] = memcpy(p, v[c], len[c] + 1);
                p += len[c] + 1;
                if (len[c] > out->w[c])
                        out->w[c] = len[c];
        }
        out->rows[out->n++] = row;
        return 0;
}

/* Print (or keep, for the table) the state object o, then free it. */
static int list_emit(struct list_out *out, struct json_object *o)
{
        int r = 0;
        if (out->quiet)
                printf("%s\n", field(o, "id"));
        else if (out->json)
                printf("%s%s", out->n++ ? "," : "[",
                       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        else
                r = list_add_row(out, o);
        json_object_put(o);
        return r;
}

/* runc's table: columns padded to the widest cell (at least 12) plus 3. */
static void print_table(const struct list_out *out)
{
        size_t w[COLS];
        for (size_t c = 0; c < COLS; c++) {
                w[c] = strlen(head[c]) > 12 ? strlen(head[c]) : 12;
                if (out->w[c] > w[c])
                        w[c] = out->w[c];
        }
        for (size_t c = 0; c < COLS; c++)
                printf("%-*s%s", c < COLS - 1 ? (int)(w[c] + 3) : 0, head[c], c < COLS - 1 ? "" : "\n");
        for (size_t i = 0; i < out->n; i++)
                for (size_t c = 0; c < COLS; c++)
                        printf("%-*s%s", c < COLS - 1 ? (int)(w[c] + 3) : 0, out->rows[i]->cell[c],
                               c < COLS - 1 ? "" : "\n");
}

static void list_finish(struct list_out *out)
{
        if (out->json)
                printf("%s\n", out->n ? "]" : "[]");
        else if (!out->quiet)
                print_table(out);
        for (size_t i = 0; i < out->n && !out->json; i++)
                free(out->rows[i]);
        free(out->rows);
}

/* Hand the state of every container under root to out: the root is opened
 * and checked once, each container directory then beneath its fd, read
 * without its lock (STATE_NO_LOCK). A container directory refused (not the
 * invoking user's alone) is left out with a warning; one deleted meanwhile
 * silently. */
static int list_states(const char *root, struct list_out *out, struct modrun_error **reterr)
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
                if (r >= 0 && dir_state(d, &o, NULL) >= 0 && list_emit(out, o) < 0)
                        log_warning("container %s: out of memory, left out", *i);
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
        struct list_out out = {.quiet = quiet, .json = !quiet && streq(format, "json")};
        int r = list_states(ctx->root, &out, reterr);
        if (r < 0)
                return r;
        list_finish(&out);
        return 0;
}
