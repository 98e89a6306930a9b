/* Checked number parsing and the list syntax shared by kernel options. */
#include "hybench/parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/error.h"

static int is_blank(const char *s) {
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

int hb_parse_double(const char *opt, const char *s, double min, double max, double *out) {
    char *end;
    if (!s || is_blank(s))
        return hb_fail(HB_EUSAGE, "%s: missing number", opt);
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end != '\0')
        return hb_fail(HB_EUSAGE, "%s: '%s' is not a number", opt, s);
    if (isnan(x) || isinf(x))
        return hb_fail(HB_EUSAGE, "%s: '%s' is not a finite number", opt, s);
    if (errno == ERANGE)
        return hb_fail(HB_EUSAGE, "%s: '%s' is beyond the range of a double", opt, s);
    if (x < min || x > max)
        return hb_fail(HB_EUSAGE, "%s: %s is out of range [%g, %g]", opt, s, min, max);
    *out = x;
    return 0;
}

int hb_parse_long(const char *opt, const char *s, long min, long max, long *out) {
    char *end;
    if (!s || is_blank(s))
        return hb_fail(HB_EUSAGE, "%s: missing integer", opt);
    /* Digits, sign and an exponent only: no hex, no spaces. */
    if (strspn(s, "0123456789+-.eE") != strlen(s))
        return hb_fail(HB_EUSAGE, "%s: '%s' is not an integer", opt, s);
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE) {
        /* Accept an exact float form such as 1e6, as people write sizes. */
        double x;
        if (hb_parse_double(opt, s, -9.2e18, 9.2e18, &x) != 0 || x != floor(x))
            return hb_fail(HB_EUSAGE, "%s: '%s' is not an integer", opt, s);
        v = (long)x;
    }
    if (v < min || v > max)
        return hb_fail(HB_EUSAGE, "%s: %s is out of range [%ld, %ld]", opt, s, min, max);
    *out = v;
    return 0;
}

int hb_parse_size(const char *opt, const char *s, size_t min, size_t max, size_t *out) {
    long v = 0;
    long lmax = max > (size_t)LONG_MAX ? LONG_MAX : (long)max;
    if (s && s[0] == '-')
        return hb_fail(HB_EUSAGE, "%s: '%s' must not be negative", opt, s);
    int rc = hb_parse_long(opt, s, (long)min, lmax, &v);
    if (rc)
        return rc;
    *out = (size_t)v;
    return 0;
}

int hb_parse_u64(const char *opt, const char *s, uint64_t *out) {
    char *end;
    if (!s || is_blank(s))
        return hb_fail(HB_EUSAGE, "%s: missing integer", opt);
    if (s[0] == '-' || isspace((unsigned char)s[0]))
        return hb_fail(HB_EUSAGE, "%s: '%s' is not a non-negative integer", opt, s);
    errno = 0;
    /* Decimal, or hex with 0x; a leading 0 is not octal ("010" is ten). */
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    unsigned long long v = strtoull(s, &end, hex ? 16 : 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return hb_fail(HB_EUSAGE, "%s: '%s' is not a 64-bit unsigned integer", opt, s);
    *out = (uint64_t)v;
    return 0;
}

void hb_dlist_free(hb_dlist *list) {
    free(list->v);
    list->v = NULL;
    list->n = list->cap = 0;
}

int hb_dlist_push(hb_dlist *list, double x) {
    if (list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 16;
        double *v = realloc(list->v, cap * sizeof *v);
        if (!v)
            return hb_fail(HB_ENOMEM, "out of memory growing a list to %zu values", cap);
        list->v = v;
        list->cap = cap;
    }
    list->v[list->n++] = x;
    return 0;
}

/* Decimal places written in a number ("0.25" -> 2, "1e-3" -> -1 meaning unknown). */
static int decimals(const char *s) {
    if (strpbrk(s, "eE"))
        return -1;
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

/* Expand start:stop:step (item holds exactly two colons) onto list. */
static int expand_range(const char *opt, const char *item, hb_dlist *list) {
    char buf[3][64];
    const char *p = item;
    for (int i = 0; i < 3; i++) {
        const char *q = i < 2 ? strchr(p, ':') : p + strlen(p);
        size_t len = (size_t)(q - p);
        if (len == 0 || len >= sizeof buf[i])
            return hb_fail(HB_EUSAGE, "%s: range '%s' is not start:stop:step", opt, item);
        memcpy(buf[i], p, len);
        buf[i][len] = '\0';
        p = q + 1;
    }
    double start, stop, step;
    int rc;
    if ((rc = hb_parse_double(opt, buf[0], -HUGE_VAL, HUGE_VAL, &start)) ||
        (rc = hb_parse_double(opt, buf[1], -HUGE_VAL, HUGE_VAL, &stop)) ||
        (rc = hb_parse_double(opt, buf[2], -HUGE_VAL, HUGE_VAL, &step)))
        return rc;
    if (step == 0)
        return hb_fail(HB_EUSAGE, "%s: range '%s' has step 0", opt, item);
    if ((stop - start) / step < 0)
        return hb_fail(HB_EUSAGE, "%s: range '%s' never reaches its stop (step points away)", opt,
                       item);
    /* Stop counts when within a millionth of a step, so 0.1:0.5:0.1 includes 0.5. */
    double span = (stop - start) / step + 1e-6;
    if (!(span < (double)HB_LIST_MAX))
        return hb_fail(HB_EUSAGE, "%s: range '%s' has more than %zu values", opt, item,
                       HB_LIST_MAX);
    size_t count = (size_t)floor(span) + 1;
    if (list->n + count > HB_LIST_MAX)
        return hb_fail(HB_EUSAGE, "%s: list '%s' has more than %zu values", opt, item, HB_LIST_MAX);
    int d0 = decimals(buf[0]), d2 = decimals(buf[2]);
    int places = d0 < 0 || d2 < 0 ? -1 : (d0 > d2 ? d0 : d2);
    for (size_t i = 0; i < count; i++) {
        double x = start + (double)i * step;
        if (places >= 0 && places <= 15) {
            /* Round to the decimals as typed, so values match what a person wrote. */
            char text[64];
            snprintf(text, sizeof text, "%.*f", places, x);
            x = strtod(text, NULL);
        }
        if ((rc = hb_dlist_push(list, x)))
            return rc;
    }
    return 0;
}

int hb_parse_dlist(const char *opt, const char *s, hb_dlist *list) {
    if (!s || is_blank(s))
        return hb_fail(HB_EUSAGE, "%s: empty list", opt);
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[128];
        if (len == 0)
            return hb_fail(HB_EUSAGE, "%s: empty item in list '%s'", opt, s);
        if (len >= sizeof item)
            return hb_fail(HB_EUSAGE, "%s: item too long in list '%s'", opt, s);
        memcpy(item, p, len);
        item[len] = '\0';
        int colons = 0;
        for (const char *c = item; *c; c++)
            colons += *c == ':';
        int rc;
        if (colons == 2) {
            rc = expand_range(opt, item, list);
        } else if (colons == 0) {
            double x;
            rc = hb_parse_double(opt, item, -HUGE_VAL, HUGE_VAL, &x);
            if (!rc) {
                if (list->n >= HB_LIST_MAX)
                    return hb_fail(HB_EUSAGE, "%s: more than %zu values", opt, HB_LIST_MAX);
                rc = hb_dlist_push(list, x);
            }
        } else {
            rc = hb_fail(HB_EUSAGE, "%s: '%s' is neither a number nor start:stop:step", opt, item);
        }
        if (rc)
            return rc;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int hb_parse_size_list(const char *opt, const char *s, size_t min, size_t max, size_t **out,
                       size_t *n) {
    hb_dlist list = {0};
    int rc = hb_parse_dlist(opt, s, &list);
    if (rc) {
        hb_dlist_free(&list);
        return rc;
    }
    size_t *v = malloc(list.n * sizeof *v);
    if (!v) {
        hb_dlist_free(&list);
        return hb_fail(HB_ENOMEM, "%s: out of memory", opt);
    }
    for (size_t i = 0; i < list.n; i++) {
        double x = list.v[i];
        if (x != floor(x) || x < (double)min || x > (double)max) {
            char text[64];
            snprintf(text, sizeof text, "%.17g", x);
            hb_dlist_free(&list);
            free(v);
            return hb_fail(HB_EUSAGE, "%s: %s is not an integer in [%zu, %zu]", opt, text, min,
                           max);
        }
        v[i] = (size_t)x;
    }
    *out = v;
    *n = list.n;
    hb_dlist_free(&list);
    return 0;
}
