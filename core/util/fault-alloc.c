/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocation torture (test builds only, like curl's): with
 * MODRUN_TEST_FAIL_ALLOC=N the Nth heap allocation of the process fails
 * with ENOMEM, every other one succeeds. Linked into the modrun binary
 * only, where these definitions take the place of libc's for every caller
 * (glibc routes its own strdup, asprintf, getline, ... and json-c's
 * allocations through them) and forward to glibc's allocator. A forked
 * child (the helper, the init) goes on counting from its parent's count
 * (exec's process, sharing the runtime's memory, counts in its count);
 * an exec()ed one (the sealed re-exec) starts from 1 again.
 *
 * MODRUN_TEST_FAIL_ALLOC=count fails nothing and, when the process exits
 * (not _exit: the helper and init do not count), writes the number of
 * allocations it made to stderr, so that a test knows how far to walk.
 *
 * Not built with -Db_sanitize: ASan brings its own malloc.
 */
#include <dlfcn.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

extern char **environ;
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);

static long alloc_fail_at = -1; /* -1: not read yet, 0: off */
static long alloc_count;
static bool alloc_counting;

/* The count, for MODRUN_TEST_FAIL_ALLOC=count (dprintf: no allocation). */
__attribute__((destructor)) static void alloc_report(void)
{
        if (alloc_counting)
                (void)dprintf(STDERR_FILENO, "modrun: test build: %ld heap allocations\n", alloc_count);
}

/* Allocations exempt from failing (FAULT_ALLOC_EXEMPT) where a library
 * does not survive a failed allocation of its own, a library bug, not
 * modrun's:
 * - json-c 0.16's tokener: json_tokener_parse_ex() hands a NULL key to
 *   json_object_object_add_ex(), which crashes in strlen(); or it returns
 *   NULL with json_tokener_success;
 * - libseccomp 2.5.4's seccomp_export_bpf(): its program generator crashes
 *   (SIGSEGV, or a double free) on an allocation failed half-way.
 * Everything modrun does with their APIs besides is failed and counted. */
static int alloc_exempt;

void fault_alloc_exempt(int delta)
{
        alloc_exempt += delta;
}

struct json_object *json_tokener_parse_ex(struct json_tokener *tok, const char *str, int len)
{
        static struct json_object *(*real)(struct json_tokener *, const char *, int);
        if (!real)
                *(void **)&real = dlsym(RTLD_NEXT, "json_tokener_parse_ex");
        if (!real)
                abort();
        alloc_exempt++;
        struct json_object *o = real(tok, str, len);
        alloc_exempt--;
        return o;
}

static bool alloc_should_fail(void)
{
        if (alloc_exempt)
                return false;
        if (alloc_fail_at < 0) {
                if (!environ) /* too early: the environment is not set up */
                        return false;
                const char *v = getenv("MODRUN_TEST_FAIL_ALLOC");
                char *end = NULL;
                long n = v ? strtol(v, &end, 10) : 0;
                alloc_counting = v && strcmp(v, "count") == 0;
                alloc_fail_at = alloc_counting ? LONG_MAX : v && *end == '\0' && n > 0 ? n : 0;
        }
        if (alloc_fail_at == 0 || ++alloc_count != alloc_fail_at)
                return false;
        errno = ENOMEM;
        return true;
}

void *malloc(size_t size) { return alloc_should_fail() ? NULL : __libc_malloc(size); }

void *calloc(size_t n, size_t size) { return alloc_should_fail() ? NULL : __libc_calloc(n, size); }

void *realloc(void *p, size_t size)
{
        /* realloc(p, 0) frees: not an allocation that can fail */
        if (p && size == 0)
                return __libc_realloc(p, size);
        return alloc_should_fail() ? NULL : __libc_realloc(p, size);
}
