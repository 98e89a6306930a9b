/* Launching one run of the matrix (see launch.h): the launcher templates of
 * the MPIs hybench knows, the default for the library it runs with, and the
 * launch itself. */
#define _GNU_SOURCE /* execvpe, pipe2, kill, nanosleep */
#include "hybench/launch.h"

#include "hybench/args.h"

#include "hybench/error.h"
#include "hybench/signals.h"
#include "hybench/timer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mpi.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The launcher CMake found beside the MPI compiler (MPIEXEC_EXECUTABLE) and
 * its kind ("hydra", "openmpi", or "" when not recognised). */
#ifndef HB_MPIEXEC
#define HB_MPIEXEC "mpiexec"
#endif
#ifndef HB_MPIEXEC_KIND
#define HB_MPIEXEC_KIND ""
#endif

hb_mpi_kind hb_mpi_kind_of(const char *v) {
    if (strstr(v, "Open MPI"))
        return HB_MPI_OPENMPI;
    if (strstr(v, "CRAY MPICH"))
        return HB_MPI_SLURM;
    return HB_MPI_HYDRA;
}

hb_mpi_kind hb_mpi_running(void) {
    char v[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int n = 0;
    if (MPI_Get_library_version(v, &n) != MPI_SUCCESS)
        return HB_MPI_HYDRA;
    v[n < MPI_MAX_LIBRARY_VERSION_STRING ? n : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
    return hb_mpi_kind_of(v);
}

const char *hb_launch_mpiexec(void) {
    return strcmp(HB_MPIEXEC_KIND, "hydra") == 0 ? HB_MPIEXEC : "mpiexec";
}

const char *hb_launch_mpirun(void) {
    return strcmp(HB_MPIEXEC_KIND, "openmpi") == 0 ? HB_MPIEXEC : "mpirun";
}

const char *hb_launch_in_allocation(void) {
    return hb_mpi_running() == HB_MPI_OPENMPI ? "mpirun" : "srun";
}

static int push(hb_launch_argv *a, char *s) {
    if (!s)
        return hb_fail(HB_ENOMEM, "out of memory building the launch command");
    char **v = realloc(a->v, (a->n + 2) * sizeof *v);
    if (!v) {
        free(s);
        return hb_fail(HB_ENOMEM, "out of memory building the launch command");
    }
    a->v = v;
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
    return 0;
}

/* "a,b:4" as "a:R,b:R" (Open MPI's --host takes the slots of each host). */
static void put_slots(FILE *m, const char *hosts, int r) {
    for (const char *p = hosts; *p;) {
        size_t n = strcspn(p, ",");
        size_t name = strcspn(p, ":,");
        fprintf(m, "%s%.*s:%d", p == hosts ? "" : ",", (int)name, p, r);
        p += n;
        if (*p == ',')
            p++;
    }
}

/* The environment Open MPI's mpirun is told to forward (-x): hydra forwards
 * all of it, mpirun only OMPI_* of its own accord. */
static bool forwarded(const char *kv) {
    static const char *const exact[] = {"PATH", "LD_LIBRARY_PATH"};
    static const char *const prefix[] = {"OMP_", "GOMP_", "KMP_", "HB_", "UCX_", "FI_", "HWLOC_"};
    size_t n = strcspn(kv, "=");
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (n == strlen(exact[i]) && strncmp(kv, exact[i], n) == 0)
            return true;
    for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++)
        if (strncmp(kv, prefix[i], strlen(prefix[i])) == 0 && n > strlen(prefix[i]))
            return true;
    return false;
}

/* The words that stand alone and expand to zero or more words. Returns 1 when
 * word was one of them (its words pushed), 0 when it is not, or an error. */
static int push(hb_launch_argv *a, char *s);
static int list_word(const char *word, hb_launch_argv *a) {
    if (strcmp(word, "{as_root}") == 0)
        return geteuid() == 0 && push(a, strdup("--allow-run-as-root")) ? HB_ENOMEM : 1;
    if (strcmp(word, "{export}") != 0)
        return 0;
    for (char **e = environ; e && *e; e++) {
        if (!forwarded(*e))
            continue;
        int rc = push(a, strdup("-x"));
        if (!rc)
            rc = push(a, strndup(*e, strcspn(*e, "=")));
        if (rc)
            return rc;
    }
    return 1;
}

/* Substitute the {names} of one word. */
static int substitute(const char *tmpl, const char *word, const hb_launch_vars *v, char **out,
                      bool *named_program) {
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return hb_fail(HB_ENOMEM, "out of memory building the launch command");
    for (const char *p = word; *p; p++) {
        if (*p != '{') {
            fputc(*p, m);
            continue;
        }
        const char *end = strchr(p, '}');
        size_t n = end ? (size_t)(end - p - 1) : 0;
        const char *name = p + 1;
#define IS(s) (end && n == strlen(s) && strncmp(name, s, n) == 0)
        if (IS("nodes"))
            fprintf(m, "%d", v->nodes);
        else if (IS("ranks"))
            fprintf(m, "%d", v->ranks);
        else if (IS("ranks_per_node"))
            fprintf(m, "%d", v->ranks_per_node);
        else if (IS("threads"))
            fprintf(m, "%d", v->threads);
        else if (IS("hosts"))
            fputs(v->hosts ? v->hosts : "", m);
        else if (IS("host_slots"))
            put_slots(m, v->hosts ? v->hosts : "", v->ranks_per_node);
        else if (IS("mpiexec"))
            fputs(hb_launch_mpiexec(), m);
        else if (IS("mpirun"))
            fputs(hb_launch_mpirun(), m);
        else if (IS("layout"))
            fputs(v->layout ? v->layout : "", m);
        else if (IS("as_root") || IS("export")) {
            fclose(m);
            free(buf);
            return hb_fail(HB_EUSAGE, "--launcher: {%.*s} must be a word of its own in '%s'",
                           (int)n, name, tmpl);
        } else if (IS("program")) {
            fputs(v->program, m);
            *named_program = true;
        } else {
            fclose(m);
            free(buf);
            return hb_fail(HB_EUSAGE,
                           "--launcher: unknown placeholder '%.*s' in '%s' (known: {nodes} "
                           "{ranks} {ranks_per_node} {threads} {hosts} {host_slots} {layout} "
                           "{program} {mpiexec} {mpirun} {as_root} {export})",
                           end ? (int)n + 2 : (int)strlen(p), p, tmpl);
        }
#undef IS
        p = end;
    }
    if (fclose(m) != 0) {
        free(buf);
        return hb_fail(HB_ENOMEM, "out of memory building the launch command");
    }
    *out = buf;
    return 0;
}

const char *hb_launch_template(const char *launcher, int with_hosts) {
    hb_mpi_kind kind = hb_mpi_running();
    if (!launcher)
        launcher = kind == HB_MPI_OPENMPI ? "mpirun" : kind == HB_MPI_SLURM ? "srun" : "mpiexec";
    if (strcmp(launcher, "srun") == 0)
        return kind == HB_MPI_OPENMPI ? HB_LAUNCH_SRUN_PMIX : HB_LAUNCH_SRUN;
    if (strcmp(launcher, "mpirun") == 0)
        return with_hosts ? HB_LAUNCH_MPIRUN_HOSTS : HB_LAUNCH_MPIRUN;
    if (strcmp(launcher, "mpiexec") == 0)
        return with_hosts ? HB_LAUNCH_HYDRA_HOSTS : HB_LAUNCH_HYDRA;
    return launcher;
}

int hb_launch_expand(const char *tmpl, const hb_launch_vars *vars, char *const *extra,
                     size_t nextra, hb_launch_argv *out) {
    hb_launch_argv a = {0};
    bool named_program = false;
    char **words;
    int n, rc = hb_words_split("--launcher", tmpl, &words, &n);
    if (rc)
        return rc;
    for (int i = 0; i < n && !rc; i++) {
        int listed = list_word(words[i], &a);
        if (listed < 0) {
            rc = hb_fail(HB_ENOMEM, "out of memory building the launch command");
            break;
        }
        char *s = NULL;
        if (!listed && !(rc = substitute(tmpl, words[i], vars, &s, &named_program)))
            rc = push(&a, s);
    }
    hb_words_free(words);
    if (!rc && a.n == 0)
        rc = hb_fail(HB_EUSAGE, "--launcher: empty template");
    if (!rc && !named_program)
        rc = push(&a, strdup(vars->program));
    for (size_t i = 0; i < nextra && !rc; i++)
        rc = push(&a, strdup(extra[i]));
    if (rc) {
        hb_launch_argv_free(&a);
        return rc;
    }
    *out = a;
    return 0;
}

void hb_launch_argv_free(hb_launch_argv *a) {
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = 0;
}

const char *hb_launch_status(hb_launch_outcome o) {
    static const char *const names[] = {"ok", "failed", "crashed", "timeout", "interrupted"};
    return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "failed";
}

static void nap(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Stop the whole process group: SIGTERM, a grace period, then SIGKILL.
 * Returns the wait status. */
static int stop_group(pid_t pid) {
    int st = 0;
    kill(-pid, SIGTERM);
    double t0 = hb_time_now();
    while (hb_time_now() - t0 < 3.0) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            kill(-pid, SIGKILL); /* stragglers of the group (MPI proxies) */
            return st;
        }
        nap(0.02);
    }
    kill(-pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

/* The environment of a launch: this one plus env_extra (NULL-terminated). */
static char **launch_env(const char *const *env_extra) {
    size_t n = 0, m = 0;
    while (environ[n])
        n++;
    while (env_extra && env_extra[m])
        m++;
    char **env = malloc((n + m + 1) * sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* an extra NAME= replaces the inherited one */
        bool replaced = false;
        for (size_t j = 0; j < m && !replaced; j++) {
            size_t len = strcspn(env_extra[j], "=");
            replaced = strncmp(environ[i], env_extra[j], len + 1) == 0;
        }
        if (!replaced)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < m; j++)
        env[k++] = (char *)env_extra[j];
    env[k] = NULL;
    return env;
}

int hb_launch_run(char *const *argv, double timeout_s, const char *log,
                  const char *const *env_extra, hb_launch_outcome *outcome, int *code) {
    char **env = launch_env(env_extra);
    if (!env)
        return hb_fail(HB_ELAUNCH, "%s: out of memory setting up the launch", argv[0]);
    int logfd = -1;
    if (log && (logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
        int e = errno;
        free(env);
        return hb_fail(HB_ELAUNCH, "%s: cannot open the launch log: %s", log, strerror(e));
    }
    /* An error pipe: the child writes errno there when exec fails. */
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) {
        int e = errno;
        free(env);
        if (logfd >= 0)
            close(logfd);
        return hb_fail(HB_ELAUNCH, "%s: cannot set up the launch: %s", argv[0], strerror(e));
    }
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* The child: only async-signal-safe calls until exec. Own process
         * group, so a timeout can stop mpiexec and everything it started;
         * SIGTERM when the matrix dies; default signal dispositions. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127); /* the matrix died before the line above */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (logfd >= 0) {
            dup2(logfd, STDOUT_FILENO);
            dup2(logfd, STDERR_FILENO);
        }
        execvpe(argv[0], argv, env);
        int e = errno;
        ssize_t w = write(errpipe[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    int fork_errno = errno;
    close(errpipe[1]);
    free(env);
    if (logfd >= 0)
        close(logfd);
    if (pid < 0) {
        close(errpipe[0]);
        return hb_fail(HB_ELAUNCH, "%s: cannot start: %s", argv[0], strerror(fork_errno));
    }
    setpgid(pid, pid); /* also here: no race with the kill below */
    int exec_errno = 0;
    ssize_t got;
    while ((got = read(errpipe[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR)
        ;
    close(errpipe[0]);
    if (got == (ssize_t)sizeof exec_errno) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        *outcome = HB_LAUNCH_FAILED;
        *code = 127;
        hb_fail(HB_ELAUNCH, "%s: cannot start: %s", argv[0], strerror(exec_errno));
        return 0;
    }
    double t0 = hb_time_now();
    int st = 0;
    bool timed_out = false, interrupted = false;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            kill(-pid, SIGKILL);
            return hb_fail(HB_ELAUNCH, "%s: lost the launched process: %s", argv[0],
                           strerror(errno));
        }
        if (hb_interrupted()) {
            interrupted = true;
            st = stop_group(pid);
            break;
        }
        if (timeout_s > 0 && hb_time_now() - t0 > timeout_s) {
            timed_out = true;
            st = stop_group(pid);
            break;
        }
        nap(0.02);
    }
    /* MPI proxies left behind by a crashed launcher belong to the group too. */
    kill(-pid, SIGKILL);
    if (interrupted) {
        *outcome = HB_LAUNCH_INTERRUPTED;
        *code = 0;
    } else if (timed_out) {
        *outcome = HB_LAUNCH_TIMEOUT;
        *code = 0;
    } else if (WIFEXITED(st)) {
        *code = WEXITSTATUS(st);
        *outcome = *code == 0 ? HB_LAUNCH_OK : HB_LAUNCH_FAILED;
    } else {
        *code = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        *outcome = HB_LAUNCH_CRASHED;
    }
    return 0;
}

/* Does /proc/PID/environ hold the entry want ("NAME=value")? */
static bool environ_has(pid_t pid, const char *want) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/environ", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false; /* gone, or another user's */
    /* Environments are small; 1 MiB is far beyond any that a launch has. */
    static char buf[1 << 20];
    ssize_t n, len = 0;
    while (len < (ssize_t)sizeof buf - 1 &&
           (n = read(fd, buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    close(fd);
    buf[len] = '\0';
    for (ssize_t i = 0; i < len; i += (ssize_t)strlen(buf + i) + 1)
        if (strcmp(buf + i, want) == 0)
            return true;
    return false;
}

/* The processes (pids) whose environment holds want, this one excluded. */
static size_t find_tagged(const char *want, pid_t *pids, size_t max) {
    DIR *d = opendir("/proc");
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) && n < max;) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        pid_t pid = (pid_t)atol(e->d_name);
        if (pid != getpid() && environ_has(pid, want))
            pids[n++] = pid;
    }
    closedir(d);
    return n;
}

int hb_launch_reap(const char *name, const char *value, size_t *ended) {
    char want[4200];
    if (snprintf(want, sizeof want, "%s=%s", name, value) >= (int)sizeof want)
        return hb_fail(HB_EUSAGE, "%s: value too long", name);
    pid_t pids[4096];
    size_t n = find_tagged(want, pids, sizeof pids / sizeof pids[0]);
    *ended = n;
    pid_t self = getpgrp();
    for (int sig = 0; sig < 2 && n > 0; sig++) {
        for (size_t i = 0; i < n; i++) {
            pid_t g = getpgid(pids[i]);
            if (g > 0 && g != self)
                kill(-g, sig == 0 ? SIGTERM : SIGKILL);
            kill(pids[i], sig == 0 ? SIGTERM : SIGKILL);
        }
        /* Wait for them to go: a grace period for SIGTERM, then SIGKILL. */
        double t0 = hb_time_now();
        while (n > 0 && hb_time_now() - t0 < 5.0) {
            nap(0.05);
            n = find_tagged(want, pids, sizeof pids / sizeof pids[0]);
        }
    }
    if (n > 0)
        return hb_fail(HB_ELAUNCH, "%zu processes of an earlier matrix (%s) would not end", n,
                       want);
    return 0;
}
