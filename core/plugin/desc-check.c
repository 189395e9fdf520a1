/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checks of a plugin's descriptor and ops table, apart from the file
 * checks and dlopen() of loader.c: pure (no syscall; a debug log line), so
 * that the unit tests and the fuzz target (tests/fuzz/fuzz-plugin.c) feed
 * it descriptors of their own. The order of the refusals is the order a
 * stale or foreign plugin is most likely to fail them: ABI major, size,
 * kind, data model, name, then the ops table (present, at least the ABI
 * 1.0 baseline, every mandatory op non-NULL). Only what the descriptor's
 * own sizes allow is read.
 */
#include <string.h>

#include "plugin/plugin-internal.h"
#include "util/log.h"

static const char *kind_name(uint32_t kind)
{
        const char *s = plugin_kind_to_string(kind);
        return s ? s : "unknown";
}

static int check_ops(const char *path, const struct modrun_plugin *desc, const struct plugin_kind_info *ki,
                     struct modrun_error **reterr)
{
        if (!desc->ops)
                return plugin_refuse(reterr, ENOEXEC, "point .ops of MODRUN_PLUGIN_DEFINE() at the ops table",
                                     "refusing plugin %s: its descriptor has no ops table (ops is NULL)", path);
        uint32_t size = *(const uint32_t *)desc->ops;
        if (size < ki->baseline)
                return plugin_refuse(reterr, ENOEXEC,
                                     "set .size = sizeof(struct modrun_<kind>_ops) and rebuild against "
                                     "<modrun/plugin.h>: the table must hold every mandatory op",
                                     "refusing plugin %s: its %s ops table is %u bytes, smaller than the ABI 1.0 "
                                     "baseline of %zu bytes",
                                     path, ki->name, size, ki->baseline);
        for (const struct plugin_op_ref *op = ki->mandatory; op->name; op++) {
                void *fn = NULL;
                memcpy(&fn, (const char *)desc->ops + op->offset, sizeof(fn));
                if (!fn)
                        return plugin_refuse(reterr, ENOEXEC, "implement it: only optional ops may be NULL",
                                             "refusing plugin %s: the mandatory op %s is NULL in its %s ops table",
                                             path, op->name, ki->name);
        }
        if (size > ki->core_size)
                log_debug("plugin %s: its %s ops table is %u bytes, this modrun knows %zu: the %zu bytes of "
                          "newer ops are ignored",
                          path, ki->name, size, ki->core_size, (size_t)size - ki->core_size);
        else if (size < ki->core_size)
                log_debug("plugin %s: its %s ops table is %u bytes (older than this modrun's %zu): the ops it "
                          "lacks are treated as absent",
                          path, ki->name, size, ki->core_size);
        return 0;
}

int plugin_validate(const char *path, const struct modrun_plugin *desc, uint32_t kind, const char *name,
                    struct modrun_error **reterr)
{
        const struct plugin_kind_info *ki = plugin_kind_info(kind);
        if (!ki) /* the caller's kind, from a file name it made: a bug, not the plugin's */
                return plugin_refuse(reterr, EINVAL, NULL, "refusing plugin %s: kind %u is none of modrun's", path,
                                     kind);
        if (desc->abi_major != MODRUN_PLUGIN_ABI_MAJOR)
                return plugin_refuse(reterr, ENOEXEC, NULL,
                                     "%s was built for ABI %u, modrun speaks ABI %u; rebuild against "
                                     "modrun-plugin ABI %u",
                                     path, desc->abi_major, MODRUN_PLUGIN_ABI_MAJOR, MODRUN_PLUGIN_ABI_MAJOR);
        if (desc->size < MODRUN_PLUGIN_SIZE_1_0)
                return plugin_refuse(reterr, ENOEXEC, "declare it with MODRUN_PLUGIN_DEFINE() from <modrun/plugin.h>",
                                     "refusing plugin %s: its descriptor size is %u bytes, smaller than the ABI "
                                     "1.0 descriptor (%zu bytes)",
                                     path, desc->size, (size_t)MODRUN_PLUGIN_SIZE_1_0);
        if (desc->kind != kind)
                return plugin_refuse(reterr, ENOEXEC, "name the file <kind>-<name>.so after the kind it declares",
                                     "refusing plugin %s: its descriptor declares kind %s (%u) but its file name "
                                     "says %s",
                                     path, kind_name(desc->kind), desc->kind, kind_name(kind));
        if (desc->abi_sig != MODRUN_PLUGIN_ABI_SIG)
                return plugin_refuse(reterr, ENOEXEC,
                                     "rebuild it for this architecture, with modrun's _FILE_OFFSET_BITS and "
                                     "_TIME_BITS",
                                     "refusing plugin %s: it was built for another data model (abi_sig 0x%06x: "
                                     "pointer, off_t, time_t of %u, %u, %u bytes; modrun has 0x%06x)",
                                     path, desc->abi_sig, desc->abi_sig >> 16, (desc->abi_sig >> 8) & 0xff,
                                     desc->abi_sig & 0xff, MODRUN_PLUGIN_ABI_SIG);
        if (!desc->name || !streq(desc->name, name))
                return plugin_refuse(reterr, ENOEXEC,
                                     "the file must be named <kind>-<name>.so after the name in its descriptor",
                                     "refusing plugin %s: its descriptor names it \"%.64s\" but its file name "
                                     "says \"%s\"",
                                     path, desc->name ? desc->name : "(null)", name);
        return check_ops(path, desc, ki, reterr);
}
