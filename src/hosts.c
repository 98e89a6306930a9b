/* Host lists (--hosts, hostfiles, the Slurm allocation), the layout check
 * against them, and the sbatch script for a matrix. See hosts.h. */
#define _DEFAULT_SOURCE /* realpath, mkstemp, fchmod */
#include "hybench/hosts.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hybench/error.h"
#include "hybench/files.h"

void hb_hosts_free(hb_hostlist *h) {
    for (size_t i = 0; i < h->n; i++)
        free(h->v[i].name);
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

bool hb_host_name_ok(const char *s, size_t len) {
    if (len == 0 || len > HB_HOST_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_'))
            return false;
    }
    return true;
}

static long find(const hb_hostlist *h, const char *name, size_t len) {
    for (size_t i = 0; i < h->n; i++)
        if (strlen(h->v[i].name) == len && memcmp(h->v[i].name, name, len) == 0)
            return (long)i;
    return -1;
}

/* Append name[0..len) with slots; the caller has checked the name. */
static int push(hb_hostlist *h, const char *name, size_t len, int slots) {
    if (h->n >= HB_HOSTS_MAX)
        return hb_fail(HB_EUSAGE, "%s: more than %d hosts", h->source, HB_HOSTS_MAX);
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 8;
        hb_host *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return hb_fail(HB_ENOMEM, "%s: out of memory", h->source);
        h->v = v;
        h->cap = cap;
    }
    char *s = malloc(len + 1);
    if (!s)
        return hb_fail(HB_ENOMEM, "%s: out of memory", h->source);
    memcpy(s, name, len);
    s[len] = '\0';
    h->v[h->n++] = (hb_host){s, slots};
    return 0;
}

/* One `host[:slots]` item of s[0..len); where says where it is in messages
 * ("--hosts", "hostfile h.txt:3"). */
static int parse_item(hb_hostlist *h, const char *where, const char *s, size_t len) {
    const char *colon = memchr(s, ':', len);
    size_t nlen = colon ? (size_t)(colon - s) : len;
    int slots = 0;

    if (!hb_host_name_ok(s, nlen))
        return hb_fail(HB_EUSAGE, "%s: '%.*s' is not a host name", where, (int)len, s);
    if (colon) {
        char buf[32], *end;
        size_t slen = len - nlen - 1;
        if (slen == 0 || slen >= sizeof buf)
            return hb_fail(HB_EUSAGE, "%s: '%.*s': slots must be a count >= 1", where, (int)len, s);
        memcpy(buf, colon + 1, slen);
        buf[slen] = '\0';
        errno = 0;
        long v = strtol(buf, &end, 10);
        if (errno || *end || end == buf || v < 1 || v > INT_MAX)
            return hb_fail(HB_EUSAGE, "%s: '%.*s': slots must be a count >= 1", where, (int)len, s);
        slots = (int)v;
    }
    if (find(h, s, nlen) >= 0)
        return hb_fail(HB_EUSAGE, "%s: host '%.*s' is listed twice", where, (int)nlen, s);
    return push(h, s, nlen, slots);
}

int hb_hosts_parse_list(const char *opt, const char *s, hb_hostlist *out) {
    int rc;
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", opt);
    if (!s || !*s)
        return hb_fail(HB_EUSAGE, "%s: empty host list", opt);
    for (const char *p = s;;) {
        size_t len = strcspn(p, ",");
        if (len == 0) {
            hb_hosts_free(out);
            return hb_fail(HB_EUSAGE, "%s: empty item in '%s'", opt, s);
        }
        if ((rc = parse_item(out, opt, p, len)) < 0) {
            hb_hosts_free(out);
            return rc;
        }
        if (!p[len])
            break;
        p += len + 1;
    }
    return 0;
}

int hb_hosts_parse_text(const char *text, const char *what, hb_hostlist *out) {
    int rc = 0;
    size_t lineno = 0;
    char where[256];

    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "hostfile %s", what);
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        const char *next = p[len] ? p + len + 1 : p + len;
        lineno++;
        /* Strip a comment, then surrounding blanks (and a CR). */
        const char *hash = memchr(p, '#', len);
        if (hash)
            len = (size_t)(hash - p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
            len--;
        snprintf(where, sizeof where, "hostfile %s:%zu", what, lineno);
        if (len && (rc = parse_item(out, where, p, len)) < 0)
            goto out_free;
        p = next;
    }
    if (out->n == 0) {
        rc = hb_fail(HB_EUSAGE, "hostfile %s: no hosts in it", what);
        goto out_free;
    }
    return 0;
out_free:
    hb_hosts_free(out);
    return rc;
}

int hb_hosts_read_file(const char *path, hb_hostlist *out) {
    char *text = NULL;
    size_t len;
    memset(out, 0, sizeof *out);
    /* A hostfile of a million hosts is about 30 MB. */
    int rc = hb_read_file("--hostfile", path, (size_t)64 << 20, 0, &text, &len);
    if (rc)
        return rc;
    if (strlen(text) != len)
        rc = hb_fail(HB_EUSAGE, "hostfile %s: not a text file (NUL byte)", path);
    else
        rc = hb_hosts_parse_text(text, path, out);
    free(text);
    return rc;
}

/* ---- Slurm node lists ------------------------------------------------------ */

/* Expand one item (no top-level commas) of a node list: prefix, then for the
 * first [ranges] group each value followed by the recursively expanded rest. */
static int expand_item(hb_hostlist *h, const char *what, const char *s, size_t len, char *acc,
                       size_t acclen) {
    const char *lb = memchr(s, '[', len);
    if (!lb) {
        if (acclen + len > HB_HOST_NAME_MAX)
            return hb_fail(HB_EUSAGE, "%s: host name too long in '%.*s'", what, (int)len, s);
        memcpy(acc + acclen, s, len);
        acclen += len;
        if (!hb_host_name_ok(acc, acclen))
            return hb_fail(HB_EUSAGE, "%s: bad host name '%.*s'", what, (int)acclen, acc);
        if (find(h, acc, acclen) >= 0)
            return hb_fail(HB_EUSAGE, "%s: host '%.*s' is listed twice", what, (int)acclen, acc);
        return push(h, acc, acclen, 0);
    }
    size_t pre = (size_t)(lb - s);
    const char *rb = memchr(lb, ']', len - pre);
    if (!rb || rb == lb + 1)
        return hb_fail(HB_EUSAGE, "%s: unbalanced or empty [] in '%.*s'", what, (int)len, s);
    if (acclen + pre > HB_HOST_NAME_MAX || (pre && !hb_host_name_ok(s, pre)))
        return hb_fail(HB_EUSAGE, "%s: bad host name in '%.*s'", what, (int)len, s);
    memcpy(acc + acclen, s, pre);
    acclen += pre;
    const char *rest = rb + 1;
    size_t restlen = len - (size_t)(rest - s);

    for (const char *r = lb + 1; r < rb;) {
        size_t rlen = strcspn(r, ",]");
        char lo_s[24], hi_s[24], *end;
        const char *dash = memchr(r, '-', rlen);
        size_t llen = dash ? (size_t)(dash - r) : rlen;
        size_t hlen = dash ? rlen - llen - 1 : rlen;
        const char *hs = dash ? dash + 1 : r;
        if (llen == 0 || hlen == 0 || llen >= sizeof lo_s || hlen >= sizeof hi_s ||
            strspn(r, "0123456789") != llen || strspn(hs, "0123456789") != hlen)
            return hb_fail(HB_EUSAGE, "%s: bad range '%.*s' in '%.*s'", what, (int)rlen, r,
                           (int)len, s);
        memcpy(lo_s, r, llen), lo_s[llen] = '\0';
        memcpy(hi_s, hs, hlen), hi_s[hlen] = '\0';
        unsigned long lo = strtoul(lo_s, &end, 10), hi = strtoul(hi_s, &end, 10);
        if (hi < lo || hi - lo >= HB_HOSTS_MAX)
            return hb_fail(HB_EUSAGE, "%s: bad range '%.*s' in '%.*s'", what, (int)rlen, r,
                           (int)len, s);
        for (unsigned long v = lo; v <= hi; v++) {
            int w = snprintf(acc + acclen, HB_HOST_NAME_MAX + 1 - acclen, "%0*lu", (int)llen, v);
            if (w < 0 || acclen + (size_t)w > HB_HOST_NAME_MAX)
                return hb_fail(HB_EUSAGE, "%s: host name too long in '%.*s'", what, (int)len, s);
            int rc = expand_item(h, what, rest, restlen, acc, acclen + (size_t)w);
            if (rc < 0)
                return rc;
        }
        r += rlen + (r[rlen] == ',');
    }
    return 0;
}

int hb_hosts_expand_slurm(const char *what, const char *s, hb_hostlist *out) {
    char acc[HB_HOST_NAME_MAX + 1];
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", what);
    if (!s || !*s)
        return hb_fail(HB_EUSAGE, "%s: empty node list", what);
    /* Split at commas outside brackets. */
    for (const char *p = s; *p;) {
        size_t len = 0;
        int depth = 0;
        for (; p[len] && (depth || p[len] != ','); len++) {
            if (p[len] == '[' && depth++)
                break;
            if (p[len] == ']' && --depth < 0)
                break;
        }
        if (len == 0 || depth || (p[len] && p[len] != ',')) {
            hb_hosts_free(out);
            return hb_fail(HB_EUSAGE, "%s: cannot parse node list '%s'", what, s);
        }
        int rc = expand_item(out, what, p, len, acc, 0);
        if (rc < 0) {
            hb_hosts_free(out);
            return rc;
        }
        p += len;
        if (*p == ',' && !*++p) {
            hb_hosts_free(out);
            return hb_fail(HB_EUSAGE, "%s: cannot parse node list '%s'", what, s);
        }
    }
    return 0;
}

int hb_hosts_from_slurm_env(hb_hostlist *out, bool *found) {
    const char *var = "SLURM_JOB_NODELIST";
    const char *s = getenv(var);
    memset(out, 0, sizeof *out);
    *found = false;
    if (!s || !*s) {
        var = "SLURM_NODELIST";
        s = getenv(var);
    }
    if (!s || !*s)
        return 0;
    int rc = hb_hosts_expand_slurm(var, s, out);
    if (rc < 0)
        return rc;
    *found = true;
    /* "4" or "4(x2)": every node has the same number of task slots. */
    const char *t = getenv("SLURM_TASKS_PER_NODE");
    if (t) {
        char *end;
        errno = 0;
        long v = strtol(t, &end, 10);
        if (!errno && end != t && v >= 1 && v <= INT_MAX && (!*end || *end == '('))
            if (!*end || (strncmp(end, "(x", 2) == 0 && !strchr(t, ',')))
                for (size_t i = 0; i < out->n; i++)
                    out->v[i].slots = (int)v;
    }
    return 0;
}

int hb_hosts_resolve(const char *hosts_opt, const char *hostfile_opt, hb_hostlist *out) {
    bool found;
    memset(out, 0, sizeof *out);
    if (hosts_opt && hostfile_opt)
        return hb_fail(HB_EUSAGE, "--hosts '%s' and --hostfile '%s': give one of them", hosts_opt,
                       hostfile_opt);
    if (hosts_opt)
        return hb_hosts_parse_list("--hosts", hosts_opt, out);
    if (hostfile_opt)
        return hb_hosts_read_file(hostfile_opt, out);
    return hb_hosts_from_slurm_env(out, &found);
}

int hb_hosts_check_layout(const hb_hostlist *h, const char *layout, int nodes, int ranks) {
    if (nodes < 1 || ranks < 1)
        return hb_fail(HB_ELAYOUT, "layout %s: nodes and ranks must be >= 1", layout);
    if (h->n == 0) {
        if (nodes > 1)
            return hb_fail(HB_ELAYOUT,
                           "layout %s needs %d nodes but no hosts were given "
                           "(use --hosts, --hostfile or a Slurm allocation)",
                           layout, nodes);
        return 0;
    }
    if ((size_t)nodes > h->n)
        return hb_fail(HB_ELAYOUT, "layout %s needs %d nodes but %s has %zu host%s", layout, nodes,
                       h->source, h->n, h->n == 1 ? "" : "s");
    for (int i = 0; i < nodes; i++)
        if (h->v[i].slots && ranks > h->v[i].slots)
            return hb_fail(
                HB_ELAYOUT, "layout %s puts %d ranks on host %s but %s gives it %d slot%s", layout,
                ranks, h->v[i].name, h->source, h->v[i].slots, h->v[i].slots == 1 ? "" : "s");
    return 0;
}

int hb_hosts_join(const hb_hostlist *h, size_t n, char *buf, size_t len) {
    size_t used = 0;
    if (n > h->n)
        return hb_fail(HB_EUSAGE, "%s: %zu hosts asked for but it has %zu", h->source, n, h->n);
    if (len == 0)
        return hb_fail(HB_ENOMEM, "host list buffer too small");
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? "," : "", h->v[i].name);
        if (w < 0 || (size_t)w >= len - used)
            return hb_fail(HB_ENOMEM, "host list buffer too small for %zu hosts", n);
        used += (size_t)w;
    }
    return 0;
}
