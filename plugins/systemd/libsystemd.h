/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libsystemd's sd-bus, loaded when the plugin first talks to systemd
 * (create, delete, update, kill --all), not when it is loaded: exec, ps,
 * pause, resume and events find the scope from create's record (cgdir.c)
 * and need no bus, so they do not map libsystemd and the seven libraries it
 * brings (libgcrypt, libgpg-error, liblzma, libzstd, liblz4, libcap, libm),
 * twice per exec with the sealed re-exec (bench/README.md).
 * Only bus.c calls it.
 */
#ifndef MODRUN_SYSTEMD_LIBSYSTEMD_H
#define MODRUN_SYSTEMD_LIBSYSTEMD_H

#include <systemd/sd-bus.h>

#include <modrun/plugin.h>

/* The functions of sd-bus the plugin calls, with libsystemd's own types. */
struct sdlib {
        __typeof__(sd_bus_new) *bus_new;
        __typeof__(sd_bus_set_address) *bus_set_address;
        __typeof__(sd_bus_start) *bus_start;
        __typeof__(sd_bus_unref) *bus_unref;
        __typeof__(sd_bus_open_user) *bus_open_user;
        __typeof__(sd_bus_open_system) *bus_open_system;
        __typeof__(sd_bus_set_method_call_timeout) *bus_set_method_call_timeout;
        __typeof__(sd_bus_match_signal) *bus_match_signal;
        __typeof__(sd_bus_flush_close_unref) *bus_flush_close_unref;
        __typeof__(sd_bus_call) *bus_call;
        __typeof__(sd_bus_call_method) *bus_call_method;
        __typeof__(sd_bus_get_property_string) *bus_get_property_string;
        __typeof__(sd_bus_process) *bus_process;
        __typeof__(sd_bus_wait) *bus_wait;
        __typeof__(sd_bus_message_new_method_call) *message_new_method_call;
        __typeof__(sd_bus_message_append) *message_append;
        __typeof__(sd_bus_message_append_array) *message_append_array;
        __typeof__(sd_bus_message_open_container) *message_open_container;
        __typeof__(sd_bus_message_close_container) *message_close_container;
        __typeof__(sd_bus_message_read) *message_read;
        __typeof__(sd_bus_message_unref) *message_unref;
        __typeof__(sd_bus_error_free) *error_free;
        __typeof__(sd_bus_error_has_name) *error_has_name;
        __typeof__(sd_bus_error_is_set) *error_is_set;
        __typeof__(sd_bus_error_get_errno) *error_get_errno;
};

/* dlopen() libsystemd.so.0 once per process: 0 and *ret, or host->error(). */
int sdl_load(const struct modrun_host *host, const struct sdlib **ret, struct modrun_error **reterr);

#endif
