/* SPDX-License-Identifier: Apache-2.0 */
/* For the targets that feed json-c objects to a plugin (devices, systemd,
 * idmap): the input parsed as config.json is (core/oci/config-parse.c:
 * a strict tokener, the whole input, trailing bytes after the value
 * allowed only as whitespace). */
#pragma once

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* The input up to its first NUL as a config object, or NULL (not an
 * object: the core refuses it before any plugin sees it); *ret_rest is
 * what follows the NUL (NULL when there is none). */
static inline struct json_object *fuzz_json_config(const uint8_t *data, size_t size, const uint8_t **ret_rest,
                                                   size_t *ret_rest_size)
{
        const uint8_t *nul = memchr(data, '\0', size);
        size_t json_len = nul ? (size_t)(nul - data) : size;
        *ret_rest = nul ? nul + 1 : NULL;
        *ret_rest_size = nul ? size - json_len - 1 : 0;
        struct json_object *config = fuzz_json_parse(data, json_len);
        if (config && !json_object_is_type(config, json_type_object)) {
                json_object_put(config);
                config = NULL;
        }
        return config;
}

/* o.key when o is an object that has it (null included as NULL). */
static inline struct json_object *fuzz_json_get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}
