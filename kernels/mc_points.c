/* The mc kernel's point list: generic points (points.h: the product of the
 * --beta, --m and --h lists in the lesson's order or of --param lists, the
 * same zipped, or the rows of a CSV file) turned into mc points, whose values
 * must be positive numbers and which must all differ (one point, one file).
 * Every failure is HB_EUSAGE with one line naming the option, or the file and
 * line, and the offending value. */
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
#include "hybench/points.h"

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

/* --- from generic points ---------------------------------------------------- */

enum { P_BETA, P_M, P_H, P_ITERATIONS, P_SLICES, NPARAM };
static const char *const param_names[NPARAM] = {"beta", "m", "h", "iterations", "slices"};

/* The option (lists) or file, line and column (table) of value k of param j,
 * for messages. */
static const char *where(char *buf, size_t len, const hb_points *pts, size_t j, size_t k) {
    if (pts->form == HB_POINTS_TABLE)
        snprintf(buf, len, "--points %s line %zu, %s", pts->file, pts->line[k], pts->param[j].name);
    else
        snprintf(buf, len, "%s", pts->param[j].opt);
    return buf;
}

/* Every value of param j (of kind kind) as a number into v (doubles) or u. */
static int convert(const hb_points *pts, size_t j, int kind, double *v, uint64_t *u) {
    const hb_param *q = &pts->param[j];
    char opt[512];
    int rc = 0;
    for (size_t k = 0; k < q->n && !rc; k++) {
        where(opt, sizeof opt, pts, j, k);
        size_t s;
        if (kind == P_ITERATIONS) {
            if (!(rc = hb_parse_size(opt, q->text[k], 1, HB_MC_ITERATIONS_MAX, &s)))
                u[k] = s;
        } else if (kind == P_SLICES) {
            if (!(rc = hb_parse_size(opt, q->text[k], 2, HB_MC_SLICES_MAX, &s)))
                u[k] = s;
        } else if (!(rc = hb_parse_double(opt, q->text[k], -1e308, 1e308, &v[k]))) {
            rc = positive(opt, v[k]);
        }
    }
    return rc;
}

int hb_mc_points_from(const hb_points *pts, const hb_mc_defaults *d, hb_mc_point **out, size_t *n) {
    bool table = pts->form == HB_POINTS_TABLE;
    int kind[HB_PARAMS_MAX], have[NPARAM] = {0};
    for (size_t j = 0; j < pts->nparams; j++) {
        kind[j] = -1;
        for (int k = 0; k < NPARAM; k++)
            if (strcmp(pts->param[j].name, param_names[k]) == 0)
                kind[j] = k;
        if (kind[j] >= 0) {
            have[kind[j]] = 1;
        } else if (table) {
            return hb_fail(HB_EUSAGE,
                           "--points %s line %zu: unknown column '%s' (columns: beta, m, h, and "
                           "optionally iterations, slices)",
                           pts->file, pts->header_line, pts->param[j].name);
        } else {
            return hb_fail(HB_EUSAGE,
                           "%s: the mc kernel has no parameter '%s' (beta, m, h, iterations, "
                           "slices)",
                           pts->param[j].opt, pts->param[j].name);
        }
    }
    for (int k = P_BETA; k <= P_H; k++)
        if (!have[k])
            return table ? hb_fail(HB_EUSAGE,
                                   "--points %s line %zu: the header has no column '%s' (it "
                                   "needs beta, m and h)",
                                   pts->file, pts->header_line, param_names[k])
                         : hb_fail(HB_EUSAGE, "mc: no values for %s", param_names[k]);
    size_t count = pts->n;
    if (count > HB_MC_POINTS_MAX)
        return hb_fail(HB_EUSAGE, "mc: more than %zu points", HB_MC_POINTS_MAX);
    /* Each parameter's values converted once, then picked by index. */
    double *v[HB_PARAMS_MAX] = {0};
    uint64_t *u[HB_PARAMS_MAX] = {0};
    hb_mc_point *pts_out = calloc(count ? count : 1, sizeof *pts_out);
    int rc = pts_out ? 0 : hb_fail(HB_ENOMEM, "mc: out of memory for %zu points", count);
    for (size_t j = 0; j < pts->nparams && !rc; j++) {
        size_t nv = pts->param[j].n ? pts->param[j].n : 1;
        if (!(v[j] = calloc(nv, sizeof *v[j])) || !(u[j] = calloc(nv, sizeof *u[j])))
            rc = hb_fail(HB_ENOMEM, "mc: out of memory");
        else
            rc = convert(pts, j, kind[j], v[j], u[j]);
    }
    for (size_t i = 0; i < count && !rc; i++) {
        hb_mc_point *p = &pts_out[i];
        p->iterations = d->iterations;
        p->slices = d->slices;
        for (size_t j = 0; j < pts->nparams; j++) {
            size_t k = hb_points_index(pts, i, j);
            switch (kind[j]) {
            case P_BETA:
                p->beta = v[j][k];
                break;
            case P_M:
                p->m = v[j][k];
                break;
            case P_H:
                p->h = v[j][k];
                break;
            case P_ITERATIONS:
                p->iterations = u[j][k];
                break;
            default:
                p->slices = u[j][k];
                break;
            }
        }
        char opt[512];
        if (table)
            snprintf(opt, sizeof opt, "--points %s line %zu", pts->file, pts->line[i]);
        else
            snprintf(opt, sizeof opt, "--thermalize");
        rc = settle(p, d, opt);
    }
    for (size_t j = 0; j < pts->nparams; j++) {
        free(v[j]);
        free(u[j]);
    }
    size_t first = 0, second = 0;
    if (!rc && (rc = find_twice(pts_out, count, &first, &second)) > 0) {
        char t[3 * HB_NUMFMT_MAX + 16];
        if (table) {
            rc = hb_fail(HB_EUSAGE,
                         "--points %s line %zu: the point %s repeats line %zu; one point, one file",
                         pts->file, pts->line[second], point_text(t, sizeof t, &pts_out[first]),
                         pts->line[first]);
        } else {
            hb_str opts = {0};
            for (size_t j = 0; j < pts->nparams; j++)
                hb_str_addf(&opts, "%s%s", j ? "/" : "", pts->param[j].opt);
            rc =
                hb_fail(HB_EUSAGE,
                        "%s: the point %s is given twice (points %zu and %zu); one point, one file",
                        pts->form == HB_POINTS_ZIP ? "--zip"
                        : opts.p                   ? opts.p
                                                   : "mc",
                        point_text(t, sizeof t, &pts_out[first]), first + 1, second + 1);
            hb_str_free(&opts);
        }
    }
    if (rc) {
        free(pts_out);
        return rc;
    }
    *out = pts_out;
    *n = count;
    return 0;
}

int hb_mc_points_from_lists(const hb_dlist *beta, const hb_dlist *m, const hb_dlist *h, bool zip,
                            const hb_mc_defaults *d, hb_mc_point **out, size_t *n) {
    const hb_dlist *lists[3] = {beta, m, h};
    static const char *const opts[3] = {"--beta", "--m", "--h"};
    hb_points pts = {0};
    int rc = 0;
    for (int k = 0; k < 3 && !rc; k++) {
        if (lists[k]->n == 0) {
            rc = hb_fail(HB_EUSAGE, "%s: empty list", opts[k]);
            break;
        }
        hb_str text = {0};
        for (size_t i = 0; i < lists[k]->n; i++) {
            char t[HB_NUMFMT_MAX];
            hb_str_addf(&text, "%s%s", i ? "," : "", hb_fmt_repr(t, lists[k]->v[i]));
        }
        rc = text.failed ? hb_fail(HB_ENOMEM, "mc: out of memory")
                         : hb_points_add(&pts, opts[k], param_names[k], text.p);
        hb_str_free(&text);
    }
    if (!rc)
        rc = hb_points_combine(&pts, zip);
    if (!rc)
        rc = hb_mc_points_from(&pts, d, out, n);
    hb_points_free(&pts);
    return rc;
}

int hb_mc_points_parse(const char *name, const char *text, size_t len, const hb_mc_defaults *d,
                       hb_mc_point **out, size_t *n) {
    hb_points pts = {0};
    int rc = hb_points_parse(&pts, name, text, len);
    if (!rc)
        rc = hb_mc_points_from(&pts, d, out, n);
    hb_points_free(&pts);
    return rc;
}

int hb_mc_points_read(const char *path, const hb_mc_defaults *d, hb_mc_point **out, size_t *n) {
    hb_points pts = {0};
    int rc = hb_points_read(&pts, path);
    if (!rc)
        rc = hb_mc_points_from(&pts, d, out, n);
    hb_points_free(&pts);
    return rc;
}
