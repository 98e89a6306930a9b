/* Processes of the cmd kernel (see cmd.h): posix_spawn in a process group of
 * its own, waiting on a pidfd (polling where the kernel has none), and stops
 * that take the whole group, stragglers included, so that no process of a
 * task outlives it. */
#define _GNU_SOURCE /* posix_spawn_file_actions_addclosefrom_np, sigabbrev_np */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hybench/cmd.h"
#include "hybench/error.h"
#include "hybench/signals.h"
#include "hybench/timer.h"

int hb_proc_spawn(char *const *argv, char *const *envp, int in, int out, int err, hb_proc *p) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    p->pid = 0;
    p->pidfd = -1;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return hb_fail(HB_ENOMEM, "cannot start '%s': out of memory", argv[0]);
    if (posix_spawnattr_init(&attr) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return hb_fail(HB_ENOMEM, "cannot start '%s': out of memory", argv[0]);
    }
    int rc = in >= 0
                 ? posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO)
                 : posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (!rc && out >= 0)
        rc = posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
    if (!rc && err >= 0)
        rc = posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    /* Only 0, 1 and 2: not the MPI library's sockets, not other tasks' files
     * (ours are O_CLOEXEC anyway). */
    if (!rc)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    /* Own group, so a stop reaches what the command started; default
     * dispositions and no blocked signal, whatever hybench's threads have. */
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (!rc)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (!rc)
        rc = posix_spawnattr_setsigmask(&attr, &none);
    if (!rc)
        rc = posix_spawnattr_setsigdefault(&attr, &all);
    if (!rc)
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                 POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    if (!rc)
        rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        return hb_fail(HB_ETASK, "cannot start '%s': %s", argv[0], strerror(rc));
    p->pid = pid;
#ifdef SYS_pidfd_open
    p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0); /* close-on-exec by definition */
#endif
    return 0;
}

/* 1: the process has exited (a zombie, not reaped yet); 0: it runs; -1: it
 * is not ours to wait for (reaped elsewhere). */
static int exited(const hb_proc *p) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r;
    do
        r = waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : si.si_pid == p->pid;
}

/* Kill what is left of its group, then reap the leader. The group is only
 * signalled while the leader is a zombie, so its id cannot have been reused. */
static void reap(hb_proc *p, bool zombie, hb_proc_end *how, int *code) {
    int st = 0;
    if (zombie)
        kill(-p->pid, SIGKILL);
    pid_t r;
    do
        r = waitpid(p->pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        *how = HB_PROC_SIGNALED;
        *code = 0;
    } else if (WIFEXITED(st)) {
        *how = HB_PROC_EXITED;
        *code = WEXITSTATUS(st);
    } else {
        *how = HB_PROC_SIGNALED;
        *code = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    }
    if (p->pidfd >= 0)
        close(p->pidfd);
    p->pidfd = -1;
    p->pid = 0;
}

bool hb_proc_ended(hb_proc *p, hb_proc_end *how, int *code) {
    if (p->pid <= 0) { /* never started, or reaped already */
        *how = HB_PROC_SIGNALED;
        *code = 0;
        return true;
    }
    int e = exited(p);
    if (e == 0)
        return false;
    reap(p, e > 0, how, code);
    return true;
}

/* Block until the process exits or up to s seconds pass: on its pidfd, or
 * by naps that grow from 50 us to 10 ms where there is no pidfd. */
static void wait_exit(const hb_proc *p, double s, double *nap) {
    if (p->pidfd >= 0) {
        struct pollfd fd = {.fd = p->pidfd, .events = POLLIN};
        int ms = (int)(s * 1000) + 1;
        poll(&fd, 1, ms);
        return;
    }
    double d = *nap < s ? *nap : s;
    struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
    nanosleep(&ts, NULL);
    *nap = *nap * 2 < 0.01 ? *nap * 2 : 0.01;
}

void hb_proc_stop(hb_proc *p, double grace_s, hb_proc_end *how, int *code) {
    if (hb_proc_ended(p, how, code))
        return;
    kill(-p->pid, SIGTERM); /* running: its group id is its own */
    double t0 = hb_time_now(), nap = 50e-6;
    int e;
    while ((e = exited(p)) == 0 && hb_time_now() - t0 < grace_s)
        wait_exit(p, grace_s - (hb_time_now() - t0), &nap);
    if (e == 0)
        kill(-p->pid, SIGKILL);
    reap(p, e >= 0, how, code);
}

void hb_proc_wait(hb_proc *p, double timeout_s, hb_proc_end *how, int *code) {
    double t0 = hb_time_now(), nap = 50e-6;
    for (;;) {
        if (hb_proc_ended(p, how, code))
            return;
        bool stop = hb_interrupted();
        double left = timeout_s > 0 ? timeout_s - (hb_time_now() - t0) : 0.1;
        if (stop || left <= 0) {
            hb_proc_stop(p, 3.0, how, code);
            *how = stop ? HB_PROC_INTERRUPTED : HB_PROC_TIMEOUT;
            *code = 0;
            return;
        }
        /* Wake at least every 0.1 s to see a stop request. */
        wait_exit(p, left < 0.1 ? left : 0.1, &nap);
    }
}

const char *hb_proc_describe(char *buf, size_t len, hb_proc_end how, int code, double timeout_s) {
    switch (how) {
    case HB_PROC_EXITED:
        snprintf(buf, len, "exited with status %d", code);
        break;
    case HB_PROC_SIGNALED: {
        const char *name = NULL;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
        name = sigabbrev_np(code);
#endif
        if (name)
            snprintf(buf, len, "was killed by signal %d (SIG%s)", code, name);
        else
            snprintf(buf, len, "was killed by signal %d", code);
        break;
    }
    case HB_PROC_TIMEOUT:
        snprintf(buf, len, "ran past --task-timeout %g s and was stopped", timeout_s);
        break;
    case HB_PROC_INTERRUPTED:
        snprintf(buf, len, "was stopped: hybench was interrupted");
        break;
    }
    return buf;
}
