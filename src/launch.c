/* Launching one run of the matrix (see launch.h). */
#define _DEFAULT_SOURCE /* posix_spawn flags, kill, nanosleep */
#include "hybench/launch.h"

#include "hybench/error.h"
#include "hybench/signals.h"
#include "hybench/timer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

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
        else if (IS("layout"))
            fputs(v->layout ? v->layout : "", m);
        else if (IS("program")) {
            fputs(v->program, m);
            *named_program = true;
        } else {
            fclose(m);
            free(buf);
            return hb_fail(HB_EUSAGE,
                           "--launcher: unknown placeholder '%.*s' in '%s' (known: {nodes} "
                           "{ranks} {ranks_per_node} {threads} {hosts} {layout} {program})",
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
    if (launcher && strcmp(launcher, "srun") == 0)
        return HB_LAUNCH_SRUN;
    if (!launcher || strcmp(launcher, "mpiexec") == 0)
        return with_hosts ? HB_LAUNCH_HYDRA_HOSTS : HB_LAUNCH_HYDRA;
    return launcher;
}

int hb_launch_expand(const char *tmpl, const hb_launch_vars *vars, char *const *extra,
                     size_t nextra, hb_launch_argv *out) {
    hb_launch_argv a = {0};
    bool named_program = false;
    size_t tl = strlen(tmpl);
    char *word = malloc(tl + 1);
    int rc = 0;
    if (!word)
        return hb_fail(HB_ENOMEM, "out of memory building the launch command");
    for (const char *p = tmpl;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        size_t n = 0;
        char quote = 0;
        for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
            if (quote && *p == quote)
                quote = 0;
            else if (!quote && (*p == '\'' || *p == '"'))
                quote = *p;
            else
                word[n++] = *p;
        }
        word[n] = '\0';
        if (quote) {
            rc = hb_fail(HB_EUSAGE, "--launcher: unclosed quote in '%s'", tmpl);
            goto fail;
        }
        char *s = NULL;
        if ((rc = substitute(tmpl, word, vars, &s, &named_program)) || (rc = push(&a, s)))
            goto fail;
    }
    if (a.n == 0) {
        rc = hb_fail(HB_EUSAGE, "--launcher: empty template");
        goto fail;
    }
    if (!named_program && (rc = push(&a, strdup(vars->program))))
        goto fail;
    for (size_t i = 0; i < nextra; i++)
        if ((rc = push(&a, strdup(extra[i]))))
            goto fail;
    free(word);
    *out = a;
    return 0;
fail:
    free(word);
    hb_launch_argv_free(&a);
    return rc;
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

int hb_launch_run(char *const *argv, double timeout_s, const char *log, hb_launch_outcome *outcome,
                  int *code) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    pid_t pid;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return hb_fail(HB_ELAUNCH, "%s: cannot set up the launch", argv[0]);
    if (log) {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND,
                                         0644);
        posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    }
    if (posix_spawnattr_init(&attr) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return hb_fail(HB_ELAUNCH, "%s: cannot set up the launch", argv[0]);
    }
    /* Own process group, so a timeout can stop mpiexec and everything it
     * started; default signal dispositions, so the child dies on SIGTERM. */
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    fflush(NULL);
    int err = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) {
        *outcome = HB_LAUNCH_FAILED;
        *code = 127;
        hb_fail(HB_ELAUNCH, "%s: cannot start: %s", argv[0], strerror(err));
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
