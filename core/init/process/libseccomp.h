/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libseccomp, loaded when a command first needs it (linux.seccomp is set,
 * `features`, `--version`), not at every start: a runtime started from a
 * sealed copy is linked twice per create, run and exec (CVE-2019-5736,
 * util/self-exe.c), and a container without a filter, like state, start,
 * delete, list and kill, needs none of it (bench/README.md, Phases).
 */
#pragma once

#include <seccomp.h>

#include "util/error.h"

/* The functions of libseccomp modrun calls, with libseccomp's own types. */
struct libseccomp {
        __typeof__(seccomp_version) *version;
        __typeof__(seccomp_api_get) *api_get;
        __typeof__(seccomp_init) *init;
        __typeof__(seccomp_release) *release;
        __typeof__(seccomp_export_bpf) *export_bpf;
        __typeof__(seccomp_arch_native) *arch_native;
        __typeof__(seccomp_attr_get) *attr_get;
        __typeof__(seccomp_attr_set) *attr_set;
        __typeof__(seccomp_arch_add) *arch_add;
        __typeof__(seccomp_arch_resolve_name) *arch_resolve_name;
        __typeof__(seccomp_syscall_resolve_name) *syscall_resolve_name;
        __typeof__(seccomp_syscall_resolve_name_arch) *syscall_resolve_name_arch;
        __typeof__(seccomp_rule_add_array) *rule_add_array;
};

/* Load libseccomp (dlopen of its soname, once per process) and return its
 * functions, or NULL with *reterr set. Only in the runtime, on the host's
 * file systems: the filter is compiled there before clone() and the
 * container's init uses that mapping, never opening a library in the
 * container's root. */
const struct libseccomp *libseccomp_load(struct modrun_error **reterr);
