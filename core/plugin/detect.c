/* SPDX-License-Identifier: Apache-2.0 */
/* The one place the plugin host asks the system a question for an automatic
 * choice. It is its own object file so that a unit test can define these
 * functions itself and this file is then not linked. */
#include <fcntl.h>

#include "plugin/plugin-internal.h"

#include "util/fs-util.h"
#include "util/mountinfo.h"

int plugin_detect_initramfs(char **ret_why, struct modrun_error **reterr)
{
        return mountinfo_detect_initramfs(ret_why, reterr);
}

int plugin_detect_devices_v1(void)
{
        _cleanup_free_ char *text = NULL;
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        if (fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &text, NULL) < 0 || mountinfo_parse(text, &e, &n, NULL) < 0)
                return 1; /* unknown: do not pick a filter that might be a second one */
        int r = mountinfo_has_devices_v1(e, n);
        mountinfo_free(e, n);
        return r;
}
