/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "../../plugins/common/clock.h"
#include "state.h"
#include "util/fs-util.h"
#include "util/signals.h"

#define LOCK_FILE ".lock"
/* how long a directory without a lock file may take to vanish */
#define GONE_WAIT_MS 1000

struct container_dir *container_dir_free(struct container_dir *d)
{
        if (!d)
                return NULL;
        if (d->lock_fd >= 0)
                (void)close(d->lock_fd);
        if (d->dir_fd >= 0)
                (void)close(d->dir_fd);
        if (d->root_fd >= 0)
                (void)close(d->root_fd);
        free(d->id);
        free(d->path);
        free(d);
        return NULL;
}

/* A container_dir for root/id holding its own copy of root_fd, or none
 * (-1) when !keep_root. */
static int dir_new(int root_fd, const char *root, const char *id, bool keep_root, struct container_dir **ret,
                   struct modrun_error **reterr)
{
        struct container_dir *d = calloc(1, sizeof(*d));
        if (!d)
                return error_new(reterr, ENOMEM, NULL, "allocate container %s", id);
        d->dir_fd = d->lock_fd = d->root_fd = -1;
        int e = keep_root && (d->root_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3)) < 0 ? errno : 0;
        d->id = strdup(id);
        if (e || !d->id || asprintf(&d->path, "%s/%s", root, id) < 0) {
                d->path = NULL;
                container_dir_free(d);
                return error_new(reterr, e ? e : ENOMEM, NULL, "allocate container %s", id);
        }
        *ret = d;
        return 0;
}

/* Open d->id beneath the root, never through a symlink, and check that it
 * is the invoking user's alone (state_check_private). */
static int dir_open_checked(struct container_dir *d, int root_fd, struct modrun_error **reterr)
{
        int fd = openat(root_fd, d->id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0) {
                int e = errno;
                if (e == ENOENT)
                        return error_new(reterr, ENOENT, "`modrun list` shows the containers under this --root",
                                         "container \"%s\" does not exist (no %s)", d->id, d->path);
                if (fstatat(root_fd, d->id, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                        return error_new(reterr, ELOOP, "remove the symlink if you did not put it there",
                                         "refusing container directory %s: it is a symlink (owner uid %u), and "
                                         "modrun makes only real directories there: one elsewhere is not checked "
                                         "to be yours alone",
                                         d->path, (unsigned)st.st_uid);
                return error_new(reterr, e, NULL, "open state directory %s", d->path);
        }
        d->dir_fd = fd;
        if (fstat(fd, &st) < 0)
                return error_new(reterr, errno, NULL, "stat state directory %s", d->path);
        /* the hint is made for a refusal only: `list` opens every directory */
        int r = state_check_private(&st, "container directory", d->path, NULL, reterr);
        if (r < 0 && reterr)
                error_hint(*reterr, "remove %s (`rm -rf` as its owner or root) if you did not make it", d->path);
        return r;
}

static int gone(struct container_dir *d, struct modrun_error **reterr)
{
        container_dir_unlock(d);
        return error_new(reterr, ENOENT,
                         "`modrun delete --force` removes the directory if it stays empty (a create that died "
                         "at once); with files in it no modrun command left it so (a delete removes the lock "
                         "file last): remove it by hand once no process of the container runs",
                         "container \"%s\" does not exist (%s has no %s: it was deleted, or is being deleted)",
                         d->id, d->path, LOCK_FILE);
}

/* flock with a bound: commands on one container never interleave, and a
 * stuck holder is reported instead of waited for forever. Only create
 * makes the lock file: a command opening an existing container that made
 * it anew after a delete unlinked it would hold a lock nobody else
 * shares, and keep the delete's rmdir from emptying the directory. */
static int lock_dir(struct container_dir *d, int timeout_ms, int create, struct modrun_error **reterr)
{
        d->lock_fd = openat(d->dir_fd, LOCK_FILE, O_RDWR | create | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (d->lock_fd < 0)
                return errno == ENOENT && !create
                               ? gone(d, reterr)
                               : error_new(reterr, errno, NULL, "open lock file %s/%s", d->path, LOCK_FILE);
        for (int waited = 0;; waited += 10) {
                struct stat st;
                if (flock(d->lock_fd, LOCK_EX | LOCK_NB) == 0)
                        /* a delete that held it unlinked it: gone */
                        return fstat(d->lock_fd, &st) == 0 && st.st_nlink == 0 ? gone(d, reterr) : 0;
                if (errno != EWOULDBLOCK)
                        return error_new(reterr, errno, NULL, "lock %s/%s", d->path, LOCK_FILE);
                int sig = signal_stop_pending();
                if (sig)
                        return error_new(reterr, EINTR, NULL, "waiting for the lock of container %s: stopped by %s",
                                         d->id, strsignal(sig));
                if (waited >= timeout_ms)
                        return error_new(reterr, ETIMEDOUT,
                                         "another modrun command holds this container; retry when it has finished",
                                         "timed out after %d ms waiting for the lock of container %s (%s/%s)",
                                         timeout_ms, d->id, d->path, LOCK_FILE);
                clock_sleep_ms(10);
        }
}

void container_dir_unlock(struct container_dir *d)
{
        if (d->lock_fd >= 0)
                (void)close(d->lock_fd);
        d->lock_fd = -1;
}

int container_dir_relock(struct container_dir *d, int timeout_ms, struct modrun_error **reterr)
{
        container_dir_unlock(d);
        int r = lock_dir(d, timeout_ms, 0, reterr);
        if (r < 0)
                return r;
        struct stat held, now;
        if (fstat(d->dir_fd, &held) < 0)
                r = -errno;
        else if (fstatat(d->root_fd, d->id, &now, AT_SYMLINK_NOFOLLOW) < 0)
                r = errno == ENOENT ? 1 : -errno;
        else
                r = held.st_dev != now.st_dev || held.st_ino != now.st_ino;
        if (r == 0)
                return 0;
        container_dir_unlock(d);
        if (r < 0)
                return error_new(reterr, -r, NULL, "check that state directory %s is still container %s", d->path,
                                 d->id);
        return error_new(reterr, ENOENT, NULL, "container \"%s\" was deleted meanwhile (%s)", d->id, d->path);
}

int container_dir_create(const char *root, const char *id, struct container_dir **ret, struct modrun_error **reterr)
{
        _cleanup_close_ int root_fd = state_root_open(root, true, reterr);
        if (root_fd < 0)
                return root_fd;
        _cleanup_container_dir_ struct container_dir *d = NULL;
        int r = dir_new(root_fd, root, id, true, &d, reterr);
        if (r < 0)
                return r;
        if (mkdirat(root_fd, id, 0711) < 0) {
                if (errno == EEXIST)
                        return error_new(reterr, EEXIST,
                                         "choose another ID, or remove the old container with `modrun delete`",
                                         "container ID \"%s\" already exists (%s)", id, d->path);
                return error_new(reterr, errno, NULL, "create state directory %s", d->path);
        }
        if ((r = dir_open_checked(d, root_fd, reterr)) < 0 || (r = lock_dir(d, 0, O_CREAT, reterr)) < 0) {
                (void)fs_rm_rf_at(root_fd, id);
                return r;
        }
        *ret = TAKE_PTR(d);
        return 0;
}

static int dir_open_at(int root_fd, const char *root, const char *id, int timeout_ms, bool keep_root,
                       struct container_dir **ret, struct modrun_error **reterr)
{
        _cleanup_container_dir_ struct container_dir *d = NULL;
        int r = dir_new(root_fd, root, id, keep_root, &d, reterr);
        if (r < 0 || (r = dir_open_checked(d, root_fd, reterr)) < 0)
                return r;
        if (timeout_ms >= 0 && (r = lock_dir(d, timeout_ms, 0, reterr)) < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

int container_dir_open_at(int root_fd, const char *root, const char *id, int timeout_ms,
                          struct container_dir **ret, struct modrun_error **reterr)
{
        return dir_open_at(root_fd, root, id, timeout_ms, false, ret, reterr);
}

int container_dir_open(const char *root, const char *id, int timeout_ms, struct container_dir **ret,
                       struct modrun_error **reterr)
{
        _cleanup_error_ struct modrun_error *err = NULL;
        _cleanup_close_ int root_fd = state_root_open(root, false, &err);
        if (root_fd == -ENOENT)
                return error_new(reterr, ENOENT, "`modrun list` shows the containers under this --root",
                                 "container \"%s\" does not exist (no state root %s)", id, root);
        if (root_fd < 0) {
                *reterr = TAKE_PTR(err);
                return error_ret(*reterr);
        }
        return dir_open_at(root_fd, root, id, timeout_ms, true, ret, reterr);
}

bool container_dir_gone(const char *root, const char *id)
{
        _cleanup_close_ int root_fd = state_root_open(root, false, NULL);
        if (root_fd == -ENOENT)
                return true;
        _cleanup_close_ int fd = root_fd < 0 ? -1 : openat(root_fd, id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat held, now;
        if (fd < 0 || fstat(fd, &held) < 0)
                return fd < 0 && errno == ENOENT;
        if (state_check_private(&held, "container directory", id, NULL, NULL) < 0)
                return false;
        /* A delete's removal takes milliseconds, the lock file last: what
         * stays, empty, is a create that died before it made its lock. */
        for (int waited = 0;; waited += 10) {
                if (fstatat(root_fd, id, &now, AT_SYMLINK_NOFOLLOW) < 0)
                        return errno == ENOENT;
                if (now.st_dev != held.st_dev || now.st_ino != held.st_ino ||
                    fstatat(fd, LOCK_FILE, &now, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
                        return false; /* made anew, or locked after all */
                if (waited >= GONE_WAIT_MS) /* the other delete may remove it meanwhile */
                        return unlinkat(root_fd, id, AT_REMOVEDIR) == 0 || errno == ENOENT;
                clock_sleep_ms(10);
        }
}

bool container_dir_has_lock(const struct container_dir *d)
{
        struct stat st;
        return fstatat(d->dir_fd, LOCK_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int container_dir_remove(struct container_dir *d, struct modrun_error **reterr)
{
        /* the lock file last: a directory without one is empty, or about
         * to vanish; one whose removal failed can be deleted again */
        int r = fs_rm_rf_at_last(d->root_fd, d->id, LOCK_FILE);
        if (r < 0)
                return error_new(reterr, -r, NULL, "remove state directory %s", d->path);
        return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int state_list_ids(int root_fd, const char *root, char ***ret_ids, struct modrun_error **reterr)
{
        size_t n = 0;
        char **ids = calloc(1, sizeof(char *));
        int fd = ids ? fcntl(root_fd, F_DUPFD_CLOEXEC, 3) : -1;
        DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
        if (!dir) {
                int e = ids ? errno : ENOMEM;
                if (fd >= 0)
                        (void)close(fd);
                free(ids);
                return error_new(reterr, e, NULL, "list containers in %s", root);
        }
        for (struct dirent *de; (de = readdir(dir));) {
                /* symlinks too: opening one says it is refused */
                bool maybe_dir = de->d_type == DT_DIR || de->d_type == DT_LNK || de->d_type == DT_UNKNOWN;
                if (de->d_name[0] == '.' || !maybe_dir || state_validate_id(de->d_name, NULL) < 0)
                        continue;
                char **grown = realloc(ids, (n + 2) * sizeof(char *));
                if (!grown)
                        break;
                ids = grown;
                ids[n] = strdup(de->d_name);
                if (ids[n])
                        ids[++n] = NULL;
        }
        closedir(dir);
        qsort(ids, n, sizeof(char *), cmp_str);
        *ret_ids = ids;
        return 0;
}
