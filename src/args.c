/* The option parser shared by every subcommand and kernel (see args.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "hybench/args.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/error.h"

static const hb_option *find(const hb_option *const *tables, const char *name, size_t len) {
    for (size_t t = 0; tables[t]; t++)
        for (const hb_option *o = tables[t]; o->name; o++)
            if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                return o;
    return NULL;
}

static bool repeatable(const hb_option *o) {
    size_t n = o->arg ? strlen(o->arg) : 0;
    return n >= 3 && strcmp(o->arg + n - 3, "...") == 0;
}

/* Levenshtein distance of a and b, capped at cap + 1 (names are short). */
static size_t edits(const char *a, const char *b, size_t cap) {
    size_t na = strlen(a), nb = strlen(b);
    if (na > 64 || nb > 64)
        return cap + 1;
    size_t row[65];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0], best = row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t v = diag + (a[i - 1] != b[j - 1]);
            v = up + 1 < v ? up + 1 : v;
            v = row[j - 1] + 1 < v ? row[j - 1] + 1 : v;
            row[j] = v;
            diag = up;
            best = v < best ? v : best;
        }
        if (best > cap)
            return cap + 1;
    }
    return row[nb];
}

const hb_option *hb_options_nearest(const hb_option *const *tables, const char *word) {
    const hb_option *best = NULL;
    size_t best_d = 3, wl = strlen(word);
    for (size_t t = 0; tables[t]; t++)
        for (const hb_option *o = tables[t]; o->name; o++) {
            size_t d = edits(word, o->name, 2);
            if (d > 2 && wl >= 3 && strncmp(o->name, word, wl) == 0)
                d = 2; /* an abbreviation */
            if (d < best_d) {
                best = o;
                best_d = d;
            }
        }
    return best;
}

int hb_args_parse(int argc, char **argv, const hb_option *const *tables, hb_args *out) {
    memset(out, 0, sizeof *out);
    if (argc <= 0)
        return 0;
    out->v = calloc((size_t)argc, sizeof *out->v);
    if (!out->v)
        return hb_fail(HB_ENOMEM, "out of memory parsing options");
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (strncmp(w, "--", 2) != 0 || w[2] == '\0') {
            if (w[0] == '-' && w[1] != '\0') {
                hb_args_free(out);
                return hb_fail(HB_EUSAGE, "unknown option '%s' (options are --long)", w);
            }
            if (out->npositional == sizeof out->positional / sizeof out->positional[0]) {
                hb_args_free(out);
                return hb_fail(HB_EUSAGE, "unexpected argument '%s'", w);
            }
            out->positional[out->npositional++] = w;
            continue;
        }
        const char *name = w + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const hb_option *o = find(tables, name, len);
        if (!o) {
            char word[128];
            snprintf(word, sizeof word, "%.*s", (int)len, name);
            const hb_option *near = hb_options_nearest(tables, word);
            hb_args_free(out);
            if (near)
                return hb_fail(HB_EUSAGE, "unknown option '--%s' (did you mean --%s?)", word,
                               near->name);
            return hb_fail(HB_EUSAGE, "unknown option '--%s'", word);
        }
        if (o->arg && !repeatable(o) && hb_args_has(out, o->name)) {
            const char *before = hb_args_get(out, o->name);
            const char *now = eq ? eq + 1 : i + 1 < argc ? argv[i + 1] : "";
            int rc = hb_fail(HB_EUSAGE, "--%s: given twice ('%s', then '%s'); give it once",
                             o->name, before ? before : "", now);
            hb_args_free(out);
            return rc;
        }
        const char *value = NULL;
        if (o->arg) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                hb_args_free(out);
                return hb_fail(HB_EUSAGE, "--%s: missing value (%s)", o->name, o->arg);
            }
        } else if (eq) {
            hb_args_free(out);
            return hb_fail(HB_EUSAGE, "--%s: takes no value (got '%s')", o->name, eq + 1);
        }
        out->v[out->n].name = o->name;
        out->v[out->n].value = value;
        out->n++;
    }
    return 0;
}

void hb_args_free(hb_args *a) {
    free(a->v);
    memset(a, 0, sizeof *a);
}

const char *hb_args_get(const hb_args *a, const char *name) {
    for (size_t i = a->n; i-- > 0;)
        if (strcmp(a->v[i].name, name) == 0)
            return a->v[i].value;
    return NULL;
}

size_t hb_args_count(const hb_args *a, const char *name) {
    size_t c = 0;
    for (size_t i = 0; i < a->n; i++)
        c += strcmp(a->v[i].name, name) == 0;
    return c;
}

const char *hb_args_nth(const hb_args *a, const char *name, size_t nth) {
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].name, name) == 0 && nth-- == 0)
            return a->v[i].value;
    return NULL;
}

bool hb_args_has(const hb_args *a, const char *name) {
    return hb_args_count(a, name) > 0;
}

void hb_options_print(FILE *f, const hb_option *table) {
    for (const hb_option *o = table; o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-26s %s\n", left, o->help);
    }
}

int hb_words_split(const char *opt, const char *text, char ***words, int *n) {
    size_t len = strlen(text);
    char **v = calloc(len / 2 + 2, sizeof *v);
    char *word = malloc(len + 1);
    int count = 0;
    if (!v || !word) {
        free(v);
        free(word);
        return hb_fail(HB_ENOMEM, "out of memory");
    }
    for (const char *p = text;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        size_t k = 0;
        char quote = 0;
        for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
            if (quote && *p == quote)
                quote = 0;
            else if (!quote && (*p == '\'' || *p == '"'))
                quote = *p;
            else
                word[k++] = *p;
        }
        word[k] = '\0';
        if (quote) {
            free(word);
            hb_words_free(v);
            return hb_fail(HB_EUSAGE, "%s: unclosed quote in '%s'", opt, text);
        }
        if (!(v[count] = strdup(word))) {
            free(word);
            hb_words_free(v);
            return hb_fail(HB_ENOMEM, "out of memory");
        }
        count++;
    }
    free(word);
    *words = v;
    *n = count;
    return 0;
}

void hb_words_free(char **words) {
    if (!words)
        return;
    for (char **w = words; *w; w++)
        free(*w);
    free(words);
}
