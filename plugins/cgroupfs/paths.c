/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the container's cgroup lives, exactly as runc's cgroupfs driver
 * places it (libcontainer/specconv createCgroupConfig, cgroups/fs paths.go,
 * cgroups/fs2 defaultDirPath):
 *  - linux.cgroupsPath is cleaned with runc's CleanPath: an absolute path
 *    stays absolute, a relative one cannot climb out with "..";
 *  - empty, it is the container id (relative);
 *  - absolute: <mount point of the hierarchy>/<path> in every hierarchy;
 *  - relative: below the runtime's own cgroup in that hierarchy (from
 *    /proc/self/cgroup, made relative to the mount's root); on a pure
 *    cgroup v2 host below the parent of the own cgroup, which holds
 *    processes and so cannot delegate controllers (runc's fs2 does so).
 * On a hybrid host runc's cgroupfs driver also joins the cgroup2 hierarchy
 * (its "" subsystem), with the v1 rule; so do we.
 *
 * Refused, because they would make the container share (and destroy try to
 * remove) a cgroup it does not own: a path that cleans to "/" (the root of
 * every hierarchy) or "." (the runtime's own cgroup).
 *
 * Pure: strings in, strings out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroupfs.h"

char *cg_clean_path(const char *path)
{
        if (!path || !*path)
                return strdup("");
        bool abs = path[0] == '/';
        size_t len = strlen(path);
        char *out = malloc(len + 2), *copy = strdup(path);
        if (!out || !copy) {
                free(out);
                free(copy);
                return NULL;
        }
        size_t o = 0;
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--; /* the separator before the dropped component */
                        continue;
                }
                if (o > 0)
                        out[o++] = '/';
                size_t n = strlen(c);
                memcpy(out + o, c, n);
                o += n;
        }
        out[o] = '\0';
        free(copy);
        if (abs) {
                memmove(out + 1, out, o + 1);
                out[0] = '/';
        } else if (o == 0) {
                out[0] = '.';
                out[1] = '\0';
        }
        return out;
}

int cg_inner_path(const char *cgroups_path, const char *id, char **ret, const char **ret_why)
{
        bool from_id = !cgroups_path || !*cgroups_path;
        char *p = cg_clean_path(from_id ? id : cgroups_path);
        if (!p)
                return -ENOMEM;
        const char *why = NULL;
        if (!*p)
                why = "the container id is empty";
        else if (strcmp(p, "/") == 0)
                why = "it is the root cgroup of every hierarchy, which the container cannot own";
        else if (strcmp(p, ".") == 0)
                why = "it is the runtime's own cgroup, which the container cannot own";
        if (why) {
                free(p);
                if (ret_why)
                        *ret_why = why;
                return -EINVAL;
        }
        *ret = p;
        return 0;
}

/* own relative to the mount's root: "/a/b" under root "/a" is "/b". */
static const char *below_root(const char *own, const char *root)
{
        size_t n = strlen(root);
        if (strcmp(root, "/") == 0)
                return own;
        if (strncmp(own, root, n) != 0 || (own[n] != '\0' && own[n] != '/'))
                return NULL;
        return own + n;
}

static int join3(const char *a, const char *b, const char *c, char **ret)
{
        char *out = NULL;
        if (asprintf(&out, "%s/%s/%s", a, b, c) < 0)
                return -ENOMEM;
        char *clean = cg_clean_path(out);
        free(out);
        if (!clean)
                return -ENOMEM;
        *ret = clean;
        return 0;
}

int cg_dir_for(const struct cg_mount *m, enum cg_mode mode, const char *inner, const char *own, char **ret,
               const char **ret_why)
{
        if (inner[0] == '/')
                return join3(m->mountpoint, "", inner, ret);
        if (!own) {
                *ret_why = "the runtime's own cgroup in this hierarchy is unknown (not in /proc/self/cgroup)";
                return -ENOENT;
        }
        const char *rel = below_root(own, m->root);
        if (!rel) {
                *ret_why = "the runtime's own cgroup is outside the part of the hierarchy mounted here";
                return -EXDEV;
        }
        _cleanup_free_ char *base = strdup(rel);
        if (!base)
                return -ENOMEM;
        if (m->unified && mode == CG_MODE_V2) {
                char *slash = strrchr(base, '/');
                if (slash)
                        *slash = '\0'; /* the parent of the own cgroup ("/" stays the root) */
        }
        return join3(m->mountpoint, base, inner, ret);
}
