/* The cmd kernel's internals, public so the tests can drive them: command
 * templates with placeholders, and starting, waiting for and stopping the
 * processes a task runs.
 *
 * A template is text with {NAME} placeholders: a parameter of the points, or
 * {task} (the task index), {worker} (the global worker id), {cpus} (the
 * worker's binding as an hwloc list, "3" or "0-3") and {seed} (--seed);
 * {{ and }} are literal braces. A command template is split into words by
 * hb_words_split, as the launcher templates are (blanks separate words,
 * single or double quotes group them, no other shell syntax), and a value
 * stays inside its word whatever it holds, so no value can become an option
 * or a second command.
 * Under --shell the text goes to /bin/sh -c whole, and each value is
 * single-quoted when it holds anything but [A-Za-z0-9_@%+=:,./-].
 *
 * Processes are started with posix_spawn (no fork of the MPI process), in a
 * process group of their own, with default signal dispositions and only
 * file descriptors 0, 1 and 2 open; a stop is SIGTERM to the group, a grace
 * period, then SIGKILL. Waiting polls hb_interrupted(), so a SIGINT or
 * SIGTERM to hybench stops the task's processes too.
 *
 * Errors are HB_EUSAGE (templates), HB_ENOMEM, HB_EIO; nothing prints.
 * Thread-safe for distinct arguments. */
#ifndef HYBENCH_CMD_H
#define HYBENCH_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hybench/files.h"
#include "hybench/points.h"

/* --- templates -------------------------------------------------------------- */

/* Placeholders a template may use. */
#define HB_TMPL_POINT 1u  /* the parameters and {task} */
#define HB_TMPL_WORKER 2u /* {worker} and {cpus} */
#define HB_TMPL_SEED 4u   /* {seed} */

/* What one part of a template stands for: a parameter index >= 0 or one of: */
enum { HB_TMPL_LIT = -1, HB_TMPL_TASK = -2, HB_TMPL_WID = -3, HB_TMPL_CPUS = -4, HB_TMPL_SD = -5 };

typedef struct hb_tmpl_part {
    int what;        /* HB_TMPL_LIT: lit[off..off+len); else a placeholder */
    size_t off, len; /* literal text */
    bool word_end;   /* the last part of a word (split templates) */
} hb_tmpl_part;

typedef struct hb_tmpl {
    char *lit; /* the literal text of every part */
    hb_tmpl_part *part;
    size_t nparts, nwords;
    bool split, shell;
    unsigned uses; /* HB_TMPL_... flags of the placeholders it names */
    bool uses_task;
} hb_tmpl;

/* Values for one expansion. */
typedef struct hb_tmpl_vars {
    const hb_points *pts;
    size_t task; /* the point is the task */
    int worker;
    const char *cpus;
    uint64_t seed;
} hb_tmpl_vars;

/* Compile text (option opt for messages). split: a command, split into
 * words (else one word, such as a path). shell: one word for /bin/sh -c,
 * values quoted. allow: the HB_TMPL_... placeholders allowed; a parameter
 * placeholder must name a parameter of pts. HB_EUSAGE naming opt for an
 * unknown or disallowed placeholder, an unclosed brace or quote, an empty
 * command. */
int hb_tmpl_compile(hb_tmpl *t, const char *opt, const char *text, bool split, bool shell,
                    const hb_points *pts, unsigned allow);

/* Expand into s (emptied first): the words, each followed by a NUL byte;
 * *nwords words. HB_ENOMEM only. */
int hb_tmpl_expand(const hb_tmpl *t, const hb_tmpl_vars *v, hb_str *s, size_t *nwords);

/* The first word of a split template when it holds no placeholder (the
 * program, to be checked before anything runs), else NULL. malloc'd. */
char *hb_tmpl_program(const hb_tmpl *t);

void hb_tmpl_free(hb_tmpl *t);

/* Is prog (no '/': searched on PATH) an executable file? */
bool hb_cmd_findable(const char *prog);

/* --- processes ---------------------------------------------------------------- */

/* How a process ended. */
typedef enum hb_proc_end {
    HB_PROC_EXITED,      /* code = exit status */
    HB_PROC_SIGNALED,    /* code = the signal that killed it */
    HB_PROC_TIMEOUT,     /* ran past its time and was stopped */
    HB_PROC_INTERRUPTED, /* hybench was interrupted, so it was stopped */
} hb_proc_end;

/* A started process: its pid and, where the kernel has them, a pidfd to
 * wait on (else -1, and waiting polls). */
typedef struct hb_proc {
    pid_t pid;
    int pidfd;
} hb_proc;

/* Start argv with environment envp; the child's fd 0, 1, 2 are in, out, err
 * (-1: /dev/null for in; out and err -1 keep hybench's own). PATH is
 * searched for argv[0]. HB_ETASK with the reason when it cannot start. */
int hb_proc_spawn(char *const *argv, char *const *envp, int in, int out, int err, hb_proc *p);

/* Wait for p to end, at most timeout_s seconds (<= 0: no limit), stopping
 * its group on a timeout or an interrupt. Reaps it. */
void hb_proc_wait(hb_proc *p, double timeout_s, hb_proc_end *how, int *code);

/* Stop p's group now: SIGTERM, up to grace_s for it to end, SIGKILL; reaps
 * it and says how it ended (a process that had ended already keeps its own
 * status). */
void hb_proc_stop(hb_proc *p, double grace_s, hb_proc_end *how, int *code);

/* Has p ended? Then reap it: *how, *code as hb_proc_wait. Does not block. */
bool hb_proc_ended(hb_proc *p, hb_proc_end *how, int *code);

/* "exited with status 3", "was killed by signal 9 (Killed)", "ran past
 * --task-timeout 2 s and was stopped", ... into buf. Returns buf. */
const char *hb_proc_describe(char *buf, size_t len, hb_proc_end how, int code, double timeout_s);

#endif
