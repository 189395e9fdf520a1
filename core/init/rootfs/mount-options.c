/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "mount-options.h"

struct flag_opt {
        const char *name;
        bool clear;
        unsigned long flag;
};

/* The spec's list (config.md "mounts") plus mount(8)'s spellings, as runc's
 * specconv and crun's mount_flags.perf have them. */
static const struct flag_opt flag_opts[] = {
        { "defaults", false, 0 },
        { "ro", false, MS_RDONLY },
        { "rw", true, MS_RDONLY },
        { "nosuid", false, MS_NOSUID },
        { "suid", true, MS_NOSUID },
        { "nodev", false, MS_NODEV },
        { "dev", true, MS_NODEV },
        { "noexec", false, MS_NOEXEC },
        { "exec", true, MS_NOEXEC },
        { "sync", false, MS_SYNCHRONOUS },
        { "async", true, MS_SYNCHRONOUS },
        { "dirsync", false, MS_DIRSYNC },
        { "remount", false, MS_REMOUNT },
        { "mand", false, MS_MANDLOCK },
        { "nomand", true, MS_MANDLOCK },
        { "noatime", false, MS_NOATIME },
        { "atime", true, MS_NOATIME },
        { "nodiratime", false, MS_NODIRATIME },
        { "diratime", true, MS_NODIRATIME },
        { "relatime", false, MS_RELATIME },
        { "norelatime", true, MS_RELATIME },
        { "strictatime", false, MS_STRICTATIME },
        { "nostrictatime", true, MS_STRICTATIME },
        { "lazytime", false, MS_LAZYTIME },
        { "nolazytime", true, MS_LAZYTIME },
        { "bind", false, MS_BIND },
        { "rbind", false, MS_BIND | MS_REC },
        { "silent", false, MS_SILENT },
        { "loud", true, MS_SILENT },
        { "iversion", false, MS_I_VERSION },
        { "noiversion", true, MS_I_VERSION },
        { "nosymfollow", false, MS_NOSYMFOLLOW },
        { "symfollow", true, MS_NOSYMFOLLOW },
        { "acl", false, MS_POSIXACL },
        { "noacl", true, MS_POSIXACL },
};

static const struct flag_opt propagation_opts[] = {
        { "private", false, MS_PRIVATE },       { "rprivate", false, MS_PRIVATE | MS_REC },
        { "shared", false, MS_SHARED },         { "rshared", false, MS_SHARED | MS_REC },
        { "slave", false, MS_SLAVE },           { "rslave", false, MS_SLAVE | MS_REC },
        { "unbindable", false, MS_UNBINDABLE }, { "runbindable", false, MS_UNBINDABLE | MS_REC },
};

/* Recursive attributes. The atime ones are a mode, not bits: mount_setattr
 * wants the whole MOUNT_ATTR__ATIME in attr_clr plus the new mode in
 * attr_set, and refuses a partial __ATIME clear with EINVAL. So every atime
 * option selects a mode (runc's table clears single atime bits, which the
 * kernel rejects): "ratime"/"rnostrictatime"/"rrelatime" -> relatime (the
 * kernel default when noatime/strictatime are off), "rnorelatime" and
 * "rstrictatime" -> strictatime, "rnoatime" -> noatime. */
struct rec_opt {
        const char *name;
        bool clear;
        bool atime;
        uint64_t attr;
};
static const struct rec_opt rec_opts[] = {
        { "rro", false, false, MOUNT_ATTR_RDONLY },
        { "rrw", true, false, MOUNT_ATTR_RDONLY },
        { "rnosuid", false, false, MOUNT_ATTR_NOSUID },
        { "rsuid", true, false, MOUNT_ATTR_NOSUID },
        { "rnodev", false, false, MOUNT_ATTR_NODEV },
        { "rdev", true, false, MOUNT_ATTR_NODEV },
        { "rnoexec", false, false, MOUNT_ATTR_NOEXEC },
        { "rexec", true, false, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", false, false, MOUNT_ATTR_NODIRATIME },
        { "rdiratime", true, false, MOUNT_ATTR_NODIRATIME },
        { "rnosymfollow", false, false, MOUNT_ATTR_NOSYMFOLLOW },
        { "rsymfollow", true, false, MOUNT_ATTR_NOSYMFOLLOW },
        { "rnoatime", false, true, MOUNT_ATTR_NOATIME },
        { "ratime", false, true, MOUNT_ATTR_RELATIME },
        { "rrelatime", false, true, MOUNT_ATTR_RELATIME },
        { "rnorelatime", false, true, MOUNT_ATTR_STRICTATIME },
        { "rstrictatime", false, true, MOUNT_ATTR_STRICTATIME },
        { "rnostrictatime", false, true, MOUNT_ATTR_RELATIME },
};

const char *const *mount_option_names(void)
{
        static const char *names[ELEMENTSOF(flag_opts) + ELEMENTSOF(propagation_opts) + ELEMENTSOF(rec_opts) + 7];
        if (!names[0]) {
                size_t n = 0;
                for (size_t i = 0; i < ELEMENTSOF(flag_opts); i++)
                        names[n++] = flag_opts[i].name;
                for (size_t i = 0; i < ELEMENTSOF(propagation_opts); i++)
                        names[n++] = propagation_opts[i].name;
                for (size_t i = 0; i < ELEMENTSOF(rec_opts); i++)
                        names[n++] = rec_opts[i].name;
                names[n++] = "tmpcopyup";
                names[n++] = "notmpcopyup";
                names[n++] = "src-nofollow";
                names[n++] = "dest-nofollow";
                names[n++] = "idmap";
                names[n++] = "ridmap";
        }
        return names;
}

int mount_propagation_from_string(const char *s, unsigned long *ret)
{
        for (size_t i = 0; s && i < ELEMENTSOF(propagation_opts); i++)
                if (streq(s, propagation_opts[i].name)) {
                        *ret = propagation_opts[i].flag;
                        return 0;
                }
        return -EINVAL;
}

static int data_append(char **data, const char *opt)
{
        char *n = NULL;
        if (*data ? asprintf(&n, "%s,%s", *data, opt) < 0 : !(n = strdup(opt)))
                return -ENOMEM;
        free(*data);
        *data = n;
        return 0;
}

static bool parse_flag(struct mount_options *o, const char *opt)
{
        for (size_t i = 0; i < ELEMENTSOF(flag_opts); i++) {
                const struct flag_opt *f = &flag_opts[i];
                if (!streq(opt, f->name))
                        continue;
                if (f->clear) {
                        o->flags &= ~f->flag;
                        o->cleared |= f->flag;
                } else {
                        o->flags |= f->flag;
                        o->cleared &= ~f->flag;
                }
                return true;
        }
        return false;
}

static bool parse_rec_attr(struct mount_options *o, const char *opt)
{
        for (size_t i = 0; i < ELEMENTSOF(rec_opts); i++) {
                const struct rec_opt *r = &rec_opts[i];
                if (!streq(opt, r->name))
                        continue;
                if (r->atime) {
                        o->rec_attr_clr |= MOUNT_ATTR__ATIME;
                        o->rec_attr_set = (o->rec_attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | r->attr;
                } else if (r->clear) {
                        o->rec_attr_clr |= r->attr;
                        o->rec_attr_set &= ~r->attr;
                } else {
                        o->rec_attr_set |= r->attr;
                        o->rec_attr_clr &= ~r->attr;
                }
                return true;
        }
        return false;
}

int mount_options_parse(char *const *options, struct mount_options *ret, struct modrun_error **reterr)
{
        struct mount_options o = {};
        for (size_t i = 0; options && options[i]; i++) {
                const char *opt = options[i];
                unsigned long prop;
                if (!*opt || parse_flag(&o, opt) || parse_rec_attr(&o, opt))
                        continue;
                if (mount_propagation_from_string(opt, &prop) == 0) {
                        if (o.n_propagation >= MOUNT_PROPAGATION_MAX) {
                                mount_options_done(&o);
                                return error_new(reterr, EINVAL, "give at most one propagation option",
                                                 "mount option %s: more than %d propagation options", opt,
                                                 MOUNT_PROPAGATION_MAX);
                        }
                        o.propagation[o.n_propagation++] = prop;
                } else if (streq(opt, "idmap"))
                        o.idmap = true;
                else if (streq(opt, "ridmap"))
                        o.ridmap = true;
                else if (streq(opt, "tmpcopyup"))
                        o.tmpcopyup = true;
                else if (streq(opt, "notmpcopyup"))
                        o.tmpcopyup = false;
                else if (streq(opt, "src-nofollow"))
                        o.src_nofollow = true;
                else if (streq(opt, "dest-nofollow"))
                        o.dest_nofollow = true;
                else if (data_append(&o.data, opt) < 0) {
                        mount_options_done(&o);
                        return error_new(reterr, ENOMEM, NULL, "mount option %s", opt);
                }
        }
        *ret = o;
        return 0;
}

void mount_options_done(struct mount_options *o)
{
        free(o->data);
        o->data = NULL;
}

bool mount_options_is_bind(const struct mount_options *o, const char *type)
{
        return (o->flags & MS_BIND) || (type && streq(type, "bind"));
}

bool mount_options_is_idmapped(const struct mount_options *o, size_t n_id_mappings)
{
        return o->idmap || o->ridmap || n_id_mappings;
}

bool mount_options_has_rec_attr(const struct mount_options *o)
{
        return o->rec_attr_set || o->rec_attr_clr;
}

struct bit_name {
        unsigned long bit;
        const char *name;
};

static const char *bits_to_string(unsigned long v, const struct bit_name *names, size_t n, char *buf, size_t size)
{
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && v; i++) {
                if ((v & names[i].bit) != names[i].bit || !names[i].bit)
                        continue;
                int k = snprintf(buf + len, size - len, "%s%s", len ? "|" : "", names[i].name);
                if (k < 0 || (size_t)k >= size - len)
                        return buf;
                len += (size_t)k;
                v &= ~names[i].bit;
        }
        if (v)
                (void)snprintf(buf + len, size - len, "%s0x%lx", len ? "|" : "", v);
        else if (!len)
                (void)snprintf(buf, size, "0");
        return buf;
}

#define BIT(x) { x, #x }
static const struct bit_name ms_names[] = {
        BIT(MS_RDONLY),     BIT(MS_NOSUID),     BIT(MS_NODEV),      BIT(MS_NOEXEC),      BIT(MS_SYNCHRONOUS),
        BIT(MS_REMOUNT),    BIT(MS_MANDLOCK),   BIT(MS_DIRSYNC),    BIT(MS_NOSYMFOLLOW), BIT(MS_NOATIME),
        BIT(MS_NODIRATIME), BIT(MS_BIND),       BIT(MS_MOVE),       BIT(MS_REC),         BIT(MS_SILENT),
        BIT(MS_UNBINDABLE), BIT(MS_PRIVATE),    BIT(MS_SLAVE),      BIT(MS_SHARED),      BIT(MS_RELATIME),
        BIT(MS_I_VERSION),  BIT(MS_STRICTATIME), BIT(MS_LAZYTIME),  BIT(MS_POSIXACL),
};
static const struct bit_name attr_names[] = {
        BIT(MOUNT_ATTR_RDONLY),     BIT(MOUNT_ATTR_NOSUID),      BIT(MOUNT_ATTR_NODEV),
        BIT(MOUNT_ATTR_NOEXEC),     BIT(MOUNT_ATTR__ATIME),      BIT(MOUNT_ATTR_NOATIME),
        BIT(MOUNT_ATTR_STRICTATIME), BIT(MOUNT_ATTR_NODIRATIME), BIT(MOUNT_ATTR_IDMAP),
        BIT(MOUNT_ATTR_NOSYMFOLLOW),
};

const char *mount_flags_to_string(unsigned long flags, char *buf, size_t size)
{
        return bits_to_string(flags, ms_names, ELEMENTSOF(ms_names), buf, size);
}

const char *mount_attr_to_string(uint64_t attr, char *buf, size_t size)
{
        return bits_to_string((unsigned long)attr, attr_names, ELEMENTSOF(attr_names), buf, size);
}
