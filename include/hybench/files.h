/* Files and text: creating directories, reading a whole input file with
 * bounds, writing a file atomically, building paths and growing strings.
 * Every module uses these rather than its own, so they share one error
 * policy:
 *   HB_EUSAGE  an input that cannot be used as given (exit 2): missing or
 *              unreadable, not a regular file (a directory, a FIFO that would
 *              block, /dev/zero that never ends), over its size cap, or a path
 *              longer than PATH_MAX; the message names `what` (the option or
 *              the file's role) and the path
 *   HB_EIO     the system failed while creating, writing or reading
 *   HB_ENOMEM  out of memory
 * Messages are one line; paths in them are shown with control characters
 * escaped (hb_text_escape). Thread-safe for distinct arguments. */
#ifndef HYBENCH_FILES_H
#define HYBENCH_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The cap of an input file unless a caller has a reason for another. */
#define HB_FILE_MAX ((size_t)1 << 30)

/* hb_read_file flags */
#define HB_READ_STDIN 1u /* "-" means standard input (any kind of stream, still capped) */

/* mkdir -p: create dir and its missing parents (mode 0777 less the umask). A
 * non-directory in the way is HB_EIO naming it. */
int hb_mkdir_p(const char *what, const char *dir);

/* Read the whole file at path into *text (malloc'd, NUL-terminated; *len
 * bytes, which may hold NULs). The file must be a regular file of at most
 * max bytes; it is opened without blocking, so a FIFO is refused rather than
 * waited on. */
int hb_read_file(const char *what, const char *path, size_t max, unsigned flags, char **text,
                 size_t *len);

/* Write len bytes to path through a temporary in the same directory,
 * ".NAME.tmpPID.HOST" (hb_temp_path), and rename() it into place, so readers
 * see the old file or the whole new one. fsync first when sync is set (a
 * file that a crash must not tear: metadata, scripts); without it a crash
 * can leave a short file, which suits outputs that verify themselves on
 * reading. mode is the new file's mode (e.g. 0644). The temporary is removed
 * on failure. */
int hb_write_atomic(const char *what, const char *path, const void *data, size_t len, mode_t mode,
                    bool sync);

/* Write all of p[0..n) to fd, retrying short writes and EINTR: 0, or the
 * errno of the failure (EIO for a write of 0 bytes). */
int hb_write_all(int fd, const void *p, size_t n);

/* The temporary name hb_write_atomic uses for path: dir/.NAME.tmpPID.HOST.
 * HB_EUSAGE naming what when it does not fit in len (at most PATH_MAX). */
int hb_temp_path(const char *what, const char *path, char *buf, size_t len);

/* This machine's short name for temporary file names: up to the first '.',
 * at most 63 bytes, characters other than [A-Za-z0-9-_] as '_', "localhost"
 * when gethostname fails. */
void hb_host_tag(char tag[64]);

/* Format a path into buf (len bytes, at most PATH_MAX counts): HB_EUSAGE
 * naming what when it does not fit, never a silently cut path. */
int hb_path(char *buf, size_t len, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Is path a regular file? False for a missing file, a device (/dev/null), a
 * FIFO or a directory: sidecar files are only written beside regular ones. */
bool hb_is_regular(const char *path);

/* A growable string. Zero-initialise; append with hb_str_add/addf; on an
 * allocation failure it keeps what it had and sets `failed`, so a caller
 * checks once at the end. p is NUL-terminated once anything was added. */
typedef struct hb_str {
    char *p;
    size_t len, cap;
    bool failed;
} hb_str;

void hb_str_add(hb_str *s, const char *text, size_t n);
void hb_str_addf(hb_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hb_str_free(hb_str *s);

/* text, with control characters escaped as \n, \t, \r, \xHH,
 * into buf (cut with "..." when longer than len - 1): for echoing a value in
 * a one-line message. Returns buf. */
const char *hb_text_escape(const char *text, char *buf, size_t len);

#endif
