/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading one plugin file: find <kind>-<name>.so in the plugin directories,
 * open it O_PATH|O_NOFOLLOW, check the file and its directory (type, owner,
 * mode), dlopen() the very file checked through /proc/self/fd/N, and check
 * its descriptor and ops table (plugin_validate(), desc-check.c). Every
 * refusal has its own message, naming the file, the cause and the fix.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/plugin-internal.h"
#include "util/log.h"
#include "util/sealed-copy.h"
#include "util/userns.h"

static const char *kind_name(uint32_t kind)
{
        const char *s = plugin_kind_to_string(kind);
        return s ? s : "unknown";
}

/* In a nested user namespace (uid 0 of rootless podman) files of owners
 * the namespace does not map, such as the host's root who installed modrun,
 * show as the overflow uid, and no one inside can change them. From inside,
 * another host user's file looks the same: the directories searched are
 * still only the admin's and the command line's. */
static uid_t overflow_uid(void)
{
        static long cached = -1;
        if (cached < 0) {
                FILE *f = fopen("/proc/sys/kernel/overflowuid", "re");
                if (!f || fscanf(f, "%ld", &cached) != 1 || cached < 0)
                        cached = 65534;
                if (f)
                        (void)fclose(f);
        }
        return (uid_t)cached;
}

static bool owner_ok(uid_t uid)
{
        if (uid == 0 || uid == geteuid())
                return true;
        if (userns_is_nested() && uid == overflow_uid()) {
                log_debug("plugin owner uid %u: the overflow uid, an owner outside this user namespace (the "
                          "host's root for an installed modrun)",
                          (unsigned)uid);
                return true;
        }
        return false;
}

static const char *owner_expected(void)
{
        if (userns_is_nested())
                return "root, by you, or by an owner outside this user namespace (shown as the overflow uid)";
        return geteuid() == 0 ? "root" : "root or by you (rootless)";
}

static int check_dir(const char *path, const char *dir, const struct stat *st, struct modrun_error **reterr)
{
        if (!owner_ok(st->st_uid))
                return plugin_refuse(reterr, EPERM, "make root own the plugin directory (chown root <dir>)",
                                     "refusing plugin %s: its directory %s is owned by uid %u, not by %s", path,
                                     dir, (unsigned)st->st_uid, owner_expected());
        if (st->st_mode & (S_IWGRP | S_IWOTH))
                return plugin_refuse(reterr, EPERM, "remove write access for others: chmod go-w <dir>",
                                     "refusing plugin %s: its directory %s is %s-writable (mode %04o), so "
                                     "others could replace the plugin",
                                     path, dir, (st->st_mode & S_IWOTH) ? "world" : "group",
                                     (unsigned)(st->st_mode & 07777));
        return 0;
}

static const char *file_type(mode_t m)
{
        switch (m & S_IFMT) {
        case S_IFDIR: return "a directory";
        case S_IFCHR: return "a character device";
        case S_IFBLK: return "a block device";
        case S_IFIFO: return "a fifo";
        case S_IFSOCK: return "a socket";
        default: return "not a regular file";
        }
}

static int check_file(const char *path, const struct stat *st, struct modrun_error **reterr)
{
        if (S_ISLNK(st->st_mode))
                return plugin_refuse(reterr, ELOOP,
                                     "install the plugin file itself (install -m 0755 FILE DIR/) instead of a "
                                     "symlink to it",
                                     "refusing plugin %s: it is a symlink, and plugins are loaded only from "
                                     "regular files",
                                     path);
        if (!S_ISREG(st->st_mode))
                return plugin_refuse(reterr, EINVAL, "install the plugin's shared object under that name",
                                     "refusing plugin %s: it is not a regular file (it is %s)", path,
                                     file_type(st->st_mode));
        if (!owner_ok(st->st_uid))
                return plugin_refuse(reterr, EPERM, "make root own it: chown root:root <file>",
                                     "refusing plugin %s: it is owned by uid %u, not by %s", path,
                                     (unsigned)st->st_uid, owner_expected());
        if (st->st_mode & (S_IWGRP | S_IWOTH))
                return plugin_refuse(reterr, EPERM, "remove write access for others: chmod 0755 <file>",
                                     "refusing plugin %s: it is %s-writable (mode %04o), so others could "
                                     "replace its code",
                                     path, (st->st_mode & S_IWOTH) ? "world" : "group",
                                     (unsigned)(st->st_mode & 07777));
        return 0;
}

/* glibc finds an already loaded object by the name given to dlopen(), so a
 * "/proc/self/fd/N" name must never be used twice for different files: every
 * new name uses an fd number above all the ones used before. */
static int dlopen_fd_floor = 3;

static void *dlopen_fd(int fd, const char *path, struct modrun_error **reterr)
{
        _cleanup_close_ int high = -1;
        if (fd < dlopen_fd_floor) {
                high = fcntl(fd, F_DUPFD_CLOEXEC, dlopen_fd_floor);
                if (high < 0) {
                        error_new(reterr, errno, NULL, "load plugin %s: duplicate its file descriptor", path);
                        return NULL;
                }
                fd = high;
        }
        dlopen_fd_floor = fd + 1;
        char proc[64];
        (void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        (void)dlerror();
        void *h = dlopen(proc, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                const char *e = dlerror();
                plugin_refuse(reterr, ENOEXEC,
                              "check that it is a shared object for this architecture that links only what it "
                              "needs (is /proc mounted?)",
                              "cannot load plugin %s: %s", path, e ? e : "dlopen failed");
        }
        return h;
}

/* The checked file (an O_PATH fd), copied into a sealed memfd: the runtime
 * and its init map the copy, never the installed file (self-exe.c). */
static int sealed_plugin(int fd, const char *path, struct modrun_error **reterr)
{
        char proc[64];
        (void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        _cleanup_close_ int rfd = open(proc, O_RDONLY | O_CLOEXEC);
        if (rfd < 0)
                return error_new(reterr, errno, "is /proc mounted?", "open plugin %s for reading", path);
        return sealed_copy(rfd, "modrun-plugin", path, reterr);
}

static int load_checked(const char *path, int fd, uint32_t kind, const char *name, void **ret_handle,
                        const struct modrun_plugin **ret_desc, struct modrun_error **reterr)
{
        _cleanup_close_ int sealed = sealed_plugin(fd, path, reterr);
        if (sealed < 0)
                return sealed;
        void *h = dlopen_fd(sealed, path, reterr);
        if (!h)
                return -ENOEXEC;
        (void)dlerror();
        const struct modrun_plugin *desc = dlsym(h, "modrun_plugin");
        if (!desc) {
                (void)dlclose(h);
                return plugin_refuse(reterr, ENOEXEC,
                                     "define it with MODRUN_PLUGIN_DEFINE() and export it: -fvisibility=hidden "
                                     "and the version script { global: modrun_plugin; local: *; }",
                                     "refusing plugin %s: it does not export the symbol modrun_plugin", path);
        }
        int r = plugin_validate(path, desc, kind, name, reterr);
        if (r < 0) {
                (void)dlclose(h);
                return r;
        }
        *ret_handle = h;
        *ret_desc = desc;
        return 0;
}

int plugin_load_from_dir(const char *dir, uint32_t kind, const char *name, void **ret_handle,
                         const struct modrun_plugin **ret_desc, char **ret_path, struct modrun_error **reterr)
{
        _cleanup_free_ char *file = NULL, *path = NULL;
        if (asprintf(&file, "%s-%s.so", kind_name(kind), name) < 0 || asprintf(&path, "%s/%s", dir, file) < 0)
                return error_new(reterr, ENOMEM, NULL, "load plugin %s-%s", kind_name(kind), name);
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
                log_debug("plugin directory %s: %m, skipped", dir);
                return 0;
        }
        if (dfd < 0)
                return error_new(reterr, errno, "check the plugin directory's permissions",
                                 "open plugin directory %s", dir);
        _cleanup_close_ int fd = openat(dfd, file, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT)
                return 0;
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open plugin %s", path);
        struct stat st, dst;
        if (fstat(fd, &st) < 0)
                return error_new(reterr, errno, NULL, "stat plugin %s", path);
        if (fstat(dfd, &dst) < 0)
                return error_new(reterr, errno, NULL, "stat plugin directory %s", dir);
        int r = S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode) ? check_file(path, &st, reterr) : 0;
        if (r >= 0)
                r = check_dir(path, dir, &dst, reterr);
        if (r >= 0)
                r = check_file(path, &st, reterr);
        if (r >= 0)
                r = load_checked(path, fd, kind, name, ret_handle, ret_desc, reterr);
        if (r < 0)
                return r;
        *ret_path = TAKE_PTR(path);
        return 1;
}

static int names_add(char ***v, size_t *n, const char *s)
{
        for (size_t i = 0; i < *n; i++)
                if (streq((*v)[i], s))
                        return 0;
        char **nv = realloc(*v, (*n + 2) * sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        if (!(nv[*n] = strdup(s)))
                return -ENOMEM;
        nv[++*n] = NULL;
        return 0;
}

static void names_from_dir(const char *dir, const char *prefix, char ***v, size_t *n)
{
        DIR *d = opendir(dir);
        if (!d)
                return;
        size_t plen = strlen(prefix);
        for (struct dirent *de; (de = readdir(d));) {
                size_t len = strlen(de->d_name);
                if (len <= plen + 3 || strncmp(de->d_name, prefix, plen) != 0 ||
                    !streq(de->d_name + len - 3, ".so"))
                        continue;
                _cleanup_free_ char *nm = strndup(de->d_name + plen, len - plen - 3);
                if (nm && names_add(v, n, nm) < 0)
                        break;
        }
        (void)closedir(d);
}

char *plugin_available_names(char *const *dirs, uint32_t kind)
{
        char **v = NULL;
        size_t n = 0;
        _cleanup_free_ char *prefix = NULL;
        if (asprintf(&prefix, "%s-", kind_name(kind)) < 0)
                return NULL;
        for (const struct modrun_plugin *const *b = plugin_builtins; *b; b++)
                if ((*b)->kind == kind) {
                        _cleanup_free_ char *s = NULL;
                        if (asprintf(&s, "%s (built-in)", (*b)->name) >= 0)
                                (void)names_add(&v, &n, s);
                }
        if (plugin_kind_info(kind) && plugin_kind_info(kind)->none_allowed)
                (void)names_add(&v, &n, "none");
        for (size_t i = 0; dirs && dirs[i]; i++)
                names_from_dir(dirs[i], prefix, &v, &n);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        for (size_t i = 0; f && i < n; i++)
                fprintf(f, "%s%s", i ? ", " : "", v[i]);
        if (f && n == 0)
                fputs("none installed", f);
        if (f)
                fclose(f);
        plugin_strv_free(v);
        return buf;
}

static char *join_dirs(char *const *dirs)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        for (size_t i = 0; dirs && dirs[i]; i++)
                fprintf(f, "%s%s", i ? ", " : "", dirs[i]);
        fclose(f);
        return buf;
}

int plugin_load_search(char *const *dirs, uint32_t kind, const char *name, void **ret_handle,
                       const struct modrun_plugin **ret_desc, char **ret_path, struct modrun_error **reterr)
{
        for (size_t i = 0; dirs && dirs[i]; i++) {
                int r = plugin_load_from_dir(dirs[i], kind, name, ret_handle, ret_desc, ret_path, reterr);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        _cleanup_free_ char *searched = join_dirs(dirs), *avail = plugin_available_names(dirs, kind);
        _cleanup_free_ char *hint = NULL;
        if (asprintf(&hint,
                     "see `modrun features`; install the plugin as <dir>/%s-%s.so, or add its directory with "
                     "--plugin-dir or plugin-dir in modrun.conf",
                     kind_name(kind), name) < 0)
                hint = NULL;
        return plugin_refuse(reterr, ENOENT, hint,
                             "no %s named \"%s\": %s-%s.so is in none of the plugin directories searched (%s); "
                             "%s plugins available: %s",
                             plugin_kind_info(kind)->label, name, kind_name(kind), name,
                             searched ? searched : "none", kind_name(kind), avail ? avail : "unknown");
}
