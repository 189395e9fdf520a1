/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freeze and thaw, every wait bounded: the v1 freezer (freezer.state goes
 * FREEZING -> FROZEN; the write is repeated while waiting, as runc does,
 * since a task forked meanwhile can keep the cgroup FREEZING) where that
 * hierarchy is mounted, else cgroup v2 (cgroup.freeze, then "frozen 1" in
 * cgroup.events). A freeze that does not complete in time is undone, so a
 * failed pause never leaves a half-frozen container.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroupfs.h"

#define FREEZE_HINT "a process may be stuck in the kernel (state D in /proc/PID/status), e.g. on a hung NFS mount"

static bool v1_is(const char *dir, const char *want)
{
        _cleanup_free_ char *st = NULL;
        if (plugin_test_stall("freeze") || cg_read(dir, "freezer.state", &st) < 0)
                return false;
        st[strcspn(st, "\n")] = '\0';
        return strcmp(st, want) == 0;
}

static bool v2_is(const char *dir, bool frozen)
{
        uint64_t v = 2;
        return !plugin_test_stall("freeze") && cg_read_keyed(dir, "cgroup.events", "frozen", &v) == 0 && v == (frozen ? 1 : 0);
}

static int freeze_v1(const struct cgfs *s, const char *dir, bool frozen, int timeout_ms, struct modrun_error **reterr)
{
        const char *want = frozen ? "FROZEN" : "THAWED";
        int64_t start = clock_now_ms(), deadline = start + (timeout_ms > 0 ? timeout_ms : 0);
        for (int wait = 1;; wait = wait < 16 ? wait * 2 : 16) {
                int r = cg_write(s, dir, "freezer.state", want, NULL, reterr);
                if (r < 0)
                        return r;
                if (v1_is(dir, want))
                        return 0;
                if (clock_now_ms() >= deadline)
                        break;
                clock_sleep_ms(wait);
        }
        if (frozen)
                (void)cg_write_raw(dir, "freezer.state", "THAWED");
        return s->host->error(reterr, ETIMEDOUT, FREEZE_HINT, "cgroupfs: %s/freezer.state did not become %s within %d ms%s",
                              dir, want, timeout_ms, frozen ? " (thawed again)" : "");
}

static int freeze_v2(const struct cgfs *s, const char *dir, bool frozen, int timeout_ms, struct modrun_error **reterr)
{
        int r = cg_write(s, dir, "cgroup.freeze", frozen ? "1" : "0", NULL, reterr);
        if (r < 0)
                return r;
        int64_t deadline = clock_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
        for (int wait = 1; !v2_is(dir, frozen); wait = wait < 16 ? wait * 2 : 16) {
                if (clock_now_ms() >= deadline) {
                        if (frozen)
                                (void)cg_write_raw(dir, "cgroup.freeze", "0");
                        return s->host->error(reterr, ETIMEDOUT, FREEZE_HINT,
                                              "cgroupfs: %s/cgroup.events did not show \"frozen %d\" within %d ms%s", dir,
                                              frozen ? 1 : 0, timeout_ms, frozen ? " (thawed again)" : "");
                }
                clock_sleep_ms(wait);
        }
        return 0;
}

int cg_freeze(const struct cgfs *s, bool frozen, int timeout_ms, struct modrun_error **reterr)
{
        const struct cg_place *p = cg_v1_place(s, "freezer"), *u = cg_unified_place(s);
        if (p)
                return freeze_v1(s, p->dir, frozen, timeout_ms, reterr);
        if (u && cg_file_exists(u->dir, "cgroup.freeze"))
                return freeze_v2(s, u->dir, frozen, timeout_ms, reterr);
        return s->host->error(reterr, EOPNOTSUPP, "mount the v1 freezer, or use cgroup v2 (kernel >= 5.2)",
                              "cgroupfs: cannot %s the container: no freezer (v1 freezer hierarchy or cgroup.freeze)",
                              frozen ? "freeze" : "thaw");
}

bool cg_is_frozen(const struct cgfs *s)
{
        const struct cg_place *p = cg_v1_place(s, "freezer"), *u = cg_unified_place(s);
        const char *dir = p ? p->dir : u ? u->dir : NULL;
        _cleanup_free_ char *v = NULL;
        if (!dir || cg_read(dir, p ? "freezer.state" : "cgroup.freeze", &v) < 0)
                return false;
        v[strcspn(v, "\n")] = '\0';
        return p ? strcmp(v, "THAWED") != 0 : strcmp(v, "1") == 0;
}

/* runc 1.1.5 refuses a container whose cgroup is frozen already ("container's
 * cgroup unexpectedly frozen"): its init would stop at its first step in
 * it and create would wait for it. Checked once the cgroup exists (made or
 * found), in the v1 freezer (which a frozen parent freezes too) and in
 * cgroup v2 (the unified hierarchy of a hybrid host has cgroup.freeze). */
int cg_check_not_frozen(const struct cgfs *s, struct modrun_error **reterr)
{
        const struct cg_place *p = cg_v1_place(s, "freezer"), *u = cg_unified_place(s);
        _cleanup_free_ char *v = NULL, *self = NULL;
        if (p && cg_read(p->dir, "freezer.state", &v) == 0 && strncmp(v, "THAWED", 6) != 0) {
                v[strcspn(v, "\n")] = '\0';
                bool own = cg_read(p->dir, "freezer.self_freezing", &self) < 0 || self[0] == '1';
                return s->host->error(reterr, EBUSY,
                                      own ? "thaw it (echo THAWED > the freezer.state above) or choose another "
                                            "linux.cgroupsPath"
                                          : "thaw the frozen ancestor (echo THAWED > its freezer.state) or choose "
                                            "another linux.cgroupsPath",
                                      "cgroupfs: container's cgroup unexpectedly frozen: %s/freezer.state is %s%s "
                                      "(its processes would stop, and the container could not be set up)",
                                      p->dir, v, own ? "" : ", frozen by an ancestor cgroup");
        }
        free(v);
        v = NULL;
        if (u && cg_read(u->dir, "cgroup.freeze", &v) == 0 && v[0] == '1')
                return s->host->error(reterr, EBUSY,
                                      "thaw it (echo 0 > the cgroup.freeze above) or choose another "
                                      "linux.cgroupsPath",
                                      "cgroupfs: container's cgroup unexpectedly frozen: %s/cgroup.freeze is 1 (its "
                                      "processes would stop, and the container could not be set up)",
                                      u->dir);
        return 0;
}
