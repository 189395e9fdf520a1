/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The plugin files this process has already copied and dlopen()ed, by the
 * identity of the checked file. A command that opens several containers or
 * one container twice (run: create, then delete after the process exits;
 * delete --regex) copies, seals, maps and relocates each file once.
 *
 * An entry names the file as it was when it was checked (device, inode,
 * size, modification and change times): a file replaced or rewritten since
 * is a different file and is loaded anew. A handle is handed out once, to
 * the plugins_load() that loaded it; later hits get no handle, so nobody
 * dlclose()s what another set of plugins uses. plugins_unload() forgets a
 * handle before it dlclose()s it.
 */
#include <dlfcn.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin/plugin-internal.h"

struct loaded_plugin {
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime, ctime;
        void *handle;
        const struct modrun_plugin *desc;
};

/* A few kinds, a few containers per command: a small table is enough; a
 * full table only means loading again. */
static struct loaded_plugin loaded[4 * PLUGIN_KIND_MAX];
static size_t n_loaded;

static bool same_time(const struct timespec *a, const struct timespec *b)
{
        return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

const struct modrun_plugin *plugin_loaded_find(const struct stat *st)
{
        for (size_t i = 0; i < n_loaded; i++) {
                const struct loaded_plugin *l = &loaded[i];
                if (l->dev == st->st_dev && l->ino == st->st_ino && l->size == st->st_size &&
                    same_time(&l->mtime, &st->st_mtim) && same_time(&l->ctime, &st->st_ctim))
                        return l->desc;
        }
        return NULL;
}

void plugin_loaded_add(const struct stat *st, void *handle, const struct modrun_plugin *desc)
{
        if (n_loaded == ELEMENTSOF(loaded))
                return;
        loaded[n_loaded++] = (struct loaded_plugin){
                .dev = st->st_dev,
                .ino = st->st_ino,
                .size = st->st_size,
                .mtime = st->st_mtim,
                .ctime = st->st_ctim,
                .handle = handle,
                .desc = desc,
        };
}

void plugin_loaded_close(void *handle)
{
        for (size_t i = 0; i < n_loaded; i++)
                if (loaded[i].handle == handle) {
                        loaded[i] = loaded[--n_loaded];
                        break;
                }
        (void)dlclose(handle);
}
