/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signals that end a created container's init.
 *
 * The init of a new pid namespace is its pid 1, and the kernel drops a
 * signal that pid 1 has no handler for (SIGKILL and SIGSTOP from an
 * ancestor namespace excepted, pid_namespaces(7)): without one, `kill ID
 * TERM` of a created container, the way engines clean one up, changes
 * nothing, and the container stays "created". So the init catches the
 * signals whose default is to end a process and exits on them, 128 + the
 * signal, while it waits for `start`. runc 1.1.5's init (Go) ends on
 * HUP, INT, QUIT, ABRT and TERM there, with status 2, and ignores USR1,
 * USR2, PIPE, ALRM and the real-time signals (Go's runtime does).
 *
 * Not caught: the synchronous fault signals (SEGV, BUS, ILL, FPE, TRAP,
 * SYS: a fault or a seccomp trap of the init itself ends it anyway), the
 * real-time ones (a system call each for what no engine sends a created
 * container; runc ignores them too), the signals whose default is to
 * ignore or stop, and any signal that is not at its default here.
 * execve() resets every caught signal to SIG_DFL, so the container's
 * process starts as it would without them.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "process.h"

static const int ending_signals[] = {
        SIGHUP,  SIGINT,    SIGQUIT, SIGABRT, SIGUSR1,   SIGUSR2, SIGPIPE, SIGALRM,
        SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,   SIGPWR,
};

/* 1 from created_signals_catch() to created_signals_done() */
static volatile sig_atomic_t waiting_for_start;

static void on_ending_signal(int sig)
{
        /* After `start`: nothing, what SIG_DFL does for a pid 1 (the kernel
         * drops the signal), and no system call under the seccomp filter;
         * execve() resets the handler for the process and for a hook's. */
        if (waiting_for_start)
                _exit(128 + sig);
}

static int catch_one(int sig, struct modrun_error **reterr)
{
        struct sigaction sa = {.sa_handler = on_ending_signal, .sa_flags = SA_RESTART}, old;
        if (sigaction(sig, &sa, &old) < 0)
                return error_new(reterr, errno, NULL, "catch signal %d while the container is created", sig);
        /* not at its default: leave it as it was */
        if (old.sa_handler != SIG_DFL && sigaction(sig, &old, NULL) < 0)
                return error_new(reterr, errno, NULL, "restore the handler of signal %d", sig);
        return 0;
}

int created_signals_catch(struct modrun_error **reterr)
{
        /* not the init of a pid namespace: the defaults end it already */
        if (getpid() != 1)
                return 0;
        waiting_for_start = 1;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(ending_signals); i++)
                r = catch_one(ending_signals[i], reterr);
        return r;
}

void created_signals_done(void)
{
        waiting_for_start = 0;
}
