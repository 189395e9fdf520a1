/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup layout of the host as this process sees it, from the text of
 * /proc/self/mountinfo: every visible cgroup (v1) and cgroup2 mount, one per
 * hierarchy, and from them the mode:
 *   v1      only cgroup mounts
 *   v2      only a cgroup2 mount (usually on /sys/fs/cgroup)
 *   hybrid  both: v1 controllers, plus cgroup2 (usually at
 *           /sys/fs/cgroup/unified) that holds no controller or a few
 * A mount hidden by a later mount on its mount point or on a parent of it
 * does not count: cgroup2 mounted over /sys/fs/cgroup hides the v1 mounts
 * beneath it, and the host then is pure v2 for this process.
 *
 * Pure: no file is read here, so the unit tests feed it any text.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "cgroupfs.h"

/* The v1 controllers the kernel knows; other super options (rw,
 * clone_children, xattr, release_agent=...) are not controllers. */
static const char *const known_controllers[] = {
        "cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls",
        "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc", "debug",
};

struct mi_entry {
        int id, parent;
        char *dev, *root, *mountpoint, *fstype, *superopts;
};

const char *cg_mode_to_string(enum cg_mode mode)
{
        switch (mode) {
        case CG_MODE_V1:
                return "cgroup v1";
        case CG_MODE_V2:
                return "cgroup v2";
        case CG_MODE_HYBRID:
                return "hybrid (cgroup v1 controllers plus cgroup2)";
        default:
                return "no cgroup file system";
        }
}

bool cg_list_has(const char *list, const char *ctrl)
{
        size_t len = strlen(ctrl);
        for (const char *p = list; p && *p;) {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                if (n == len && strncmp(p, ctrl, n) == 0)
                        return true;
                p = end ? end + 1 : NULL;
        }
        return false;
}

/* Same set of comma-separated names? */
static bool list_equal(const char *a, const char *b)
{
        size_t na = 0, nb = 0;
        for (const char *p = a; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
                char name[64];
                size_t n = strcspn(p, ",");
                if (n == 0 || n >= sizeof(name))
                        return false;
                memcpy(name, p, n);
                name[n] = '\0';
                if (!cg_list_has(b, name))
                        return false;
                na++;
        }
        for (const char *p = b; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
                nb++;
        return na == nb;
}

/* The kernel escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
        char *w = s;
        for (const char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 4;
                } else
                        *w++ = *r++;
        }
        *w = '\0';
}

/* Split one line in place; false for a line that does not parse. */
static bool mi_split(char *line, struct mi_entry *e)
{
        char *dash = strstr(line, " - ");
        if (!dash)
                return false;
        *dash = '\0';
        /* strsep, not strtok: a field may be empty (a source of ""). */
        char *rest = line, *f[5], *after = dash + 3;
        for (int i = 0; i < 5; i++)
                if (!rest || !(f[i] = strsep(&rest, " ")))
                        return false;
        char *fstype = strsep(&after, " ");
        char *source = after ? strsep(&after, " ") : NULL;
        char *superopts = after ? strsep(&after, " ") : NULL;
        if (!fstype || !source || !superopts)
                return false;
        char *end1 = NULL, *end2 = NULL;
        long id = strtol(f[0], &end1, 10), parent = strtol(f[1], &end2, 10);
        if (*end1 || *end2 || end1 == f[0] || end2 == f[1])
                return false;
        unescape(f[3]);
        unescape(f[4]);
        *e = (struct mi_entry){ .id = (int)id, .parent = (int)parent, .dev = f[2], .root = f[3], .mountpoint = f[4], .fstype = fstype,
                                .superopts = superopts };
        return true;
}

/* Is dir equal to path or one of its parents? */
static bool path_covers(const char *dir, const char *path)
{
        size_t n = strlen(dir);
        if (strcmp(dir, "/") == 0)
                return true;
        return strncmp(dir, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Is mount id `anc` mount `i` itself or one of its parents? */
static bool is_ancestor(const struct mi_entry *e, size_t n, size_t i, int anc)
{
        int id = e[i].id;
        for (size_t steps = 0; steps <= n; steps++) {
                if (id == anc)
                        return true;
                size_t k = 0;
                while (k < n && e[k].id != id)
                        k++;
                if (k == n || e[k].parent == id)
                        return false;
                id = e[k].parent;
        }
        return false;
}

/* Mount i is hidden when another mount b sits on its mount point or on a
 * directory above it, stacked onto i or onto one of i's parents (and is
 * not itself one of i's parents, through which i is reached). */
static bool is_hidden(const struct mi_entry *e, size_t n, size_t i)
{
        for (size_t b = 0; b < n; b++) {
                if (b == i || !path_covers(e[b].mountpoint, e[i].mountpoint) || is_ancestor(e, n, i, e[b].id))
                        continue;
                if (is_ancestor(e, n, i, e[b].parent))
                        return true;
        }
        return false;
}

/* "rw,cpu,cpuacct,clone_children" -> "cpu,cpuacct" (malloc()ed). */
static char *v1_controllers(const char *superopts)
{
        size_t len = strlen(superopts);
        char *out = calloc(1, len + 1), *copy = strdup(superopts);
        if (!out || !copy) {
                free(out);
                free(copy);
                return NULL;
        }
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                bool known = strncmp(t, "name=", 5) == 0;
                for (size_t i = 0; !known && i < sizeof(known_controllers) / sizeof(*known_controllers); i++)
                        known = strcmp(t, known_controllers[i]) == 0;
                if (!known)
                        continue;
                if (*out)
                        (void)strncat(out, ",", len - strlen(out));
                (void)strncat(out, t, len - strlen(out));
        }
        free(copy);
        return out;
}

static int add_mount(struct cg_layout *l, const struct mi_entry *e, char **devs)
{
        bool unified = strcmp(e->fstype, "cgroup2") == 0;
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(devs[i], e->dev) == 0)
                        return 0; /* the same hierarchy, mounted twice: keep the first */
        if (l->n >= CG_MAX_MOUNTS)
                return -E2BIG;
        struct cg_mount *m = &l->m[l->n];
        unsigned maj, min;
        m->unified = unified;
        m->dev = sscanf(e->dev, "%u:%u", &maj, &min) == 2 ? makedev(maj, min) : 0;
        m->mountpoint = strdup(e->mountpoint);
        m->root = strdup(e->root);
        m->controllers = unified ? strdup("") : v1_controllers(e->superopts);
        devs[l->n] = strdup(e->dev);
        l->n++;
        if (!m->mountpoint || !m->root || !m->controllers || !devs[l->n - 1])
                return -ENOMEM;
        return 0;
}

/* Split every line; entries point into the copy of the text. */
static int mi_parse_all(char *text, struct mi_entry **ret, size_t *ret_n)
{
        size_t n = 0, cap = 64;
        struct mi_entry *v = malloc(cap * sizeof(*v));
        if (!v)
                return -ENOMEM;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (n == cap) {
                        struct mi_entry *g = realloc(v, 2 * cap * sizeof(*v));
                        if (!g) {
                                free(v);
                                return -ENOMEM;
                        }
                        v = g;
                        cap *= 2;
                }
                if (mi_split(line, &v[n]))
                        n++;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int cg_layout_parse(const char *mountinfo, struct cg_layout *ret)
{
        _cleanup_free_ char *text = strdup(mountinfo ? mountinfo : "");
        _cleanup_free_ struct mi_entry *e = NULL;
        size_t n = 0;
        if (!text)
                return -ENOMEM;
        int r = mi_parse_all(text, &e, &n);
        if (r < 0)
                return r;
        struct cg_layout l = { .mode = CG_MODE_NONE };
        char *devs[CG_MAX_MOUNTS] = { 0 };
        for (size_t i = 0; i < n && r >= 0; i++) {
                if (strcmp(e[i].fstype, "cgroup") != 0 && strcmp(e[i].fstype, "cgroup2") != 0)
                        continue;
                if (is_hidden(e, n, i))
                        continue;
                r = add_mount(&l, &e[i], devs);
        }
        for (size_t i = 0; i < CG_MAX_MOUNTS; i++)
                free(devs[i]);
        if (r < 0) {
                cg_layout_done(&l);
                return r;
        }
        cg_layout_set_mode(&l);
        *ret = l;
        return 0;
}

void cg_layout_set_mode(struct cg_layout *l)
{
        bool v1 = false, v2 = false;
        for (size_t i = 0; i < l->n; i++) {
                v2 |= l->m[i].unified;
                v1 |= !l->m[i].unified;
        }
        l->mode = v1 && v2 ? CG_MODE_HYBRID : v1 ? CG_MODE_V1 : v2 ? CG_MODE_V2 : CG_MODE_NONE;
}

int cg_mount_record(const struct cg_mount *m, char **ret)
{
        *ret = NULL;
        if (strpbrk(m->controllers, "\t\n") || strpbrk(m->root, "\t\n") || strchr(m->mountpoint, '\n'))
                return -EINVAL;
        return asprintf(ret, "%d\t%u:%u\t%s\t%s\t%s", m->unified, major(m->dev), minor(m->dev), m->controllers,
                        m->root, m->mountpoint) < 0 ? (*ret = NULL, -ENOMEM) : 0;
}

int cg_layout_add_recorded(struct cg_layout *l, const char *line)
{
        char *f[4]; /* the tabs after UNIFIED, DEV, CONTROLLERS, ROOT */
        const char *p = line;
        for (int i = 0; i < 4; i++) {
                if (!(f[i] = strchr(p, '\t')))
                        return -EINVAL;
                p = f[i] + 1;
        }
        unsigned maj, min;
        int end = 0;
        if ((strncmp(line, "0\t", 2) != 0 && strncmp(line, "1\t", 2) != 0) ||
            sscanf(f[0] + 1, "%u:%u%n", &maj, &min, &end) != 2 || f[0] + 1 + end != f[1] || f[2][1] != '/' ||
            f[3][1] != '/')
                return -EINVAL;
        if (l->n >= CG_MAX_MOUNTS)
                return -E2BIG;
        struct cg_mount *m = &l->m[l->n++];
        m->unified = line[0] == '1';
        m->dev = makedev(maj, min);
        m->controllers = strndup(f[1] + 1, (size_t)(f[2] - f[1] - 1));
        m->root = strndup(f[2] + 1, (size_t)(f[3] - f[2] - 1));
        m->mountpoint = strdup(f[3] + 1);
        return m->controllers && m->root && m->mountpoint ? 0 : -ENOMEM;
}

void cg_layout_done(struct cg_layout *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->m[i].mountpoint);
                free(l->m[i].root);
                free(l->m[i].controllers);
        }
        l->n = 0;
}

int cg_own_cgroup(const char *proc_cgroup, const struct cg_mount *m, char **ret)
{
        for (const char *line = proc_cgroup; line && *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                const char *c1 = memchr(line, ':', len);
                const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
                if (c2) {
                        char ctrls[256];
                        size_t cn = (size_t)(c2 - c1 - 1);
                        bool is_v2 = cn == 0 && c1 - line == 1 && line[0] == '0';
                        if (cn < sizeof(ctrls)) {
                                memcpy(ctrls, c1 + 1, cn);
                                ctrls[cn] = '\0';
                                if (m->unified ? is_v2 : (cn > 0 && list_equal(ctrls, m->controllers))) {
                                        *ret = strndup(c2 + 1, len - (size_t)(c2 + 1 - line));
                                        return *ret ? 0 : -ENOMEM;
                                }
                        }
                }
                line = end ? end + 1 : NULL;
        }
        return -ENOENT;
}
