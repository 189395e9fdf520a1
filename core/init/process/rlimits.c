/* SPDX-License-Identifier: Apache-2.0 */
/* process.rlimits and process.oomScoreAdj. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/resource.h>

#include "process.h"
#include "util/fs-util.h"

static void fmt_limit(char *buf, size_t size, uint64_t v)
{
        if (v == (uint64_t)RLIM_INFINITY)
                snprintf(buf, size, "unlimited");
        else
                snprintf(buf, size, "%" PRIu64, v);
}

int rlimit_error(const struct oci_rlimit *rl, const struct rlimit *cur, int errnum, struct modrun_error **reterr)
{
        char soft[32], hard[32], cur_soft[32], cur_hard[32];
        fmt_limit(soft, sizeof(soft), rl->soft);
        fmt_limit(hard, sizeof(hard), rl->hard);
        fmt_limit(cur_soft, sizeof(cur_soft), (uint64_t)cur->rlim_cur);
        fmt_limit(cur_hard, sizeof(cur_hard), (uint64_t)cur->rlim_max);
        const char *type = rl->type ? rl->type : "rlimit";

        if (rl->soft > rl->hard)
                return error_new(reterr, EINVAL, "the soft limit must not exceed the hard limit",
                                 "process.rlimits %s: soft limit %s is above the hard limit %s", type, soft, hard);

        _cleanup_free_ char *hint = NULL;
        if (errnum == EPERM && rl->hard > (uint64_t)cur->rlim_max &&
            asprintf(&hint, "the runtime lacks CAP_SYS_RESOURCE; lower the hard limit to %s or run with CAP_SYS_RESOURCE",
                     cur_hard) < 0)
                hint = NULL;
        return error_new(reterr, errnum, hint,
                         "setrlimit %s soft=%s hard=%s (current soft limit %s, hard limit %s)", type, soft, hard,
                         cur_soft, cur_hard);
}

int rlimits_apply(const struct oci_rlimit *rl, size_t n, struct modrun_error **reterr)
{
        for (size_t i = 0; i < n; i++) {
                struct rlimit cur = {0, 0};
                (void)getrlimit(rl[i].resource, &cur);
                struct rlimit want = {.rlim_cur = (rlim_t)rl[i].soft, .rlim_max = (rlim_t)rl[i].hard};
                if (rl[i].soft > rl[i].hard)
                        return rlimit_error(&rl[i], &cur, EINVAL, reterr);
                if (setrlimit(rl[i].resource, &want) < 0)
                        return rlimit_error(&rl[i], &cur, errno, reterr);
        }
        return 0;
}

int oom_score_adj_apply(int value, struct modrun_error **reterr)
{
        char buf[16];
        snprintf(buf, sizeof(buf), "%d", value);
        _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "process.oomScoreAdj %d: open /proc/self/oom_score_adj", value);
        if (write(fd, buf, strlen(buf)) < 0) {
                int e = errno;
                _cleanup_free_ char *curs = NULL;
                (void)fs_read_file(AT_FDCWD, "/proc/self/oom_score_adj", &curs, NULL);
                if (curs)
                        curs[strcspn(curs, "\n")] = '\0';
                return error_new(reterr, e,
                                 e == EACCES || e == EPERM
                                         ? "setting oom_score_adj below its minimum (0 unless lowered by a privileged process) needs CAP_SYS_RESOURCE, which the runtime lacks"
                                         : (e == EINVAL ? "the value must be within -1000..1000" : NULL),
                                 "process.oomScoreAdj: write %d to /proc/self/oom_score_adj (current value %s)", value,
                                 curs ? curs : "unknown");
        }
        return 0;
}
