/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The id maps themselves (pure): the kernel's rules for uid_map/gid_map
 * (kernel/user_namespace.c, map_write), checked before anything is written
 * so that the error can name the entry instead of the kernel's bare EINVAL.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "idmap.h"

static int why_set(char **ret_why, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why_set(char **ret_why, int err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (ret_why && vasprintf(ret_why, fmt, ap) < 0)
                *ret_why = NULL;
        va_end(ap);
        return -err;
}

static uint64_t last_of(uint32_t first, uint32_t size)
{
        return (uint64_t)first + size - 1;
}

static bool ranges_overlap(uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
        return (uint64_t)a <= last_of(b, bn) && (uint64_t)b <= last_of(a, an);
}

int idmap_validate(const struct idmap_set *m, char **ret_why)
{
        if (m->n == 0)
                return why_set(ret_why, EINVAL,
                               "linux.%s is empty: a new user namespace needs at least one mapping", m->key);
        if (m->n > IDMAP_MAX_LINES)
                return why_set(ret_why, E2BIG, "linux.%s has %zu entries, the kernel takes at most %d", m->key, m->n,
                               IDMAP_MAX_LINES);
        for (size_t i = 0; i < m->n; i++) {
                const struct idmap_entry *e = &m->e[i];
                if (e->size == 0)
                        return why_set(ret_why, EINVAL,
                                       "linux.%s[%zu] (containerID %" PRIu32 ", hostID %" PRIu32
                                       ", size 0) maps no id: size must be at least 1",
                                       m->key, i, e->container_id, e->host_id);
                uint64_t cend = (uint64_t)e->container_id + e->size, hend = (uint64_t)e->host_id + e->size;
                if (cend > IDMAP_ID_LIMIT || hend > IDMAP_ID_LIMIT)
                        return why_set(ret_why, EINVAL,
                                       "linux.%s[%zu] (containerID %" PRIu32 ", hostID %" PRIu32 ", size %" PRIu32
                                       ") goes beyond 2^32: %s %" PRIu32 " + size %" PRIu32
                                       " must be at most %llu (the id 4294967295 cannot be mapped)",
                                       m->key, i, e->container_id, e->host_id, e->size,
                                       cend > IDMAP_ID_LIMIT ? "containerID" : "hostID",
                                       cend > IDMAP_ID_LIMIT ? e->container_id : e->host_id, e->size,
                                       IDMAP_ID_LIMIT);
                for (size_t j = 0; j < i; j++) {
                        const struct idmap_entry *p = &m->e[j];
                        bool c = ranges_overlap(e->container_id, e->size, p->container_id, p->size);
                        bool h = ranges_overlap(e->host_id, e->size, p->host_id, p->size);
                        if (!c && !h)
                                continue;
                        return why_set(ret_why, EINVAL,
                                       "linux.%s[%zu] (containerID %" PRIu32 ", hostID %" PRIu32 ", size %" PRIu32
                                       ") overlaps linux.%s[%zu] (containerID %" PRIu32 ", hostID %" PRIu32
                                       ", size %" PRIu32 ") in its %s ids %" PRIu32 "-%" PRIu64
                                       ": each id may be mapped once, in both directions",
                                       m->key, i, e->container_id, e->host_id, e->size, m->key, j,
                                       p->container_id, p->host_id, p->size, c ? "container" : "host",
                                       c ? e->container_id : e->host_id,
                                       last_of(c ? e->container_id : e->host_id, e->size));
                }
        }
        _cleanup_free_ char *text = idmap_format(m);
        if (!text)
                return -ENOMEM;
        if (strlen(text) >= IDMAP_TEXT_MAX)
                return why_set(ret_why, E2BIG,
                               "linux.%s is %zu bytes as written to the kernel, which takes less than %d in "
                               "one write: use fewer, larger ranges",
                               m->key, strlen(text), IDMAP_TEXT_MAX);
        return 0;
}

static bool streq_nl(const char *s)
{
        return strcmp(s, "\n") == 0;
}

static char *format_sep(const struct idmap_set *m, const char *sep)
{
        size_t cap = m->n * 40 + 1, len = 0;
        char *buf = malloc(cap);
        if (!buf)
                return NULL;
        buf[0] = '\0';
        bool terminator = streq_nl(sep); /* "\n" ends every line, ", " only separates */
        for (size_t i = 0; i < m->n; i++) {
                int k = snprintf(buf + len, cap - len, "%" PRIu32 " %" PRIu32 " %" PRIu32 "%s", m->e[i].container_id,
                                 m->e[i].host_id, m->e[i].size, terminator || i + 1 < m->n ? sep : "");
                if (k < 0 || (size_t)k >= cap - len) {
                        free(buf);
                        return NULL;
                }
                len += (size_t)k;
        }
        return buf;
}

char *idmap_format(const struct idmap_set *m)
{
        return format_sep(m, "\n");
}

char *idmap_format_inline(const struct idmap_set *m)
{
        return format_sep(m, ", ");
}

char *idmap_ranges(const struct idmap_set *m)
{
        if (m->n == 0)
                return strdup("nothing");
        size_t cap = m->n * 80 + 16, len = 0;
        char *buf = malloc(cap);
        if (!buf)
                return NULL;
        buf[0] = '\0';
        for (size_t i = 0; i < m->n; i++) {
                const struct idmap_entry *e = &m->e[i];
                int k = snprintf(buf + len, cap - len, "%shost %" PRIu32 "-%" PRIu64 " -> container %" PRIu32 "-%" PRIu64,
                                 i ? "; " : "", e->host_id, last_of(e->host_id, e->size ? e->size : 1),
                                 e->container_id, last_of(e->container_id, e->size ? e->size : 1));
                if (k < 0 || (size_t)k >= cap - len) {
                        free(buf);
                        return NULL;
                }
                len += (size_t)k;
        }
        return buf;
}

bool idmap_to_host(const struct idmap_set *m, uint32_t c, uint32_t *ret_host)
{
        for (size_t i = 0; i < m->n; i++) {
                const struct idmap_entry *e = &m->e[i];
                if (e->size && c >= e->container_id && (uint64_t)c <= last_of(e->container_id, e->size)) {
                        if (ret_host)
                                *ret_host = e->host_id + (c - e->container_id);
                        return true;
                }
        }
        return false;
}

bool idmap_from_host(const struct idmap_set *m, uint32_t h, uint32_t *ret_container)
{
        for (size_t i = 0; i < m->n; i++) {
                const struct idmap_entry *e = &m->e[i];
                if (e->size && h >= e->host_id && (uint64_t)h <= last_of(e->host_id, e->size)) {
                        if (ret_container)
                                *ret_container = e->container_id + (h - e->host_id);
                        return true;
                }
        }
        return false;
}

bool idmap_is_single_own(const struct idmap_set *m, uint32_t id)
{
        return m->n == 1 && m->e[0].size == 1 && m->e[0].host_id == id;
}

/*
 * The map of a new user namespace whose config.json has none, as crun
 * does (libcrun_set_usernamespace, format_default_id_mapping): with a
 * subordinate range of the runtime's user (/etc/subuid or /etc/subgid),
 * the container id of the process (process.user) is the runtime's own id
 * and the range fills the ids below and above it; without one, a
 * privileged runtime maps container 0..id to host 0..id (identity), and
 * an unprivileged one maps container 0 to its own id.
 */
int idmap_default_set(struct idmap_set *ret, uint32_t container_id, uint32_t host_id, const struct idmap_subrange *sub)
{
        struct idmap_entry *e = calloc(3, sizeof(*e));
        if (!e)
                return -ENOMEM;
        size_t n = 0;
        if (sub && sub->count > 0) {
                uint32_t from = sub->from, avail = sub->count;
                uint32_t used = container_id < avail ? container_id : avail;
                if (used > 0)
                        e[n++] = (struct idmap_entry){ .container_id = 0, .host_id = from, .size = used };
                from += used;
                avail -= used;
                e[n++] = (struct idmap_entry){ .container_id = container_id, .host_id = host_id, .size = 1 };
                if (avail > 0 && container_id < UINT32_MAX)
                        e[n++] = (struct idmap_entry){ .container_id = container_id + 1, .host_id = from, .size = avail };
        } else if (host_id != 0)
                e[n++] = (struct idmap_entry){ .container_id = 0, .host_id = host_id, .size = 1 };
        else
                e[n++] = (struct idmap_entry){ .container_id = 0, .host_id = 0,
                                               .size = container_id < UINT32_MAX - 1 ? container_id + 1 : UINT32_MAX - 1 };
        free(ret->e);
        ret->e = e;
        ret->n = n;
        return 0;
}
