/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /proc/PID/mountinfo (proc(5)): one mount per line,
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)      (6)      (7...)  -  (8)     (9)          (10)
 *
 * Fields are separated by single spaces; the kernel escapes space, tab,
 * newline and backslash inside a field as \ooo (octal), so "My Disk" reads
 * "My\040Disk". The optional fields (7) run up to a lone "-".
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs-util.h"
#include "mountinfo.h"

#define MOUNTINFO_FIELDS_MIN 9 /* 6 fixed, "-", fs type, source (super options may be missing) */

/* Copy the field s[0..len) with every \ooo turned into its byte. */
static char *unescape_dup(const char *s, size_t len)
{
        char *out = malloc(len + 1);
        if (!out)
                return NULL;
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        out[o++] = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
                        i += 3;
                } else
                        out[o++] = s[i];
        }
        out[o] = '\0';
        return out;
}

static bool parse_int(const char *s, size_t len, int *ret)
{
        char buf[16];
        if (len == 0 || len >= sizeof(buf))
                return false;
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *end = NULL;
        errno = 0;
        long v = strtol(buf, &end, 10);
        if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX)
                return false;
        *ret = (int)v;
        return true;
}

static bool parse_dev(const char *s, size_t len, unsigned *ret_major, unsigned *ret_minor)
{
        char buf[32];
        if (len == 0 || len >= sizeof(buf))
                return false;
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *colon = NULL, *end = NULL;
        errno = 0;
        unsigned long ma = strtoul(buf, &colon, 10);
        if (errno != 0 || colon == buf || *colon != ':')
                return false;
        unsigned long mi = strtoul(colon + 1, &end, 10);
        if (errno != 0 || end == colon + 1 || *end != '\0' || ma > UINT_MAX || mi > UINT_MAX)
                return false;
        *ret_major = (unsigned)ma;
        *ret_minor = (unsigned)mi;
        return true;
}

struct span {
        const char *p;
        size_t len;
};

/* Split one line (no '\n') at single spaces into at most max fields. */
static size_t split_fields(const char *line, size_t len, struct span *f, size_t max)
{
        size_t n = 0, start = 0;
        for (size_t i = 0; i <= len && n < max; i++)
                if (i == len || line[i] == ' ') {
                        f[n++] = (struct span){line + start, i - start};
                        start = i + 1;
                }
        return n;
}

static void entry_done(struct mountinfo_entry *e)
{
        free(e->root);
        free(e->mount_point);
        free(e->options);
        free(e->optional);
        free(e->fstype);
        free(e->source);
        free(e->super_options);
}

/* Returns 0, -EBADMSG for a malformed line, -ENOMEM. */
static int parse_line(const char *line, size_t len, struct mountinfo_entry *ret)
{
        struct span f[64];
        size_t n = split_fields(line, len, f, sizeof(f) / sizeof(f[0]));
        if (n < MOUNTINFO_FIELDS_MIN)
                return -EBADMSG;
        size_t dash = 6;
        while (dash < n && !(f[dash].len == 1 && f[dash].p[0] == '-'))
                dash++;
        if (dash + 2 >= n)
                return -EBADMSG;

        struct mountinfo_entry e = {0};
        if (!parse_int(f[0].p, f[0].len, &e.mount_id) || !parse_int(f[1].p, f[1].len, &e.parent_id) ||
            !parse_dev(f[2].p, f[2].len, &e.major, &e.minor))
                return -EBADMSG;
        /* The optional fields, joined as the kernel printed them. */
        const char *opt = f[6].p;
        size_t opt_len = dash > 6 ? (size_t)(f[dash - 1].p + f[dash - 1].len - opt) : 0;
        e.root = unescape_dup(f[3].p, f[3].len);
        e.mount_point = unescape_dup(f[4].p, f[4].len);
        e.options = unescape_dup(f[5].p, f[5].len);
        e.optional = unescape_dup(opt, opt_len);
        e.fstype = unescape_dup(f[dash + 1].p, f[dash + 1].len);
        e.source = unescape_dup(f[dash + 2].p, f[dash + 2].len);
        /* Super options are the rest of the line (old kernels may omit them). */
        e.super_options = dash + 3 < n ? unescape_dup(f[dash + 3].p, (size_t)(line + len - f[dash + 3].p))
                                       : strdup("");
        if (!e.root || !e.mount_point || !e.options || !e.optional || !e.fstype || !e.source ||
            !e.super_options) {
                entry_done(&e);
                return -ENOMEM;
        }
        *ret = e;
        return 0;
}

/* Is the line's mount point (field 5, as escaped) path or beneath it?
 * path has no character mountinfo escapes, so the escaped form compares
 * exactly. A line without five fields is kept (parse_line rejects it). */
static bool line_under(const char *line, size_t len, const char *path)
{
        const char *f = line, *end = line + len;
        for (int i = 0; i < 4; i++) {
                f = memchr(f, ' ', (size_t)(end - f));
                if (!f)
                        return true;
                f++;
        }
        const char *fe = memchr(f, ' ', (size_t)(end - f));
        size_t flen = fe ? (size_t)(fe - f) : (size_t)(end - f), plen = strlen(path);
        return flen >= plen && memcmp(f, path, plen) == 0 && (flen == plen || f[plen] == '/');
}

static int parse_lines(const char *text, const char *under, struct mountinfo_entry **ret_entries, size_t *ret_n,
                       struct modrun_error **reterr)
{
        struct mountinfo_entry *v = NULL;
        size_t n = 0, cap = 0, lineno = 0;
        for (const char *p = text; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                const char *line = p;
                p += len + (nl ? 1 : 0);
                lineno++;
                if (len == 0 || (under && !line_under(line, len, under)))
                        continue;
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 32;
                        struct mountinfo_entry *nv = realloc(v, ncap * sizeof(*v));
                        if (!nv) {
                                mountinfo_free(v, n);
                                return error_new(reterr, ENOMEM, NULL, "parse mountinfo");
                        }
                        v = nv;
                        cap = ncap;
                }
                int r = parse_line(line, len, &v[n]);
                if (r < 0) {
                        mountinfo_free(v, n);
                        if (r == -ENOMEM)
                                return error_new(reterr, ENOMEM, NULL, "parse mountinfo");
                        return error_new(reterr, EBADMSG, NULL, "mountinfo line %zu is malformed: \"%.*s\"",
                                         lineno, (int)(len > 200 ? 200 : len), line);
                }
                n++;
        }
        *ret_entries = v;
        *ret_n = n;
        return 0;
}

int mountinfo_parse(const char *text, struct mountinfo_entry **ret_entries, size_t *ret_n,
                    struct modrun_error **reterr)
{
        return parse_lines(text, NULL, ret_entries, ret_n, reterr);
}

int mountinfo_parse_under(const char *text, const char *path, struct mountinfo_entry **ret_entries, size_t *ret_n,
                          struct modrun_error **reterr)
{
        return parse_lines(text, path, ret_entries, ret_n, reterr);
}

void mountinfo_free(struct mountinfo_entry *e, size_t n)
{
        for (size_t i = 0; e && i < n; i++)
                entry_done(&e[i]);
        free(e);
}

const struct mountinfo_entry *mountinfo_find(const struct mountinfo_entry *e, size_t n, const char *mount_point)
{
        for (size_t i = n; i > 0; i--)
                if (streq(e[i - 1].mount_point, mount_point))
                        return &e[i - 1];
        return NULL;
}

/*
 * pivot_root(2) needs the current root mount to have a parent mount. The
 * initial rootfs of an initramfs has none: the kernel prints a mount without
 * parent (the root of its namespace) with its own id as parent id. A parent
 * id that is merely absent from the table proves nothing: on every ordinary
 * host "/" sits on the hidden initial rootfs (e.g. "27 1 ... / / ... ext4"),
 * which mountinfo never lists.
 */
int mountinfo_root_is_initramfs(const struct mountinfo_entry *e, size_t n, char **ret_why)
{
        const struct mountinfo_entry *root = mountinfo_find(e, n, "/");
        char *why = NULL;
        int yes, r;
        if (!root) {
                yes = 0;
                r = asprintf(&why, "no mount is at / in mountinfo (a chroot?), so / is not the initramfs rootfs");
        } else if (streq(root->fstype, "rootfs")) {
                yes = 1;
                r = asprintf(&why, "/ is fs type rootfs (the initramfs), it has no parent mount");
        } else if (root->parent_id == root->mount_id) {
                yes = 1;
                r = asprintf(&why, "/ is %s from %s and has no parent mount (mount %d is its own parent)",
                             root->fstype, root->source, root->mount_id);
        } else {
                yes = 0;
                r = asprintf(&why, "/ is %s from %s", root->fstype, root->source);
        }
        if (r < 0)
                return -ENOMEM;
        if (ret_why)
                *ret_why = why;
        else
                free(why);
        return yes;
}

/* The runtime's mount table as text, read on first use. Before the
 * container's init exists, nothing the runtime does changes a mount it
 * looks at (the root, the cgroup hierarchies), and at 300 mounts each read
 * costs 0.75 ms of the kernel's formatting (bench/README.md). */
static char *self_text;

int mountinfo_self_text(const char **ret_text, struct modrun_error **reterr)
{
        if (!self_text) {
                int r = fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &self_text, reterr);
                if (r < 0)
                        return r;
        }
        *ret_text = self_text;
        return 0;
}

const char *mountinfo_self_text_kept(void) { return self_text; }

int mountinfo_read_self_once(struct mountinfo_entry **ret_entries, size_t *ret_n, struct modrun_error **reterr)
{
        const char *text = NULL;
        int r = mountinfo_self_text(&text, reterr);
        return r < 0 ? r : mountinfo_parse(text, ret_entries, ret_n, reterr);
}

int mountinfo_read_self(struct mountinfo_entry **ret_entries, size_t *ret_n, struct modrun_error **reterr)
{
        _cleanup_free_ char *text = NULL;
        int r = fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &text, reterr);
        return r < 0 ? r : mountinfo_parse(text, ret_entries, ret_n, reterr);
}

int mountinfo_has_devices_v1(const struct mountinfo_entry *e, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (!streq(e[i].fstype, "cgroup") || !e[i].super_options)
                        continue;
                for (const char *p = e[i].super_options; (p = strstr(p, "devices")); p += 7)
                        if ((p == e[i].super_options || p[-1] == ',') && (p[7] == '\0' || p[7] == ','))
                                return 1;
        }
        return 0;
}
