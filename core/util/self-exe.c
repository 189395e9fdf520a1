/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVE-2019-5736: no process that a container can influence may run, map or
 * reopen the runtime's on-disk binary. Every command that starts a process
 * in a container (`create`, `run`, `exec`) runs from a sealed memfd copy
 * (runc 1.1's answer, chosen by measuring: a copy of the ~400 KiB release
 * binary costs about 0.1 ms, the second exec is the price; see README,
 * Performance). The installed launcher (core/launcher/) starts the runtime
 * from such a copy; whatever started it, the runtime checks its own seals
 * here and copies and re-executes itself without them. The init, the
 * helper, exec'd processes and the hooks that run inside the container
 * are all children of that image, so /proc/PID/exe is an anonymous copy
 * that cannot be written or grown. This holds whatever the container's
 * program is: a `#!/proc/self/exe` script, or an image loader (PT_INTERP)
 * the image replaced, executes the sealed copy, never the installed file.
 * Plugins are mapped from sealed copies too (core/plugin/loader.c).
 */
#include <fcntl.h>
#include <stdlib.h>

#include "sealed-copy.h"
#include "self-exe.h"

extern char **environ;

static char **saved_argv;
static int saved_command_at;

void self_exe_set_argv(char **argv, int command_at)
{
        saved_argv = argv;
        saved_command_at = command_at;
}

char **self_exe_argv_for(const char *const *cmd)
{
        size_t n = 0;
        while (cmd[n])
                n++;
        if (!saved_argv || saved_command_at < 1)
                return NULL;
        char **argv = calloc((size_t)saved_command_at + n + 1, sizeof(char *));
        if (!argv)
                return NULL;
        for (int i = 0; i < saved_command_at; i++)
                argv[i] = saved_argv[i];
        for (size_t i = 0; i < n; i++)
                argv[saved_command_at + i] = (char *)cmd[i];
        return argv;
}

bool self_exe_is_sealed(void)
{
        _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        int seals = fd >= 0 ? fcntl(fd, F_GET_SEALS) : -1;
        return seals >= 0 && (seals & SEALED_COPY_SEALS) == SEALED_COPY_SEALS;
}

int self_exe_reexec_sealed(struct modrun_error **reterr)
{
        if (self_exe_is_sealed())
                return 0;
        if (!saved_argv)
                return error_new(reterr, EINVAL, NULL, "re-execute the runtime: its command line was not saved");
        _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (src < 0)
                return error_new(reterr, errno, "mount /proc", "open /proc/self/exe to copy the runtime into a sealed memfd");
        _cleanup_close_ int mfd = sealed_copy(src, "modrun", "the runtime (/proc/self/exe)", reterr);
        if (mfd < 0)
                return mfd;
        fexecve(mfd, saved_argv, environ);
        return error_new(reterr, errno, NULL, "re-execute the runtime from its sealed memfd copy");
}
