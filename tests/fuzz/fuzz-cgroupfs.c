/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the pure parts of the cgroupfs plugin. The input is
 * NUL-separated fields:
 *   0 linux.cgroupsPath   1 container id   2 mountinfo text
 *   3 /proc/self/cgroup text (its lines also as recorded mounts, after it
 *     is used)   4 a linux.resources.unified key
 *   5.. numbers (decimal): swap memory quota period hugepage-bytes
 *       dev-major dev-minor, then a device type char and access string
 * Missing fields are empty. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cgroupfs.h"
#include "fuzz-common.h"

#define NF 14

static int64_t num(const char *s) { return s ? strtoll(s, NULL, 10) : 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *f[NF] = {0};
        size_t n = fuzz_split(data, size, f, NF);
        for (size_t i = n; i < NF; i++)
                f[i] = calloc(1, 1);
        for (size_t i = 0; i < NF; i++)
                if (!f[i])
                        goto out;

        char *clean = cg_clean_path(f[0]);
        free(clean);
        char *inner = NULL;
        const char *why = NULL;
        int r = cg_inner_path(f[0], f[1], &inner, &why);
        if (r < 0 && r != -ENOMEM && !why)
                abort();

        struct cg_layout l = {0};
        if (cg_layout_parse(f[2], &l) >= 0) {
                (void)cg_mode_to_string(l.mode);
                for (size_t i = 0; i < l.n; i++) {
                        char *own = NULL, *dir = NULL;
                        (void)cg_list_has(l.m[i].controllers, "memory");
                        if (cg_own_cgroup(f[3], &l.m[i], &own) < 0)
                                own = NULL;
                        if (inner) {
                                why = NULL;
                                r = cg_dir_for(&l.m[i], l.mode, inner, own, &dir, &why);
                                if (r < 0 && r != -ENOMEM && !why)
                                        abort();
                                if (r >= 0 && (!dir || (l.m[i].mountpoint[0] == '/' && dir[0] != '/')))
                                        abort(); /* the kernel's mount points are absolute */
                                free(dir);
                        }
                        free(own);
                }
                cg_layout_done(&l);
        }
        free(inner);

        /* field 3's lines as the state file's recorded mounts: a mount
         * accepted is written and read back the same */
        struct cg_layout rec = {0}, again = {0};
        char *save = NULL;
        for (char *line = strtok_r(f[3], "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (cg_layout_add_recorded(&rec, line) != 0)
                        continue;
                const struct cg_mount *m = &rec.m[rec.n - 1];
                char *out = NULL;
                if (cg_mount_record(m, &out) == -EINVAL)
                        abort(); /* a line read has no newline and no tab before the mount point */
                if (out && cg_layout_add_recorded(&again, out) == 0) {
                        const struct cg_mount *b = &again.m[again.n - 1];
                        if (b->dev != m->dev || b->unified != m->unified || strcmp(b->controllers, m->controllers) ||
                            strcmp(b->root, m->root) || strcmp(b->mountpoint, m->mountpoint))
                                abort();
                }
                free(out);
        }
        cg_layout_set_mode(&rec);
        cg_layout_done(&rec);
        cg_layout_done(&again);

        char ctrl[32];
        why = NULL;
        if (cg_unified_key(f[4], ctrl, sizeof(ctrl), &why) < 0 && !why)
                abort();

        int64_t swap = num(f[5]), mem = num(f[6]), out;
        why = NULL;
        if (cg_swap_to_v2(swap, mem, &out, &why) < 0 && !why)
                abort();
        char buf[64];
        cg_limit_string(num(f[5]), buf, sizeof(buf));
        cg_cpu_max(num(f[7]), (uint64_t)num(f[8]), buf, sizeof(buf));
        cg_cpu_max(num(f[7]), (uint64_t)num(f[8]), buf, 8); /* truncated */
        cg_hugepage_name((uint64_t)num(f[9]), buf, sizeof(buf));
        (void)cg_shares_to_weight((uint64_t)num(f[5]));
        (void)cg_blkio_weight_to_io((uint64_t)num(f[6]));

        struct cg_dev_rule rule = {.allow = true, .type = f[12][0], .major = num(f[10]), .minor = num(f[11])};
        snprintf(rule.access, sizeof(rule.access), "%s", f[13]);
        char lines[2][64];
        why = NULL;
        r = cg_dev_rule_lines(&rule, lines, &why);
        if ((r < 0 && !why) || r > 2)
                abort();
out:
        fuzz_free_fields(f, NF);
        return 0;
}
