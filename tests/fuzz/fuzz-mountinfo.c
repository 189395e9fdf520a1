/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: /proc/PID/mountinfo text -> mountinfo_parse(), then
 * the lookups the mount strategy makes. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-common.h"
#include "util/mountinfo.h"

/* Newer lookups, called when this tree has them. */
extern int mountinfo_has_devices_v1(const struct mountinfo_entry *e, size_t n) __attribute__((weak));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_strdup(data, size);
        if (!text)
                return 0;
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        struct modrun_error *err = NULL;
        int r = mountinfo_parse(text, &e, &n, &err);
        if (r < 0) {
                if (!err || !err->msg)
                        abort();
        } else {
                for (size_t i = 0; i < n; i++)
                        if (!e[i].root || !e[i].mount_point || !e[i].options || !e[i].optional ||
                            !e[i].fstype || !e[i].source || !e[i].super_options)
                                abort();
                (void)mountinfo_find(e, n, "/");
                if (mountinfo_has_devices_v1)
                        (void)mountinfo_has_devices_v1(e, n);
                char *why = NULL;
                if (mountinfo_root_is_initramfs(e, n, &why) >= 0 && !why)
                        abort();
                free(why);
                mountinfo_free(e, n);
        }
        error_free(err);
        free(text);
        return 0;
}
