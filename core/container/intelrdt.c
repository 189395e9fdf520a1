/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.intelRdt (runtime-spec 1.3.0) through the resctrl filesystem, as
 * runc does: the CLOS group <resctrl>/<closID> (closID defaults to the
 * container id) gets the schemata lines (l3CacheSchema, memBwSchema, then
 * each of schemata) and the init's pid in its tasks file; with
 * enableMonitoring, a monitoring group <closID>/mon_groups/<id> takes the
 * pid too. An existing CLOS group named by closID is shared, not made nor
 * removed; one modrun made (the marker file in the state directory says
 * so) is removed on delete, with the monitoring group.
 *
 * Fault-injection builds take the resctrl root from MODRUN_TEST_RESCTRL_ROOT
 * (a plain directory tree for the tests: the kernel's files are not there).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "intelrdt.h"
#include "util/fs-util.h"
#include "util/log.h"

#define RESCTRL_ROOT "/sys/fs/resctrl"
#define RDTGROUP_SUPER_MAGIC 0x7655821
#define MADE_MARKER "intelrdt-clos-created"

static const char *resctrl_root(bool *ret_fake)
{
        *ret_fake = false;
#if MODRUN_FAULT_INJECTION
        const char *t = secure_getenv("MODRUN_TEST_RESCTRL_ROOT");
        if (t && t[0] == '/') {
                *ret_fake = true;
                return t;
        }
#endif
        return RESCTRL_ROOT;
}

static int write_line(const char *dir, const char *file, const char *text, struct modrun_error **reterr)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return error_new(reterr, ENOMEM, NULL, "linux.intelRdt: path of %s", file);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        size_t len = strlen(text);
        _cleanup_free_ char *line = NULL;
        if (fd < 0 || asprintf(&line, "%s\n", text) < 0 || write(fd, line, len + 1) != (ssize_t)(len + 1))
                return error_new(reterr, errno ? errno : EIO,
                                 errno == EINVAL ? "the kernel refused the line: check the resource names and ids "
                                                   "in the group's info/ directory (and last_cmd_status)"
                                                 : NULL,
                                 "linux.intelRdt: write \"%s\" to %s", text, path);
        return 0;
}

static int clos_dir(const struct oci_config *cfg, const char *id, char **ret_dir, bool *ret_fake,
                    struct modrun_error **reterr)
{
        const char *root = resctrl_root(ret_fake);
        const char *clos = cfg->linux_.intel_rdt.clos_id ? cfg->linux_.intel_rdt.clos_id : id;
        if (asprintf(ret_dir, "%s/%s", root, clos) < 0)
                return error_new(reterr, ENOMEM, NULL, "linux.intelRdt: path of the CLOS group");
        return 0;
}

int intelrdt_check(const struct oci_config *cfg, struct modrun_error **reterr)
{
        if (!cfg->linux_.intel_rdt.present)
                return 0;
        bool fake;
        const char *root = resctrl_root(&fake);
        struct statfs sf;
        if (statfs(root, &sf) < 0 || (!fake && sf.f_type != RDTGROUP_SUPER_MAGIC))
                return error_new(reterr, ENODEV,
                                 "the CPU must support Intel RDT / AMD QoS and the kernel have CONFIG_X86_CPU_RESCTRL; "
                                 "mount it with `mount -t resctrl resctrl " RESCTRL_ROOT "`, or remove linux.intelRdt",
                                 "linux.intelRdt: the resctrl filesystem is not mounted on %s", root);
        return 0;
}

static int schemata_write(const struct oci_intel_rdt *rdt, const char *dir, struct modrun_error **reterr)
{
        int r = 0;
        if (rdt->l3_cache_schema && (r = write_line(dir, "schemata", rdt->l3_cache_schema, reterr)) < 0)
                return r;
        if (rdt->mem_bw_schema && (r = write_line(dir, "schemata", rdt->mem_bw_schema, reterr)) < 0)
                return r;
        for (char **s = rdt->schemata; s && *s; s++)
                if ((r = write_line(dir, "schemata", *s, reterr)) < 0)
                        return r;
        return 0;
}

int intelrdt_enter(const struct oci_config *cfg, const char *id, pid_t pid, bool exec_join, int state_dir_fd,
                   struct modrun_error **reterr)
{
        const struct oci_intel_rdt *rdt = &cfg->linux_.intel_rdt;
        if (!rdt->present)
                return 0;
        int r = intelrdt_check(cfg, reterr);
        _cleanup_free_ char *dir = NULL;
        bool fake;
        if (r < 0 || (r = clos_dir(cfg, id, &dir, &fake, reterr)) < 0)
                return r;
        if (exec_join) {
                /* exec: the container's groups exist */
        } else if (mkdir(dir, 0755) == 0) {
                _cleanup_free_ char *mg = NULL;
                if (fake && asprintf(&mg, "%s/mon_groups", dir) >= 0) /* resctrl makes it with the group */
                        (void)mkdir(mg, 0755);
                _cleanup_close_ int m = openat(state_dir_fd, MADE_MARKER, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                if (m < 0) {
                        int e = errno;
                        (void)rmdir(dir);
                        return error_new(reterr, e, NULL, "linux.intelRdt: record %s in the state directory", dir);
                }
        } else if (errno != EEXIST || !rdt->clos_id) {
                return error_new(reterr, errno,
                                 errno == EEXIST ? "a stale group of a deleted container? remove the directory" : NULL,
                                 "linux.intelRdt: create the CLOS group %s", dir);
        }
        char pidtext[16];
        (void)snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
        if ((!exec_join && (r = schemata_write(rdt, dir, reterr)) < 0) ||
            (r = write_line(dir, "tasks", pidtext, reterr)) < 0)
                return r;
        if (rdt->enable_monitoring) {
                _cleanup_free_ char *mon = NULL;
                if (asprintf(&mon, "%s/mon_groups/%s", dir, id) < 0)
                        return error_new(reterr, ENOMEM, NULL, "linux.intelRdt: path of the monitoring group");
                if (!exec_join && mkdir(mon, 0755) < 0 && errno != EEXIST)
                        return error_new(reterr, errno, NULL, "linux.intelRdt.enableMonitoring: create %s", mon);
                if ((r = write_line(mon, "tasks", pidtext, reterr)) < 0)
                        return r;
        }
        log_debug("linux.intelRdt: pid %d in %s%s", (int)pid, dir, rdt->enable_monitoring ? " (monitored)" : "");
        return 0;
}

/* resctrl removes a group's files itself; a fake tree needs them gone. */
static void remove_group(const char *dir, bool fake)
{
        if (fake) {
                static const char *const files[] = {"schemata", "tasks", NULL};
                for (const char *const *f = files; *f; f++) {
                        _cleanup_free_ char *p = NULL;
                        if (asprintf(&p, "%s/%s", dir, *f) >= 0)
                                (void)unlink(p);
                }
                _cleanup_free_ char *m = NULL;
                if (asprintf(&m, "%s/mon_groups", dir) >= 0)
                        (void)rmdir(m);
        }
        if (rmdir(dir) < 0 && errno != ENOENT)
                log_warning("linux.intelRdt: remove %s: %m, ignoring", dir);
}

void intelrdt_remove(const struct oci_config *cfg, const char *id, int state_dir_fd)
{
        if (!cfg || !cfg->linux_.intel_rdt.present)
                return;
        _cleanup_free_ char *dir = NULL;
        bool fake;
        if (clos_dir(cfg, id, &dir, &fake, NULL) < 0)
                return;
        _cleanup_free_ char *mon = NULL;
        if (cfg->linux_.intel_rdt.enable_monitoring && asprintf(&mon, "%s/mon_groups/%s", dir, id) >= 0)
                remove_group(mon, fake);
        if (faccessat(state_dir_fd, MADE_MARKER, F_OK, 0) == 0) {
                remove_group(dir, fake);
                (void)unlinkat(state_dir_fd, MADE_MARKER, 0);
        }
}
