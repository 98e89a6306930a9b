/* The cmd kernel: the user's own command as the task, in one of two forms.
 *
 * --command TEMPLATE: each task runs the template with its point's values
 * (cmd.h), started by the worker that owns the task, so it inherits that
 * worker's binding, with OMP_NUM_THREADS=1 and HB_TASK, HB_WORKER, HB_CPUS,
 * HB_SEED in its environment. Its standard output goes to the --stdout file
 * (default OUT-DIR/task-{task}.out) through a temporary renamed into place
 * only when the command exits 0, so a file that exists is complete; standard
 * error goes to FILE.err beside it, removed when the task succeeded and
 * wrote nothing there.
 *
 * --worker COMMAND: one long-lived process per worker, the C form of a
 * process pool. It is started by worker_start on the worker's bound thread
 * once per run (per --chunk value), not per repeat: starting an interpreter
 * is set-up, which hybench never times, and a pool is started once and then
 * mapped over, so the timed repeats measure the per-task cost a scan really
 * pays. (State the process keeps between repeats, a cache, would show as
 * faster later repeats; a result that changes shows as not deterministic.)
 * Each task is one line on the process's standard input, "task=N" then the
 * point's NAME=VALUE pairs, tab-separated; the answer is one line on its
 * standard output. Standard input and output are one socket, so a worker
 * that dies fails its task with its exit status instead of killing hybench
 * with SIGPIPE; its standard error is hybench's. A process that dies, hangs
 * past --task-timeout or answers anything but one line fails its task and is
 * started afresh for the worker's next task.
 *
 * A failed task does not stop the others (HB_KF_KEEP_GOING): the run fails
 * after the map with one line naming the task, its point and its status, the
 * other tasks' outputs are kept, and --resume skips, in the first
 * repetition, every task whose --stdout file exists. A task running when hybench is interrupted is
 * stopped and counts as not run, as the harness reports the interrupt.
 *
 * Result: a digest of the tasks' outputs in task order (stdout files, or the
 * answer lines), identical for every layout when the command is
 * deterministic. A task's output must be the same in every repetition that
 * ran it: "verified yes" means exactly that, and the matrix then compares the
 * digest across layouts and with the serial baseline. An output that changed
 * between repetitions, or a task seen only once (one repetition, or skipped
 * by --resume), leaves the run unverified, never passed. */
#define _GNU_SOURCE /* strdup, environ */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hybench/cmd.h"
#include "hybench/digest.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/kernel.h"
#include "hybench/parse.h"
#include "hybench/points.h"
#include "hybench/signals.h"
#include "hybench/timer.h"

extern char **environ;

/* Longest answer line of a worker process. */
#define CMD_ANSWER_MAX ((size_t)1 << 20)
/* Seconds a worker process gets to exit after its input is closed, and a
 * stopped process between SIGTERM and SIGKILL. */
#define CMD_GRACE_S 3.0

enum { HOW_NONE, HOW_RAN, HOW_SKIPPED };

static const hb_option cmd_options[] = {
    {"command", "TEMPLATE",
     "run TEMPLATE per task: {NAME} from its point, {task} {worker} {cpus} {seed}"},
    {"worker", "COMMAND", "one process per worker instead, fed one line per task, one line back"},
    {"shell", NULL, "run the template with /bin/sh -c (values are shell-quoted)"},
    {"stdout", "TEMPLATE", "each task's standard output (default OUT-DIR/task-{task}.out)"},
    {"out-dir", "DIR", "directory of the default --stdout files (default cmd_out)"},
    {"task-timeout", "S", "stop a task that runs (or a worker that answers) past S seconds"},
    HB_POINTS_OPTION_PARAM,
    HB_POINTS_OPTION_ZIP,
    HB_POINTS_OPTION_FILE,
    {NULL, NULL, NULL},
};

/* What the options say; the same code reads them for plan and create. */
typedef struct cmd_opts {
    hb_points pts;
    hb_tmpl run; /* --command or --worker */
    hb_tmpl out; /* --stdout (nparts == 0 and !has_out: none) */
    char *out_text;
    const char *text;
    bool worker, shell, has_out;
    double timeout;
    char *out_dir;
} cmd_opts;

/* One worker of this rank. */
typedef struct cmd_worker {
    int id;
    char cpus[64];
    char **envp; /* the base environment, then the slots below */
    char env_omp[24], env_task[40], env_worker[40], env_cpus[80], env_seed[48];
    hb_str words, path, line;
    char **argv;
    size_t argv_cap;
    char dir[PATH_MAX]; /* the output directory made last */
    unsigned char *buf; /* file reads; answers */
    size_t buf_cap, rlen;
    hb_proc proc; /* worker mode */
    int fd;
    bool up;
} cmd_worker;

typedef struct cmd_state {
    cmd_opts o;
    uint64_t seed;
    bool resume, begun;
    bool skip; /* this repetition takes finished outputs from their files (--resume) */
    int nwk;
    cmd_worker *wk;
    char **base_env;
    size_t nbase;
    size_t n;
    uint64_t *digest; /* this repeat, the tasks this rank ran (reduced onto rank 0) */
    uint8_t *how;
    uint64_t *first; /* rank 0: each task's output digest in the first repeat that ran it */
    uint32_t *runs;  /* rank 0: repeats that ran it */
    size_t ndiffer, first_differ;
} cmd_state;

/* --- options ---------------------------------------------------------------- */

static void opts_free(cmd_opts *o) {
    hb_points_free(&o->pts);
    hb_tmpl_free(&o->run);
    hb_tmpl_free(&o->out);
    free(o->out_text);
    free(o->out_dir);
    memset(o, 0, sizeof *o);
}

static int check_names(const hb_points *pts) {
    static const char *const reserved[] = {"task", "worker", "cpus", "seed"};
    for (size_t j = 0; j < pts->nparams; j++)
        for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
            if (strcmp(pts->param[j].name, reserved[k]) == 0)
                return hb_fail(HB_EUSAGE,
                               "%s: '%s' names a placeholder of its own ({task} {worker} {cpus} "
                               "{seed}); call the parameter something else",
                               pts->param[j].opt, reserved[k]);
    return 0;
}

/* The default --stdout: OUT-DIR/task-{task}.out, braces of OUT-DIR doubled. */
static int default_stdout(const char *dir, hb_str *s) {
    for (const char *c = dir; *c; c++) {
        hb_str_add(s, c, 1);
        if (*c == '{' || *c == '}')
            hb_str_add(s, c, 1); /* {{ is a literal brace */
    }
    hb_str_addf(s, "/task-{task}.out");
    return s->failed ? hb_fail(HB_ENOMEM, "cmd: out of memory") : 0;
}

static int read_options(const hb_args *a, cmd_opts *o) {
    memset(o, 0, sizeof *o);
    const char *command = hb_args_get(a, "command"), *worker = hb_args_get(a, "worker");
    const char *s;
    int rc;
    if (command && worker)
        return hb_fail(HB_EUSAGE, "--worker: give --command (a process per task) or --worker (a "
                                  "process per worker), not both");
    if (!command && !worker)
        return hb_fail(HB_EUSAGE, "--command: missing (the command per task, or --worker "
                                  "COMMAND for one process per worker)");
    o->worker = worker != NULL;
    o->text = worker ? worker : command;
    o->shell = hb_args_has(a, "shell");
    if ((s = hb_args_get(a, "task-timeout"))) {
        if ((rc = hb_parse_double("--task-timeout", s, 0, 1e9, &o->timeout)))
            return rc;
        if (!(o->timeout > 0))
            return hb_fail(HB_EUSAGE, "--task-timeout: %s is not > 0", s);
    }
    if (!(s = hb_args_get(a, "out-dir")))
        s = "cmd_out";
    if (!s[0])
        return hb_fail(HB_EUSAGE, "--out-dir: '' is not a directory name");
    if (!(o->out_dir = strdup(s)))
        return hb_fail(HB_ENOMEM, "cmd: out of memory");
    if ((rc = hb_points_from_args(a, &o->pts)) || (rc = check_names(&o->pts)))
        return rc;
    const char *opt = worker ? "--worker" : "--command";
    unsigned allow =
        worker ? HB_TMPL_WORKER | HB_TMPL_SEED : HB_TMPL_POINT | HB_TMPL_WORKER | HB_TMPL_SEED;
    if ((rc = hb_tmpl_compile(&o->run, opt, o->text, true, o->shell, &o->pts, allow)))
        return rc;
    char *prog = o->shell ? strdup("/bin/sh") : hb_tmpl_program(&o->run);
    if (prog && !hb_cmd_findable(prog))
        rc = hb_fail(HB_EUSAGE, "%s: '%s' is not a program on PATH nor an executable file", opt,
                     prog);
    free(prog);
    if (rc)
        return rc;
    s = hb_args_get(a, "stdout");
    if (s && !s[0])
        return hb_fail(HB_EUSAGE, "--stdout: empty file name");
    hb_str def = {0};
    if (!s && !o->worker) {
        if ((rc = default_stdout(o->out_dir, &def)))
            return rc;
        s = def.p;
    }
    if (s) {
        o->has_out = true;
        if (!(o->out_text = strdup(s)))
            rc = hb_fail(HB_ENOMEM, "cmd: out of memory");
    }
    if (s && !rc) {
        rc = hb_tmpl_compile(&o->out, "--stdout", s, false, false, &o->pts,
                             HB_TMPL_POINT | HB_TMPL_SEED);
    }
    hb_str_free(&def);
    return rc;
}

typedef struct path_key {
    uint64_t h;
    size_t task;
} path_key;

static int cmp_key(const void *a, const void *b) {
    const path_key *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->task < y->task ? -1 : x->task > y->task;
}

/* Two tasks writing one file would race and --resume could not tell them
 * apart: refuse a --stdout template that does not tell every task apart. */
static int check_distinct(const cmd_opts *o, uint64_t seed) {
    if (!o->has_out || o->out.uses_task || o->pts.n < 2)
        return 0;
    size_t n = o->pts.n, nw;
    path_key *k = malloc(n * sizeof *k);
    hb_str s = {0}, t = {0};
    int rc = k ? 0 : hb_fail(HB_ENOMEM, "--stdout: out of memory checking %zu paths", n);
    for (size_t i = 0; i < n && !rc; i++) {
        hb_tmpl_vars v = {&o->pts, i, 0, "", seed};
        if (!(rc = hb_tmpl_expand(&o->out, &v, &s, &nw)))
            k[i] = (path_key){hb_digest(HB_DIGEST_INIT, s.p, strlen(s.p)), i};
    }
    if (!rc)
        qsort(k, n, sizeof *k, cmp_key);
    for (size_t i = 1; i < n && !rc; i++) {
        if (k[i].h != k[i - 1].h)
            continue;
        hb_tmpl_vars v1 = {&o->pts, k[i - 1].task, 0, "", seed},
                     v2 = {&o->pts, k[i].task, 0, "", seed};
        if ((rc = hb_tmpl_expand(&o->out, &v1, &s, &nw)) ||
            (rc = hb_tmpl_expand(&o->out, &v2, &t, &nw)))
            break;
        if (strcmp(s.p, t.p) == 0)
            rc = hb_fail(HB_EUSAGE,
                         "--stdout: tasks %zu and %zu would both write '%s' (the template needs "
                         "placeholders that tell every point apart, or {task})",
                         k[i - 1].task, k[i].task, s.p);
    }
    free(k);
    hb_str_free(&s);
    hb_str_free(&t);
    return rc;
}

static int cmd_plan(const hb_args *args, const hb_kernel_cfg *cfg, hb_kernel_plan *out) {
    cmd_opts o;
    int rc = read_options(args, &o);
    if (!rc)
        rc = check_distinct(&o, cfg->seed);
    if (!rc) {
        char text[1024];
        hb_str p = {0};
        hb_str_addf(&p, "%s=%s shell=%d points=%zu scan=%016" PRIx64 " seed=%" PRIu64,
                    o.worker ? "worker" : "command", hb_text_escape(o.text, text, sizeof text),
                    (int)o.shell, o.pts.n, hb_points_hash(&o.pts), cfg->seed);
        if (p.failed)
            rc = hb_fail(HB_ENOMEM, "cmd: out of memory");
        out->params = p.p;
        out->ntasks = o.pts.n;
        out->work_s = 0; /* a user's command: unknown */
    }
    opts_free(&o);
    return rc;
}

/* --- set-up ----------------------------------------------------------------- */

/* Variables every child gets from us, not from hybench's environment; and
 * the process-manager interface of this rank's MPI launch (PMI_*, PMIX_*),
 * which a command that is itself an MPI program would otherwise join. */
static bool env_ours(const char *e) {
    static const char *const names[] = {
        "OMP_NUM_THREADS=", "HB_TASK=", "HB_WORKER=", "HB_CPUS=", "HB_SEED=", "PMI_", "PMIX_"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strncmp(e, names[i], strlen(names[i])) == 0)
            return true;
    return false;
}

static void cmd_destroy(void *state);

static int cmd_create(const hb_args *args, const hb_kernel_cfg *cfg, void **out) {
    cmd_state *st = calloc(1, sizeof *st);
    if (!st)
        return hb_fail(HB_ENOMEM, "cmd: out of memory");
    int rc = read_options(args, &st->o);
    if (rc)
        goto fail;
    st->seed = cfg->seed;
    st->resume = cfg->resume;
    st->n = st->o.pts.n;
    st->nwk = cfg->serial ? 1 : cfg->threads;
    st->wk = calloc((size_t)st->nwk, sizeof *st->wk);
    st->digest = calloc(st->n, sizeof *st->digest);
    st->how = calloc(st->n, sizeof *st->how);
    size_t ne = 0;
    while (environ && environ[ne])
        ne++;
    st->base_env = calloc(ne + 1, sizeof *st->base_env);
    if (!st->wk || !st->digest || !st->how || !st->base_env) {
        rc = hb_fail(HB_ENOMEM, "cmd: out of memory for %zu tasks", st->n);
        goto fail;
    }
    for (size_t i = 0; i < ne; i++)
        if (!env_ours(environ[i]))
            st->base_env[st->nbase++] = environ[i];
    for (int t = 0; t < st->nwk; t++) {
        st->wk[t].fd = -1;
        st->wk[t].proc.pidfd = -1;
        st->wk[t].id = -1;
    }
    *out = st;
    return 0;
fail:
    cmd_destroy(st);
    return rc;
}

static int grow(cmd_worker *wk, size_t cap) {
    if (wk->buf_cap >= cap)
        return 0;
    unsigned char *b = realloc(wk->buf, cap);
    if (!b)
        return hb_fail(HB_ENOMEM, "cmd: out of memory");
    wk->buf = b;
    wk->buf_cap = cap;
    return 0;
}

/* argv from the run template for task (or the worker process). */
static int build_argv(const cmd_state *st, cmd_worker *wk, size_t task) {
    hb_tmpl_vars v = {&st->o.pts, task, wk->id, wk->cpus, st->seed};
    size_t nw;
    int rc = hb_tmpl_expand(&st->o.run, &v, &wk->words, &nw);
    if (rc)
        return rc;
    size_t need = (st->o.shell ? 3 : nw) + 1;
    if (wk->argv_cap < need) {
        char **a = realloc(wk->argv, need * sizeof *a);
        if (!a)
            return hb_fail(HB_ENOMEM, "cmd: out of memory");
        wk->argv = a;
        wk->argv_cap = need;
    }
    if (st->o.shell) {
        wk->argv[0] = "/bin/sh";
        wk->argv[1] = "-c";
        wk->argv[2] = wk->words.p;
        wk->argv[3] = NULL;
        return 0;
    }
    char *p = wk->words.p;
    for (size_t i = 0; i < nw; i++) {
        wk->argv[i] = p;
        p += strlen(p) + 1;
    }
    wk->argv[nw] = NULL;
    return 0;
}

/* The command as one line for a message: words joined by blanks, cut. */
static const char *argv_text(char *const *argv, char *buf, size_t len) {
    hb_str s = {0};
    for (size_t i = 0; argv[i]; i++)
        hb_str_addf(&s, "%s%s", i ? " " : "", argv[i]);
    hb_text_escape(s.p ? s.p : "", buf, len);
    hb_str_free(&s);
    return buf;
}

static int start_process(cmd_state *st, cmd_worker *wk) {
    int rc = build_argv(st, wk, 0);
    if (rc)
        return rc;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return hb_fail(HB_EIO, "--worker: cannot make a socket for worker %d: %s", wk->id,
                       strerror(errno));
    rc = hb_proc_spawn(wk->argv, wk->envp, sv[1], sv[1], -1, &wk->proc);
    close(sv[1]);
    if (rc) {
        close(sv[0]);
        char cmd[256];
        return hb_fail_prefix(rc, "--worker: worker %d ('%s')", wk->id,
                              argv_text(wk->argv, cmd, sizeof cmd));
    }
    wk->fd = sv[0];
    wk->up = true;
    wk->rlen = 0;
    return 0;
}

static int cmd_worker_start(void *state, const hb_worker *w, const char *cpus) {
    cmd_state *st = state;
    cmd_worker *wk = &st->wk[w->thread];
    wk->id = w->id;
    snprintf(wk->cpus, sizeof wk->cpus, "%s", cpus ? cpus : "");
    /* The child's environment: hybench's, less env_ours(), plus ours. */
    if (!(wk->envp = calloc(st->nbase + 6, sizeof *wk->envp)))
        return hb_fail(HB_ENOMEM, "cmd: out of memory");
    memcpy(wk->envp, st->base_env, st->nbase * sizeof *wk->envp);
    snprintf(wk->env_omp, sizeof wk->env_omp, "OMP_NUM_THREADS=1");
    snprintf(wk->env_worker, sizeof wk->env_worker, "HB_WORKER=%d", wk->id);
    snprintf(wk->env_cpus, sizeof wk->env_cpus, "HB_CPUS=%s", wk->cpus);
    snprintf(wk->env_seed, sizeof wk->env_seed, "HB_SEED=%" PRIu64, st->seed);
    snprintf(wk->env_task, sizeof wk->env_task, "HB_TASK=");
    char **e = wk->envp + st->nbase;
    *e++ = wk->env_omp;
    *e++ = wk->env_worker;
    *e++ = wk->env_cpus;
    *e++ = wk->env_seed;
    if (!st->o.worker)
        *e++ = wk->env_task;
    *e = NULL;
    return st->o.worker ? start_process(st, wk) : 0;
}

/* With --resume only the first repetition (a warm-up, or the first timed
 * one) takes finished outputs from their files, as the mc kernel does: it
 * completes the scan, and every later repetition runs the whole map, so its
 * time is the map's. */
static int cmd_begin(void *state) {
    cmd_state *st = state;
    st->skip = st->resume && !st->begun;
    st->begun = true;
    memset(st->digest, 0, st->n * sizeof *st->digest);
    memset(st->how, 0, st->n * sizeof *st->how);
    return 0;
}

/* --- one task ------------------------------------------------------------------ */

/* The digest of what fd holds from offset 0. */
static int digest_fd(cmd_worker *wk, int fd, const char *path, uint64_t *d) {
    int rc = grow(wk, 65536);
    uint64_t h = HB_DIGEST_INIT;
    for (off_t off = 0; !rc;) {
        ssize_t got = pread(fd, wk->buf, wk->buf_cap, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return hb_fail(HB_EIO, "cannot read '%s': %s", path, strerror(errno));
        if (got == 0)
            break;
        h = hb_digest(h, wk->buf, (size_t)got);
        off += got;
    }
    *d = h;
    return rc;
}

static int digest_file(cmd_worker *wk, const char *path, uint64_t *d) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hb_fail(HB_EIO, "cannot read '%s': %s", path, strerror(errno));
    int rc = digest_fd(wk, fd, path, d);
    close(fd);
    return rc;
}

/* The task's --stdout path into wk->path, its directory made. */
static int out_path(cmd_state *st, cmd_worker *wk, size_t i) {
    hb_tmpl_vars v = {&st->o.pts, i, wk->id, wk->cpus, st->seed};
    size_t nw;
    int rc = hb_tmpl_expand(&st->o.out, &v, &wk->path, &nw);
    if (rc)
        return rc;
    const char *path = wk->path.p;
    /* Room for the temporary's dot, PID and host, and the .err suffix. */
    if (strlen(path) + 100 >= PATH_MAX)
        return hb_fail(HB_EUSAGE, "--stdout: '%.60s...' is too long a path", path);
    if (!path[0])
        return hb_fail(HB_EUSAGE, "--stdout: the template gives an empty path");
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) : 0;
    if (dl && (strlen(wk->dir) != dl || strncmp(wk->dir, path, dl) != 0)) {
        char dir[PATH_MAX];
        memcpy(dir, path, dl);
        dir[dl] = '\0';
        if ((rc = hb_mkdir_p("--stdout", dir)))
            return rc;
        memcpy(wk->dir, dir, dl + 1);
    }
    return 0;
}

/* The last line of a file, for a message: what a failing program said last. */
static void last_line(const char *path, char *buf, size_t len) {
    buf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char tail[4096];
    off_t size = lseek(fd, 0, SEEK_END);
    off_t at = size > (off_t)sizeof tail - 1 ? size - (off_t)sizeof tail + 1 : 0;
    ssize_t n = pread(fd, tail, sizeof tail - 1, at);
    close(fd);
    if (n <= 0)
        return;
    tail[n] = '\0';
    while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' '))
        tail[--n] = '\0';
    const char *start = strrchr(tail, '\n');
    hb_text_escape(start ? start + 1 : tail, buf, len);
}

/* HB_ETASK: "task 3 (beta=1.0 m=2.0): " and the rest. */
static int task_failed(const cmd_state *st, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int task_failed(const cmd_state *st, size_t i, const char *fmt, ...) {
    char pt[256], what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    hb_points_describe(&st->o.pts, i, pt, sizeof pt);
    return hb_fail(HB_ETASK, "task %zu (%s): %s", i, pt, what);
}

static int run_command(cmd_state *st, cmd_worker *wk, size_t i) {
    int rc = out_path(st, wk, i);
    if (rc)
        return hb_fail_prefix(rc, "task %zu", i);
    const char *path = wk->path.p;
    if (st->skip && hb_is_regular(path)) {
        if ((rc = digest_file(wk, path, &st->digest[i])))
            return hb_fail_prefix(rc, "task %zu", i);
        st->how[i] = HOW_SKIPPED;
        return 0;
    }
    char tmp[PATH_MAX], errp[PATH_MAX], cmd[256], status[128];
    if ((rc = hb_temp_path("--stdout", path, tmp, sizeof tmp)) ||
        (rc = hb_path(errp, sizeof errp, "--stdout", "%s.err", path)) ||
        (rc = build_argv(st, wk, i)))
        return rc;
    int out = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0)
        return hb_fail(HB_EIO, "task %zu: cannot create '%s': %s", i, tmp, strerror(errno));
    int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (err < 0) {
        rc = hb_fail(HB_EIO, "task %zu: cannot create '%s': %s", i, errp, strerror(errno));
        close(out);
        unlink(tmp);
        return rc;
    }
    snprintf(wk->env_task, sizeof wk->env_task, "HB_TASK=%zu", i);
    hb_proc p;
    rc = hb_proc_spawn(wk->argv, wk->envp, -1, out, err, &p);
    close(err);
    hb_proc_end how = HB_PROC_EXITED;
    int code = 0;
    if (!rc)
        hb_proc_wait(&p, st->o.timeout, &how, &code);
    if (!rc && how == HB_PROC_EXITED && code == 0) {
        rc = digest_fd(wk, out, tmp, &st->digest[i]);
        if (!rc && rename(tmp, path) != 0)
            rc = hb_fail(HB_EIO, "task %zu: cannot rename '%s' to '%s': %s", i, tmp, path,
                         strerror(errno));
        struct stat sb;
        if (!rc && stat(errp, &sb) == 0 && sb.st_size == 0)
            unlink(errp);
        close(out);
        if (rc)
            unlink(tmp);
        else
            st->how[i] = HOW_RAN;
        return rc;
    }
    close(out);
    unlink(tmp);
    if (!rc && how == HB_PROC_INTERRUPTED) {
        /* Not run: the harness reports the interrupt, and --resume runs it. */
        struct stat sb;
        if (stat(errp, &sb) == 0 && sb.st_size == 0)
            unlink(errp);
        return 0;
    }
    /* A file left from an earlier run is not this run's output of the task:
     * without it --resume runs the task again. */
    unlink(path);
    argv_text(wk->argv, cmd, sizeof cmd);
    if (rc) { /* could not start: the message says why */
        unlink(errp);
        return task_failed(st, i, "'%s': %s", cmd, hb_errmsg(rc));
    }
    char said[200];
    last_line(errp, said, sizeof said);
    return task_failed(st, i, "'%s' %s; standard error in %s%s%s%s", cmd,
                       hb_proc_describe(status, sizeof status, how, code, st->o.timeout), errp,
                       said[0] ? " (last line: '" : "", said, said[0] ? "')" : "");
}

/* The worker process is gone or unusable: stop it, say how it ended. */
static void worker_down(cmd_worker *wk, bool wait_first, char *status, size_t len, double timeout) {
    hb_proc_end how;
    int code;
    if (wk->fd >= 0)
        close(wk->fd);
    wk->fd = -1;
    wk->up = false;
    if (wait_first) /* it closed its end: give it the time to exit by itself */
        hb_proc_wait(&wk->proc, CMD_GRACE_S, &how, &code);
    else
        hb_proc_stop(&wk->proc, CMD_GRACE_S, &how, &code);
    if (status)
        hb_proc_describe(status, len, how, code, timeout);
}

static int send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read until one full line is buffered. 0, or -1 EOF, -2 timeout, -3
 * interrupted, -4 too long, -5 read error. *nl is the newline's offset. */
static int read_line(cmd_worker *wk, double timeout, size_t *nl) {
    double t0 = hb_time_now();
    for (;;) {
        unsigned char *e = wk->rlen ? memchr(wk->buf, '\n', wk->rlen) : NULL;
        if (e) {
            *nl = (size_t)(e - wk->buf);
            return 0;
        }
        if (wk->rlen == CMD_ANSWER_MAX)
            return -4;
        if (hb_interrupted())
            return -3;
        double left = timeout > 0 ? timeout - (hb_time_now() - t0) : 0.1;
        if (left <= 0)
            return -2;
        struct pollfd pf = {.fd = wk->fd, .events = POLLIN};
        int r = poll(&pf, 1, (int)((left < 0.1 ? left : 0.1) * 1000) + 1);
        if (r < 0 && errno != EINTR)
            return -5;
        if (r <= 0)
            continue;
        size_t want = wk->rlen + 65536 < CMD_ANSWER_MAX ? wk->rlen + 65536 : CMD_ANSWER_MAX;
        if (grow(wk, want))
            return -5;
        ssize_t got = read(wk->fd, wk->buf + wk->rlen, want - wk->rlen);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return errno == ECONNRESET ? -1 : -5;
        if (got == 0)
            return -1;
        wk->rlen += (size_t)got;
    }
}

static int run_worker_task(cmd_state *st, cmd_worker *wk, size_t i) {
    int rc;
    if (st->o.has_out) {
        if ((rc = out_path(st, wk, i)))
            return hb_fail_prefix(rc, "task %zu", i);
        if (st->skip && hb_is_regular(wk->path.p)) {
            if ((rc = digest_file(wk, wk->path.p, &st->digest[i])))
                return hb_fail_prefix(rc, "task %zu", i);
            st->how[i] = HOW_SKIPPED;
            return 0;
        }
    }
    char cmd[200], status[128];
    if (!wk->up && (rc = start_process(st, wk)))
        return task_failed(st, i, "%s", hb_errmsg(rc));
    argv_text(wk->argv, cmd, sizeof cmd);
    /* Output while no task was asked: the process is out of step. */
    struct pollfd pf = {.fd = wk->fd, .events = POLLIN};
    if (poll(&pf, 1, 0) > 0) {
        char peek;
        ssize_t got = recv(wk->fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT);
        bool eof = got <= 0;
        worker_down(wk, eof, status, sizeof status, st->o.timeout);
        if (eof)
            return task_failed(st, i,
                               "the worker process '%s' (worker %d) %s before the task was sent",
                               cmd, wk->id, status);
        return task_failed(st, i,
                           "the worker process '%s' (worker %d) wrote output between tasks (more "
                           "than one line per task?); it was stopped",
                           cmd, wk->id);
    }
    hb_str *line = &wk->line;
    line->len = 0;
    hb_str_addf(line, "task=%zu", i);
    for (size_t j = 0; j < st->o.pts.nparams; j++)
        hb_str_addf(line, "\t%s=%s", st->o.pts.param[j].name, hb_points_text(&st->o.pts, i, j));
    hb_str_add(line, "\n", 1);
    if (line->failed)
        return hb_fail(HB_ENOMEM, "cmd: out of memory");
    size_t nl = 0;
    int r = send_all(wk->fd, line->p, line->len) ? -1 : read_line(wk, st->o.timeout, &nl);
    if (r == 0 && wk->rlen > nl + 1)
        r = -6; /* a second line came with the answer */
    if (r == 0 && memchr(wk->buf, '\0', nl))
        r = -7;
    if (r == 0) {
        size_t len = nl + 1; /* the answer with its newline, as a --stdout file holds it */
        st->digest[i] = hb_digest(HB_DIGEST_INIT, wk->buf, len);
        wk->rlen = 0;
        if (st->o.has_out &&
            (rc = hb_write_atomic("--stdout", wk->path.p, wk->buf, len, 0666, false)))
            return hb_fail_prefix(rc, "task %zu", i);
        st->how[i] = HOW_RAN;
        return 0;
    }
    int e = errno;
    if (r == -3) { /* interrupted: not run, as for a command */
        worker_down(wk, false, status, sizeof status, st->o.timeout);
        return 0;
    }
    if (st->o.has_out)
        unlink(wk->path.p); /* as for a command: --resume runs it again */
    char ans[120] = "";
    if (r == -6 || r == -7) {
        wk->buf[nl] = '\0';
        hb_text_escape((char *)wk->buf, ans, sizeof ans);
    }
    worker_down(wk, r == -1, status, sizeof status, st->o.timeout);
    switch (r) {
    case -1:
        return task_failed(st, i, "the worker process '%s' (worker %d) %s before answering", cmd,
                           wk->id, status);
    case -2:
        return task_failed(st, i,
                           "the worker process '%s' (worker %d) gave no answer within "
                           "--task-timeout %g s; it was stopped",
                           cmd, wk->id, st->o.timeout);
    case -4:
        return task_failed(st, i,
                           "the worker process '%s' (worker %d) answered more than %zu bytes "
                           "without a newline; it was stopped",
                           cmd, wk->id, CMD_ANSWER_MAX);
    case -6:
    case -7:
        return task_failed(st, i,
                           "the worker process '%s' (worker %d) answered %s (answer '%s'); it "
                           "was stopped",
                           cmd, wk->id, r == -6 ? "more than one line" : "with a NUL byte", ans);
    default:
        return task_failed(st, i, "the worker process '%s' (worker %d): %s", cmd, wk->id,
                           strerror(e));
    }
}

static int cmd_task(void *state, size_t i, const hb_worker *w) {
    cmd_state *st = state;
    cmd_worker *wk = &st->wk[w->thread];
    if (!wk->envp)
        return hb_fail(HB_EINTERNAL, "cmd: task %zu before worker_start", i);
    return st->o.worker ? run_worker_task(st, wk, i) : run_command(st, wk, i);
}

/* --- reduce, verify ------------------------------------------------------------ */

/* Each task ran on one worker and is zero elsewhere: OR gives every value. */
static int cmd_reduce(void *state, MPI_Comm comm) {
    cmd_state *st = state;
    if (comm == MPI_COMM_NULL)
        return 0;
    int rank;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "cmd: MPI_Comm_rank failed");
    const size_t step = (size_t)INT_MAX / 2;
    for (size_t o = 0; o < st->n; o += step) {
        int c = (int)(st->n - o < step ? st->n - o : step);
        if (MPI_Reduce(rank ? st->digest + o : MPI_IN_PLACE, st->digest + o, c, MPI_UINT64_T,
                       MPI_BOR, 0, comm) != MPI_SUCCESS ||
            MPI_Reduce(rank ? st->how + o : MPI_IN_PLACE, st->how + o, c, MPI_UINT8_T, MPI_BOR, 0,
                       comm) != MPI_SUCCESS)
            return hb_fail(HB_EMPI, "cmd: MPI_Reduce of the task digests failed");
    }
    return 0;
}

static int cmd_verify(void *state, hb_verdict *v) {
    cmd_state *st = state;
    if (!st->first) {
        st->first = calloc(st->n, sizeof *st->first);
        st->runs = calloc(st->n, sizeof *st->runs);
        if (!st->first || !st->runs)
            return hb_fail(HB_ENOMEM, "cmd: out of memory");
    }
    size_t ran = 0, skipped = 0, missing = 0, once = 0, first_once = 0;
    uint64_t total = HB_DIGEST_INIT;
    for (size_t i = 0; i < st->n; i++) {
        if (st->how[i] == HOW_RAN) {
            ran++;
            if (st->runs[i]++ == 0) {
                st->first[i] = st->digest[i];
            } else if (st->first[i] != st->digest[i] && st->ndiffer++ == 0) {
                st->first_differ = i;
            }
        }
        skipped += st->how[i] == HOW_SKIPPED;
        missing += st->how[i] == HOW_NONE;
        if (st->runs[i] < 2 && once++ == 0)
            first_once = i;
        total = hb_digest_fold(total, st->digest[i]);
    }
    snprintf(v->result, sizeof v->result, "tasks=%zu digest=%016" PRIx64, st->n, total);
    v->skipped = skipped;
    char pt[200];
    if (st->ndiffer) {
        v->status = HB_UNVERIFIED;
        snprintf(v->why, sizeof v->why,
                 "not deterministic: %zu task%s gave other output in another repetition "
                 "(first task %zu, %s)",
                 st->ndiffer, st->ndiffer == 1 ? "" : "s", st->first_differ,
                 hb_points_describe(&st->o.pts, st->first_differ, pt, sizeof pt));
    } else if (missing) {
        v->status = HB_UNVERIFIED;
        snprintf(v->why, sizeof v->why, "%zu task%s not run", missing, missing == 1 ? "" : "s");
    } else if (once) {
        v->status = HB_UNVERIFIED;
        snprintf(v->why, sizeof v->why,
                 "determinism not checked: %zu task%s ran in one repetition only (first task "
                 "%zu; %s)",
                 once, once == 1 ? "" : "s", first_once,
                 skipped ? "--resume skipped what was done"
                         : "--warmup 1 or --repeat 2 runs "
                           "each twice");
    } else {
        v->status = HB_VERIFIED;
    }
    hb_str r = {0};
    char where[512];
    hb_str_addf(&r,
                "cmd: %zu task%s (%zu run, %zu skipped by --resume); digest of the %s in "
                "task order %016" PRIx64 "%s%s",
                st->n, st->n == 1 ? "" : "s", ran, skipped,
                st->o.worker ? "answers" : "standard outputs", total,
                st->o.has_out ? "; files " : "",
                st->o.has_out ? hb_text_escape(st->o.out_text, where, sizeof where) : "");
    v->report = r.p;
    return 0;
}

static void cmd_destroy(void *state) {
    cmd_state *st = state;
    if (!st)
        return;
    /* Close every worker's input first, so that they all exit together. */
    for (int t = 0; st->wk && t < st->nwk; t++)
        if (st->wk[t].fd >= 0) {
            close(st->wk[t].fd);
            st->wk[t].fd = -1;
        }
    for (int t = 0; st->wk && t < st->nwk; t++) {
        cmd_worker *wk = &st->wk[t];
        if (wk->up) {
            hb_proc_end how;
            int code;
            hb_proc_wait(&wk->proc, CMD_GRACE_S, &how, &code);
        }
        hb_str_free(&wk->words);
        hb_str_free(&wk->path);
        hb_str_free(&wk->line);
        free(wk->argv);
        free(wk->envp);
        free(wk->buf);
    }
    free(st->wk);
    free(st->base_env);
    free(st->digest);
    free(st->how);
    free(st->first);
    free(st->runs);
    opts_free(&st->o);
    free(st);
}

const hb_kernel hb_kernel_cmd = {
    .name = "cmd",
    .summary = "your command per point (--command), or a process per worker (--worker)",
    .options = cmd_options,
    .flags = HB_KF_KEEP_GOING,
    .plan = cmd_plan,
    .create = cmd_create,
    .worker_start = cmd_worker_start,
    .begin = cmd_begin,
    .task = cmd_task,
    .reduce = cmd_reduce,
    .verify = cmd_verify,
    .destroy = cmd_destroy,
};
