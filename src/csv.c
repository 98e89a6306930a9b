/* runs.csv on disk: appending whole rows safely beside other writers, and an
 * RFC 4180 reader that works on a buffer (so it can be fuzzed) or a file.
 *
 * The writer formats every row in memory first, then writes the lot under an
 * exclusive flock() with one check per write(), so a failure part-way can be
 * undone by truncating back to the length the file had before. */
#define _DEFAULT_SOURCE /* flock, open_memstream, strdup */
#include "hybench/csv.h"

#include "hybench/error.h"
#include "hybench/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const column_names[] = {
#define HB_X_NAME(name) #name,
    HB_RUN_COLUMNS(HB_X_NAME)
#undef HB_X_NAME
};

const char *hb_csv_column_name(int i) {
    return i >= 0 && i < HB_NCOLS ? column_names[i] : NULL;
}

void hb_csv_put_field(FILE *f, const char *s) {
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_line(FILE *f, const char *const *fields) {
    for (int i = 0; i < HB_NCOLS; i++) {
        if (i)
            fputc(',', f);
        hb_csv_put_field(f, fields[i]);
    }
    fputc('\n', f);
}

/* Format the header (when asked) and the rows into one malloc'd buffer. */
static int format_rows(const hb_csv_row *rows, size_t n, bool header, char **buf, size_t *len) {
    FILE *m = open_memstream(buf, len);
    if (!m)
        return hb_fail(HB_ENOMEM, "out of memory formatting CSV rows");
    if (header)
        put_line(m, column_names);
    for (size_t r = 0; r < n; r++)
        put_line(m, (const char *const *)rows[r].f);
    if (fclose(m) != 0) {
        free(*buf);
        return hb_fail(HB_ENOMEM, "out of memory formatting CSV rows");
    }
    return 0;
}

/* stdout: a regular file gets the header when empty; a pipe or terminal gets
 * it once per process, since its length cannot be asked. */
static int append_stdout(const hb_csv_row *rows, size_t n) {
    static bool header_done;
    struct stat st;
    bool header = !header_done;
    if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode))
        header = st.st_size == 0;
    char *buf;
    size_t len;
    int rc = format_rows(rows, n, header, &buf, &len);
    if (rc)
        return rc;
    fflush(stdout);
    int err = hb_write_all(STDOUT_FILENO, buf, len);
    free(buf);
    if (err)
        return hb_fail(HB_EIO, "--csv -: cannot write to stdout: %s", strerror(err));
    header_done = true;
    return 0;
}

/* ---- torn tails ---- */

/* Read all of fd (size bytes, from offset 0) into a malloc'd buffer. */
static int read_all(int fd, size_t size, char **buf) {
    char *p = malloc(size ? size : 1);
    if (!p)
        return ENOMEM;
    size_t got = 0;
    while (got < size) {
        ssize_t r = pread(fd, p + got, size - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(p);
            return r < 0 ? errno : EIO;
        }
        got += (size_t)r;
    }
    *buf = p;
    return 0;
}

/* Where the last record of text begins when it lacks its line end, else
 * len; its line in *line. Quotes toggle (a "" escape toggles twice), so a
 * line end inside a quoted field does not end a record. */
static size_t torn_start(const char *text, size_t len, size_t *line) {
    size_t start = 0, ln = 1, start_line = 1;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (text[i] == '\n') {
            ln++;
            if (!quoted) {
                start = i + 1;
                start_line = ln;
            }
        }
    }
    *line = start_line;
    return start < len ? start : len;
}

/* The work of hb_csv_set_aside_torn on fd, already locked, of size bytes.
 * With cheap set, a file whose last byte is a line end is taken as whole
 * without reading it (a cut right after a line end inside a quoted field
 * is then left to the reader, which refuses it naming the line). */
static int set_aside_locked(int fd, const char *path, size_t size, bool cheap, hb_csv_torn *out) {
    memset(out, 0, sizeof *out);
    if (size == 0)
        return 0;
    char last;
    ssize_t r;
    while ((r = pread(fd, &last, 1, (off_t)(size - 1))) < 0 && errno == EINTR)
        ;
    if (r != 1)
        return hb_fail(HB_EIO, "%s: cannot read: %s", path, r < 0 ? strerror(errno) : "short read");
    if (cheap && last == '\n')
        return 0;
    char *text = NULL;
    int err = read_all(fd, size, &text);
    if (err)
        return hb_fail(HB_EIO, "%s: cannot read: %s", path, strerror(err));
    size_t line, start = torn_start(text, size, &line);
    int rc = 0;
    if (start == size)
        goto out_text;
    char torn[PATH_MAX];
    if ((rc = hb_path(torn, sizeof torn, "torn rows", "%s%s", path, HB_CSV_TORN_SUFFIX)))
        goto out_text;
    int tfd = open(torn, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (tfd < 0) {
        rc = hb_fail(HB_EIO, "%s: cannot open for the torn rows of %s: %s", torn, path,
                     strerror(errno));
        goto out_text;
    }
    /* The copy first, made durable, then the cut: a crash in between leaves
     * the tail in both files, never in neither. */
    err = hb_write_all(tfd, text + start, size - start);
    if (!err)
        err = hb_write_all(tfd, "\n", 1);
    if (!err && fsync(tfd) != 0 && errno != EINVAL && errno != EROFS)
        err = errno;
    if (close(tfd) != 0 && !err)
        err = errno;
    if (err) {
        rc = hb_fail(HB_EIO, "%s: cannot write the torn rows of %s: %s", torn, path, strerror(err));
        goto out_text;
    }
    if (ftruncate(fd, (off_t)start) != 0 || (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)) {
        rc = hb_fail(HB_EIO, "%s: cannot cut off its torn last line (a copy is in %s): %s", path,
                     torn, strerror(errno));
        goto out_text;
    }
    out->line = line;
    out->bytes = size - start;
out_text:
    free(text);
    return rc;
}

int hb_csv_set_aside_torn(const char *path, hb_csv_torn *out) {
    memset(out, 0, sizeof *out);
    if (!path || !*path || strcmp(path, "-") == 0)
        return 0;
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return errno == ENOENT ? 0 : hb_fail(HB_EIO, "%s: cannot open: %s", path, strerror(errno));
    int rc = 0, err;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = hb_fail(HB_EIO, "%s: cannot stat: %s", path, strerror(errno));
        goto out_fd;
    }
    if (!S_ISREG(st.st_mode))
        goto out_fd;
    while ((err = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
        ;
    if (err != 0) {
        rc = hb_fail(HB_EIO, "%s: cannot lock: %s", path, strerror(errno));
        goto out_fd;
    }
    /* The size under the lock: an append may have finished meanwhile. */
    if (fstat(fd, &st) != 0) {
        rc = hb_fail(HB_EIO, "%s: cannot stat: %s", path, strerror(errno));
        goto out_fd;
    }
    rc = set_aside_locked(fd, path, (size_t)st.st_size, false, out);
out_fd:
    close(fd);
    return rc;
}

int hb_csv_append(const char *path, const hb_csv_row *rows, size_t n) {
    if (!path || !*path)
        return hb_fail(HB_EUSAGE, "--csv: empty file name");
    if (strcmp(path, "-") == 0)
        return append_stdout(rows, n);
    char *head, *body;
    size_t head_len, body_len;
    int rc = format_rows(NULL, 0, true, &head, &head_len);
    if (rc)
        return rc;
    if (!(rc = format_rows(rows, n, false, &body, &body_len))) {
        rc = hb_csv_append_text(path, head, body, body_len);
        free(body);
    }
    free(head);
    return rc;
}

int hb_csv_append_text(const char *path, const char *header, const char *text, size_t len) {
    bool created = true;
    /* Read access too, to check the tail for a torn write. */
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) {
        created = false;
        fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
        if (fd < 0 && errno == EACCES) /* write-only: appended as before, unchecked */
            fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    }
    if (fd < 0)
        return hb_fail(HB_EIO, "%s: cannot open for appending: %s", path, strerror(errno));

    int rc = 0, err;
    while ((err = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
        ;
    if (err != 0) {
        rc = hb_fail(HB_EIO, "%s: cannot lock: %s", path, strerror(errno));
        goto out_fd;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = hb_fail(HB_EIO, "%s: cannot stat: %s", path, strerror(errno));
        goto out_fd;
    }
    hb_csv_torn torn;
    if (S_ISREG(st.st_mode) && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR) {
        if ((rc = set_aside_locked(fd, path, (size_t)st.st_size, true, &torn)))
            goto out_fd;
        if (torn.bytes && fstat(fd, &st) != 0) {
            rc = hb_fail(HB_EIO, "%s: cannot stat: %s", path, strerror(errno));
            goto out_fd;
        }
    }
    err = st.st_size == 0 ? hb_write_all(fd, header, strlen(header)) : 0;
    if (!err)
        err = hb_write_all(fd, text, len);
    if (!err && fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
        err = errno;
    if (err) {
        /* Undo the partial rows so the file still parses; the flock keeps
         * other appenders out until this is done. */
        if (S_ISREG(st.st_mode) && ftruncate(fd, st.st_size) != 0) {
            rc = hb_fail(HB_EIO, "%s: write failed (%s) and the partial row could not be removed",
                         path, strerror(err));
            goto out_fd;
        }
        if (created && st.st_size == 0)
            unlink(path);
        rc = hb_fail(HB_EIO, "%s: cannot write: %s", path, strerror(err));
    }
out_fd:
    if (close(fd) != 0 && rc == 0)
        rc = hb_fail(HB_EIO, "%s: cannot close: %s", path, strerror(errno));
    if (rc && created && fd >= 0) {
        struct stat now;
        if (stat(path, &now) == 0 && now.st_size == 0)
            unlink(path);
    }
    return rc;
}

/* ---- reading ---- */

const char hb_csv_unclosed[] = "quoted field never closed";

int hb_csv_split(char *text, size_t len, size_t *pos, size_t *line, hb_csv_fields *f,
                 const char **err) {
    size_t i = *pos;
    f->n = 0;
    *err = NULL;
    for (;;) {
        char *out = text + i, *w = out;
        if (i < len && text[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    *err = hb_csv_unclosed;
                    return HB_EUSAGE;
                }
                char c = text[i++];
                if (c == '"') {
                    if (i < len && text[i] == '"')
                        i++;
                    else
                        break;
                } else if (c == '\n') {
                    (*line)++;
                }
                *w++ = c;
            }
            if (i < len && text[i] != ',' && text[i] != '\n' &&
                !(text[i] == '\r' && (i + 1 == len || text[i + 1] == '\n'))) {
                *err = "text after a closing quote";
                return HB_EUSAGE;
            }
        } else {
            /* A lone CR inside a field is data; CR LF or a CR ending the text ends the line. */
            while (i < len && text[i] != ',' && text[i] != '\n' &&
                   !(text[i] == '\r' && (i + 1 == len || text[i + 1] == '\n'))) {
                if (text[i] == '"') {
                    *err = "quote inside an unquoted field";
                    return HB_EUSAGE;
                }
                *w++ = text[i++];
            }
        }
        if (f->n == f->cap) {
            size_t cap = f->cap ? 2 * f->cap : 32;
            char **v = realloc(f->v, cap * sizeof *v);
            if (!v)
                return HB_ENOMEM;
            f->v = v;
            f->cap = cap;
        }
        f->v[f->n++] = out;
        char sep = i < len ? text[i] : '\n';
        i += sep == '\r' ? 2 : i < len; /* past the separator (CR LF: both) */
        if (i > len)
            i = len;
        *w = '\0'; /* after the separator is read: w may stand on it */
        if (sep != ',')
            break;
    }
    (*line)++;
    *pos = i;
    return 0;
}

/* Hand a record to the table: the header first, then rows of the header's
 * width, each field copied. A short record is torn when it is the last one
 * and the text lacks its final line end (`cut`); it is dropped and noted. */
static int table_take(hb_csv_table *t, const hb_csv_fields *f, const char *what, size_t line,
                      bool cut) {
    if (t->header && f->n < t->ncols && cut) {
        t->torn_line = line;
        return 0;
    }
    if (t->header && f->n != t->ncols)
        return hb_fail(HB_EUSAGE, "%s: line %zu: %zu field%s but the header has %zu", what, line,
                       f->n, f->n == 1 ? "" : "s", t->ncols);
    char **row = calloc(f->n ? f->n : 1, sizeof *row);
    if (!row)
        return HB_ENOMEM;
    for (size_t i = 0; i < f->n; i++)
        if (!(row[i] = strdup(f->v[i]))) {
            while (i--)
                free(row[i]);
            free(row);
            return HB_ENOMEM;
        }
    if (!t->header) {
        t->header = row;
        t->ncols = f->n;
        return 0;
    }
    if (t->nrows % 64 == 0) {
        char ***rows = realloc(t->rows, (t->nrows + 64) * sizeof *rows);
        if (!rows) {
            for (size_t i = 0; i < t->ncols; i++)
                free(row[i]);
            free(row);
            return HB_ENOMEM;
        }
        t->rows = rows;
    }
    t->rows[t->nrows++] = row;
    return 0;
}

/* Parse text[0..len) (text[len] writable), cutting the fields out of it in place. */
static int parse_inplace(char *copy, size_t len, const char *what, hb_csv_table *out) {
    hb_csv_table t = {0};
    hb_csv_fields f = {0};
    int rc = 0;
    size_t line = 1;
    if (!what)
        what = "CSV";
    /* A text without its final line end may end in a torn record. */
    bool cut = len > 0 && copy[len - 1] != '\n';
    const char *nul = memchr(copy, '\0', len);
    if (nul) {
        for (const char *c = copy; c < nul; c++)
            line += *c == '\n';
        return hb_fail(HB_EUSAGE, "%s: line %zu: NUL byte", what, line);
    }
    size_t i = 0;
    while (i < len) {
        /* At the start of a record: skip blank lines. */
        if (copy[i] == '\n' || (copy[i] == '\r' && i + 1 < len && copy[i + 1] == '\n')) {
            i += copy[i] == '\r' ? 2 : 1;
            line++;
            continue;
        }
        size_t start_line = line;
        const char *err;
        rc = hb_csv_split(copy, len, &i, &line, &f, &err);
        if (rc == HB_EUSAGE && err == hb_csv_unclosed && cut && t.header) {
            t.torn_line = start_line; /* the last record, cut inside a quoted field */
            rc = 0;
            break;
        }
        if (rc == HB_EUSAGE)
            rc = hb_fail(HB_EUSAGE, "%s: line %zu: %s", what,
                         err == hb_csv_unclosed ? start_line : line, err);
        else if (!rc)
            rc = table_take(&t, &f, what, start_line, cut && i >= len);
        if (rc == HB_ENOMEM)
            rc = hb_fail(HB_ENOMEM, "%s: out of memory reading line %zu", what, line);
        if (rc)
            break;
    }
    free(f.v);
    if (!rc && !t.header)
        rc = hb_fail(HB_EUSAGE, "%s: empty (no header line)", what);
    if (rc) {
        hb_csv_table_free(&t);
        return rc;
    }
    *out = t;
    return 0;
}

int hb_csv_parse(const char *text, size_t len, const char *what, hb_csv_table *out) {
    /* Split in a copy: the fields are cut out of it in place. */
    char *copy = malloc(len + 1);
    if (!copy)
        return hb_fail(HB_ENOMEM, "%s: out of memory", what ? what : "CSV");
    memcpy(copy, text, len);
    copy[len] = '\0';
    int rc = parse_inplace(copy, len, what, out);
    free(copy);
    return rc;
}

int hb_csv_read(const char *path, hb_csv_table *out) {
    char *text = NULL;
    size_t len;
    int rc = hb_read_file("runs.csv", path, HB_FILE_MAX, HB_READ_STDIN, &text, &len);
    if (!rc) /* hb_read_file's buffer holds len + 1 bytes: split it in place */
        rc = parse_inplace(text, len, path, out);
    free(text);
    return rc;
}

int hb_csv_col(const hb_csv_table *t, const char *name) {
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->header[i], name) == 0)
            return (int)i;
    return -1;
}

void hb_csv_table_free(hb_csv_table *t) {
    if (!t)
        return;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    free(t->rows);
    if (t->header)
        for (size_t c = 0; c < t->ncols; c++)
            free(t->header[c]);
    free(t->header);
    memset(t, 0, sizeof *t);
}
