/* SPDX-License-Identifier: Apache-2.0 */
/* The criu checkpoint engine: internals shared by its files. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <modrun/plugin.h>

#include "../common/clock.h"

/* Bounds of criu's runs (milliseconds). */
#define CRIU_CHECK_TIMEOUT_MS 30000
#define CRIU_RUN_TIMEOUT_MS (10 * 60 * 1000)

/* What checkpoint records in the image directory beside criu's images:
 * the init's stdio (for --inherit-fd on restore) and its terminal. */
#define CRIU_DESCRIPTORS_FILE "descriptors.json"
#define CRIU_NETNS_KEY "extRootNetNS"

struct criu_state {
        const struct modrun_host *host;
};

/* A growing NULL-terminated argv; any failed add leaves oom set. */
struct argv_builder {
        char **v;
        size_t n, cap;
        bool oom;
};
void argv_add(struct argv_builder *a, const char *s);
void argv_addf(struct argv_builder *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void argv_done(struct argv_builder *a);

/* The criu program: engine_path (must be executable), else "criu" in
 * $PATH. malloc()ed, or -ENOENT with *reterr saying how to get it. */
int criu_find(const struct modrun_host *host, const char *engine_path, char **ret_path,
              struct modrun_error **reterr);

/* Run argv (argv[0] the program), at most timeout_ms. inherit: fds the
 * child keeps (besides 0-2), ended by -1, or NULL. new_root: when set,
 * criu runs in a private mount namespace with the rootfs bound at
 * new_root (restore). *ret_status is the wait status; *ret_stderr what
 * it wrote on stderr (malloc()ed, may be NULL). */
struct criu_run {
        char *const *argv;
        const int *inherit;
        const char *rootfs, *new_root;
        int timeout_ms;
        bool capture_stdout; /* stdout goes where stderr goes (--version) */
};
int criu_run(const struct modrun_host *host, const struct criu_run *run, int *ret_status, char **ret_stderr,
             struct modrun_error **reterr);

/* The failure of a criu run: the error names the command, the exit
 * status and the last "Error" lines of log_path (or stderr); hint NULL:
 * "criu's whole log is LOG_PATH". */
int criu_fail(const struct modrun_host *host, const char *what, int status, const char *log_path,
              const char *stderr_text, const char *hint, struct modrun_error **reterr);

/* `criu check`: 0 or -EOPNOTSUPP with CRIU's reason and the fix. */
int criu_check(void *state, const char *engine_path, struct modrun_error **reterr);
int criu_describe(void *state, const char *engine_path, char **ret_text, struct modrun_error **reterr);

/* The external resources of the container (bind mounts, masked files,
 * network namespace, terminal): dump (pid: the init) or restore. */
int criu_dump_externals(const struct modrun_host *host, pid_t pid, const char *image_path,
                        struct argv_builder *a, struct modrun_error **reterr);
int criu_restore_externals(const struct modrun_host *host, const char *image_path, const char *cgroup_path,
                           int console_fd, struct argv_builder *a, int *inherit, size_t n_inherit,
                           struct modrun_error **reterr);

/* Flags dump and restore pass the same way (dump.c). */
void criu_add_common_flags(struct argv_builder *a, uint32_t flags, const char *mode, const char *const *empty_ns);

/* --cgroup-root=[CTRL:]PATH for each line of /proc/self/cgroup. */
void criu_add_cgroup_roots(struct argv_builder *a);

int criu_checkpoint(void *state, const struct modrun_checkpoint_request *req, struct modrun_error **reterr);
int criu_restore(void *state, const struct modrun_restore_request *req, pid_t *ret_pid,
                 struct modrun_error **reterr);
