/* The mc kernel's point list: the cartesian product of the --beta, --m and --h
 * lists in the lesson's order, the same lists zipped, or the rows of a CSV
 * file. Every failure is HB_EUSAGE with one line naming the option, or the
 * file and line, and the offending value. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/mc.h"
#include "hybench/numfmt.h"
#include "hybench/parse.h"

/* Iterations and thermalisation of a point from the defaults; where names
 * the source for the message. */
static int settle(hb_mc_point *p, const hb_mc_defaults *d, const char *where) {
    if (d->thermalize == UINT64_MAX) {
        p->thermalize = p->iterations / 10;
        return 0;
    }
    p->thermalize = d->thermalize;
    if (p->thermalize >= p->iterations)
        return hb_fail(HB_EUSAGE,
                       "%s: thermalize %" PRIu64 " leaves nothing of %" PRIu64
                       " iterations to measure",
                       where, p->thermalize, p->iterations);
    return 0;
}

static int positive(const char *opt, double x) {
    char t[HB_NUMFMT_MAX];
    if (!(x > 0))
        return hb_fail(HB_EUSAGE, "%s: %s is not > 0 (beta, m and h must be positive)", opt,
                       hb_fmt_repr(t, x));
    return 0;
}

static int cmp_point(const hb_mc_point *a, const hb_mc_point *b) {
    if (a->beta != b->beta)
        return a->beta < b->beta ? -1 : 1;
    if (a->m != b->m)
        return a->m < b->m ? -1 : 1;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return 0;
}

static const hb_mc_point *sort_base;

static int cmp_index(const void *a, const void *b) {
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = cmp_point(&sort_base[i], &sort_base[j]);
    return c ? c : (i < j ? -1 : i > j);
}

/* The first (by position of its second copy) point given twice: 1 and the
 * two positions, 0 when all differ, HB_ENOMEM. */
static int find_twice(const hb_mc_point *pts, size_t n, size_t *first, size_t *second) {
    size_t *ix = malloc((n ? n : 1) * sizeof *ix);
    if (!ix)
        return hb_fail(HB_ENOMEM, "mc: out of memory checking %zu points", n);
    for (size_t i = 0; i < n; i++)
        ix[i] = i;
    /* qsort has no context argument; the list is built once, before any thread runs. */
    sort_base = pts;
    qsort(ix, n, sizeof *ix, cmp_index);
    int found = 0;
    for (size_t i = 1; i < n; i++)
        if (cmp_point(&pts[ix[i - 1]], &pts[ix[i]]) == 0 && (!found || ix[i] < *second)) {
            *first = ix[i - 1];
            *second = ix[i];
            found = 1;
        }
    free(ix);
    return found;
}

static const char *point_text(char *buf, size_t cap, const hb_mc_point *p) {
    char b[HB_NUMFMT_MAX], m[HB_NUMFMT_MAX], h[HB_NUMFMT_MAX];
    snprintf(buf, cap, "beta=%s m=%s h=%s", hb_fmt_repr(b, p->beta), hb_fmt_repr(m, p->m),
             hb_fmt_repr(h, p->h));
    return buf;
}

int hb_mc_points_from_lists(const hb_dlist *beta, const hb_dlist *m, const hb_dlist *h, bool zip,
                            const hb_mc_defaults *d, hb_mc_point **out, size_t *n) {
    const hb_dlist *lists[3] = {beta, m, h};
    static const char *const opts[3] = {"--beta", "--m", "--h"};
    int rc;
    for (int k = 0; k < 3; k++) {
        if (lists[k]->n == 0)
            return hb_fail(HB_EUSAGE, "%s: empty list", opts[k]);
        for (size_t i = 0; i < lists[k]->n; i++)
            if ((rc = positive(opts[k], lists[k]->v[i])))
                return rc;
    }
    size_t count;
    if (zip) {
        count = 1;
        for (int k = 0; k < 3; k++)
            count = lists[k]->n > count ? lists[k]->n : count;
        for (int k = 0; k < 3; k++)
            if (lists[k]->n != 1 && lists[k]->n != count)
                return hb_fail(HB_EUSAGE,
                               "--zip: %s has %zu values but another list has %zu; zipped lists "
                               "need equal lengths (or a single value, which is repeated)",
                               opts[k], lists[k]->n, count);
    } else {
        count = beta->n;
        if (m->n > HB_MC_POINTS_MAX / count || h->n > HB_MC_POINTS_MAX / (count *= m->n))
            return hb_fail(HB_EUSAGE, "--beta/--m/--h: the product has more than %zu points",
                           HB_MC_POINTS_MAX);
        count *= h->n;
    }
    if (count > HB_MC_POINTS_MAX)
        return hb_fail(HB_EUSAGE, "--zip: more than %zu points", HB_MC_POINTS_MAX);
    hb_mc_point *pts = calloc(count, sizeof *pts);
    if (!pts)
        return hb_fail(HB_ENOMEM, "mc: out of memory for %zu points", count);
    for (size_t i = 0; i < count; i++) {
        hb_mc_point *p = &pts[i];
        if (zip) {
            p->beta = beta->v[beta->n == 1 ? 0 : i];
            p->m = m->v[m->n == 1 ? 0 : i];
            p->h = h->v[h->n == 1 ? 0 : i];
        } else { /* beta outermost, h innermost, as itertools.product */
            p->beta = beta->v[i / (m->n * h->n)];
            p->m = m->v[i / h->n % m->n];
            p->h = h->v[i % h->n];
        }
        p->iterations = d->iterations;
        p->slices = d->slices;
        if ((rc = settle(p, d, "--thermalize")))
            goto out_pts;
    }
    size_t first, second;
    if ((rc = find_twice(pts, count, &first, &second)) > 0) {
        char t[3 * HB_NUMFMT_MAX + 16];
        rc = hb_fail(HB_EUSAGE,
                     "%s: the point %s is given twice (points %zu and %zu); one point, one file",
                     zip ? "--zip" : "--beta/--m/--h", point_text(t, sizeof t, &pts[first]),
                     first + 1, second + 1);
    }
    if (rc)
        goto out_pts;
    *out = pts;
    *n = count;
    return 0;
out_pts:
    free(pts);
    return rc;
}

/* --- CSV points ------------------------------------------------------------ */

enum { COL_BETA, COL_M, COL_H, COL_ITERATIONS, COL_SLICES, NCOLS };
static const char *const col_names[NCOLS] = {"beta", "m", "h", "iterations", "slices"};

/* Split a line into at most max comma-separated fields, trimmed of blanks,
 * NUL-terminated in place. Returns the number of fields, or max + 1 if more. */
static size_t split(char *line, char **f, size_t max) {
    size_t n = 0;
    for (char *s = line;;) {
        char *c = strchr(s, ',');
        if (c)
            *c = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            *--e = '\0';
        if (n == max)
            return max + 1;
        f[n++] = s;
        if (!c)
            return n;
        s = c + 1;
    }
}

static int parse_row(const char *name, size_t line, char **f, const int *col, size_t nf,
                     const hb_mc_defaults *d, hb_mc_point *p) {
    char opt[256];
    int rc = 0;
    p->iterations = d->iterations;
    p->slices = d->slices;
    for (size_t i = 0; i < nf && !rc; i++) {
        snprintf(opt, sizeof opt, "--points %s line %zu, %s", name, line, col_names[col[i]]);
        size_t v;
        switch (col[i]) {
        case COL_BETA:
        case COL_M:
        case COL_H: {
            double x;
            if (!(rc = hb_parse_double(opt, f[i], -1e308, 1e308, &x)) && !(rc = positive(opt, x)))
                *(col[i] == COL_BETA ? &p->beta : col[i] == COL_M ? &p->m : &p->h) = x;
            break;
        }
        case COL_ITERATIONS:
            if (!(rc = hb_parse_size(opt, f[i], 1, HB_MC_ITERATIONS_MAX, &v)))
                p->iterations = v;
            break;
        case COL_SLICES:
            if (!(rc = hb_parse_size(opt, f[i], 2, HB_MC_SLICES_MAX, &v)))
                p->slices = v;
            break;
        }
    }
    if (!rc) {
        snprintf(opt, sizeof opt, "--points %s line %zu", name, line);
        rc = settle(p, d, opt);
    }
    return rc;
}

int hb_mc_points_parse(const char *name, const char *text, size_t len, const hb_mc_defaults *d,
                       hb_mc_point **out, size_t *n) {
    int col[NCOLS], have[NCOLS] = {0};
    size_t ncol = 0, count = 0, cap = 0, lineno = 0;
    hb_mc_point *pts = NULL;
    size_t *lines = NULL;
    char *buf = NULL;
    int rc = 0;
    for (const char *p = text, *end = text + len; p < end && !rc;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        char *line = realloc(buf, ll + 1);
        if (!line) {
            rc = hb_fail(HB_ENOMEM, "--points %s: out of memory", name);
            break;
        }
        buf = line;
        memcpy(line, p, ll);
        line[ll] = '\0';
        p += ll + (nl != NULL);
        if (strlen(line) != ll) {
            rc = hb_fail(HB_EUSAGE, "--points %s line %zu: a NUL byte (not a text file?)", name,
                         lineno);
            break;
        }
        char *f[NCOLS + 1];
        size_t nf = split(line, f, NCOLS);
        if ((nf == 1 && f[0][0] == '\0') || f[0][0] == '#')
            continue;    /* blank line or comment */
        if (ncol == 0) { /* the header */
            if (nf > NCOLS) {
                rc = hb_fail(HB_EUSAGE, "--points %s line %zu: more than %d columns in the header",
                             name, lineno, NCOLS);
                break;
            }
            for (size_t i = 0; i < nf && !rc; i++) {
                int c = -1;
                for (int k = 0; k < NCOLS; k++)
                    if (strcmp(f[i], col_names[k]) == 0)
                        c = k;
                if (c < 0)
                    rc = hb_fail(HB_EUSAGE,
                                 "--points %s line %zu: unknown column '%s' (columns: beta, m, h, "
                                 "and optionally iterations, slices)",
                                 name, lineno, f[i]);
                else if (have[c]++)
                    rc = hb_fail(HB_EUSAGE, "--points %s line %zu: column '%s' appears twice", name,
                                 lineno, f[i]);
                else
                    col[i] = c;
            }
            for (int k = COL_BETA; k <= COL_H && !rc; k++)
                if (!have[k])
                    rc = hb_fail(HB_EUSAGE,
                                 "--points %s line %zu: the header has no column '%s' (it needs "
                                 "beta, m and h)",
                                 name, lineno, col_names[k]);
            ncol = nf;
            continue;
        }
        if (nf != ncol) {
            rc = hb_fail(HB_EUSAGE, "--points %s line %zu: %zu fields, but the header has %zu",
                         name, lineno, nf > NCOLS ? (size_t)NCOLS + 1 : nf, ncol);
            break;
        }
        if (count == HB_MC_POINTS_MAX) {
            rc = hb_fail(HB_EUSAGE, "--points %s line %zu: more than %zu points", name, lineno,
                         HB_MC_POINTS_MAX);
            break;
        }
        if (count == cap) {
            cap = cap ? 2 * cap : 64;
            hb_mc_point *q = realloc(pts, cap * sizeof *pts);
            size_t *l = q ? realloc(lines, cap * sizeof *lines) : NULL;
            if (q)
                pts = q;
            if (l)
                lines = l;
            if (!q || !l) {
                rc = hb_fail(HB_ENOMEM, "--points %s: out of memory", name);
                break;
            }
        }
        memset(&pts[count], 0, sizeof pts[count]);
        lines[count] = lineno;
        rc = parse_row(name, lineno, f, col, nf, d, &pts[count]);
        count++;
    }
    if (!rc && ncol == 0)
        rc = hb_fail(HB_EUSAGE, "--points %s: no header line (it needs columns beta, m, h)", name);
    else if (!rc && count == 0)
        rc = hb_fail(HB_EUSAGE, "--points %s: no points after the header", name);
    size_t first, second;
    if (!rc && (rc = find_twice(pts, count, &first, &second)) > 0) {
        char t[3 * HB_NUMFMT_MAX + 16];
        rc = hb_fail(HB_EUSAGE,
                     "--points %s line %zu: the point %s repeats line %zu; one point, one file",
                     name, lines[second], point_text(t, sizeof t, &pts[first]), lines[first]);
    }
    free(buf);
    free(lines);
    if (rc) {
        free(pts);
        return rc;
    }
    *out = pts;
    *n = count;
    return 0;
}

int hb_mc_points_read(const char *path, const hb_mc_defaults *d, hb_mc_point **out, size_t *n) {
    char *text = NULL;
    size_t len;
    int rc = hb_read_file("--points", path, HB_FILE_MAX, 0, &text, &len);
    if (!rc)
        rc = hb_mc_points_parse(path, text, len, d, out, n);
    free(text);
    return rc;
}
