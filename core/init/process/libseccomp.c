/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <stdbool.h>

#include "libseccomp.h"

#define LIBSECCOMP_SONAME "libseccomp.so.2"

static struct libseccomp lib;
static bool loaded;

static bool sym(void *h, const char *name, void *ret)
{
        void *p = dlsym(h, name);
        memcpy(ret, &p, sizeof(p)); /* a data pointer into a function pointer, as POSIX allows for dlsym */
        return p != NULL;
}

const struct libseccomp *libseccomp_load(struct modrun_error **reterr)
{
        if (loaded)
                return &lib;
        /* RTLD_NODELETE: a compiled filter may outlive any handle. */
        void *h = dlopen(LIBSECCOMP_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!h) {
                const char *why = dlerror();
                error_new(reterr, ENOENT, "install libseccomp (Debian: libseccomp2), version 2.5 or later",
                          "load %s for linux.seccomp: %s", LIBSECCOMP_SONAME, why ? why : "dlopen failed");
                return NULL;
        }
        struct libseccomp l;
        const char *missing = NULL;
#define SYM(field, name) \
        if (!missing && !sym(h, name, &l.field)) \
                missing = name
        SYM(version, "seccomp_version");
        SYM(api_get, "seccomp_api_get");
        SYM(init, "seccomp_init");
        SYM(release, "seccomp_release");
        SYM(export_bpf, "seccomp_export_bpf");
        SYM(arch_native, "seccomp_arch_native");
        SYM(attr_get, "seccomp_attr_get");
        SYM(attr_set, "seccomp_attr_set");
        SYM(arch_add, "seccomp_arch_add");
        SYM(arch_resolve_name, "seccomp_arch_resolve_name");
        SYM(syscall_resolve_name, "seccomp_syscall_resolve_name");
        SYM(syscall_resolve_name_arch, "seccomp_syscall_resolve_name_arch");
        SYM(rule_add_array, "seccomp_rule_add_array");
#undef SYM
        if (missing) {
                error_new(reterr, ENOSYS, "install libseccomp 2.5 or later",
                          "load %s for linux.seccomp: it has no %s (too old?)", LIBSECCOMP_SONAME, missing);
                (void)dlclose(h);
                return NULL;
        }
        lib = l;
        loaded = true;
        return &lib;
}
