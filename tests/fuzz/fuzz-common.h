/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the libFuzzer targets (tests/fuzz/README.md). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The input as an exact-size heap copy (no terminator), so that ASan sees
 * a read one byte past the end. */
static inline char *fuzz_dup(const uint8_t *data, size_t size)
{
        char *p = malloc(size ? size : 1);
        if (p && size)
                memcpy(p, data, size);
        return p;
}

/* The input as a C string: cut at the first NUL. */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
        char *p = malloc(size + 1);
        if (p) {
                memcpy(p, data, size);
                p[size] = '\0';
        }
        return p;
}

/* Split the input at NUL bytes into at most max fields, each its own
 * exact-size heap string. Returns the number of fields. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, char **fields, size_t max)
{
        size_t n = 0, start = 0;
        for (size_t i = 0; i <= size && n < max; i++)
                if (i == size || data[i] == '\0') {
                        fields[n] = fuzz_strdup(data + start, i - start);
                        if (!fields[n])
                                break;
                        n++;
                        start = i + 1;
                }
        return n;
}

static inline void fuzz_free_fields(char **fields, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(fields[i]);
}
