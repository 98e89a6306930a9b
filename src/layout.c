/* Layouts [N:]RxT (see layout.h). */
#include "hybench/layout.h"

#include "hybench/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hb_layout_parse(const char *opt, const char *s, hb_layout *out) {
    long n = 1, r, t;
    const char *p = s, *colon = strchr(s, ':');
    char *end;
    errno = 0;
    if (colon) {
        n = strtol(p, &end, 10);
        if (end != colon || p == end)
            goto bad;
        p = colon + 1;
    }
    if (*p < '0' || *p > '9')
        goto bad;
    r = strtol(p, &end, 10);
    if (*end != 'x')
        goto bad;
    p = end + 1;
    if (*p < '0' || *p > '9')
        goto bad;
    t = strtol(p, &end, 10);
    if (*end || errno)
        goto bad;
    if (n < 1 || r < 1 || t < 1 || n > 100000 || r > 100000 || t > 100000)
        return hb_fail(HB_EUSAGE, "%s: layout '%s' needs N, R and T in 1..100000", opt, s);
    out->nodes = (int)n;
    out->ranks_per_node = (int)r;
    out->threads = (int)t;
    return 0;
bad:
    return hb_fail(HB_EUSAGE, "%s: '%s' is not a layout [N:]RxT (e.g. 1x2, 2x1, 2:4x8)", opt, s);
}

const char *hb_layout_name(const hb_layout *l, char buf[HB_LAYOUT_NAME_MAX]) {
    if (l->nodes > 1)
        snprintf(buf, HB_LAYOUT_NAME_MAX, "%d:%dx%d", l->nodes, l->ranks_per_node, l->threads);
    else
        snprintf(buf, HB_LAYOUT_NAME_MAX, "%dx%d", l->ranks_per_node, l->threads);
    return buf;
}

long hb_layout_workers(const hb_layout *l) {
    return (long)l->nodes * l->ranks_per_node * l->threads;
}

int hb_layout_node_workers(const hb_layout *l) {
    long w = (long)l->ranks_per_node * l->threads;
    return w > 0x7fffffff ? 0x7fffffff : (int)w;
}

size_t hb_layout_auto(int cores, hb_layout *out, size_t max) {
    size_t n = 0;
#define EMIT(R, T)                                                                                 \
    do {                                                                                           \
        if (n < max)                                                                               \
            out[n] = (hb_layout){1, (R), (T)};                                                     \
        n++;                                                                                       \
    } while (0)
    EMIT(1, 1);
    for (int w = 2; w <= cores; w++) {
        EMIT(w, 1);
        EMIT(1, w);
        for (int r = w - 1; r >= 2; r--)
            if (w % r == 0)
                EMIT(r, w / r);
    }
#undef EMIT
    return n;
}
