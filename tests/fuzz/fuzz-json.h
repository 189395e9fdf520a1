/* SPDX-License-Identifier: Apache-2.0 */
/* For the targets that feed json-c objects to a plugin (devices, systemd,
 * idmap): the input parsed as config.json is (core/oci/config-parse.c:
 * a strict tokener, the whole input, trailing bytes after the value
 * allowed only as whitespace). */
#pragma once

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* The JSON value of data[0, size), or NULL (not JSON, or only a prefix). */
static inline struct json_object *fuzz_json_parse(const uint8_t *data, size_t size)
{
        if (size > 1 << 20)
                return NULL;
        struct json_tokener *tok = json_tokener_new();
        if (!tok)
                return NULL;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        struct json_object *obj = json_tokener_parse_ex(tok, (const char *)data, (int)size);
        size_t end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        for (size_t i = end; obj && i < size; i++)
                if (data[i] != ' ' && data[i] != '\n' && data[i] != '\t' && data[i] != '\r') {
                        json_object_put(obj);
                        return NULL;
                }
        return obj;
}

/* o.key when o is an object that has it (null included as NULL). */
static inline struct json_object *fuzz_json_get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}
