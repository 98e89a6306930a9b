/* The option parser shared by every subcommand and kernel (see args.h). */
#include "hybench/args.h"

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
            hb_args_free(out);
            return hb_fail(HB_EUSAGE, "unknown option '--%.*s'", (int)len, name);
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
