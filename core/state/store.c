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

#define LOCK_FILE ".lock"

struct container_dir *container_dir_free(struct container_dir *d)
{
        if (!d)
                return NULL;
        if (d->lock_fd >= 0)
                (void)close(d->lock_fd);
        if (d->dir_fd >= 0)
                (void)close(d->dir_fd);
        free(d->id);
        free(d->path);
        free(d);
        return NULL;
}

static int dir_new(const char *root, const char *id, struct container_dir **ret, struct modrun_error **reterr)
{
        struct container_dir *d = calloc(1, sizeof(*d));
        if (!d)
                return error_new(reterr, ENOMEM, NULL, "allocate container %s", id);
        d->dir_fd = d->lock_fd = -1;
        d->id = strdup(id);
        if (!d->id || asprintf(&d->path, "%s/%s", root, id) < 0) {
                d->path = NULL;
                container_dir_free(d);
                return error_new(reterr, ENOMEM, NULL, "allocate container %s", id);
        }
        *ret = d;
        return 0;
}

/* flock with a bound: commands on one container never interleave, and a
 * stuck holder is reported instead of waited for forever. */
static int lock_dir(struct container_dir *d, int timeout_ms, struct modrun_error **reterr)
{
        d->lock_fd = openat(d->dir_fd, LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (d->lock_fd < 0)
                return error_new(reterr, errno, NULL, "open lock file %s/%s", d->path, LOCK_FILE);
        for (int waited = 0;; waited += 10) {
                if (flock(d->lock_fd, LOCK_EX | LOCK_NB) == 0)
                        return 0;
                if (errno != EWOULDBLOCK)
                        return error_new(reterr, errno, NULL, "lock %s/%s", d->path, LOCK_FILE);
                if (waited >= timeout_ms)
                        return error_new(reterr, ETIMEDOUT,
                                         "another modrun command holds this container; retry when it has finished",
                                         "timed out after %d ms waiting for the lock of container %s (%s/%s)",
                                         timeout_ms, d->id, d->path, LOCK_FILE);
                clock_sleep_ms(10);
        }
}

int container_dir_create(const char *root, const char *id, struct container_dir **ret, struct modrun_error **reterr)
{
        int r = fs_mkdir_p(root, 0711, reterr);
        if (r < 0)
                return error_wrap(reterr, "create state root");
        _cleanup_container_dir_ struct container_dir *d = NULL;
        r = dir_new(root, id, &d, reterr);
        if (r < 0)
                return r;
        if (mkdir(d->path, 0711) < 0) {
                if (errno == EEXIST)
                        return error_new(reterr, EEXIST,
                                         "choose another ID, or remove the old container with `modrun delete`",
                                         "container ID \"%s\" already exists (%s)", id, d->path);
                return error_new(reterr, errno, NULL, "create state directory %s", d->path);
        }
        d->dir_fd = open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (d->dir_fd < 0 || lock_dir(d, 0, reterr) < 0) {
                r = d->dir_fd < 0 ? error_new(reterr, errno, NULL, "open %s", d->path) : error_ret(*reterr);
                (void)fs_rm_rf(d->path);
                return r;
        }
        *ret = TAKE_PTR(d);
        return 0;
}

int container_dir_open(const char *root, const char *id, int timeout_ms, struct container_dir **ret,
                       struct modrun_error **reterr)
{
        _cleanup_container_dir_ struct container_dir *d = NULL;
        int r = dir_new(root, id, &d, reterr);
        if (r < 0)
                return r;
        d->dir_fd = open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (d->dir_fd < 0) {
                if (errno == ENOENT)
                        return error_new(reterr, ENOENT, "`modrun list` shows the containers under this --root",
                                         "container \"%s\" does not exist (no %s)", id, d->path);
                return error_new(reterr, errno, NULL, "open state directory %s", d->path);
        }
        if (timeout_ms >= 0 && (r = lock_dir(d, timeout_ms, reterr)) < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

int container_dir_remove(struct container_dir *d, struct modrun_error **reterr)
{
        int r = fs_rm_rf(d->path);
        if (r < 0)
                return error_new(reterr, -r, NULL, "remove state directory %s", d->path);
        return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int state_list_ids(const char *root, char ***ret_ids, struct modrun_error **reterr)
{
        size_t n = 0;
        char **ids = calloc(1, sizeof(char *));
        if (!ids)
                return error_new(reterr, ENOMEM, NULL, "list %s", root);
        DIR *dir = opendir(root);
        if (!dir) {
                if (errno == ENOENT) {
                        *ret_ids = ids;
                        return 0;
                }
                free(ids);
                return error_new(reterr, errno, NULL, "list containers in %s", root);
        }
        for (struct dirent *de; (de = readdir(dir));) {
                if (de->d_name[0] == '.' || de->d_type != DT_DIR || state_validate_id(de->d_name, NULL) < 0)
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
