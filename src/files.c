/* Files and text with one error policy (see files.h). */
#define _DEFAULT_SOURCE /* gethostname, fchmod */
#include "hybench/files.h"

#include "hybench/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hb_mkdir_p(const char *what, const char *dir) {
    char p[PATH_MAX];
    int rc = hb_path(p, sizeof p, what, "%s", dir);
    if (rc)
        return rc;
    size_t n = strlen(p);
    if (n == 0)
        return hb_fail(HB_EUSAGE, "%s: empty directory name", what);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char keep = p[i];
        p[i] = '\0';
        struct stat st;
        if (mkdir(p, 0777) != 0 && (errno != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)))
            return hb_fail(HB_EIO, "%s: cannot create directory '%s': %s", what, p,
                           errno == EEXIST ? "a file is in the way" : strerror(errno));
        p[i] = keep;
    }
    return 0;
}

/* Read fd to its end, at most max bytes (one more is tried, to tell a file
 * that is over the cap). */
static int read_fd(const char *what, const char *path, int fd, size_t max, char **text,
                   size_t *len) {
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return hb_fail(HB_ENOMEM, "%s: out of memory reading '%s'", what, path);
    for (;;) {
        if (n == cap) {
            if (cap > max) /* read max + 1 bytes already */
                break;
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *q = realloc(buf, ncap + 1);
            if (!q) {
                free(buf);
                return hb_fail(HB_ENOMEM, "%s: out of memory reading '%s'", what, path);
            }
            buf = q;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            return hb_fail(HB_EIO, "%s: cannot read '%s': %s", what, path, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max) {
        free(buf);
        return hb_fail(HB_EUSAGE, "%s: '%s' is larger than %zu bytes", what, path, max);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

int hb_read_file(const char *what, const char *path, size_t max, unsigned flags, char **text,
                 size_t *len) {
    if (!path || !*path)
        return hb_fail(HB_EUSAGE, "%s: empty file name", what);
    if ((flags & HB_READ_STDIN) && strcmp(path, "-") == 0)
        return read_fd(what, "-", STDIN_FILENO, max, text, len);
    if (strlen(path) >= PATH_MAX)
        return hb_fail(HB_EUSAGE, "%s: file name longer than PATH_MAX (%d)", what, PATH_MAX);
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return hb_fail(HB_EUSAGE, "%s: cannot read '%s': %s", what, path, strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = hb_fail(HB_EIO, "%s: cannot stat '%s': %s", what, path, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = hb_fail(HB_EUSAGE, "%s: '%s' is a directory, not a file", what, path);
    else if (!S_ISREG(st.st_mode))
        rc = hb_fail(HB_EUSAGE, "%s: '%s' is not a regular file", what, path);
    else if ((unsigned long long)st.st_size > (unsigned long long)max)
        rc = hb_fail(HB_EUSAGE, "%s: '%s' is larger than %zu bytes", what, path, max);
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        rc = hb_fail(HB_EIO, "%s: cannot read '%s': %s", what, path, strerror(errno));
    if (!rc)
        rc = read_fd(what, path, fd, max, text, len);
    close(fd);
    return rc;
}

void hb_host_tag(char tag[64]) {
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

int hb_temp_path(const char *what, const char *path, char *buf, size_t len) {
    char host[64];
    hb_host_tag(host);
    const char *slash = strrchr(path, '/');
    int dir = slash ? (int)(slash - path + 1) : 0;
    return hb_path(buf, len, what, "%.*s.%s.tmp%ld.%s", dir, path, path + dir, (long)getpid(),
                   host);
}

int hb_write_all(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int hb_write_atomic(const char *what, const char *path, const void *data, size_t len, mode_t mode,
                    bool sync) {
    char tmp[PATH_MAX];
    int rc = hb_temp_path(what, path, tmp, sizeof tmp);
    if (rc)
        return rc;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return hb_fail(HB_EIO, "%s: cannot write '%s': %s", what, path, strerror(errno));
    int err = hb_write_all(fd, data, len);
    if (!err && fchmod(fd, mode) != 0)
        err = errno;
    if (!err && sync && fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err) {
        unlink(tmp);
        return hb_fail(HB_EIO, "%s: cannot write '%s': %s", what, path, strerror(err));
    }
    return 0;
}

int hb_path(char *buf, size_t len, const char *what, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    size_t limit = len < PATH_MAX ? len : PATH_MAX;
    if (n < 0 || (size_t)n >= limit) {
        if (len)
            buf[0] = '\0';
        return hb_fail(HB_EUSAGE, "%s: path longer than %zu bytes", what, limit - 1);
    }
    return 0;
}

bool hb_is_regular(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void hb_str_add(hb_str *s, const char *text, size_t n) {
    if (s->failed)
        return;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *q = realloc(s->p, cap);
        if (!q) {
            s->failed = true;
            return;
        }
        s->p = q;
        s->cap = cap;
    }
    memcpy(s->p + s->len, text, n);
    s->len += n;
    s->p[s->len] = '\0';
}

void hb_str_addf(hb_str *s, const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        s->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        hb_str_add(s, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        s->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    hb_str_add(s, big, (size_t)n);
    free(big);
}

void hb_str_free(hb_str *s) {
    free(s->p);
    *s = (hb_str){0};
}

const char *hb_text_escape(const char *text, char *buf, size_t len) {
    size_t o = 0;
    if (len == 0)
        return buf;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        char esc[8];
        if (*c == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (*c == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else if (*c == '\r')
            snprintf(esc, sizeof esc, "\\r");
        else if (*c < 0x20 || *c == 0x7f)
            snprintf(esc, sizeof esc, "\\x%02x", *c);
        else
            esc[0] = (char)*c, esc[1] = '\0';
        size_t n = strlen(esc);
        if (o + n + 4 > len) { /* room for "..." and the terminator */
            snprintf(buf + o, len - o, "...");
            return buf;
        }
        memcpy(buf + o, esc, n);
        o += n;
    }
    buf[o] = '\0';
    return buf;
}
