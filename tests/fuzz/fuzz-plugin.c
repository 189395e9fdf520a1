/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the loader's check of a plugin descriptor,
 * plugin_validate() (core/plugin/desc-check.c, what load_checked() calls
 * after dlsym()), on descriptors of garbage: ABI major, size, kind, data
 * model, name, and an ops table of any declared size with any mandatory op
 * NULL or not. Also plugin_name_validate() and plugin_options_set() on the
 * name (--plugin KIND=NAME).
 *
 * Input (short inputs are zero-padded):
 *   0..15  abi_major, size, kind, abi_sig (u32, native order)
 *   16     flags: each set bit replaces a field by its good value, so that
 *          the fuzzer reaches the later checks: 1 abi_major, 2 size, 4 kind
 *          (= the expected kind), 8 abi_sig, 16 name (= the expected name),
 *          32 ops NULL, 64 ops size = the core's table size
 *   17     the expected kind (the file name's), taken modulo 6 (0 and 5 are
 *          none)
 *   18..   the descriptor's name, NUL, the file name's name, NUL, then the
 *          ops table: its first 4 bytes are its size field
 * The ops table is a heap block of exactly its declared size (at most
 * 4096 bytes; at least the 4-byte size field), so ASan catches a read of
 * more than the table declares. Its function pointers are never called.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz-common.h"
#include "plugin/plugin-internal.h"
#include "util/log.h"

#define OPS_CAP 4096

static uint32_t u32_at(const uint8_t *d, size_t n, size_t off)
{
        uint32_t v = 0;
        for (size_t i = 0; i < 4; i++)
                v |= (uint32_t)(off + i < n ? d[off + i] : 0) << (8 * i);
        return v;
}

/* The next NUL-terminated field of data from *pos, as a heap string. */
static char *field(const uint8_t *data, size_t size, size_t *pos)
{
        size_t start = *pos < size ? *pos : size, end = start;
        while (end < size && data[end])
                end++;
        *pos = end < size ? end + 1 : size;
        return fuzz_strdup(data + start, end - start);
}

static bool accepted_ok(const struct modrun_plugin *d, uint32_t kind, const char *name)
{
        const struct plugin_kind_info *ki = plugin_kind_info(kind);
        if (!ki || d->abi_major != MODRUN_PLUGIN_ABI_MAJOR || d->size < MODRUN_PLUGIN_SIZE_1_0 || d->kind != kind ||
            d->abi_sig != MODRUN_PLUGIN_ABI_SIG || !d->name || strcmp(d->name, name) != 0 || !d->ops)
                return false;
        uint32_t size;
        memcpy(&size, d->ops, sizeof(size));
        if (size < ki->baseline)
                return false;
        for (const struct plugin_op_ref *op = ki->mandatory; op->name; op++) {
                void *fn;
                if (op->offset + sizeof(fn) > ki->baseline)
                        return false; /* a mandatory op past the baseline: kind.c and plugin.h disagree */
                memcpy(&fn, (const char *)d->ops + op->offset, sizeof(fn));
                if (!fn)
                        return false;
        }
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static bool once;
        if (!once) {
                /* debug lines (the ops table size notes) formatted, and dropped */
                (void)log_setup("/dev/null", LOG_FORMAT_TEXT, LOG_DEBUG, NULL);
                once = true;
        }
        uint8_t flags = size > 16 ? data[16] : 0;
        uint32_t kind = (size > 17 ? data[17] : 0) % 6;
        size_t pos = 18;
        char *dname = field(data, size, &pos), *fname = field(data, size, &pos);
        const uint8_t *ops_in = data + (pos < size ? pos : size);
        size_t ops_n = size - (pos < size ? pos : size);

        uint32_t ops_size = u32_at(ops_in, ops_n, 0);
        const struct plugin_kind_info *ki = plugin_kind_info(kind);
        if ((flags & 64) && ki)
                ops_size = (uint32_t)ki->core_size;
        size_t alloc = ops_size < 4 ? 4 : ops_size > OPS_CAP ? OPS_CAP : ops_size;
        uint8_t *ops = calloc(1, alloc);
        if (!dname || !fname || !ops)
                goto out;
        if (ops_n > 4)
                memcpy(ops + 4, ops_in + 4, ops_n - 4 < alloc - 4 ? ops_n - 4 : alloc - 4);
        memcpy(ops, &ops_size, sizeof(ops_size));

        struct modrun_plugin d = {
                .abi_major = flags & 1 ? MODRUN_PLUGIN_ABI_MAJOR : u32_at(data, size, 0),
                .size = flags & 2 ? (uint32_t)sizeof(struct modrun_plugin) : u32_at(data, size, 4),
                .kind = flags & 4 ? kind : u32_at(data, size, 8),
                .abi_sig = flags & 8 ? MODRUN_PLUGIN_ABI_SIG : u32_at(data, size, 12),
                .name = flags & 16 ? fname : dname,
                .version = "1",
                .ops = flags & 32 ? NULL : ops,
        };
        char path[128];
        (void)snprintf(path, sizeof(path), "/fuzz/%s-%.64s.so", plugin_kind_to_string(kind) ?: "unknown", fname);
        struct modrun_error *err = NULL;
        int r = plugin_validate(path, &d, kind, fname, &err);
        if (r == 0) {
                if (err || !accepted_ok(&d, kind, fname))
                        abort();
        } else {
                if (r > 0 || !err || !err->msg || err->errnum <= 0 || -r != err->errnum || !strstr(err->msg, path))
                        abort();
                if (accepted_ok(&d, kind, fname))
                        abort();
        }
        error_free(err);
        err = NULL;
        (void)plugin_refuse(NULL, ENOEXEC, NULL, "no error wanted: %s", fname);

        /* The same name as --plugin KIND=NAME and as a config file's value. */
        r = plugin_name_validate(dname, "--plugin", &err);
        if ((r < 0) != (err != NULL) || (r < 0 && !err->msg))
                abort();
        error_free(err);
        err = NULL;
        if (ki) {
                char *arg = NULL;
                if (asprintf(&arg, "%s=%s", ki->name, dname) >= 0) {
                        struct plugin_options opts = {0};
                        r = plugin_options_set(&opts, arg, "--plugin", &err);
                        if (r == 0 && (!opts.choice[kind] || strcmp(opts.choice[kind], dname) != 0))
                                abort();
                        if ((r < 0) != (err != NULL))
                                abort();
                        plugin_options_done(&opts);
                        error_free(err);
                        free(arg);
                }
        }
out:
        free(ops);
        free(dname);
        free(fname);
        return 0;
}
