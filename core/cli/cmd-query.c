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

/* What `list` prints, one container at a time: a state object for --format
 * json, printed and freed at once; for the table, the six cells taken from
 * the loaded state (no state object: building and freeing one per
 * container was a third of list's instructions), so 1,000 containers never
 * hold 1,000 json objects. */
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

/* The table's cells of d, as `state` shows them: pid 0 once stopped, empty
 * bundle, created and owner when there is no state.json yet. */
static int list_add_row(struct list_out *out, const struct container_dir *d, const struct container_state *s)
{
        enum container_status st = state_status(d, s);
        char pid[16];
        (void)snprintf(pid, sizeof(pid), "%d", (int)state_shown_pid(st, s));
        const char *v[COLS] = {d->id, pid, container_status_to_string(st), "", "", ""};
        if (s) {
                v[3] = s->bundle ? s->bundle : "";
                v[4] = s->created ? s->created : "";
                v[5] = state_owner_name(s->owner);
        }
        size_t len[COLS], total = 0;
        for (size_t c = 0; c < COLS; c++) {
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

/* Print (or keep, for the table) the state of d. */
static int list_emit(struct list_out *out, const struct container_dir *d, const struct container_state *s)
{
        if (out->quiet) {
                printf("%s\n", d->id);
                return 0;
        }
        if (!out->json)
                return list_add_row(out, d, s);
        struct json_object *o = NULL;
        if (state_to_json(d, s, &o, NULL) < 0)
                return -ENOMEM;
        printf("%s%s", out->n++ ? "," : "[",
               json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return 0;
}

/* One line of the table: each cell but the last padded to its width. */
static void print_line(const char *const cell[COLS], const size_t w[COLS], char *buf)
{
        char *p = buf;
        for (size_t c = 0; c < COLS; c++) {
                size_t len = strlen(cell[c]);
                p = mempcpy(p, cell[c], len);
                if (c < COLS - 1 && w[c] > len) {
                        memset(p, ' ', w[c] - len);
                        p += w[c] - len;
                }
        }
        *p++ = '\n';
        (void)fwrite(buf, 1, (size_t)(p - buf), stdout);
}

/* runc's table: columns padded to the widest cell (at least 12) plus 3. */
static int print_table(const struct list_out *out, struct modrun_error **reterr)
{
        size_t w[COLS], line = 1;
        for (size_t c = 0; c < COLS; c++) {
                w[c] = strlen(head[c]) > 12 ? strlen(head[c]) : 12;
                if (out->w[c] > w[c])
                        w[c] = out->w[c];
                w[c] += 3;
                line += w[c];
        }
        _cleanup_free_ char *buf = malloc(line);
        if (!buf)
                return error_new(reterr, ENOMEM, NULL, "list: a line of the table (%zu bytes)", line);
        print_line(head, w, buf);
        for (size_t i = 0; i < out->n; i++)
                print_line(out->rows[i]->cell, w, buf);
        return 0;
}

static int list_finish(struct list_out *out, struct modrun_error **reterr)
{
        int r = 0;
        if (out->json)
                printf("%s\n", out->n ? "]" : "[]");
        else if (!out->quiet)
                r = print_table(out, reterr);
        for (size_t i = 0; i < out->n && !out->json; i++)
                free(out->rows[i]);
        free(out->rows);
        return r;
}

/* Hand the state of every container under root to out: the root is opened
 * and checked once, each container directory then beneath its fd, read
 * without its lock (STATE_NO_LOCK). A container directory refused (not the
 * invoking user's alone) or whose state.json cannot be read is left out
 * with a warning and its hint; one deleted meanwhile, silently. */
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
                _cleanup_state_ struct container_state *s = NULL;
                r = container_dir_open_at(root_fd, root, *i, STATE_NO_LOCK, &d, &e);
                if (r >= 0)
                        r = state_load(d, &s, &e);
                /* no state.json yet (-ENOENT): "creating", if it has its
                 * lock; no directory (deleted meanwhile), or none: left out */
                if (r >= 0 || (r == -ENOENT && d && container_dir_has_lock(d))) {
                        if (list_emit(out, d, s) < 0)
                                log_warning("container %s: out of memory, left out", *i);
                } else if (r != -ENOENT)
                        log_warning("%s, ignoring%s%s", e->msg, e->hint ? ": " : "", e->hint ? e->hint : "");
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
        return list_finish(&out, reterr);
}
