/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signals.h"

static const struct {
        const char *name;
        int sig;
} signal_table[] = {
        {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"BUS", SIGBUS},       {"CHLD", SIGCHLD},   {"CONT", SIGCONT},
        {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},       {"INT", SIGINT},     {"IO", SIGIO},
        {"IOT", SIGIOT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE},     {"POLL", SIGPOLL},   {"PROF", SIGPROF},
        {"PWR", SIGPWR},   {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},     {"STKFLT", SIGSTKFLT}, {"STOP", SIGSTOP},
        {"SYS", SIGSYS},   {"TERM", SIGTERM}, {"TRAP", SIGTRAP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
        {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"USR1", SIGUSR1},     {"USR2", SIGUSR2},   {"VTALRM", SIGVTALRM},
        {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

static int parse_number(const char *s, long *ret)
{
        if (!*s)
                return -EINVAL;
        for (const char *c = s; *c; c++)
                if (!isdigit((unsigned char)*c))
                        return -EINVAL;
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_rt(const char *s)
{
        long off = 0;
        if (strcasecmp(s, "RTMIN") == 0)
                return SIGRTMIN;
        if (strcasecmp(s, "RTMAX") == 0)
                return SIGRTMAX;
        if (strncasecmp(s, "RTMIN+", 6) == 0 && parse_number(s + 6, &off) == 0 && off <= SIGRTMAX - SIGRTMIN)
                return SIGRTMIN + (int)off;
        if (strncasecmp(s, "RTMAX-", 6) == 0 && parse_number(s + 6, &off) == 0 && off <= SIGRTMAX - SIGRTMIN)
                return SIGRTMAX - (int)off;
        return -EINVAL;
}

int signal_parse(const char *s, struct modrun_error **reterr)
{
        static const char hint[] = "give a name like SIGTERM, TERM or KILL, or a number from 0 to 64 (`kill -l`)";
        long n = 0;
        if (parse_number(s, &n) == 0) {
                /* 0 sends nothing and checks that the process exists (kill(2)); runc takes it */
                if (n < 0 || n > SIGRTMAX)
                        return error_new(reterr, 0, hint, "invalid signal number %s", s);
                return (int)n;
        }
        const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (strcasecmp(name, signal_table[i].name) == 0)
                        return signal_table[i].sig;
        int rt = parse_rt(name);
        if (rt > 0)
                return rt;
        return error_new(reterr, 0, hint, "unknown signal \"%s\"", s);
}

int signal_stop_pending(void)
{
        static const int stops[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
        sigset_t pending;
        if (sigpending(&pending) < 0)
                return 0;
        for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
                if (sigismember(&pending, stops[i]) == 1)
                        return stops[i];
        return 0;
}

void signal_child_default(void)
{
        struct sigaction sa;
        if (sigaction(SIGCHLD, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
                (void)signal(SIGCHLD, SIG_DFL);
}
