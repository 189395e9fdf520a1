/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resources systemd takes only for a device path, or not at all:
 *
 *   blockIO.weightDevice[]        IODeviceWeight=/dev/block/M:m W (io range),
 *                                 else io.weight "M:m W" written directly
 *   blockIO.throttle*Device[]     IO{Read,Write}{Bandwidth,IOPS}Max=/dev/block/M:m N,
 *                                 and always io.max "M:m rbps=N" written directly
 *   hugepageLimits[]              hugetlb.<size>.max (no property exists)
 *   rdma{}                        rdma.max "<dev> hca_handle=H hca_object=O"
 *
 * systemd resolves a device path with stat(): a /dev/block/M:m link that
 * is missing would make it drop the limit with a line in its log, so the
 * caller says which links exist (sd_block_dev_fn). A throttle is also
 * written as an io.max line because systemd only logs what the kernel
 * refuses (a partition, a device that went away); the write makes that an
 * error naming the file, the value and the errno. Pure: json in, a
 * property list and files out.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../common/cgroup-convert.h"
#include "systemd.h"

#define BLKIO "linux.resources.blockIO."

static struct json_object *member(const struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
            json_object_is_type(v, json_type_null))
                return NULL;
        return v;
}

/* An integer member in [0, max]: 1 found, 0 absent, -EINVAL otherwise. */
static int uint_member(const struct json_object *o, const char *key, uint64_t max, uint64_t *ret)
{
        struct json_object *v = member(o, key);
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
                return -EINVAL;
        uint64_t u = json_object_get_uint64(v);
        if (u > max)
                return -EINVAL;
        *ret = u;
        return 1;
}

int sd_props_add_dev_value(struct sd_props *p, const char *name, const char *path, uint64_t value)
{
        struct sd_prop *x = (struct sd_prop *)sd_props_find(p, name);
        if (x && x->type != 'V')
                return -EINVAL;
        if (!x && !(x = sd_props_add(p, name, 'V')))
                return -ENOMEM;
        for (size_t i = 0; i < x->n; i++)
                if (strcmp(x->dvals[i].path, path) == 0) { /* the last rule for a device wins */
                        x->dvals[i].value = value;
                        return 0;
                }
        struct sd_dev_value *v = realloc(x->dvals, (x->n + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        x->dvals = v;
        if (!(v[x->n].path = strdup(path)))
                return -ENOMEM;
        v[x->n++].value = value;
        return 0;
}

/* major/minor of a device entry: 0, or -EINVAL with the field named. */
static int dev_numbers(const struct json_object *e, const char *list, size_t i, int64_t *ret_major,
                       int64_t *ret_minor, char **ret_why)
{
        uint64_t ma = 0, mi = 0;
        if (!e || !json_object_is_type(e, json_type_object) || uint_member(e, "major", UINT32_MAX, &ma) != 1 ||
            uint_member(e, "minor", UINT32_MAX, &mi) != 1)
                return sd_why(ret_why, BLKIO "%s[%zu] needs \"major\" and \"minor\" (numbers >= 0) of a block device",
                              list, i);
        *ret_major = (int64_t)ma;
        *ret_minor = (int64_t)mi;
        return 0;
}

static int weight_devices(const struct json_object *list, sd_block_dev_fn block_dev, void *userdata,
                          struct sd_props *p, char **ret_why)
{
        for (size_t i = 0; list && i < json_object_array_length(list); i++) {
                const struct json_object *e = json_object_array_get_idx(list, i);
                int64_t ma = 0, mi = 0;
                uint64_t w = 0;
                int r = dev_numbers(e, "weightDevice", i, &ma, &mi, ret_why);
                if (r < 0)
                        return r;
                if ((r = uint_member(e, "weight", 1000, &w)) < 0 || (r > 0 && w > 0 && w < 10))
                        return sd_why(ret_why, BLKIO "weightDevice[%zu].weight is not a number in 10..1000", i);
                if (r == 0 || w == 0)
                        continue; /* only leafWeight: cgroup v2 has none */
                uint64_t io = cgroup_blkio_weight_to_io(w);
                char path[64], line[64];
                (void)snprintf(path, sizeof(path), "/dev/block/%" PRId64 ":%" PRId64, ma, mi);
                (void)snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %" PRIu64, ma, mi, io);
                if (block_dev && block_dev(ma, mi, userdata))
                        r = sd_props_add_dev_value(p, "IODeviceWeight", path, io);
                else
                        r = sd_props_add_file(&p->files, &p->n_files, &p->cap_files, "io.weight", line);
                if (r < 0)
                        return r;
        }
        return 0;
}

static const struct {
        const char *oci, *prop, *key;
} throttles[] = {
        {"throttleReadBpsDevice", "IOReadBandwidthMax", "rbps"},
        {"throttleWriteBpsDevice", "IOWriteBandwidthMax", "wbps"},
        {"throttleReadIOPSDevice", "IOReadIOPSMax", "riops"},
        {"throttleWriteIOPSDevice", "IOWriteIOPSMax", "wiops"},
};

static int throttle_devices(size_t t, const struct json_object *list, sd_block_dev_fn block_dev, void *userdata,
                            struct sd_props *p, char **ret_why)
{
        for (size_t i = 0; list && i < json_object_array_length(list); i++) {
                const struct json_object *e = json_object_array_get_idx(list, i);
                int64_t ma = 0, mi = 0;
                uint64_t rate = 0;
                int r = dev_numbers(e, throttles[t].oci, i, &ma, &mi, ret_why);
                if (r < 0)
                        return r;
                if (uint_member(e, "rate", UINT64_MAX, &rate) != 1)
                        return sd_why(ret_why, BLKIO "%s[%zu] needs \"rate\", a number >= 0 (0: no limit)",
                                      throttles[t].oci, i);
                /* 0 lifts the limit, as on cgroup v1 (io.max itself refuses 0) */
                uint64_t v = rate == 0 ? SD_INFINITY : rate;
                char path[64], line[96], num[32];
                if (v == SD_INFINITY)
                        (void)snprintf(num, sizeof(num), "max");
                else
                        (void)snprintf(num, sizeof(num), "%" PRIu64, v);
                (void)snprintf(path, sizeof(path), "/dev/block/%" PRId64 ":%" PRId64, ma, mi);
                (void)snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %s=%s", ma, mi, throttles[t].key, num);
                if (block_dev && block_dev(ma, mi, userdata) &&
                    (r = sd_props_add_dev_value(p, throttles[t].prop, path, v)) < 0)
                        return r;
                if ((r = sd_props_add_file(&p->files, &p->n_files, &p->cap_files, "io.max", line)) < 0)
                        return r;
        }
        return 0;
}

int sd_blockio_device_props(const struct json_object *blkio, sd_block_dev_fn block_dev, void *userdata,
                            struct sd_props *p, char **ret_why)
{
        if (!blkio)
                return 0;
        struct json_object *list = member(blkio, "weightDevice");
        if (list && !json_object_is_type(list, json_type_array))
                return sd_why(ret_why, BLKIO "weightDevice is not an array");
        int r = weight_devices(list, block_dev, userdata, p, ret_why);
        for (size_t t = 0; r >= 0 && t < sizeof(throttles) / sizeof(throttles[0]); t++) {
                list = member(blkio, throttles[t].oci);
                if (list && !json_object_is_type(list, json_type_array))
                        return sd_why(ret_why, BLKIO "%s is not an array", throttles[t].oci);
                r = throttle_devices(t, list, block_dev, userdata, p, ret_why);
        }
        return r;
}

/* "2MB", "1GB", "64KB": digits and a unit, as runc names hugetlb files. */
static bool page_size_valid(const char *s)
{
        size_t d = strspn(s, "0123456789");
        return d > 0 && d < 12 && s[0] != '0' && strchr("KMG", s[d]) && s[d] && strcmp(s + d + 1, "B") == 0;
}

int sd_hugetlb_files(const struct json_object *limits, struct sd_props *p, char **ret_why)
{
        if (!limits)
                return 0;
        if (!json_object_is_type(limits, json_type_array))
                return sd_why(ret_why, "linux.resources.hugepageLimits is not an array");
        for (size_t i = 0; i < json_object_array_length(limits); i++) {
                const struct json_object *e = json_object_array_get_idx(limits, i);
                struct json_object *size = member(e, "pageSize");
                uint64_t limit = 0;
                if (!size || !json_object_is_type(size, json_type_string) ||
                    !page_size_valid(json_object_get_string(size)))
                        return sd_why(ret_why, "linux.resources.hugepageLimits[%zu].pageSize is not a size like "
                                               "\"2MB\" or \"1GB\"", i);
                if (uint_member(e, "limit", UINT64_MAX, &limit) != 1)
                        return sd_why(ret_why, "linux.resources.hugepageLimits[%zu].limit is not a number of bytes", i);
                char file[64], v[32];
                (void)snprintf(file, sizeof(file), "hugetlb.%s.max", json_object_get_string(size));
                (void)snprintf(v, sizeof(v), "%" PRIu64, limit);
                int r = sd_props_add_file(&p->files, &p->n_files, &p->cap_files, file, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

int sd_rdma_files(const struct json_object *rdma, struct sd_props *p, char **ret_why)
{
        if (!rdma)
                return 0;
        if (!json_object_is_type(rdma, json_type_object))
                return sd_why(ret_why, "linux.resources.rdma is not an object of devices");
        json_object_object_foreach((struct json_object *)rdma, dev, lim)
        {
                if (!*dev || strlen(dev) > 64 || strpbrk(dev, " \t\n="))
                        return sd_why(ret_why, "linux.resources.rdma: \"%s\" is not an RDMA device name", dev);
                if (!json_object_is_type(lim, json_type_object))
                        return sd_why(ret_why, "linux.resources.rdma.%s is not an object", dev);
                char h[32] = "max", o[32] = "max", line[160];
                uint64_t v = 0;
                int r = uint_member(lim, "hcaHandles", UINT32_MAX, &v);
                if (r < 0)
                        return sd_why(ret_why, "linux.resources.rdma.%s.hcaHandles is not a number", dev);
                if (r > 0)
                        (void)snprintf(h, sizeof(h), "%" PRIu64, v);
                if ((r = uint_member(lim, "hcaObjects", UINT32_MAX, &v)) < 0)
                        return sd_why(ret_why, "linux.resources.rdma.%s.hcaObjects is not a number", dev);
                if (r > 0)
                        (void)snprintf(o, sizeof(o), "%" PRIu64, v);
                (void)snprintf(line, sizeof(line), "%s hca_handle=%s hca_object=%s", dev, h, o);
                if ((r = sd_props_add_file(&p->files, &p->n_files, &p->cap_files, "rdma.max", line)) < 0)
                        return r;
        }
        return 0;
}
