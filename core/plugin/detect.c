/* SPDX-License-Identifier: Apache-2.0 */
/* The one place the plugin host asks the system a question for an automatic
 * choice. Both questions are about the mount table, read once per command.
 * It is its own object file so that a unit test can define these functions
 * itself and this file is then not linked. */
#include "plugin/plugin-internal.h"

#include "util/mountinfo.h"

static struct mountinfo_entry *table;
static size_t table_n;

/* The mount table of this process, read on first use (a command lives
 * shorter than any change of it that matters here), the same text the
 * plugins get from host->mount_table. */
static int table_load(struct modrun_error **reterr)
{
        return table ? 0 : mountinfo_read_self_once(&table, &table_n, reterr);
}

int plugin_detect_initramfs(char **ret_why, struct modrun_error **reterr)
{
        int r = table_load(reterr);
        if (r < 0) {
                if (reterr && *reterr)
                        error_hint(*reterr, "mount proc on /proc, or choose --mount-strategy explicitly");
                return r;
        }
        r = mountinfo_root_is_initramfs(table, table_n, ret_why);
        return r < 0 ? error_new(reterr, -r, NULL, "detect whether / is the initramfs rootfs") : r;
}

int plugin_detect_devices_v1(void)
{
        if (table_load(NULL) < 0)
                return 1; /* unknown: do not pick a filter that might be a second one */
        return mountinfo_has_devices_v1(table, table_n);
}
