/* Unit tests of the cmd kernel's internals (cmd.h): templates (words,
 * quotes, placeholders, shell quoting, refusals) and processes (exit status,
 * signals, timeouts, stopping a whole group). */
#define _DEFAULT_SOURCE /* setenv */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hybench/cmd.h"
#include "hybench/error.h"

extern char **environ;

static hb_points pts; /* x = 1.0,a b ; name = it's */

/* The words of text expanded for task i, joined by '|'. */
static const char *expand(const char *text, bool split, bool shell, size_t task) {
    static char out[512];
    hb_tmpl t;
    hb_str s = {0};
    size_t nw = 0;
    int rc = hb_tmpl_compile(&t, "--command", text, split, shell, &pts,
                             HB_TMPL_POINT | HB_TMPL_WORKER | HB_TMPL_SEED);
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "  compile '%s': %s\n", text, hb_errmsg(rc));
        return "";
    }
    hb_tmpl_vars v = {&pts, task, 3, "0-1", 42};
    CHECK_INT(hb_tmpl_expand(&t, &v, &s, &nw), 0);
    out[0] = '\0';
    const char *p = s.p;
    for (size_t i = 0; i < nw; i++) {
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? "|" : "", p);
        p += strlen(p) + 1;
    }
    CHECK_INT(nw, split || !shell ? t.nwords : 1);
    hb_str_free(&s);
    hb_tmpl_free(&t);
    return out;
}

static void refused(const char *text, bool split, unsigned allow, const char *needle) {
    hb_tmpl t;
    hb_err_clear();
    int rc = hb_tmpl_compile(&t, "--command", text, split, false, &pts, allow);
    CHECK_INT(rc, HB_EUSAGE);
    if (rc == 0)
        hb_tmpl_free(&t);
    const char *msg = hb_errmsg(rc);
    if (!strstr(msg, needle))
        fprintf(stderr, "  '%s': message '%s' lacks '%s'\n", text, msg, needle);
    CHECK(strstr(msg, needle) != NULL);
}

static void test_templates(void) {
    CHECK_INT(hb_points_add_param(&pts, "x=1.0,a b"), 0);
    CHECK_INT(hb_points_add_param(&pts, "name=it's"), 0);
    CHECK_INT(hb_points_combine(&pts, true), 0);
    CHECK_STR(expand("python3 w.py {x} --name={name}", true, false, 0),
              "python3|w.py|1.0|--name=it's");
    /* A value stays in its word, blanks and all. */
    CHECK_STR(expand("echo {x}", true, false, 1), "echo|a b");
    CHECK_STR(expand("echo 'two words' \"{x} and\" '' x", true, false, 0),
              "echo|two words|1.0 and||x");
    CHECK_STR(expand("t{task} w{worker} c{cpus} s{seed} {{x}}", true, false, 1),
              "t1|w3|c0-1|s42|{x}");
    /* One word: a path; blanks and quotes are literal. */
    CHECK_STR(expand("out/b{x}_'{name}'.dat", false, false, 1), "out/ba b_'it's'.dat");
    /* Under --shell the values are quoted, the rest is the user's. */
    CHECK_STR(expand("echo {x} > out_{task}.txt; echo {name}", true, true, 1),
              "echo 'a b' > out_1.txt; echo 'it'\\''s'");
    CHECK_STR(expand("echo {x}", true, true, 0), "echo 1.0");

    hb_tmpl t;
    CHECK_INT(hb_tmpl_compile(&t, "--command", "  ./run.sh {x}", true, false, &pts, HB_TMPL_POINT),
              0);
    char *prog = hb_tmpl_program(&t);
    CHECK_STR(prog, "./run.sh");
    free(prog);
    hb_tmpl_free(&t);
    CHECK_INT(hb_tmpl_compile(&t, "--command", "{x}/bin/run", true, false, &pts, HB_TMPL_POINT), 0);
    CHECK(hb_tmpl_program(&t) == NULL);
    hb_tmpl_free(&t);

    unsigned all = HB_TMPL_POINT | HB_TMPL_WORKER | HB_TMPL_SEED;
    refused("echo {beta}", true, all, "{beta} names no parameter");
    refused("echo {x", true, all, "unclosed '{'");
    refused("echo x}", true, all, "a lone '}'");
    refused("echo {}", true, all, "not a placeholder");
    refused("echo 'x", true, all, "unclosed quote");
    refused("", true, all, "empty command");
    refused("  \t ", true, all, "empty command");
    refused("echo {worker}", false, HB_TMPL_POINT | HB_TMPL_SEED, "{worker} cannot be used here");
    refused("echo {x}", true, HB_TMPL_WORKER | HB_TMPL_SEED, "{x} cannot be used here");
    refused("echo {task}", true, HB_TMPL_WORKER | HB_TMPL_SEED, "{task} cannot be used here");
    hb_points_free(&pts);

    CHECK(hb_cmd_findable("sh"));
    CHECK(hb_cmd_findable("/bin/sh"));
    CHECK(!hb_cmd_findable("no-such-program-here"));
    CHECK(!hb_cmd_findable("/nonexistent/sh"));
}

static void run(const char *script, double timeout, hb_proc_end *how, int *code) {
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    hb_proc p;
    CHECK_INT(hb_proc_spawn(argv, environ, -1, -1, -1, &p), 0);
    hb_proc_wait(&p, timeout, how, code);
    CHECK_INT(p.pid, 0); /* reaped */
}

static void test_processes(void) {
    hb_proc_end how;
    int code;
    char text[128];
    run("exit 0", 0, &how, &code);
    CHECK_INT(how, HB_PROC_EXITED);
    CHECK_INT(code, 0);
    run("exit 7", 0, &how, &code);
    CHECK_INT(how, HB_PROC_EXITED);
    CHECK_INT(code, 7);
    CHECK_STR(hb_proc_describe(text, sizeof text, how, code, 0), "exited with status 7");
    run("kill -SEGV $$", 0, &how, &code);
    CHECK_INT(how, HB_PROC_SIGNALED);
    CHECK_INT(code, SIGSEGV);
    CHECK_STR(hb_proc_describe(text, sizeof text, how, code, 0),
              "was killed by signal 11 (SIGSEGV)");
    /* Past its time the whole group is stopped: the shell and its sleep. */
    run("sleep 1000 & wait", 0.2, &how, &code);
    CHECK_INT(how, HB_PROC_TIMEOUT);
    CHECK_STR(hb_proc_describe(text, sizeof text, how, code, 0.2),
              "ran past --task-timeout 0.2 s and was stopped");
    /* A program that is not there cannot start; that is an error, not a status. */
    char *argv[] = {"no-such-program-here", NULL};
    hb_proc p;
    CHECK_INT(hb_proc_spawn(argv, environ, -1, -1, -1, &p), HB_ETASK);
    CHECK(strstr(hb_errmsg(HB_ETASK), "no-such-program-here") != NULL);
    /* Only 0, 1 and 2 reach the child: fd 3 open here is closed there. */
    int fds[2];
    CHECK_INT(pipe(fds), 0);
    char probe[64];
    snprintf(probe, sizeof probe, "[ ! -e /proc/self/fd/%d ]", fds[0]);
    run(probe, 0, &how, &code);
    CHECK_INT(code, 0);
    close(fds[0]);
    close(fds[1]);
    /* Stopping a process that ignores SIGTERM: SIGKILL after the grace
     * period. It says "ready" once its trap is set; stopping it before
     * would test nothing. */
    char *trap[] = {"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.01; done",
                    NULL};
    CHECK_INT(pipe(fds), 0);
    CHECK_INT(hb_proc_spawn(trap, environ, -1, fds[1], -1, &p), 0);
    close(fds[1]);
    char ready[6] = {0};
    size_t got = 0;
    while (got < 5) {
        ssize_t n = read(fds[0], ready + got, 5 - got);
        if (n <= 0 && errno != EINTR)
            break;
        got += n > 0 ? (size_t)n : 0;
    }
    close(fds[0]);
    CHECK_STR(ready, "ready");
    CHECK(!hb_proc_ended(&p, &how, &code));
    hb_proc_stop(&p, 0.2, &how, &code);
    CHECK_INT(how, HB_PROC_SIGNALED);
    CHECK_INT(code, SIGKILL);
    CHECK_INT(p.pid, 0);
}

int main(void) {
    test_templates();
    test_processes();
    return hb_check_summary();
}
