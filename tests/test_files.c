/* Unit tests of files.h: mkdir -p, bounded reading (directories, FIFOs and
 * endless devices refused without blocking), atomic writes, path limits,
 * growable strings and one-line escaping. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "check.h"

#include "hybench/error.h"
#include "hybench/files.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void test_mkdir(void) {
    char p[512], f[512];
    snprintf(p, sizeof p, "%s/a/b/c", dir);
    CHECK_INT(hb_mkdir_p("--out", p), 0);
    struct stat st;
    CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_INT(hb_mkdir_p("--out", p), 0); /* already there */
    snprintf(f, sizeof f, "%s/a/file", dir);
    CHECK_INT(hb_write_atomic("t", f, "x", 1, 0644, false), 0);
    snprintf(p, sizeof p, "%s/a/file/sub", dir);
    CHECK_INT(hb_mkdir_p("--out", p), HB_EIO);
    CHECK(strstr(hb_errmsg(HB_EIO), "a file is in the way") != NULL);
    CHECK_INT(hb_mkdir_p("--out", ""), HB_EUSAGE);
}

static void test_read(void) {
    char p[512], *text = NULL;
    size_t len = 0;
    snprintf(p, sizeof p, "%s/in.txt", dir);
    CHECK_INT(hb_write_atomic("t", p, "hello\n", 6, 0644, true), 0);
    CHECK_INT(hb_read_file("--points", p, 100, 0, &text, &len), 0);
    CHECK_INT(len, 6);
    CHECK_STR(text, "hello\n");
    free(text);
    /* Over the cap, by size and by a cap smaller than the file. */
    CHECK_INT(hb_read_file("--points", p, 5, 0, &text, &len), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "larger than 5 bytes") != NULL);
    /* Missing: bad input naming the option and the path. */
    snprintf(p, sizeof p, "%s/nosuch", dir);
    CHECK_INT(hb_read_file("--points", p, 100, 0, &text, &len), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--points") && strstr(hb_errmsg(HB_EUSAGE), "nosuch"));
    /* A directory, a FIFO with no writer (would block in a plain open) and an
     * endless device are refused at once. */
    CHECK_INT(hb_read_file("--points", dir, 100, 0, &text, &len), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "is a directory") != NULL);
    snprintf(p, sizeof p, "%s/fifo", dir);
    CHECK_INT(mkfifo(p, 0600), 0);
    CHECK_INT(hb_read_file("--hostfile", p, 100, 0, &text, &len), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "not a regular file") != NULL);
    CHECK_INT(hb_read_file("report", "/dev/zero", 100, 0, &text, &len), HB_EUSAGE);
    CHECK(!hb_is_regular("/dev/null"));
    CHECK(!hb_is_regular(dir));
    CHECK(!hb_is_regular(p));
}

static void test_atomic(void) {
    char p[512], tmp[PATH_MAX], *text = NULL;
    size_t len;
    snprintf(p, sizeof p, "%s/out.txt", dir);
    CHECK_INT(hb_write_atomic("t", p, "one", 3, 0600, false), 0);
    CHECK_INT(hb_write_atomic("t", p, "two!", 4, 0640, true), 0);
    CHECK_INT(hb_read_file("t", p, 100, 0, &text, &len), 0);
    CHECK_STR(text, "two!");
    free(text);
    struct stat st;
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640);
    /* The temporary is gone, and it is named so --resume can find it. */
    CHECK_INT(hb_temp_path("t", p, tmp, sizeof tmp), 0);
    CHECK(access(tmp, F_OK) != 0);
    CHECK(strstr(tmp, "/.out.txt.tmp") != NULL);
    /* A directory that is not there: HB_EIO, nothing left behind. */
    snprintf(p, sizeof p, "%s/none/out.txt", dir);
    CHECK_INT(hb_write_atomic("t", p, "x", 1, 0644, false), HB_EIO);
    CHECK(strstr(hb_errmsg(HB_EIO), "none/out.txt") != NULL);
}

static void test_paths(void) {
    char buf[PATH_MAX], *longname = malloc(PATH_MAX + 10);
    CHECK(longname != NULL);
    if (!longname)
        return;
    memset(longname, 'a', PATH_MAX + 9);
    longname[PATH_MAX + 9] = '\0';
    CHECK_INT(hb_path(buf, sizeof buf, "--out", "%s/runs.csv", longname), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--out: path longer than") != NULL);
    CHECK_STR(buf, ""); /* never a cut path */
    CHECK_INT(hb_path(buf, 8, "--out", "%s", "12345678"), HB_EUSAGE);
    CHECK_INT(hb_path(buf, 9, "--out", "%s", "12345678"), 0);
    char *text;
    size_t len;
    CHECK_INT(hb_read_file("--points", longname, 10, 0, &text, &len), HB_EUSAGE);
    free(longname);
}

static void test_str(void) {
    hb_str s = {0};
    for (int i = 0; i < 1000; i++)
        hb_str_addf(&s, "%d,", i);
    CHECK(!s.failed);
    CHECK(strncmp(s.p, "0,1,2,", 6) == 0);
    CHECK_INT(s.len, strlen(s.p));
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    hb_str_addf(&s, "[%s]", big); /* longer than the small stack buffer */
    CHECK_INT(s.p[s.len - 1], ']');
    hb_str_free(&s);
    CHECK(s.p == NULL && s.len == 0);
}

static void test_escape(void) {
    char buf[64];
    CHECK_STR(hb_text_escape("a\nb\tc\x01", buf, sizeof buf), "a\\nb\\tc\\x01");
    CHECK_STR(hb_text_escape("plain", buf, sizeof buf), "plain");
    CHECK_STR(hb_text_escape("0123456789", buf, 8), "0123...");
    /* Every message is one line, whatever the value it names. */
    hb_fail(HB_EUSAGE, "--name: '%s' is bad", "two\nlines");
    CHECK_STR(hb_errmsg(HB_EUSAGE), "--name: 'two\\nlines' is bad");
    hb_err_clear();
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/hb_files_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_mkdir();
    test_read();
    test_atomic();
    test_paths();
    test_str();
    test_escape();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return hb_check_summary();
}
