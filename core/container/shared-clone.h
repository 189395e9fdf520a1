/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A process that shares the runtime's memory from its clone to its
 * execve (clone-vm.h), for spawn.c: `exec`'s process, `run`'s init. The
 * runtime sends "go" first and sleeps in the clone; the child bounds its
 * set-up with a timer of its own, and a timer of the runtime's backs that.
 * A child that did not exec may have died inside malloc(): then the
 * runtime's heap is not to be trusted (docs/security.md).
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup-entry.h"

/* May a process share our memory now? Built for it (clone_vm_available),
 * no other thread of ours runs beside it (__libc_single_threaded), and
 * SIGCHLD is not ignored: the kernel would reap it, and how it ended
 * (shared_clone_heap_trusted) would be lost. */
bool shared_clone_possible(void);

/* The exit of a child whose set-up bound passed with SIGALRM
 * (shared_clone_child_bound): it may have been inside malloc(), as if
 * killed. */
#define SHARED_CLONE_TIMED_OUT 124

/* First thing in the child: bound its set-up (the runtime sleeps until
 * its execve) with a timer that sends signo in ms (execve deletes the
 * timer and resets the handler). SIGKILL ends even a stopped process; but
 * the pid 1 of a new pid namespace drops a SIGKILL it sends itself (only
 * one from an ancestor namespace gets through): SIGALRM then, caught, an
 * exit with SHARED_CLONE_TIMED_OUT (and unblocked, should the caller have
 * blocked it). 0, or -1 with errno: unbounded, the child must not go on. */
int shared_clone_child_bound(int signo, int ms);

struct shared_clone {
        const struct modrun_cgroup_entry *cg_entry;
        unsigned long flags; /* CLONE_NEW*..., besides CLONE_VM | CLONE_VFORK */
        int go_fd;           /* the runtime's end of the sync socket: "go" goes there */
        int peer_fd;         /* the child's end: "go" is taken back from it on failure */
        int timeout_ms;      /* the child's set-up bound */
        void (*fn)(void *);
        void *arg;
};

/* Send "go", then clone fn(arg) sharing our memory; we sleep until its
 * execve or its end. Should it be stopped before it armed its own timer,
 * one of ours kills us 5 s past timeout_ms (only a fatal signal ends a
 * vfork's sleep; the child dies with us, its parent-death signal). The
 * pid, or -errno with "go" taken back, for a clone the usual way (ENOSYS
 * under a seccomp profile or valgrind, E2BIG before Linux 5.7, EAGAIN at
 * pids.max: that clone knows the fallbacks, or says why). */
long shared_clone_run(const struct shared_clone *c);

/* After shared_clone_run: may we trust our heap? Yes when the child
 * exec'd (*execd: 1 during its execve call alone) or exited by itself
 * with another status than SHARED_CLONE_TIMED_OUT; else it was killed,
 * or ran out of time, and may have died inside malloc: *si says how
 * (si_pid 0: waitid failed, errno says why).
 * Waits (WNOWAIT: reaped as usual later) for the end of a child that did
 * not exec: the vfork ends before it is a zombie. A kill that lands
 * between the flag and the execve reads as exec'd: the process then ends
 * by that signal, as the container's. */
bool shared_clone_heap_trusted(pid_t pid, const volatile int *execd, siginfo_t *si);
