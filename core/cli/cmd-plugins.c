/* SPDX-License-Identifier: Apache-2.0 */
/* plugins: every plugin found in the plugin directories (and the built-in
 * ones), and for each whether the loader would accept it, or why not. The
 * same list as `features` (under "modrun"), for a person to read. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

const struct cli_option cli_plugins_options[] = {
        {"format", 'f', true, 1, "table|json", "a table (default), or the JSON array `features` shows"}, {0}};

static const char *str(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static void print_table(struct json_object *arr)
{
        printf("%-10s %-14s %-8s %s\n", "KIND", "NAME", "STATUS", "FILE");
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *p = json_object_array_get_idx(arr, i), *u = NULL;
                bool usable = json_object_object_get_ex(p, "usable", &u) && json_object_get_boolean(u);
                const char *path = str(p, "path"), *err = str(p, "error");
                printf("%-10s %-14s %-8s %s\n", str(p, "kind") ? str(p, "kind") : "?",
                       str(p, "name") ? str(p, "name") : "?", usable ? "usable" : "refused", path ? path : "(built in)");
                if (!usable)
                        printf("%-10s   why: %s\n", "", err ? err : "unknown");
        }
}

int cmd_plugins(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v, *format = "table";
        int id;
        while ((id = cli_next(a, cli_plugins_options, &v, reterr)) > 0)
                format = v;
        if (id < 0 || (id = cli_expect_args(a, 0, "plugins [--format table|json]", reterr)) < 0)
                return id;
        if (!streq(format, "table") && !streq(format, "json"))
                return error_new(reterr, 0, "use table or json", "plugins --format: unknown format \"%s\"", format);
        struct json_object *arr = NULL;
        int r = plugins_list(&ctx->plugins, &arr, reterr);
        if (r < 0)
                return r;
        if (streq(format, "json"))
                printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        else
                print_table(arr);
        json_object_put(arr);
        return 0;
}
