/* Unit tests of the option-value parsers (parse.h) and the option parser
 * (args.h): numbers with end pointer, range, NaN/inf and empty checks; the
 * list syntax `a,b,c` and `start:stop:step`; unknown options, missing
 * values, flags given values, --name=value and repeated options. */
#include <float.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/parse.h"

/* The message names the option: every failure must say which option it was. */
#define CHECK_MSG_NAMES(rc, word) CHECK(strstr(hb_errmsg(rc), (word)) != NULL)

/* A list parse that must fail with HB_EUSAGE and a message naming the option. */
static void expect_bad_list(const char *s) {
    hb_dlist l = {0};
    hb_err_clear();
    int rc = hb_parse_dlist("--beta", s, &l);
    if (rc != HB_EUSAGE)
        fprintf(stderr, "list '%s' was accepted (%zu values)\n", s, l.n);
    CHECK_INT(rc, HB_EUSAGE);
    CHECK_MSG_NAMES(rc, "--beta");
    CHECK(strchr(hb_errmsg(rc), '\n') == NULL);
    hb_dlist_free(&l);
}

/* A list parse that must give exactly the doubles in want[0..n). */
static void expect_list(const char *s, const double *want, size_t n) {
    hb_dlist l = {0};
    int rc = hb_parse_dlist("--beta", s, &l);
    CHECK_INT(rc, 0);
    if (rc)
        fprintf(stderr, "list '%s': %s\n", s, hb_errmsg(rc));
    CHECK_INT(l.n, n);
    for (size_t i = 0; i < n && i < l.n; i++) {
        if (l.v[i] != want[i])
            fprintf(stderr, "list '%s' item %zu: %.17g != %.17g\n", s, i, l.v[i], want[i]);
        CHECK(l.v[i] == want[i]);
    }
    hb_dlist_free(&l);
}

static void test_double(void) {
    double x = -1;
    CHECK_INT(hb_parse_double("--m", "1.5", 0, 10, &x), 0);
    CHECK(x == 1.5);
    CHECK_INT(hb_parse_double("--m", "-2e-3", -1, 1, &x), 0);
    CHECK(x == -2e-3);
    CHECK_INT(hb_parse_double("--m", "10", 0, 10, &x), 0); /* bounds are inclusive */
    CHECK(x == 10);
    CHECK_INT(hb_parse_double("--m", "0", 0, 10, &x), 0);

    /* Each failure leaves *out alone and names the option and the value. */
    static const char *const bad[] = {"",      "   ",    "abc",  "1.5x", "1.5 ", "1..5",
                                      "nan",   "NaN",    "-nan", "inf",  "-inf", "Infinity",
                                      "1e999", "-1e999", "1,5",  "--1",  "0x",   "e5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        x = 42;
        hb_err_clear();
        int rc = hb_parse_double("--m", bad[i], -1e300, 1e300, &x);
        if (rc != HB_EUSAGE)
            fprintf(stderr, "hb_parse_double accepted '%s' as %.17g\n", bad[i], x);
        CHECK_INT(rc, HB_EUSAGE);
        CHECK(x == 42);
        CHECK_MSG_NAMES(rc, "--m");
    }
    CHECK_INT(hb_parse_double("--m", NULL, 0, 1, &x), HB_EUSAGE);
    int rc = hb_parse_double("--m", "10.5", 0, 10, &x);
    CHECK_INT(rc, HB_EUSAGE);
    CHECK_MSG_NAMES(rc, "10.5");
    CHECK_INT(hb_parse_double("--m", "-0.001", 0, 10, &x), HB_EUSAGE);
    rc = hb_parse_double("--m", "1.5x", 0, 10, &x);
    CHECK_MSG_NAMES(rc, "'1.5x'");
}

static void test_long(void) {
    long v = 0;
    CHECK_INT(hb_parse_long("--n", "42", 0, 100, &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(hb_parse_long("--n", "-3", -10, 10, &v), 0);
    CHECK_INT(v, -3);
    CHECK_INT(hb_parse_long("--n", "1e6", 0, 10000000, &v), 0); /* exact float form */
    CHECK_INT(v, 1000000);
    CHECK_INT(hb_parse_long("--n", "2.5e1", 0, 100, &v), 0);
    CHECK_INT(v, 25);
    CHECK_INT(hb_parse_long("--n", "9223372036854775807", 0, LONG_MAX, &v), 0);
    CHECK(v == LONG_MAX);

    static const char *const bad[] = {"",
                                      " ",
                                      "abc",
                                      "1.5",
                                      "12abc",
                                      "1e-3",
                                      "nan",
                                      "inf",
                                      "-inf",
                                      "1e99",
                                      "99999999999999999999",
                                      "4 2",
                                      "0.5e0",
                                      "1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        hb_err_clear();
        int rc = hb_parse_long("--n", bad[i], LONG_MIN, LONG_MAX, &v);
        if (rc != HB_EUSAGE)
            fprintf(stderr, "hb_parse_long accepted '%s' as %ld\n", bad[i], v);
        CHECK_INT(rc, HB_EUSAGE);
        CHECK_INT(v, 7);
        CHECK_MSG_NAMES(rc, "--n");
    }
    /* Range, also for a value reached through the float form. */
    CHECK_INT(hb_parse_long("--n", "0", 1, 10, &v), HB_EUSAGE);
    CHECK_INT(hb_parse_long("--n", "11", 1, 10, &v), HB_EUSAGE);
    CHECK_INT(hb_parse_long("--n", "1e2", 1, 10, &v), HB_EUSAGE);
    CHECK_INT(hb_parse_long("--n", "-1", 0, 10, &v), HB_EUSAGE);
}

static void test_size(void) {
    size_t v = 0;
    CHECK_INT(hb_parse_size("--streams", "64", 1, 1000, &v), 0);
    CHECK_INT(v, 64);
    CHECK_INT(hb_parse_size("--streams", "1e3", 1, 1000, &v), 0);
    CHECK_INT(v, 1000);
    CHECK_INT(hb_parse_size("--streams", "1", 1, SIZE_MAX, &v), 0); /* max above LONG_MAX */
    CHECK_INT(v, 1);
    static const char *const bad[] = {"-1", "0", "1001", "1e99", "abc", "", "1.5", "-0", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        int rc = hb_parse_size("--streams", bad[i], 1, 1000, &v);
        if (rc != HB_EUSAGE)
            fprintf(stderr, "hb_parse_size accepted '%s' as %zu\n", bad[i], v);
        CHECK_INT(rc, HB_EUSAGE);
        CHECK_INT(v, 7);
        CHECK_MSG_NAMES(rc, "--streams");
    }
}

static void test_u64(void) {
    uint64_t v = 0;
    CHECK_INT(hb_parse_u64("--seed", "0", &v), 0);
    CHECK(v == 0);
    CHECK_INT(hb_parse_u64("--seed", "18446744073709551615", &v), 0);
    CHECK(v == UINT64_MAX);
    CHECK_INT(hb_parse_u64("--seed", "0x10", &v), 0);
    CHECK(v == 16);
    CHECK_INT(hb_parse_u64("--seed", "12345", &v), 0);
    CHECK(v == 12345);
    /* The contract is "decimal or 0x hex": a leading zero is still decimal. */
    v = 0;
    CHECK_INT(hb_parse_u64("--seed", "010", &v), 0);
    CHECK(v == 10);
    v = 0;
    CHECK_INT(hb_parse_u64("--seed", "08", &v), 0);
    CHECK(v == 8);
    static const char *const bad[] = {"-1",  " -1", "",   "abc", "18446744073709551616",
                                      "1.5", "nan", "1 ", "0x",  "-0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        int rc = hb_parse_u64("--seed", bad[i], &v);
        if (rc != HB_EUSAGE)
            fprintf(stderr, "hb_parse_u64 accepted '%s' as %llu\n", bad[i], (unsigned long long)v);
        CHECK_INT(rc, HB_EUSAGE);
        CHECK(v == 7);
        CHECK_MSG_NAMES(rc, "--seed");
    }
}

static void test_lists(void) {
    /* Exactly what a person typed, not 0.30000000000000004. */
    expect_list("0.1:0.5:0.1", (const double[]){0.1, 0.2, 0.3, 0.4, 0.5}, 5);
    expect_list("0.1,0.2,0.5", (const double[]){0.1, 0.2, 0.5}, 3);
    expect_list("7", (const double[]){7}, 1);
    expect_list("1:3:1", (const double[]){1, 2, 3}, 3);
    expect_list("0:1:0.25", (const double[]){0, 0.25, 0.5, 0.75, 1}, 5);
    expect_list("0:0.9:0.4", (const double[]){0, 0.4, 0.8}, 3); /* stop not on the grid */
    expect_list("1:0:-0.5", (const double[]){1, 0.5, 0}, 3);    /* descending */
    expect_list("2:2:1", (const double[]){2}, 1);               /* start == stop */
    expect_list("0.7:1.3:0.3", (const double[]){0.7, 1.0, 1.3}, 3);
    expect_list("0.05:0.25:0.05", (const double[]){0.05, 0.1, 0.15, 0.2, 0.25}, 5);
    expect_list("-0.3:0.3:0.3", (const double[]){-0.3, 0, 0.3}, 3);
    /* Mixed items keep their order. */
    expect_list("1,2:4:1,7,0.5:0.6:0.1", (const double[]){1, 2, 3, 4, 7, 0.5, 0.6}, 7);
    expect_list("3,1,2,1", (const double[]){3, 1, 2, 1}, 4);

    /* Appending to a list that already holds values. */
    hb_dlist l = {0};
    CHECK_INT(hb_parse_dlist("--beta", "1,2", &l), 0);
    CHECK_INT(hb_parse_dlist("--beta", "3:4:1", &l), 0);
    CHECK_INT(l.n, 4);
    if (l.n == 4)
        CHECK(l.v[0] == 1 && l.v[1] == 2 && l.v[2] == 3 && l.v[3] == 4);
    hb_dlist_free(&l);
    CHECK(l.v == NULL && l.n == 0);

    /* A long range expands to every value (and stop within rounding). */
    CHECK_INT(hb_parse_dlist("--beta", "0:1:0.001", &l), 0);
    CHECK_INT(l.n, 1001);
    if (l.n == 1001)
        CHECK(l.v[1000] == 1.0 && l.v[123] == 0.123);
    hb_dlist_free(&l);

    static const char *const bad[] = {"",
                                      " ",
                                      "1,,2",
                                      ",1",
                                      "1,",
                                      ",",
                                      "1:2",
                                      "1:2:3:4",
                                      "::",
                                      "1::1",
                                      ":2:1",
                                      "1:2:",
                                      "0:1:0",
                                      "0:1:-0.1",
                                      "1:0:1",
                                      "0:1:0.0",
                                      "0:1:-0",
                                      "abc",
                                      "1,abc",
                                      "nan",
                                      "1,nan",
                                      "inf",
                                      "0:inf:1",
                                      "0:1:nan",
                                      "nan:1:0.1",
                                      "0:1e300:1e-300",
                                      "0:10000000:1",
                                      "-1e308:1e308:1",
                                      "1e999",
                                      "0:1:1e-320",
                                      "1;2",
                                      "1 2",
                                      "0.1:0.5:0.1x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_bad_list(bad[i]);
    CHECK_INT(hb_parse_dlist("--beta", NULL, &l), HB_EUSAGE);
    hb_dlist_free(&l);
}

static void test_size_list(void) {
    size_t *v = NULL, n = 0;
    CHECK_INT(hb_parse_size_list("--chunk", "1,5,64", 1, 1000, &v, &n), 0);
    CHECK_INT(n, 3);
    if (n == 3)
        CHECK(v[0] == 1 && v[1] == 5 && v[2] == 64);
    free(v);
    v = NULL;
    CHECK_INT(hb_parse_size_list("--chunk", "1:9:4", 1, 1000, &v, &n), 0);
    CHECK_INT(n, 3);
    if (n == 3)
        CHECK(v[0] == 1 && v[1] == 5 && v[2] == 9);
    free(v);
    static const char *const bad[] = {"0",   "1.5",  "-1",        "1001", ",",
                                      "nan", "1,,2", "0.5:2:0.5", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = NULL;
        n = 99;
        int rc = hb_parse_size_list("--chunk", bad[i], 1, 1000, &v, &n);
        if (rc != HB_EUSAGE)
            fprintf(stderr, "hb_parse_size_list accepted '%s'\n", bad[i]);
        CHECK_INT(rc, HB_EUSAGE);
        CHECK(v == NULL);
        CHECK_MSG_NAMES(rc, "--chunk");
        if (rc == 0)
            free(v);
    }
}

/* --- args ------------------------------------------------------------- */

static const hb_option table_a[] = {
    {"alpha", "X", "an option with a value"},
    {"flag", NULL, "a flag"},
    {"alphabet", "Y", "a longer name that starts like alpha"},
    {NULL, NULL, NULL},
};
static const hb_option table_b[] = {
    {"beta", "LIST...", "a repeatable option from a second table"},
    {NULL, NULL, NULL},
};
static const hb_option *const tables[] = {table_a, table_b, NULL};

/* Parse words; returns the code, with *a owning the result on success. */
static int parse_words(hb_args *a, int argc, const char *const *words) {
    char *argv[16];
    for (int i = 0; i < argc; i++)
        argv[i] = (char *)words[i];
    hb_err_clear();
    return hb_args_parse(argc, argv, tables, a);
}

#define PARSE(a, ...)                                                                              \
    parse_words((a), (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),          \
                (const char *const[]){__VA_ARGS__})

/* A command line that must fail with HB_EUSAGE, one line naming `word`. */
#define EXPECT_BAD_ARGS(word, ...)                                                                 \
    do {                                                                                           \
        hb_args a_;                                                                                \
        int rc_ = PARSE(&a_, __VA_ARGS__);                                                         \
        CHECK_INT(rc_, HB_EUSAGE);                                                                 \
        if (rc_ == HB_EUSAGE) {                                                                    \
            CHECK_MSG_NAMES(rc_, word);                                                            \
            CHECK(strchr(hb_errmsg(rc_), '\n') == NULL);                                           \
            CHECK(a_.v == NULL && a_.n == 0);                                                      \
        } else if (rc_ == 0) {                                                                     \
            hb_args_free(&a_);                                                                     \
        }                                                                                          \
    } while (0)

static void test_args(void) {
    hb_args a;
    /* --name value and --name=value, values kept as text. */
    CHECK_INT(PARSE(&a, "--alpha", "5", "--beta=0.1:0.5:0.1", "--flag"), 0);
    CHECK_INT(a.n, 3);
    CHECK_STR(hb_args_get(&a, "alpha"), "5");
    CHECK_STR(hb_args_get(&a, "beta"), "0.1:0.5:0.1");
    CHECK(hb_args_has(&a, "flag"));
    CHECK(hb_args_get(&a, "flag") == NULL);
    CHECK(!hb_args_has(&a, "alphabet"));
    CHECK(hb_args_get(&a, "alphabet") == NULL);
    CHECK_INT(hb_args_count(&a, "alphabet"), 0);
    CHECK_INT(a.npositional, 0);
    hb_args_free(&a);
    CHECK(a.v == NULL && a.n == 0);

    /* A value option that is not repeatable may be given once: the second
     * is refused naming both values, rather than the last silently winning. */
    hb_err_clear();
    CHECK_INT(PARSE(&a, "--alpha", "1", "--flag", "--alpha=2"), HB_EUSAGE);
    CHECK_STR(hb_errmsg(HB_EUSAGE), "--alpha: given twice ('1', then '2'); give it once");
    /* A misspelt option names the nearest one. */
    CHECK_INT(PARSE(&a, "--alpah", "1"), HB_EUSAGE);
    CHECK_STR(hb_errmsg(HB_EUSAGE), "unknown option '--alpah' (did you mean --alpha?)");
    CHECK_INT(PARSE(&a, "--bet", "1"), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "did you mean --beta?") != NULL);
    CHECK_INT(PARSE(&a, "--zzzzzz", "1"), HB_EUSAGE);
    CHECK_STR(hb_errmsg(HB_EUSAGE), "unknown option '--zzzzzz'");
    CHECK(hb_options_nearest(tables, "alphabte") == &table_a[2]);

    /* Repeatable options (a metavar ending in "...") keep every occurrence,
     * in order; get returns the last. Flags may repeat. */
    CHECK_INT(PARSE(&a, "--beta", "1", "--alpha=x", "--beta=2", "--beta", "3", "--flag", "--flag"),
              0);
    CHECK_INT(hb_args_count(&a, "beta"), 3);
    CHECK_STR(hb_args_nth(&a, "beta", 0), "1");
    CHECK_STR(hb_args_nth(&a, "beta", 1), "2");
    CHECK_STR(hb_args_nth(&a, "beta", 2), "3");
    CHECK(hb_args_nth(&a, "beta", 3) == NULL);
    CHECK_STR(hb_args_get(&a, "beta"), "3");
    CHECK_INT(hb_args_count(&a, "flag"), 2);
    CHECK_INT(a.n, 6);
    if (a.n == 6) {
        CHECK_STR(a.v[0].name, "beta");
        CHECK_STR(a.v[1].name, "alpha");
        CHECK_STR(a.v[2].value, "2");
        CHECK_STR(a.v[5].name, "flag");
    }
    hb_args_free(&a);

    /* Empty value with '=', a value that starts with '-', a value holding '='. */
    CHECK_INT(PARSE(&a, "--alpha=", "--alphabet", "-3", "--beta", "a=b"), 0);
    CHECK_STR(hb_args_get(&a, "alpha"), "");
    CHECK_STR(hb_args_get(&a, "alphabet"), "-3");
    CHECK_STR(hb_args_get(&a, "beta"), "a=b");
    hb_args_free(&a);
    CHECK_INT(PARSE(&a, "--alpha=x=y"), 0);
    CHECK_STR(hb_args_get(&a, "alpha"), "x=y");
    hb_args_free(&a);

    /* Positional words, up to four; "-" is a word, not an option. */
    CHECK_INT(PARSE(&a, "file.csv", "--flag", "-"), 0);
    CHECK_INT(a.npositional, 2);
    CHECK_STR(a.positional[0], "file.csv");
    CHECK_STR(a.positional[1], "-");
    hb_args_free(&a);
    CHECK_INT(PARSE(&a, "a", "b", "c", "d"), 0);
    CHECK_INT(a.npositional, 4);
    hb_args_free(&a);

    /* No words at all. */
    CHECK_INT(parse_words(&a, 0, NULL), 0);
    CHECK_INT(a.n, 0);
    hb_args_free(&a);

    /* Failures: each names the word. */
    EXPECT_BAD_ARGS("--nope", "--nope");
    EXPECT_BAD_ARGS("--nope", "--alpha", "1", "--nope=3");
    EXPECT_BAD_ARGS("--alph", "--alph", "1");           /* no abbreviations */
    EXPECT_BAD_ARGS("--alphabets", "--alphabets", "1"); /* no prefix matches */
    EXPECT_BAD_ARGS("-x", "-x");
    EXPECT_BAD_ARGS("-alpha", "-alpha", "1");
    EXPECT_BAD_ARGS("--", "--");
    EXPECT_BAD_ARGS("--alpha", "--alpha");         /* missing value */
    EXPECT_BAD_ARGS("--beta", "--flag", "--beta"); /* missing value, last word */
    EXPECT_BAD_ARGS("--flag", "--flag=1");         /* flag given a value */
    EXPECT_BAD_ARGS("--flag", "--flag=");          /* even an empty one */
    EXPECT_BAD_ARGS("e", "a", "b", "c", "d", "e"); /* a fifth positional */
    EXPECT_BAD_ARGS("--ALPHA", "--ALPHA", "1");    /* case matters */
}

/* Blank-separated words; quotes group words and are removed. */
static void test_words(void) {
    char **w;
    int n;
    CHECK_INT(hb_words_split("--kernel", "cmd --command 'python3 w.py {beta}' --x=\"a b\"", &w, &n),
              0);
    CHECK_INT(n, 4);
    if (n == 4) {
        CHECK_STR(w[0], "cmd");
        CHECK_STR(w[2], "python3 w.py {beta}");
        CHECK_STR(w[3], "--x=a b");
        CHECK(w[4] == NULL);
    }
    hb_words_free(w);
    CHECK_INT(hb_words_split("--kernel", "  ", &w, &n), 0);
    CHECK_INT(n, 0);
    hb_words_free(w);
    CHECK_INT(hb_words_split("--kernel", "pi 'open", &w, &n), HB_EUSAGE);
    CHECK_STR(hb_errmsg(HB_EUSAGE), "--kernel: unclosed quote in 'pi 'open'");
}

int main(void) {
    test_words();
    test_double();
    test_long();
    test_size();
    test_u64();
    test_lists();
    test_size_list();
    test_args();
    return hb_check_summary();
}
