/* runs.csv writer and reader: quoting round trip, header written once,
 * RFC 4180 corner cases (quotes, CRLF, embedded line ends), short and long
 * rows refused with their line, a torn last line reported and set aside
 * (by hb_csv_set_aside_torn and by the appender), and the rollback when a
 * write fails. */
#define _DEFAULT_SOURCE /* mkdtemp, setrlimit, strdup */
#include "check.h"

#include "hybench/csv.h"
#include "hybench/error.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/hb_test_csv_XXXXXX";

static void fill(hb_csv_row *r, const char *kernel, const char *params) {
    static char empty[] = "";
    for (int i = 0; i < HB_NCOLS; i++)
        r->f[i] = empty;
    r->f[HB_COL_schema] = (char *)HB_CSV_SCHEMA;
    r->f[HB_COL_kernel] = (char *)kernel;
    r->f[HB_COL_params] = (char *)params;
}

static void test_round_trip(void) {
    char path[256];
    snprintf(path, sizeof path, "%s/runs.csv", tmpdir);
    hb_csv_row rows[3];
    fill(&rows[0], "pi", "streams=4 samples=10");
    fill(&rows[1], "pow", "a,b \"quoted\"");
    fill(&rows[2], "mc", "two\nlines\r\nand crlf");
    rows[2].f[HB_COL_cpusets] = (char *)"0-1;2,3";
    CHECK_INT(hb_csv_append(path, rows, 2), 0);
    CHECK_INT(hb_csv_append(path, rows + 2, 1), 0); /* header not repeated */

    hb_csv_table t;
    CHECK_INT(hb_csv_read(path, &t), 0);
    CHECK_INT(t.ncols, HB_NCOLS);
    CHECK_INT(t.nrows, 3);
    for (int i = 0; i < HB_NCOLS; i++)
        CHECK_STR(t.header[i], hb_csv_column_name(i));
    int k = hb_csv_col(&t, "kernel"), p = hb_csv_col(&t, "params");
    CHECK_INT(k, HB_COL_kernel);
    CHECK_INT(hb_csv_col(&t, "no_such_column"), -1);
    if (t.nrows == 3 && k >= 0 && p >= 0) {
        CHECK_STR(t.rows[0][k], "pi");
        CHECK_STR(t.rows[1][p], "a,b \"quoted\"");
        CHECK_STR(t.rows[2][p], "two\nlines\r\nand crlf");
        CHECK_STR(t.rows[2][HB_COL_cpusets], "0-1;2,3");
        CHECK_STR(t.rows[2][HB_COL_schema], HB_CSV_SCHEMA);
    }
    hb_csv_table_free(&t);
    unlink(path);
}

static void test_parse_cases(void) {
    hb_csv_table t;
    const char *crlf = "a,b,c\r\n1,\"x\r\ny\",3\r\n\r\n4,5,\r\n\"\"\"q\"\"\",,\r\n";
    CHECK_INT(hb_csv_parse(crlf, strlen(crlf), "crlf", &t), 0);
    CHECK_INT(t.ncols, 3);
    CHECK_INT(t.nrows, 3);
    CHECK_INT(t.torn_line, 0);
    if (t.nrows == 3) {
        CHECK_STR(t.rows[0][1], "x\r\ny");
        CHECK_STR(t.rows[1][2], "");
        CHECK_STR(t.rows[2][0], "\"q\"");
        CHECK_STR(t.rows[2][2], "");
    }
    hb_csv_table_free(&t);

    /* No final line end, a trailing empty field: a whole row, kept. */
    const char *noeol = "x,y\n1,";
    CHECK_INT(hb_csv_parse(noeol, strlen(noeol), "noeol", &t), 0);
    CHECK_INT(t.nrows, 1);
    CHECK_INT(t.torn_line, 0);
    if (t.nrows == 1)
        CHECK_STR(t.rows[0][1], "");
    hb_csv_table_free(&t);

    /* Torn: the last record short, or cut inside a quoted field (even one
     * that spans lines), with no line end after it; left out, its line kept. */
    struct {
        const char *text;
        size_t rows, line;
    } torn[] = {
        {"a,b,c\n1,2,3\n4,5", 1, 3},
        {"a,b,c\n1,2,3\n4", 1, 3},
        {"a,b,c\r\n1,2,3\r\n\r\n4,", 1, 4},
        {"a,b,c\n1,2,3\n4,\"quo", 1, 3},
        {"a,b,c\n1,2,3\n4,\"two\nlines", 1, 3},
        {"a,b,c\n1,\"x\ny\",3\n4,\"", 1, 4},
        {"a,b,c\n4,5", 0, 2},
    };
    for (size_t i = 0; i < sizeof torn / sizeof torn[0]; i++) {
        CHECK_INT(hb_csv_parse(torn[i].text, strlen(torn[i].text), "torn", &t), 0);
        CHECK_INT(t.nrows, torn[i].rows);
        CHECK_INT(t.torn_line, torn[i].line);
        CHECK_INT(t.ncols, 3);
        hb_csv_table_free(&t);
    }

    struct {
        const char *text, *msg;
    } bad[] = {
        {"", "bad.csv: empty (no header line)"},
        {"a,b\n1,2,3\n", "bad.csv: line 2: 3 fields but the header has 2"},
        /* Short rows are refused wherever a line end follows them. */
        {"a,b\n1\n2,3\n", "bad.csv: line 2: 1 field but the header has 2"},
        {"a,b,c\n1,2\n", "bad.csv: line 2: 2 fields but the header has 3"},
        {"a,b,c\n1,2,3\n\n4,5\n6,7,8\n", "bad.csv: line 4: 2 fields but the header has 3"},
        /* A long last row is never taken for a torn one. */
        {"a,b\n1,2\n3,4,5", "bad.csv: line 3: 3 fields but the header has 2"},
        /* An unclosed quote that ends with a line end is not a cut write. */
        {"a,b\n1,\"2\n", "bad.csv: line 2: quoted field never closed"},
        {"a,b\n1,2\n\"open,3\n", "bad.csv: line 3: quoted field never closed"},
        {"a,b\n\"x\"y,2\n", "bad.csv: line 2: text after a closing quote"},
        {"a,b\n\"multi\nline\",2\nx\"y,1\n", "bad.csv: line 4: quote inside an unquoted field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hb_err_clear();
        CHECK_INT(hb_csv_parse(bad[i].text, strlen(bad[i].text), "bad.csv", &t), HB_EUSAGE);
        CHECK_STR(hb_errmsg(HB_EUSAGE), bad[i].msg);
    }
    const char nul[] = "a\n1\0002\n";
    CHECK_INT(hb_csv_parse(nul, sizeof nul - 1, "nul", &t), HB_EUSAGE);
}

/* /dev/full accepts the open and fails every write: nothing may be left
 * behind and the message names the path. A new file whose first write fails
 * must vanish; an existing file must keep exactly its old bytes. */
static void test_write_failure(void) {
    hb_csv_row row;
    fill(&row, "pi", "x");
    hb_err_clear();
    if (access("/dev/full", W_OK) == 0) {
        CHECK_INT(hb_csv_append("/dev/full", &row, 1), HB_EIO);
        CHECK(strstr(hb_errmsg(HB_EIO), "/dev/full") != NULL);
    }
    /* A directory that does not exist: the error names the path. */
    char path[256];
    snprintf(path, sizeof path, "%s/missing/runs.csv", tmpdir);
    CHECK_INT(hb_csv_append(path, &row, 1), HB_EIO);
    CHECK(strstr(hb_errmsg(HB_EIO), path) != NULL);
    /* Reading one that is not there is bad input (files.h's policy). */
    hb_csv_table t;
    CHECK_INT(hb_csv_read(path, &t), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), path) != NULL);
}

/* The rollback itself, with a real file: limit the file size so the second
 * append fails part-way, then check the file is exactly what it was. */
#include <signal.h>
#include <sys/resource.h>
static void test_rollback(void) {
    char path[256];
    snprintf(path, sizeof path, "%s/limited.csv", tmpdir);
    hb_csv_row row;
    fill(&row, "pi", "first");
    CHECK_INT(hb_csv_append(path, &row, 1), 0);
    struct stat before;
    CHECK_INT(stat(path, &before), 0);

    static char big[8192];
    memset(big, 'z', sizeof big - 1);
    row.f[HB_COL_params] = big;
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)before.st_size + 100; /* room for part of a row only */
    signal(SIGXFSZ, SIG_IGN);                    /* get EFBIG from write() instead */
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
    CHECK_INT(hb_csv_append(path, &row, 1), HB_EIO);
    setrlimit(RLIMIT_FSIZE, &old);
    struct stat after;
    CHECK_INT(stat(path, &after), 0);
    CHECK_INT(after.st_size, before.st_size);
    hb_csv_table t;
    CHECK_INT(hb_csv_read(path, &t), 0);
    CHECK_INT(t.nrows, 1);
    hb_csv_table_free(&t);

    /* A file created by a failing call is removed. */
    char path2[256];
    snprintf(path2, sizeof path2, "%s/new.csv", tmpdir);
    lim.rlim_cur = 10;
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
    CHECK_INT(hb_csv_append(path2, &row, 1), HB_EIO);
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK(access(path2, F_OK) != 0);
    unlink(path);
}

/* The whole of a small file, or NULL. */
static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[65536];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void put_bytes(const char *path, const char *text, const char *mode) {
    FILE *f = fopen(path, mode);
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A crash mid-append leaves a torn last line: hb_csv_set_aside_torn moves it
 * to FILE.torn, and the appender does the same before it appends, so the
 * file never grows a joined line. */
static void test_set_aside(void) {
    char path[256], torn_path[300];
    snprintf(path, sizeof path, "%s/torn.csv", tmpdir);
    snprintf(torn_path, sizeof torn_path, "%s%s", path, HB_CSV_TORN_SUFFIX);
    hb_csv_torn torn;
    /* Nothing there: nothing to do. */
    CHECK_INT(hb_csv_set_aside_torn(path, &torn), 0);
    CHECK_INT(torn.line, 0);
    CHECK(access(path, F_OK) != 0);

    hb_csv_row rows[2];
    fill(&rows[0], "pi", "one");
    fill(&rows[1], "pi", "two, quoted");
    CHECK_INT(hb_csv_append(path, rows, 2), 0);
    size_t len0, len;
    char *text = slurp(path, &len0);
    char *whole = strdup(text ? text : "");
    /* A whole file is left alone. */
    CHECK_INT(hb_csv_set_aside_torn(path, &torn), 0);
    CHECK_INT(torn.line, 0);
    CHECK_INT(torn.bytes, 0);
    CHECK(access(torn_path, F_OK) != 0);

    /* Cut inside a quoted field of a third row. */
    put_bytes(path, "hybench-runs-2,,,,pi,\"thr", "ab");
    hb_csv_table t;
    CHECK_INT(hb_csv_read(path, &t), 0);
    CHECK_INT(t.nrows, 2);
    CHECK_INT(t.torn_line, 4);
    hb_csv_table_free(&t);
    CHECK_INT(hb_csv_set_aside_torn(path, &torn), 0);
    CHECK_INT(torn.line, 4);
    CHECK_INT(torn.bytes, strlen("hybench-runs-2,,,,pi,\"thr"));
    text = slurp(path, &len);
    CHECK(text && len == len0 && strcmp(text, whole) == 0);
    text = slurp(torn_path, &len);
    CHECK(text && strcmp(text, "hybench-runs-2,,,,pi,\"thr\n") == 0);

    /* Torn again, this time a full-width row without its line end: the
     * appender sets it aside before writing, the file stays readable. */
    put_bytes(path, "hybench-runs-2,cut,here", "ab");
    fill(&rows[0], "pi", "three");
    CHECK_INT(hb_csv_append(path, rows, 1), 0);
    CHECK_INT(hb_csv_read(path, &t), 0);
    CHECK_INT(t.nrows, 3);
    CHECK_INT(t.torn_line, 0);
    if (t.nrows == 3)
        CHECK_STR(t.rows[2][HB_COL_params], "three");
    hb_csv_table_free(&t);
    text = slurp(torn_path, &len);
    CHECK(text && strcmp(text, "hybench-runs-2,,,,pi,\"thr\nhybench-runs-2,cut,here\n") == 0);

    /* Only a torn header: the whole file goes, and the next append writes
     * the header again. */
    unlink(path);
    unlink(torn_path);
    put_bytes(path, "schema,times", "wb");
    CHECK_INT(hb_csv_append(path, rows, 1), 0);
    CHECK_INT(hb_csv_read(path, &t), 0);
    CHECK_INT(t.ncols, HB_NCOLS);
    CHECK_INT(t.nrows, 1);
    hb_csv_table_free(&t);
    text = slurp(torn_path, &len);
    CHECK(text && strcmp(text, "schema,times\n") == 0);
    free(whole);
    unlink(path);
    unlink(torn_path);
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trip();
    test_parse_cases();
    test_write_failure();
    test_rollback();
    test_set_aside();
    rmdir(tmpdir);
    return hb_check_summary();
}
