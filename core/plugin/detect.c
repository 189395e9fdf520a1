/* SPDX-License-Identifier: Apache-2.0 */
/* The one place the plugin host asks the system a question for an automatic
 * choice. It is its own object file so that a unit test can define
 * plugin_detect_initramfs() itself and this file is then not linked. */
#include "plugin/plugin-internal.h"
#include "util/mountinfo.h"

int plugin_detect_initramfs(char **ret_why, struct modrun_error **reterr)
{
        return mountinfo_detect_initramfs(ret_why, reterr);
}
