/* Command templates of the cmd kernel (see cmd.h): compiled once into
 * literal parts and placeholders, expanded per task into argv words. */
#define _DEFAULT_SOURCE /* strdup */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hybench/args.h"
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

/* The parts of one word (for a message, text is the whole template); the
 * last part ends the word, and an empty word is one empty literal. */
static int compile_word(hb_tmpl *t, size_t *cap, size_t *nl, const char *opt, const char *text,
                        const char *word, const hb_points *pts, unsigned allow) {
    size_t lit_start = *nl, first = t->nparts;
    int rc = 0;
    for (const char *p = word; *p && !rc; p++) {
        char c = *p;
        if ((c == '{' && p[1] == '{') || (c == '}' && p[1] == '}')) {
            t->lit[(*nl)++] = c;
            p++;
        } else if (c == '{') {
            const char *end = strchr(p + 1, '}');
            if (!end)
                return hb_fail(HB_EUSAGE, "%s: unclosed '{' in '%s' (write {{ for a literal brace)",
                               opt, text);
            int what = 0;
            if ((rc = placeholder(t, opt, text, p + 1, (size_t)(end - p - 1), pts, allow, &what)))
                return rc;
            if (*nl > lit_start && (rc = add_part(t, cap, HB_TMPL_LIT, lit_start, *nl - lit_start)))
                return rc;
            lit_start = *nl;
            rc = add_part(t, cap, what, 0, 0);
            p = end;
        } else if (c == '}') {
            return hb_fail(HB_EUSAGE, "%s: a lone '}' in '%s' (write }} for a literal brace)", opt,
                           text);
        } else {
            t->lit[(*nl)++] = c;
        }
    }
    if (!rc && (*nl > lit_start || t->nparts == first))
        rc = add_part(t, cap, HB_TMPL_LIT, lit_start, *nl - lit_start);
    if (!rc) {
        t->part[t->nparts - 1].word_end = true;
        t->nwords++;
    }
    return rc;
}

int hb_tmpl_compile(hb_tmpl *t, const char *opt, const char *text, bool split, bool shell,
                    const hb_points *pts, unsigned allow) {
    memset(t, 0, sizeof *t);
    t->split = split && !shell;
    t->shell = shell;
    size_t cap = 0, nl = 0;
    if (!(t->lit = malloc(strlen(text) + 1)))
        return hb_fail(HB_ENOMEM, "out of memory compiling a template");
    int rc = 0;
    if (t->split) {
        /* Words as the launcher templates have them (args.h): blanks
         * separate, quotes group, no other shell syntax. */
        char **words = NULL;
        int n = 0;
        rc = hb_words_split(opt, text, &words, &n);
        for (int i = 0; !rc && i < n; i++)
            rc = compile_word(t, &cap, &nl, opt, text, words[i], pts, allow);
        hb_words_free(words);
        if (!rc && n == 0)
            rc = hb_fail(HB_EUSAGE, "%s: empty command", opt);
    } else {
        rc = compile_word(t, &cap, &nl, opt, text, text, pts, allow);
        if (!rc && split && strspn(text, " \t\n") == strlen(text))
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
    if (words == 0) /* no part at all (cannot be compiled): an empty string */
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
