/* The mc kernel's per-point files: names, the .dat text, its reader, atomic
 * writes and the --resume check.
 *
 * A .dat file is a block of "# key = value" lines (so numpy.loadtxt and
 * gnuplot skip it) and, with --trace, one "sweep x2" line per sweep. Numbers
 * are Python's repr (trace values %.17g, which also reads back exactly), and
 * nothing depends on time or layout, so a point's file is bit-identical
 * however and whenever it was computed. The reader accepts only text that the
 * writer would produce from what it read, which makes "parses" mean "complete
 * and consistent" for --resume. Files are written with hb_write_atomic. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "hybench/files.h"
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

static void put_f(hb_str *b, const char *key, double x) {
    char t[HB_NUMFMT_MAX];
    hb_str_addf(b, "# %s = %s\n", key, hb_fmt_repr(t, x));
}

static void put_u(hb_str *b, const char *key, uint64_t x) {
    hb_str_addf(b, "# %s = %" PRIu64 "\n", key, x);
}

int hb_mc_format(const hb_mc_file *f, char **text, size_t *len) {
    const hb_mc_point *p = &f->point;
    const hb_mc_result *r = &f->result;
    hb_str b = {0};
    hb_str_addf(&b, "%s\n", MC_HEAD);
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
    hb_str_addf(&b, "# mixing = %s\n", hb_mc_mixing_text(r->mixing));
    if (f->trace) {
        put_u(&b, "trace", p->iterations);
        for (uint64_t s = 0; s < p->iterations; s++)
            hb_str_addf(&b, "%" PRIu64 " %.17g\n", s, f->trace[s]);
    }
    if (b.failed) {
        hb_str_free(&b);
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

int hb_mc_resume(const char *dir, const hb_mc_point *p, uint64_t seed, bool trace,
                 hb_mc_result *r) {
    char name[HB_MC_NAME_MAX], path[PATH_MAX];
    char *text = NULL;
    size_t len;
    int ok = 0;
    if (hb_path(path, sizeof path, "--out-dir", "%s/%s", dir, hb_mc_file_name(name, p)) != 0 ||
        hb_read_file("--resume", path, MC_READ_MAX, 0, &text, &len) != 0) {
        hb_err_clear(); /* missing or unreadable: recompute */
        goto out;
    }
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
    return ok;
}

/* A temporary of hb_write_atomic(): ".NAME.dat.tmpPID.HOST" (or, from
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
    hb_host_tag(host);
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
        char path[PATH_MAX];
        if ((rc = hb_path(path, sizeof path, "--out-dir", "%s/%s", dir, e->d_name)))
            break;
        /* Another rank of this run may remove it first: not an error. */
        if (unlink(path) == 0)
            (*removed)++;
    }
    closedir(d);
    return rc;
}
