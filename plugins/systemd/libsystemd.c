/* SPDX-License-Identifier: Apache-2.0 */
/* libsystemd's sd-bus, loaded on first use (libsystemd.h). */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "libsystemd.h"

#define LIBSYSTEMD_SONAME "libsystemd.so.0"

static struct sdlib lib;
static bool loaded;

static bool sym(void *h, const char *name, void *ret)
{
        void *p = dlsym(h, name);
        memcpy(ret, &p, sizeof(p)); /* a data pointer into a function pointer, as POSIX allows for dlsym */
        return p != NULL;
}

int sdl_load(const struct modrun_host *host, const struct sdlib **ret, struct modrun_error **reterr)
{
        if (loaded) {
                *ret = &lib;
                return 0;
        }
        /* RTLD_NODELETE: libsystemd stays when the plugin is unloaded, as
         * the objects and exit handlers it made may outlive the handle */
        void *h = dlopen(LIBSYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!h) {
                const char *why = dlerror();
                return host->error(reterr, ENOENT,
                                   "install libsystemd (Debian: libsystemd0), or use --cgroup-manager=cgroupfs",
                                   "systemd: load %s: %s", LIBSYSTEMD_SONAME, why ? why : "dlopen failed");
        }
        struct sdlib l;
        const char *missing = NULL;
#define SYM(field, name) \
        if (!missing && !sym(h, name, &l.field)) \
                missing = name
        SYM(bus_new, "sd_bus_new");
        SYM(bus_set_address, "sd_bus_set_address");
        SYM(bus_start, "sd_bus_start");
        SYM(bus_unref, "sd_bus_unref");
        SYM(bus_open_user, "sd_bus_open_user");
        SYM(bus_open_system, "sd_bus_open_system");
        SYM(bus_set_method_call_timeout, "sd_bus_set_method_call_timeout");
        SYM(bus_match_signal, "sd_bus_match_signal");
        SYM(bus_flush_close_unref, "sd_bus_flush_close_unref");
        SYM(bus_call, "sd_bus_call");
        SYM(bus_call_method, "sd_bus_call_method");
        SYM(bus_get_property_string, "sd_bus_get_property_string");
        SYM(bus_process, "sd_bus_process");
        SYM(bus_wait, "sd_bus_wait");
        SYM(message_new_method_call, "sd_bus_message_new_method_call");
        SYM(message_append, "sd_bus_message_append");
        SYM(message_append_array, "sd_bus_message_append_array");
        SYM(message_open_container, "sd_bus_message_open_container");
        SYM(message_close_container, "sd_bus_message_close_container");
        SYM(message_read, "sd_bus_message_read");
        SYM(message_unref, "sd_bus_message_unref");
        SYM(error_free, "sd_bus_error_free");
        SYM(error_has_name, "sd_bus_error_has_name");
        SYM(error_is_set, "sd_bus_error_is_set");
        SYM(error_get_errno, "sd_bus_error_get_errno");
#undef SYM
        if (missing)
                return host->error(reterr, ENOSYS, "install libsystemd 240 or later, or use --cgroup-manager=cgroupfs",
                                   "systemd: %s has no %s (too old?)", LIBSYSTEMD_SONAME, missing);
        lib = l;
        loaded = true;
        *ret = &lib;
        return 0;
}
