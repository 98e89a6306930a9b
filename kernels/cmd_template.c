/* Command templates of the cmd kernel (see cmd.h): compiled once into
 * literal parts and placeholders, expanded per task into argv words. */
#define _DEFAULT_SOURCE /* strdup */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hybench/cmd.h"
#include "hybench/error.h"

static int add_part(hb_tmpl *t, size_t *cap, int what, size_t off, size_t len) {
    if (t->nparts == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        hb_tmpl_part *v = realloc(t->part, c * sizeof *v);
        if (!v)
            return hb_fail(HB_ENOMEM, "out of memory compiling a template");
        t->part = v;
        *cap = c;
    }
    t->part[t->nparts++] = (hb_tmpl_part){what, off, len, false};
    return 0;
}

/* The placeholder name[0..n) as a part kind, or HB_EUSAGE naming it. */
static int placeholder(hb_tmpl *t, const char *opt, const char *text, const char *name, size_t n,
                       const hb_points *pts, unsigned allow, int *what) {
    static const struct {
        const char *name;
        int what;
        unsigned flag;
    } special[] = {{"task", HB_TMPL_TASK, HB_TMPL_POINT},
                   {"worker", HB_TMPL_WID, HB_TMPL_WORKER},
                   {"cpus", HB_TMPL_CPUS, HB_TMPL_WORKER},
                   {"seed", HB_TMPL_SD, HB_TMPL_SEED}};
    char nm[HB_PARAM_NAME_MAX];
    if (n == 0 || n >= sizeof nm)
        return hb_fail(HB_EUSAGE,
                       "%s: '{%.*s}' in '%s' is not a placeholder (write {{ and }} for "
                       "literal braces)",
                       opt, (int)(n < 40 ? n : 40), name, text);
    memcpy(nm, name, n);
    nm[n] = '\0';
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        if (strcmp(nm, special[i].name) != 0)
            continue;
        if (!(allow & special[i].flag))
            return hb_fail(HB_EUSAGE, "%s: {%s} cannot be used here (%s)", opt, nm,
                           special[i].flag == HB_TMPL_WORKER
                               ? "an output that depends on who ran the task would differ "
                                 "between layouts"
                               : "this command runs once per worker, not per task");
        t->uses |= special[i].flag;
        t->uses_task |= special[i].what == HB_TMPL_TASK;
        *what = special[i].what;
        return 0;
    }
    int j = pts ? hb_points_find(pts, nm) : -1;
    if (j < 0 || !(allow & HB_TMPL_POINT)) {
        hb_str names = {0};
        for (size_t k = 0; pts && k < pts->nparams; k++)
            hb_str_addf(&names, "{%s} ", pts->param[k].name);
        int rc = (allow & HB_TMPL_POINT)
                     ? hb_fail(HB_EUSAGE,
                               "%s: {%s} names no parameter (placeholders: %s{task} {worker} "
                               "{cpus} {seed}; {{ and }} are literal braces)",
                               opt, nm, names.p ? names.p : "")
                     : hb_fail(HB_EUSAGE,
                               "%s: {%s} cannot be used here (a worker process serves many "
                               "points: it reads each task's values on its standard input)",
                               opt, nm);
        hb_str_free(&names);
        return rc;
    }
    t->uses |= HB_TMPL_POINT;
    *what = j;
    return 0;
}

int hb_tmpl_compile(hb_tmpl *t, const char *opt, const char *text, bool split, bool shell,
                    const hb_points *pts, unsigned allow) {
    memset(t, 0, sizeof *t);
    t->split = split && !shell;
    t->shell = shell;
    size_t tl = strlen(text), cap = 0;
    if (!(t->lit = malloc(tl + 1)))
        return hb_fail(HB_ENOMEM, "out of memory compiling a template");
    size_t nl = 0; /* literal bytes so far */
    int rc = 0;
    const char *p = text;
    char quote = 0;
    bool in_word = false;
    size_t lit_start = 0;
#define FLUSH_LIT()                                                                                \
    do {                                                                                           \
        if (!rc && nl > lit_start)                                                                 \
            rc = add_part(t, &cap, HB_TMPL_LIT, lit_start, nl - lit_start);                        \
        lit_start = nl;                                                                            \
    } while (0)
#define END_WORD()                                                                                 \
    do {                                                                                           \
        FLUSH_LIT();                                                                               \
        if (!rc && in_word) {                                                                      \
            if (t->nparts == 0 || t->part[t->nparts - 1].word_end)                                 \
                rc = add_part(t, &cap, HB_TMPL_LIT, nl, 0); /* "" is a word too */                 \
            if (!rc) {                                                                             \
                t->part[t->nparts - 1].word_end = true;                                            \
                t->nwords++;                                                                       \
            }                                                                                      \
        }                                                                                          \
        in_word = false;                                                                           \
    } while (0)
    for (; *p && !rc; p++) {
        char c = *p;
        if (t->split && !quote && (c == ' ' || c == '\t' || c == '\n')) {
            END_WORD();
            continue;
        }
        in_word = true;
        if (t->split && quote && c == quote) {
            quote = 0;
        } else if (t->split && !quote && (c == '\'' || c == '"')) {
            quote = c;
        } else if ((c == '{' && p[1] == '{') || (c == '}' && p[1] == '}')) {
            t->lit[nl++] = c;
            p++;
        } else if (c == '{') {
            const char *end = strchr(p + 1, '}');
            if (!end) {
                rc = hb_fail(HB_EUSAGE, "%s: unclosed '{' in '%s' (write {{ for a literal brace)",
                             opt, text);
                break;
            }
            int what = 0;
            rc = placeholder(t, opt, text, p + 1, (size_t)(end - p - 1), pts, allow, &what);
            FLUSH_LIT();
            if (!rc)
                rc = add_part(t, &cap, what, 0, 0);
            p = end;
        } else if (c == '}') {
            rc = hb_fail(HB_EUSAGE, "%s: a lone '}' in '%s' (write }} for a literal brace)", opt,
                         text);
        } else {
            t->lit[nl++] = c;
        }
    }
    if (!rc && quote)
        rc = hb_fail(HB_EUSAGE, "%s: unclosed quote in '%s'", opt, text);
    if (!rc && !t->split)
        in_word = true; /* one word, even an empty one */
    END_WORD();
#undef END_WORD
#undef FLUSH_LIT
    if (!rc && split) {
        bool blank = t->nwords == 0;
        if (shell) {
            blank = true;
            for (const char *q = text; *q && blank; q++)
                blank = *q == ' ' || *q == '\t' || *q == '\n';
        }
        if (blank)
            rc = hb_fail(HB_EUSAGE, "%s: empty command", opt);
    }
    if (rc)
        hb_tmpl_free(t);
    return rc;
}

/* Single-quote s for /bin/sh when it holds anything but safe characters. */
static void add_shell_quoted(hb_str *s, const char *v) {
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "_@%+=:,./-";
    if (*v && strspn(v, safe) == strlen(v)) {
        hb_str_add(s, v, strlen(v));
        return;
    }
    hb_str_add(s, "'", 1);
    for (const char *c = v; *c; c++) {
        if (*c == '\'')
            hb_str_add(s, "'\\''", 4);
        else
            hb_str_add(s, c, 1);
    }
    hb_str_add(s, "'", 1);
}

int hb_tmpl_expand(const hb_tmpl *t, const hb_tmpl_vars *v, hb_str *s, size_t *nwords) {
    s->len = 0;
    s->failed = false;
    size_t words = 0;
    for (size_t i = 0; i < t->nparts; i++) {
        const hb_tmpl_part *q = &t->part[i];
        char num[32];
        const char *val = NULL;
        switch (q->what) {
        case HB_TMPL_LIT:
            hb_str_add(s, t->lit + q->off, q->len);
            break;
        case HB_TMPL_TASK:
            snprintf(num, sizeof num, "%zu", v->task);
            val = num;
            break;
        case HB_TMPL_WID:
            snprintf(num, sizeof num, "%d", v->worker);
            val = num;
            break;
        case HB_TMPL_CPUS:
            val = v->cpus ? v->cpus : "";
            break;
        case HB_TMPL_SD:
            snprintf(num, sizeof num, "%" PRIu64, v->seed);
            val = num;
            break;
        default:
            val = hb_points_text(v->pts, v->task, (size_t)q->what);
            break;
        }
        if (val && t->shell)
            add_shell_quoted(s, val);
        else if (val)
            hb_str_add(s, val, strlen(val));
        if (q->word_end) {
            hb_str_add(s, "", 1); /* the NUL after each word */
            words++;
        }
    }
    if (words == 0) /* an empty single-word template: one empty word */
        hb_str_add(s, "", 1);
    *nwords = words;
    return s->failed ? hb_fail(HB_ENOMEM, "out of memory expanding a template") : 0;
}

char *hb_tmpl_program(const hb_tmpl *t) {
    if (!t->split || t->nparts == 0)
        return NULL;
    hb_str s = {0};
    for (size_t i = 0; i < t->nparts; i++) {
        if (t->part[i].what != HB_TMPL_LIT) {
            hb_str_free(&s);
            return NULL;
        }
        hb_str_add(&s, t->lit + t->part[i].off, t->part[i].len);
        if (t->part[i].word_end)
            break;
    }
    if (s.failed || !s.p) {
        hb_str_free(&s);
        return NULL;
    }
    return s.p;
}

void hb_tmpl_free(hb_tmpl *t) {
    free(t->lit);
    free(t->part);
    memset(t, 0, sizeof *t);
}

bool hb_cmd_findable(const char *prog) {
    if (!prog || !*prog)
        return false;
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char full[4096];
        struct stat sb;
        if (snprintf(full, sizeof full, "%.*s%s%s", (int)n, p, n ? "/" : "", prog) <
                (int)sizeof full &&
            stat(full, &sb) == 0 && S_ISREG(sb.st_mode) && access(full, X_OK) == 0)
            return true;
        if (!colon)
            return false;
        p = colon + 1;
    }
}
