/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the systemd plugin's pure files, as its create() uses
 * them (plugins/systemd/systemd.c): linux.cgroupsPath "slice:prefix:name"
 * -> sd_unit_name_parse(), sd_slice_expand(); linux.resources ->
 * sd_props_from_resources() (memory, cpu, pids, blockIO with device
 * weights and throttles, hugepageLimits, rdma, unified);
 * linux.resources.devices -> sd_devices_translate(), sd_devices_to_props();
 * annotations org.systemd.property.NAME -> sd_props_from_annotation().
 * No sd-bus: the same sources tests/unit/systemd compiles.
 *
 * Input: a config.json (only "linux" and "annotations" are read), then
 * optionally a NUL byte and the text of /proc/devices (default: a host's).
 * What the core already guarantees is kept: cgroupsPath a string,
 * linux.devices an array, annotations string-valued, resources an object.
 *
 * Invariants: every -EINVAL says why; when all succeed (create goes on),
 * every property has a name and a value of its type, and every file the
 * plugin would write in the delegated cgroup is a plain file name (no '/',
 * not "." or "..").
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz-json.h"
#include "systemd.h"

#define PROP_ANNOTATION "org.systemd.property."

static const char default_proc_devices[] = "Character devices:\n  1 mem\n  4 /dev/vc/0\n  4 tty\n  5 /dev/tty\n"
                                           "  5 /dev/console\n  5 /dev/ptmx\n 10 misc\n 13 input\n136 pts\n"
                                           "195 nvidia-frontend\n226 drm\n\nBlock devices:\n  7 loop\n  8 sd\n"
                                           "  9 md\n253 device-mapper\n259 blkext\n";

/* "is /dev/block/M:m that device": a deterministic mix of both answers */
static bool block_dev(int64_t major, int64_t minor, void *userdata)
{
        return ((major ^ minor) & 1) == 0;
}

static void check_why(int r, char *why)
{
        if (r == -EINVAL && !why)
                abort(); /* the error would read "out of memory" */
        if (r >= 0 && why)
                abort();
}

static void check_file_name(const char *f)
{
        if (!f || !*f || strchr(f, '/') || strcmp(f, ".") == 0 || strcmp(f, "..") == 0)
                abort();
}

static void check_props(const struct sd_props *p)
{
        for (size_t i = 0; i < p->n; i++) {
                const struct sd_prop *x = &p->v[i];
                if (!memchr(x->name, '\0', sizeof(x->name)) || !x->name[0] || !strchr("btuixsdyDPV", x->type) ||
                    !x->type || sd_props_find(p, x->name) == NULL)
                        abort();
                if ((x->type == 's' && !x->s) || (x->type == 'y' && (!x->bytes || !x->n)) ||
                    (x->type == 'b' && x->u > 1))
                        abort();
                for (size_t j = 0; x->type == 'D' && j < x->n; j++)
                        if (!x->devs[j].path || !memchr(x->devs[j].access, '\0', sizeof(x->devs[j].access)))
                                abort();
                for (size_t j = 0; x->type == 'V' && j < x->n; j++)
                        if (!x->dvals[j].path || strncmp(x->dvals[j].path, "/dev/block/", 11) != 0)
                                abort();
        }
        for (size_t i = 0; i < p->n_files; i++) {
                check_file_name(p->files[i].file);
                if (!p->files[i].value)
                        abort();
        }
        for (size_t i = 0; i < p->n_sub; i++) {
                check_file_name(p->sub[i].file);
                if (!p->sub[i].value)
                        abort();
        }
}

static void unit_name(struct json_object *linux_, bool rootless)
{
        struct json_object *cp = fuzz_json_get(linux_, "cgroupsPath");
        const char *path = cp && json_object_is_type(cp, json_type_string) ? json_object_get_string(cp) : NULL;
        struct sd_unit_name n = {0};
        const char *why = NULL;
        int r = sd_unit_name_parse(path, "fuzz-id", rootless ? "user.slice" : "system.slice", &n, &why);
        if (r == -ENOMEM)
                return;
        if (r < 0) {
                if (r != -EINVAL || !why || n.slice || n.unit)
                        abort();
                return;
        }
        if (!n.slice || !n.unit || !sd_unit_name_valid(n.slice, ".slice") || !sd_unit_name_valid(n.unit, ".scope") ||
            strchr(n.slice, '/') || strchr(n.unit, '/'))
                abort();
        char *dir = NULL;
        r = sd_slice_expand(n.slice, &dir);
        if (r == 0) {
                /* "/a.slice/a-b.slice": ends in the slice itself, or "" for the root */
                size_t dl = strlen(dir), sl = strlen(n.slice);
                if (!(strcmp(n.slice, "-.slice") == 0 && dl == 0) &&
                    (dir[0] != '/' || dl < sl + 1 || strcmp(dir + dl - sl, n.slice) != 0 || dir[dl - sl - 1] != '/'))
                        abort();
                free(dir);
        } else if (r != -EINVAL && r != -ENOMEM)
                abort();
        sd_unit_name_done(&n);
}

static int devices(struct json_object *linux_, struct json_object *res, const char *proc_devices,
                   struct sd_props *p)
{
        struct json_object *ldev = fuzz_json_get(linux_, "devices");
        if (ldev && !json_object_is_type(ldev, json_type_array))
                ldev = NULL;
        struct sd_devices d = {0};
        char *why = NULL;
        int r = sd_devices_translate(fuzz_json_get(res, "devices"), proc_devices, ldev, &d, &why);
        check_why(r, why);
        free(why);
        if (r < 0)
                return r;
        if (d.allow_all && d.n)
                abort();
        for (size_t i = 0; i < d.n; i++)
                if (!d.allow[i].path || (strncmp(d.allow[i].path, "/dev/", 5) != 0 &&
                                         strncmp(d.allow[i].path, "char-", 5) != 0 &&
                                         strncmp(d.allow[i].path, "block-", 6) != 0))
                        abort();
        r = sd_devices_to_props(&d, p);
        sd_devices_done(&d);
        return r;
}

static int annotations(struct json_object *config, struct sd_props *p)
{
        struct json_object *ann = fuzz_json_get(config, "annotations");
        if (!ann || !json_object_is_type(ann, json_type_object))
                return 0;
        json_object_object_foreach(ann, key, val)
        {
                if (!json_object_is_type(val, json_type_string) ||
                    strncmp(key, PROP_ANNOTATION, strlen(PROP_ANNOTATION)) != 0)
                        continue;
                char *why = NULL;
                size_t before = p->n;
                int r = sd_props_from_annotation(key + strlen(PROP_ANNOTATION), json_object_get_string(val), p, &why);
                check_why(r, why);
                if ((r == 0 && p->n != before + 1) || (r < 0 && p->n != before))
                        abort();
                free(why);
                if (r < 0)
                        return r;
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint8_t *rest;
        size_t rest_size;
        struct json_object *config = fuzz_json_config(data, size, &rest, &rest_size);
        if (!config)
                return 0;
        char *proc_devices = NULL;
        if (rest) {
                proc_devices = malloc(rest_size + 1);
                if (!proc_devices)
                        goto out;
                memcpy(proc_devices, rest, rest_size);
                proc_devices[rest_size] = '\0';
        }
        struct json_object *linux_ = fuzz_json_get(config, "linux");
        unit_name(linux_, size & 1);

        struct json_object *res = fuzz_json_get(linux_, "resources");
        if (res && !json_object_is_type(res, json_type_object))
                res = NULL;
        struct sd_props p = {0};
        char *why = NULL;
        int r = sd_props_from_resources(res, block_dev, NULL, &p, &why);
        check_why(r, why);
        free(why);
        if (r >= 0)
                r = devices(linux_, res, proc_devices ? proc_devices : default_proc_devices, &p);
        if (r >= 0)
                r = annotations(config, &p);
        if (r >= 0) /* on a failure the list is dropped, half-filled */
                check_props(&p);
        sd_props_done(&p);
out:
        free(proc_devices);
        json_object_put(config);
        return 0;
}
