/* The mc kernel's per-point files: names, the .dat text, its reader, atomic
 * writes and the --resume check.
 *
 * A .dat file is a block of "# key = value" lines (so numpy.loadtxt and
 * gnuplot skip it) and, with --trace, one "sweep x2" line per sweep. Numbers
 * are Python's repr (trace values %.17g, which also reads back exactly), and
 * nothing depends on time or layout, so a point's file is bit-identical
 * however and whenever it was computed. The reader accepts only text that the
 * writer would produce from what it read, which makes "parses" mean "complete
 * and consistent" for --resume. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "hybench/error.h"
#include "hybench/mc.h"
#include "hybench/numfmt.h"

#define MC_HEAD "# hybench mc point: Metropolis path integral of the harmonic oscillator, omega = 1"
/* 2: tau_int from Sokal's window (tau_window), bins of 10 tau_int. */
#define MC_FORMAT 2
/* Largest file --resume will read (a trace of 10^7 sweeps is about 300 MB). */
#define MC_READ_MAX ((size_t)1 << 31)

char *hb_mc_file_name(char buf[HB_MC_NAME_MAX], const hb_mc_point *p) {
    char b[HB_NUMFMT_MAX], m[HB_NUMFMT_MAX], h[HB_NUMFMT_MAX];
    snprintf(buf, HB_MC_NAME_MAX, "b%s_m%s_h%s.dat", hb_fmt_repr(b, p->beta), hb_fmt_repr(m, p->m),
             hb_fmt_repr(h, p->h));
    return buf;
}

/* --- writer -------------------------------------------------------------- */

typedef struct mc_buf {
    char *p;
    size_t len, cap;
    int err;
} mc_buf;

static void put(mc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(mc_buf *b, const char *fmt, ...) {
    if (b->err)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->err = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n + 1;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->err = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
}

static void put_f(mc_buf *b, const char *key, double x) {
    char t[HB_NUMFMT_MAX];
    put(b, "# %s = %s\n", key, hb_fmt_repr(t, x));
}

static void put_u(mc_buf *b, const char *key, uint64_t x) {
    put(b, "# %s = %" PRIu64 "\n", key, x);
}

int hb_mc_format(const hb_mc_file *f, char **text, size_t *len) {
    const hb_mc_point *p = &f->point;
    const hb_mc_result *r = &f->result;
    mc_buf b = {.cap = 1024 + (f->trace ? (size_t)p->iterations * 40 : 0)};
    b.p = malloc(b.cap);
    if (!b.p)
        return hb_fail(HB_ENOMEM, "mc: out of memory formatting a point");
    put(&b, "%s\n", MC_HEAD);
    put_u(&b, "format", MC_FORMAT);
    put_f(&b, "beta", p->beta);
    put_f(&b, "m", p->m);
    put_f(&b, "h", p->h);
    put_u(&b, "slices", p->slices);
    put_u(&b, "iterations", p->iterations);
    put_u(&b, "thermalize", p->thermalize);
    put_u(&b, "seed", f->seed);
    put_u(&b, "accepted", r->accepted);
    put_f(&b, "acceptance", r->acceptance);
    put_f(&b, "x2", r->x2);
    put_f(&b, "x2_err", r->x2_err);
    put_f(&b, "tau_int", r->tau_int);
    put_u(&b, "tau_window", r->tau_window);
    put_u(&b, "bins", r->bins);
    put_u(&b, "bin_length", r->bin_length);
    put_f(&b, "x2_exact", r->exact);
    put_f(&b, "deviation_sigma", r->deviation);
    put(&b, "# mixing = %s\n", hb_mc_mixing_text(r->mixing));
    if (f->trace) {
        put_u(&b, "trace", p->iterations);
        for (uint64_t s = 0; s < p->iterations; s++)
            put(&b, "%" PRIu64 " %.17g\n", s, f->trace[s]);
    }
    if (b.err) {
        free(b.p);
        return hb_fail(HB_ENOMEM, "mc: out of memory formatting a point");
    }
    *text = b.p;
    *len = b.len;
    return 0;
}

/* --- reader -------------------------------------------------------------- */

typedef struct mc_cur {
    const char *p, *end;
    size_t line;
} mc_cur;

/* The next line without its '\n'; 0 at the end of the text or when the last
 * line lacks its '\n' (the writer always ends lines, so that is a torn file). */
static int next_line(mc_cur *c, const char **s, size_t *n) {
    if (c->p >= c->end)
        return 0;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    if (!nl)
        return 0;
    *s = c->p;
    *n = (size_t)(nl - c->p);
    c->p = nl + 1;
    c->line++;
    return 1;
}

/* Copy the value of "# key = value" into v (NUL-terminated); 0 on mismatch. */
static int field(mc_cur *c, const char *key, char *v, size_t cap) {
    const char *s;
    size_t n, k = strlen(key);
    if (!next_line(c, &s, &n) || n < k + 5 || memcmp(s, "# ", 2) != 0 ||
        memcmp(s + 2, key, k) != 0 || memcmp(s + 2 + k, " = ", 3) != 0)
        return 0;
    n -= k + 5;
    if (n == 0 || n >= cap || memchr(s + k + 5, '\0', n))
        return 0;
    memcpy(v, s + k + 5, n);
    v[n] = '\0';
    return 1;
}

static int text_u64(const char *v, uint64_t *x) {
    if (!*v || strlen(v) > 20)
        return 0;
    uint64_t r = 0;
    for (const char *q = v; *q; q++) {
        if (*q < '0' || *q > '9')
            return 0;
        unsigned d = (unsigned)(*q - '0');
        if (r > (UINT64_MAX - d) / 10)
            return 0;
        r = r * 10 + d;
    }
    *x = r;
    return 1;
}

static int text_f64(const char *v, double *x) {
    char *e;
    errno = 0;
    double r = strtod(v, &e);
    if (e == v || *e || !isfinite(r))
        return 0;
    *x = r;
    return 1;
}

static int get_u(mc_cur *c, const char *key, uint64_t *x) {
    char v[64];
    return field(c, key, v, sizeof v) && text_u64(v, x);
}

static int get_f(mc_cur *c, const char *key, double *x) {
    char v[64];
    return field(c, key, v, sizeof v) && text_f64(v, x);
}

static int bad(mc_cur *c, const char *what) {
    return hb_fail(HB_EIO, "mc file, line %zu: %s", c->line + 1, what);
}

static int parse_fields(mc_cur *c, hb_mc_file *f) {
    hb_mc_point *p = &f->point;
    hb_mc_result *r = &f->result;
    const char *s;
    size_t n;
    uint64_t format;
    char v[64];
    if (!next_line(c, &s, &n) || n != strlen(MC_HEAD) || memcmp(s, MC_HEAD, n) != 0)
        return bad(c, "not a hybench mc file");
    if (!get_u(c, "format", &format) || format != MC_FORMAT)
        return bad(c, "unknown format");
    if (!get_f(c, "beta", &p->beta) || !get_f(c, "m", &p->m) || !get_f(c, "h", &p->h))
        return bad(c, "bad parameter");
    if (!(p->beta > 0 && p->m > 0 && p->h > 0))
        return bad(c, "parameters must be > 0");
    if (!get_u(c, "slices", &p->slices) || !get_u(c, "iterations", &p->iterations) ||
        !get_u(c, "thermalize", &p->thermalize) || !get_u(c, "seed", &f->seed))
        return bad(c, "bad run setting");
    if (p->slices < 2 || p->slices > HB_MC_SLICES_MAX || p->iterations < 1 ||
        p->iterations > HB_MC_ITERATIONS_MAX || p->thermalize >= p->iterations)
        return bad(c, "run setting out of range");
    if (!get_u(c, "accepted", &r->accepted) || !get_f(c, "acceptance", &r->acceptance) ||
        !get_f(c, "x2", &r->x2) || !get_f(c, "x2_err", &r->x2_err) ||
        !get_f(c, "tau_int", &r->tau_int) || !get_u(c, "tau_window", &r->tau_window) ||
        !get_u(c, "bins", &r->bins) || !get_u(c, "bin_length", &r->bin_length) ||
        !get_f(c, "x2_exact", &r->exact) || !get_f(c, "deviation_sigma", &r->deviation) ||
        !field(c, "mixing", v, sizeof v))
        return bad(c, "bad result");
    /* The bins and the window follow from tau_int and the sweeps, exactly as
     * hb_mc_simulate() makes them. */
    uint64_t measured = p->iterations - p->thermalize, step = hb_mc_series_step(measured);
    if (r->bin_length != hb_mc_bin_length(measured, r->tau_int) ||
        r->bins != measured / step / (r->bin_length / step) || r->tau_window % step != 0 ||
        r->tau_window > measured || r->accepted / p->slices > measured)
        return bad(c, "result out of range");
    int mix = -1;
    for (int i = 0; i < HB_MC_NMIXING; i++)
        if (strcmp(v, hb_mc_mixing_text((hb_mc_mixing)i)) == 0)
            mix = i;
    if (mix < 0)
        return bad(c, "unknown mixing");
    r->mixing = (hb_mc_mixing)mix;
    if (c->p == c->end)
        return 0;
    uint64_t ntrace;
    if (!get_u(c, "trace", &ntrace) || ntrace != p->iterations)
        return bad(c, "bad trace header");
    if ((size_t)(c->end - c->p) / 4 < ntrace) /* a line is at least "0 0\n" */
        return bad(c, "trace is short");
    f->trace = malloc((size_t)ntrace * sizeof *f->trace);
    if (!f->trace)
        return hb_fail(HB_ENOMEM, "mc file: no memory for a trace of %" PRIu64, ntrace);
    for (uint64_t i = 0; i < ntrace; i++) {
        char t[64];
        if (!next_line(c, &s, &n) || n >= sizeof t || memchr(s, '\0', n))
            return bad(c, "bad trace line");
        memcpy(t, s, n);
        t[n] = '\0';
        char *sp = strchr(t, ' ');
        uint64_t sweep;
        if (!sp)
            return bad(c, "bad trace line");
        *sp = '\0';
        if (!text_u64(t, &sweep) || sweep != i || !text_f64(sp + 1, &f->trace[i]))
            return bad(c, "bad trace line");
    }
    if (c->p != c->end)
        return bad(c, "text after the trace");
    return 0;
}

int hb_mc_parse(const char *text, size_t len, hb_mc_file *out) {
    memset(out, 0, sizeof *out);
    mc_cur c = {text, text + len, 0};
    int rc = parse_fields(&c, out);
    if (rc) {
        hb_mc_file_free(out);
        return rc;
    }
    /* Canonical and self-consistent: the derived values recomputed and the
     * whole text written again must give back exactly these bytes. */
    hb_mc_file again = *out;
    hb_mc_finish(&again.point, &again.result);
    char *t;
    size_t n;
    if ((rc = hb_mc_format(&again, &t, &n))) {
        hb_mc_file_free(out);
        return rc;
    }
    int same = n == len && memcmp(t, text, n) == 0;
    free(t);
    if (!same) {
        hb_mc_file_free(out);
        return hb_fail(HB_EIO, "mc file: not as hybench writes it (edited or inconsistent)");
    }
    return 0;
}

void hb_mc_file_free(hb_mc_file *f) {
    free(f->trace);
    f->trace = NULL;
}

/* --- files on disk -------------------------------------------------------- */

int hb_mc_mkdir(const char *dir) {
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p)
        return hb_fail(HB_ENOMEM, "--out-dir: out of memory");
    memcpy(p, dir, n + 1);
    int rc = 0;
    for (size_t i = 1; i <= n && !rc; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char keep = p[i];
        p[i] = '\0';
        struct stat st;
        if (mkdir(p, 0777) != 0 && (errno != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)))
            rc = hb_fail(HB_EIO, "--out-dir: cannot create directory '%s': %s", p,
                         errno == EEXIST ? "a file is in the way" : strerror(errno));
        p[i] = keep;
    }
    free(p);
    return rc;
}

static char *join(const char *dir, const char *pre, const char *name, const char *post) {
    size_t n = strlen(dir) + strlen(pre) + strlen(name) + strlen(post) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s%s%s", dir, pre, name, post);
    return s;
}

/* This machine's name for temporary file names: up to the first '.', at most
 * 63 bytes, characters other than [A-Za-z0-9-_] as '_'; "localhost" if
 * gethostname fails. */
static void host_tag(char tag[64]) {
    char h[256];
    if (gethostname(h, sizeof h) != 0 || !h[0])
        snprintf(h, sizeof h, "localhost");
    h[sizeof h - 1] = '\0';
    size_t i = 0;
    for (; i < 63 && h[i] && h[i] != '.'; i++) {
        char c = h[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
        tag[i] = ok ? c : '_';
    }
    tag[i] = '\0';
}

int hb_mc_write_file(const char *dir, const char *name, const char *text, size_t len) {
    char pid[128], host[64];
    host_tag(host);
    snprintf(pid, sizeof pid, ".tmp%ld.%s", (long)getpid(), host);
    char *path = join(dir, "", name, ""), *tmp = join(dir, ".", name, pid);
    int rc = 0;
    if (!path || !tmp) {
        rc = hb_fail(HB_ENOMEM, "mc: out of memory writing %s", name);
        goto out_paths;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        rc = hb_fail(HB_EIO, "mc: cannot create '%s': %s", tmp, strerror(errno));
        goto out_paths;
    }
    for (size_t done = 0; done < len && !rc;) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = hb_fail(HB_EIO, "mc: cannot write '%s': %s", tmp, strerror(errno));
        else
            done += (size_t)w;
    }
    /* No fsync: a file torn by a crash fails hb_mc_parse, so --resume redoes it. */
    if (close(fd) != 0 && !rc)
        rc = hb_fail(HB_EIO, "mc: cannot write '%s': %s", tmp, strerror(errno));
    if (!rc && rename(tmp, path) != 0)
        rc = hb_fail(HB_EIO, "mc: cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    if (rc)
        unlink(tmp);
out_paths:
    free(path);
    free(tmp);
    return rc;
}

static int read_all(const char *path, char **text, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct stat st;
    char *t = NULL;
    int rc = -1;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > MC_READ_MAX)
        goto out_file;
    size_t n = (size_t)st.st_size;
    t = malloc(n + 1);
    if (!t || fread(t, 1, n, f) != n)
        goto out_file;
    *text = t;
    *len = n;
    t = NULL;
    rc = 0;
out_file:
    free(t);
    fclose(f);
    return rc;
}

int hb_mc_resume(const char *dir, const hb_mc_point *p, uint64_t seed, bool trace,
                 hb_mc_result *r) {
    char name[HB_MC_NAME_MAX];
    char *path = join(dir, "", hb_mc_file_name(name, p), ""), *text = NULL;
    size_t len;
    int ok = 0;
    if (!path || read_all(path, &text, &len) != 0)
        goto out;
    hb_mc_file f;
    if (hb_mc_parse(text, len, &f) != 0) {
        hb_err_clear();
        goto out;
    }
    const hb_mc_point *q = &f.point;
    ok = q->beta == p->beta && q->m == p->m && q->h == p->h && q->slices == p->slices &&
         q->iterations == p->iterations && q->thermalize == p->thermalize && f.seed == seed &&
         (f.trace != NULL) == trace;
    if (ok)
        *r = f.result;
    hb_mc_file_free(&f);
out:
    free(text);
    free(path);
    return ok;
}

/* A temporary of hb_mc_write_file(): ".NAME.dat.tmpPID.HOST" (or, from
 * format 1 writers, ".NAME.dat.tmpPID"). Sets *pid and *host (the text after
 * the PID's '.', "" when absent); 0 when name is not one. */
static int temp_name(const char *name, long *pid, const char **host) {
    const char *t = strstr(name, ".dat.tmp");
    if (name[0] != '.' || name[1] != 'b' || t == NULL)
        return 0;
    for (const char *u; (u = strstr(t + 1, ".dat.tmp"));) /* the last one */
        t = u;
    const char *d = t + strlen(".dat.tmp"), *e = d;
    long v = 0;
    while (*e >= '0' && *e <= '9' && e - d < 9)
        v = v * 10 + (*e++ - '0');
    if (e == d || v <= 0 || (*e != '\0' && *e != '.'))
        return 0;
    *pid = v;
    *host = *e ? e + 1 : e;
    return 1;
}

int hb_mc_clean_temps(const char *dir, uint64_t *removed) {
    *removed = 0;
    char host[64];
    host_tag(host);
    DIR *d = opendir(dir);
    if (!d)
        return hb_fail(HB_EIO, "--resume: cannot read directory '%s': %s", dir, strerror(errno));
    int rc = 0;
    for (struct dirent *e; (errno = 0, e = readdir(d));) {
        long pid;
        const char *h;
        if (!temp_name(e->d_name, &pid, &h) || (h[0] && strcmp(h, host) != 0))
            continue;
        /* Signal 0 only asks whether the process exists; EPERM means it
         * does (another user's), so only ESRCH marks the writer dead. */
        if ((pid_t)pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *path = join(dir, "", e->d_name, "");
        if (!path) {
            rc = hb_fail(HB_ENOMEM, "--resume: out of memory");
            break;
        }
        /* Another rank of this run may remove it first: not an error. */
        if (unlink(path) == 0)
            (*removed)++;
        free(path);
    }
    closedir(d);
    return rc;
}
