/* Parameter points (see points.h): lists that keep the user's text, their
 * product or zip, and CSV files of points. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "hybench/points.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/digest.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/numfmt.h"
#include "hybench/parse.h"

bool hb_param_name_ok(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n >= HB_PARAM_NAME_MAX || isdigit((unsigned char)name[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            return false;
    return true;
}

static bool has_control(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static hb_param *find_param(hb_points *p, const char *name) {
    for (size_t j = 0; j < p->nparams; j++)
        if (strcmp(p->param[j].name, name) == 0)
            return &p->param[j];
    return NULL;
}

static int new_param(hb_points *p, const char *opt, const char *name, hb_param **out) {
    if (p->nparams == HB_PARAMS_MAX)
        return hb_fail(HB_EUSAGE, "%s: more than %d parameters", opt, HB_PARAMS_MAX);
    hb_param *v = realloc(p->param, (p->nparams + 1) * sizeof *v);
    if (!v)
        return hb_fail(HB_ENOMEM, "%s: out of memory", opt);
    p->param = v;
    hb_param *q = &v[p->nparams];
    memset(q, 0, sizeof *q);
    if (!(q->name = strdup(name)) || !(q->opt = strdup(opt))) {
        free(q->name);
        free(q->opt);
        return hb_fail(HB_ENOMEM, "%s: out of memory", opt);
    }
    p->nparams++;
    *out = q;
    return 0;
}

/* Append one value (text is copied unless take: then owned from here). */
static int push_value(hb_param *q, const char *opt, char *text, bool take, size_t *cap) {
    if (q->n >= HB_POINTS_MAX) {
        if (take)
            free(text);
        return hb_fail(HB_EUSAGE, "%s: more than %zu values", opt, HB_POINTS_MAX);
    }
    if (q->n == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        char **v = realloc(q->text, c * sizeof *v);
        if (!v) {
            if (take)
                free(text);
            return hb_fail(HB_ENOMEM, "%s: out of memory for %zu values", opt, c);
        }
        q->text = v;
        *cap = c;
    }
    char *s = take ? text : strdup(text);
    if (!s)
        return hb_fail(HB_ENOMEM, "%s: out of memory", opt);
    q->text[q->n++] = s;
    return 0;
}

/* Is s (one part of a range) an integer literal, as Python would read it? */
static bool int_literal(const char *s, size_t len) {
    size_t i = len && (s[0] == '-' || s[0] == '+');
    if (i == len)
        return false;
    for (; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* The values of range item into q, as Python would print start + i*step. */
static int push_range(hb_param *q, const char *opt, const char *item, size_t *cap) {
    hb_dlist d = {0};
    int rc = hb_parse_dlist(opt, item, &d);
    const char *c1 = strchr(item, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    bool ints =
        c1 && c2 && int_literal(item, (size_t)(c1 - item)) && int_literal(c2 + 1, strlen(c2 + 1));
    for (size_t i = 0; !rc && i < d.n; i++) {
        char t[HB_NUMFMT_MAX];
        rc = push_value(q, opt, ints ? hb_fmt_num(t, d.v[i]) : hb_fmt_repr(t, d.v[i]), false, cap);
    }
    hb_dlist_free(&d);
    return rc;
}

int hb_points_add(hb_points *p, const char *opt, const char *name, const char *list) {
    if (p->form == HB_POINTS_TABLE && p->nparams)
        return hb_fail(HB_EINTERNAL, "%s: a points file and lists cannot be mixed", opt);
    if (!hb_param_name_ok(name))
        return hb_fail(HB_EUSAGE,
                       "%s: '%s' is not a parameter name (letters, digits and _, not starting "
                       "with a digit)",
                       opt, name);
    const char *s = list ? list : "";
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return hb_fail(HB_EUSAGE, "%s: empty list", opt);
    if (has_control(list))
        return hb_fail(HB_EUSAGE, "%s: '%s' holds a control character", opt, list);
    hb_param *q = find_param(p, name);
    int rc = q ? 0 : new_param(p, opt, name, &q);
    if (rc)
        return rc;
    size_t cap = q->n; /* the array holds exactly n; push_value grows it */
    char *copy = strdup(list);
    if (!copy)
        return hb_fail(HB_ENOMEM, "%s: out of memory", opt);
    for (char *item = copy; !rc;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        while (*item == ' ' || *item == '\t')
            item++;
        char *e = item + strlen(item);
        while (e > item && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        size_t colons = 0;
        for (const char *c = item; *c; c++)
            colons += *c == ':';
        if (!*item)
            rc = hb_fail(HB_EUSAGE, "%s: empty item in list '%s'", opt, list);
        else if (colons == 2)
            rc = push_range(q, opt, item, &cap);
        else
            rc = push_value(q, opt, item, false, &cap);
        if (!comma)
            break;
        item = comma + 1;
    }
    free(copy);
    /* Trim the array to n entries, so that the next call's cap is exact. */
    if (!rc && q->n) {
        char **v = realloc(q->text, q->n * sizeof *v);
        if (v)
            q->text = v;
    }
    return rc;
}

int hb_points_add_param(hb_points *p, const char *arg) {
    const char *eq = arg ? strchr(arg, '=') : NULL;
    if (!eq)
        return hb_fail(HB_EUSAGE, "--param: '%s' is not NAME=LIST", arg ? arg : "");
    char name[HB_PARAM_NAME_MAX];
    size_t n = (size_t)(eq - arg);
    if (n == 0 || n >= sizeof name)
        return hb_fail(HB_EUSAGE, "--param: '%s' does not start with a parameter name", arg);
    memcpy(name, arg, n);
    name[n] = '\0';
    char opt[HB_PARAM_NAME_MAX + 16];
    snprintf(opt, sizeof opt, "--param %s", name);
    if (!hb_param_name_ok(name))
        return hb_fail(HB_EUSAGE,
                       "--param: '%s' is not a parameter name (letters, digits and _, not "
                       "starting with a digit)",
                       name);
    if (find_param(p, name))
        return hb_fail(HB_EUSAGE,
                       "%s: given twice (one --param per name; its list holds the values)", opt);
    return hb_points_add(p, opt, name, eq + 1);
}

int hb_points_combine(hb_points *p, bool zip) {
    p->form = zip ? HB_POINTS_ZIP : HB_POINTS_PRODUCT;
    size_t count = 1;
    if (zip) {
        for (size_t j = 0; j < p->nparams; j++)
            count = p->param[j].n > count ? p->param[j].n : count;
        for (size_t j = 0; j < p->nparams; j++)
            if (p->param[j].n != 1 && p->param[j].n != count)
                return hb_fail(HB_EUSAGE,
                               "--zip: %s has %zu values but another list has %zu; zipped lists "
                               "need equal lengths (or a single value, which is repeated)",
                               p->param[j].opt, p->param[j].n, count);
    } else {
        for (size_t j = 0; j < p->nparams; j++) {
            if (p->param[j].n > HB_POINTS_MAX / count) {
                hb_str opts = {0};
                for (size_t k = 0; k < p->nparams; k++)
                    hb_str_addf(&opts, "%s%s", k ? "/" : "", p->param[k].opt);
                int rc = hb_fail(HB_EUSAGE, "%s: the product has more than %zu points",
                                 opts.p ? opts.p : "--param", HB_POINTS_MAX);
                hb_str_free(&opts);
                return rc;
            }
            count *= p->param[j].n;
        }
        free(p->stride);
        p->stride = malloc((p->nparams ? p->nparams : 1) * sizeof *p->stride);
        if (!p->stride)
            return hb_fail(HB_ENOMEM, "--param: out of memory");
        size_t s = 1;
        for (size_t j = p->nparams; j-- > 0;) {
            p->stride[j] = s;
            s *= p->param[j].n;
        }
    }
    p->n = count;
    return 0;
}

/* --- CSV files -------------------------------------------------------------- */

/* The fields of one line (NUL-terminated, in place): trimmed of blanks, a
 * field in double quotes unquoted. *nf fields into f (at most max); returns
 * 0, or HB_EUSAGE naming file and line. */
static int split_fields(char *line, const char *file, size_t lineno, char **f, size_t max,
                        size_t *nf) {
    size_t n = 0;
    char *s = line;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        char *field = s, *end;
        if (*s == '"') {
            char *w = s;
            for (s++;; s++) {
                if (!*s)
                    return hb_fail(HB_EUSAGE, "--points %s line %zu: unclosed quote", file, lineno);
                if (*s == '"' && s[1] == '"')
                    *w++ = *s++;
                else if (*s == '"')
                    break;
                else
                    *w++ = *s;
            }
            end = w;
            s++;
            while (*s == ' ' || *s == '\t')
                s++;
            if (*s && *s != ',')
                return hb_fail(HB_EUSAGE, "--points %s line %zu: text after a closing quote", file,
                               lineno);
        } else {
            while (*s && *s != ',')
                s++;
            end = s;
            while (end > field && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
        }
        char sep = *s;
        *end = '\0';
        if (n == max)
            return hb_fail(HB_EUSAGE, "--points %s line %zu: more than %zu fields", file, lineno,
                           max);
        f[n++] = field;
        if (sep != ',')
            break;
        s++;
    }
    *nf = n;
    return 0;
}

int hb_points_parse(hb_points *p, const char *file, const char *text, size_t len) {
    int rc = 0;
    char *buf = malloc(len + 1);
    char **f = malloc((HB_PARAMS_MAX + 1) * sizeof *f);
    size_t *caps = calloc(HB_PARAMS_MAX, sizeof *caps);
    if (!buf || !f || !caps) {
        rc = hb_fail(HB_ENOMEM, "--points %s: out of memory", file);
        goto out;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    p->form = HB_POINTS_TABLE;
    if (!(p->file = strdup(file))) {
        rc = hb_fail(HB_ENOMEM, "--points %s: out of memory", file);
        goto out;
    }
    bool header = false;
    size_t lineno = 0, linecap = 0;
    for (char *line = buf, *end = buf + len; line < end && !rc;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        char *next = line + ll + (nl != NULL);
        lineno++;
        line[ll] = '\0';
        if (ll && line[ll - 1] == '\r')
            line[--ll] = '\0';
        if (strlen(line) != ll) {
            rc = hb_fail(HB_EUSAGE, "--points %s line %zu: a NUL byte (not a text file?)", file,
                         lineno);
            break;
        }
        const char *first = line + strspn(line, " \t");
        if (!*first || *first == '#') {
            line = next;
            continue;
        }
        for (const char *c = line; *c && !rc; c++)
            if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
                rc = hb_fail(HB_EUSAGE, "--points %s line %zu: a control character", file, lineno);
        size_t nf = 0;
        if (!rc)
            rc = split_fields(line, file, lineno, f, HB_PARAMS_MAX, &nf);
        /* A tab is a blank around a field, not a character of one (the worker
         * protocol separates values with tabs). */
        for (size_t i = 0; i < nf && !rc; i++)
            if (has_control(f[i]))
                rc = hb_fail(HB_EUSAGE,
                             "--points %s line %zu: a tab or control character in field %zu", file,
                             lineno, i + 1);
        if (rc)
            break;
        if (!header) {
            char opt[512];
            snprintf(opt, sizeof opt, "--points %s", file);
            for (size_t i = 0; i < nf && !rc; i++) {
                hb_param *q;
                if (!hb_param_name_ok(f[i]))
                    rc = hb_fail(HB_EUSAGE,
                                 "--points %s line %zu: '%s' is not a parameter name (letters, "
                                 "digits and _, not starting with a digit)",
                                 file, lineno, f[i]);
                else if (find_param(p, f[i]))
                    rc = hb_fail(HB_EUSAGE, "--points %s line %zu: column '%s' appears twice", file,
                                 lineno, f[i]);
                else
                    rc = new_param(p, opt, f[i], &q);
            }
            header = true;
            p->header_line = lineno;
            line = next;
            continue;
        }
        if (nf != p->nparams) {
            rc = hb_fail(HB_EUSAGE, "--points %s line %zu: %zu fields, but the header has %zu",
                         file, lineno, nf, p->nparams);
            break;
        }
        if (p->n == HB_POINTS_MAX) {
            rc = hb_fail(HB_EUSAGE, "--points %s line %zu: more than %zu points", file, lineno,
                         HB_POINTS_MAX);
            break;
        }
        if (p->n == linecap) {
            linecap = linecap ? 2 * linecap : 64;
            size_t *l = realloc(p->line, linecap * sizeof *l);
            if (!l) {
                rc = hb_fail(HB_ENOMEM, "--points %s: out of memory", file);
                break;
            }
            p->line = l;
        }
        p->line[p->n] = lineno;
        char opt[16] = "--points";
        for (size_t j = 0; j < nf && !rc; j++)
            rc = push_value(&p->param[j], opt, f[j], false, &caps[j]);
        p->n++;
        line = next;
    }
    if (!rc && !header)
        rc = hb_fail(HB_EUSAGE, "--points %s: no header line naming the parameters", file);
    else if (!rc && p->n == 0)
        rc = hb_fail(HB_EUSAGE, "--points %s: no points after the header", file);
out:
    free(buf);
    free(f);
    free(caps);
    return rc;
}

int hb_points_read(hb_points *p, const char *path) {
    char *text = NULL;
    size_t len;
    int rc = hb_read_file("--points", path, HB_FILE_MAX, 0, &text, &len);
    if (!rc)
        rc = hb_points_parse(p, path, text, len);
    free(text);
    return rc;
}

int hb_points_from_args(const hb_args *a, hb_points *p) {
    const char *file = hb_args_get(a, "points");
    if (file) {
        static const char *const lists[] = {"param", "zip"};
        for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
            if (hb_args_has(a, lists[i]))
                return hb_fail(HB_EUSAGE,
                               "--points: cannot be combined with --%s (the file gives every "
                               "point)",
                               lists[i]);
        return hb_points_read(p, file);
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < hb_args_count(a, "param"); i++)
        rc = hb_points_add_param(p, hb_args_nth(a, "param", i));
    return rc ? rc : hb_points_combine(p, hb_args_has(a, "zip"));
}

size_t hb_points_index(const hb_points *p, size_t i, size_t j) {
    switch (p->form) {
    case HB_POINTS_PRODUCT:
        return i / p->stride[j] % p->param[j].n;
    case HB_POINTS_ZIP:
        return p->param[j].n == 1 ? 0 : i;
    case HB_POINTS_TABLE:
        break;
    }
    return i;
}

const char *hb_points_text(const hb_points *p, size_t i, size_t j) {
    return p->param[j].text[hb_points_index(p, i, j)];
}

int hb_points_find(const hb_points *p, const char *name) {
    for (size_t j = 0; j < p->nparams; j++)
        if (strcmp(p->param[j].name, name) == 0)
            return (int)j;
    return -1;
}

const char *hb_points_describe(const hb_points *p, size_t i, char *buf, size_t len) {
    if (p->nparams == 0) {
        snprintf(buf, len, "no parameters");
        return buf;
    }
    size_t at = 0;
    for (size_t j = 0; j < p->nparams && at < len; j++) {
        int w = snprintf(buf + at, len - at, "%s%s=%s", j ? " " : "", p->param[j].name,
                         hb_points_text(p, i, j));
        at += w > 0 ? (size_t)w : 0;
    }
    if (at >= len && len > 4)
        memcpy(buf + len - 4, "...", 4);
    return buf;
}

uint64_t hb_points_hash(const hb_points *p) {
    unsigned char form = (unsigned char)p->form;
    uint64_t h = hb_digest(HB_DIGEST_INIT, &form, 1);
    for (size_t j = 0; j < p->nparams; j++)
        h = hb_digest(h, p->param[j].name, strlen(p->param[j].name) + 1);
    /* A product or zip is fixed by its lists; a table by its rows. */
    for (size_t j = 0; j < p->nparams; j++) {
        uint64_t n = p->param[j].n;
        h = hb_digest(h, &n, sizeof n);
        for (size_t k = 0; k < p->param[j].n; k++)
            h = hb_digest(h, p->param[j].text[k], strlen(p->param[j].text[k]) + 1);
    }
    return h;
}

void hb_points_free(hb_points *p) {
    for (size_t j = 0; j < p->nparams; j++) {
        for (size_t k = 0; k < p->param[j].n; k++)
            free(p->param[j].text[k]);
        free(p->param[j].text);
        free(p->param[j].name);
        free(p->param[j].opt);
    }
    free(p->param);
    free(p->stride);
    free(p->line);
    free(p->file);
    memset(p, 0, sizeof *p);
}
