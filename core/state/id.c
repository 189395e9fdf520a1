/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "state.h"

#define ID_MAX 1024

int state_validate_id(const char *id, struct modrun_error **reterr)
{
        static const char hint[] = "use letters, digits and _ + - . only, e.g. \"web-1\"";
        if (!id || !*id)
                return error_new(reterr, 0, "give the container ID as the last argument", "container ID is empty");
        if (streq(id, ".") || streq(id, ".."))
                return error_new(reterr, 0, hint, "invalid container ID \"%s\"", id);
        size_t len = strlen(id);
        if (len > ID_MAX)
                return error_new(reterr, 0, hint, "invalid container ID: %zu bytes, at most %d allowed", len,
                                 ID_MAX);
        for (const char *c = id; *c; c++) {
                bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                          strchr("_+-.", *c);
                if (!ok)
                        return error_new(reterr, 0, hint,
                                         "invalid container ID \"%s\": character '%c' is not allowed", id, *c);
        }
        return 0;
}
