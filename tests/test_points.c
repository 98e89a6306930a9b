/* Unit tests of the parameter points (points.h): the product in
 * itertools.product order, zip, text kept as given and ranges printed as
 * Python prints them, CSV files of points, and the refusals. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hybench/error.h"
#include "hybench/points.h"

/* "a=1 b=x" for point i, joined as describe gives it. */
static const char *point(const hb_points *p, size_t i) {
    static char buf[256];
    return hb_points_describe(p, i, buf, sizeof buf);
}

static void test_product(void) {
    hb_points p = {0};
    CHECK_INT(hb_points_add_param(&p, "beta=0.5,1.0,2"), 0);
    CHECK_INT(hb_points_add_param(&p, "m=0.50, 1e-3"), 0);
    CHECK_INT(hb_points_add_param(&p, "model=resnet"), 0);
    CHECK_INT(hb_points_combine(&p, false), 0);
    CHECK_INT(p.n, 6);
    /* itertools.product(beta, m, model): the first list outermost. */
    CHECK_STR(point(&p, 0), "beta=0.5 m=0.50 model=resnet");
    CHECK_STR(point(&p, 1), "beta=0.5 m=1e-3 model=resnet");
    CHECK_STR(point(&p, 2), "beta=1.0 m=0.50 model=resnet");
    CHECK_STR(point(&p, 5), "beta=2 m=1e-3 model=resnet");
    CHECK_INT(hb_points_find(&p, "m"), 1);
    CHECK_INT(hb_points_find(&p, "h"), -1);
    CHECK_STR(hb_points_text(&p, 3, 0), "1.0");
    hb_points_free(&p);

    /* The lesson's 324-point scan: 9 x 9 x 4, beta outermost. */
    CHECK_INT(hb_points_add_param(&p, "beta=0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0"), 0);
    CHECK_INT(hb_points_add_param(&p, "m=0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0"), 0);
    CHECK_INT(hb_points_add_param(&p, "h=0.25,0.5,1.0,2.5"), 0);
    CHECK_INT(hb_points_combine(&p, false), 0);
    CHECK_INT(p.n, 324);
    CHECK_STR(point(&p, 0), "beta=0.1 m=0.1 h=0.25");
    CHECK_STR(point(&p, 4), "beta=0.1 m=0.2 h=0.25");
    CHECK_STR(point(&p, 36), "beta=0.2 m=0.1 h=0.25");
    CHECK_STR(point(&p, 323), "beta=10.0 m=10.0 h=2.5");
    uint64_t h324 = hb_points_hash(&p);
    hb_points_free(&p);

    /* No parameter: one empty point, as itertools.product() gives (). */
    CHECK_INT(hb_points_combine(&p, false), 0);
    CHECK_INT(p.n, 1);
    CHECK_STR(point(&p, 0), "no parameters");
    CHECK(hb_points_hash(&p) != h324);
    hb_points_free(&p);
}

static void test_ranges(void) {
    hb_points p = {0};
    /* Integer literals give integers, as Python's int arithmetic prints. */
    CHECK_INT(hb_points_add(&p, "--param i", "i", "1:4:1,10"), 0);
    CHECK_INT(p.param[0].n, 5);
    CHECK_STR(p.param[0].text[0], "1");
    CHECK_STR(p.param[0].text[3], "4");
    CHECK_STR(p.param[0].text[4], "10");
    /* Floats print as Python's repr: 0.1 + 2 * 0.1 is shown as typed. */
    CHECK_INT(hb_points_add(&p, "--param x", "x", "0.1:0.3:0.1"), 0);
    CHECK_STR(p.param[1].text[0], "0.1");
    CHECK_STR(p.param[1].text[2], "0.3");
    CHECK_INT(hb_points_add(&p, "--param y", "y", "1:2:0.5,1.0:2.0:1"), 0);
    CHECK_STR(p.param[2].text[0], "1.0");
    CHECK_STR(p.param[2].text[1], "1.5");
    CHECK_STR(p.param[2].text[3], "1.0");
    CHECK_STR(p.param[2].text[4], "2.0");
    CHECK_INT(hb_points_add(&p, "--param z", "z", "1e-5:3e-5:1e-5"), 0);
    CHECK_STR(p.param[3].text[0], "1e-05");
    /* A repeated shorthand appends to its list. */
    CHECK_INT(hb_points_add(&p, "--param i", "i", "11"), 0);
    CHECK_INT(p.param[0].n, 6);
    CHECK_STR(p.param[0].text[5], "11");
    hb_points_free(&p);
}

static void test_zip(void) {
    hb_points p = {0};
    CHECK_INT(hb_points_add_param(&p, "beta=0.5,0.5,1.0,1.0,1.0,2.0,2.0"), 0);
    CHECK_INT(hb_points_add_param(&p, "m=0.5,1.0,0.5,1.0,2.0,1.0,2.0"), 0);
    CHECK_INT(hb_points_add_param(&p, "h=1.0"), 0);
    CHECK_INT(hb_points_combine(&p, true), 0);
    CHECK_INT(p.n, 7);
    CHECK_STR(point(&p, 0), "beta=0.5 m=0.5 h=1.0");
    CHECK_STR(point(&p, 4), "beta=1.0 m=2.0 h=1.0");
    CHECK_STR(point(&p, 6), "beta=2.0 m=2.0 h=1.0");
    hb_points_free(&p);

    CHECK_INT(hb_points_add_param(&p, "a=1,2"), 0);
    CHECK_INT(hb_points_add_param(&p, "b=1,2,3"), 0);
    CHECK_INT(hb_points_combine(&p, true), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "--zip: --param a has 2 values") != NULL);
    hb_points_free(&p);
}

static void test_file(void) {
    hb_points p = {0};
    const char *text =
        "# a comment\n\n x , name ,y\r\n1.0, \"a, b\" ,2\n# skipped\n3,\"q\"\"t\",4\n";
    CHECK_INT(hb_points_parse(&p, "p.csv", text, strlen(text)), 0);
    CHECK_INT(p.form, HB_POINTS_TABLE);
    CHECK_INT(p.n, 2);
    CHECK_INT(p.nparams, 3);
    CHECK_STR(point(&p, 0), "x=1.0 name=a, b y=2");
    CHECK_STR(point(&p, 1), "x=3 name=q\"t y=4");
    CHECK_INT(p.line[1], 6);
    CHECK_INT(p.header_line, 3);
    hb_points_free(&p);
}

/* A refusal: HB_EUSAGE, one line, naming needle. */
static void refused_rc(int rc, const char *needle) {
    CHECK_INT(rc, HB_EUSAGE);
    const char *msg = hb_errmsg(rc);
    if (!strstr(msg, needle))
        fprintf(stderr, "  message '%s' lacks '%s'\n", msg, needle);
    CHECK(strstr(msg, needle) != NULL);
    CHECK(strchr(msg, '\n') == NULL);
    hb_err_clear();
}

static void refused_param(const char *arg, const char *needle) {
    hb_points p = {0};
    refused_rc(hb_points_add_param(&p, arg), needle);
    hb_points_free(&p);
}

static void refused_file(const char *text, const char *needle) {
    hb_points p = {0};
    refused_rc(hb_points_parse(&p, "bad.csv", text, strlen(text)), needle);
    hb_points_free(&p);
}

static void test_refusals(void) {
    refused_param("beta", "not NAME=LIST");
    refused_param("=1,2", "does not start with a parameter name");
    refused_param("1x=1", "'1x' is not a parameter name");
    refused_param("a-b=1", "'a-b' is not a parameter name");
    refused_param("x=", "--param x: empty list");
    refused_param("x=1,,2", "empty item");
    refused_param("x=1,2,", "empty item");
    refused_param("x=1:2:0", "step 0");
    refused_param("x=a:b:c", "--param x");
    refused_param("x=1:1e9:1e-9", "more than");
    refused_param("x=a\tb", "control character");
    hb_points p = {0};
    CHECK_INT(hb_points_add_param(&p, "x=1"), 0);
    refused_rc(hb_points_add_param(&p, "x=2"), "--param x: given twice");
    hb_points_free(&p);
    /* A product over the cap is refused before anything is allocated for it. */
    CHECK_INT(hb_points_add_param(&p, "a=1:10000:1"), 0);
    CHECK_INT(hb_points_add_param(&p, "b=1:10000:1"), 0);
    refused_rc(hb_points_combine(&p, false), "--param a/--param b: the product has more than");
    hb_points_free(&p);

    refused_file("", "no header line");
    refused_file("# only a comment\n", "no header line");
    refused_file("x,y\n", "no points after the header");
    refused_file("x,y\n1\n", "bad.csv line 2: 1 fields, but the header has 2");
    refused_file("x,y\n1,2,3\n", "line 2: 3 fields");
    refused_file("x,x\n1,2\n", "column 'x' appears twice");
    refused_file("x,2y\n1,2\n", "'2y' is not a parameter name");
    refused_file("x\n\"1\n", "line 2: unclosed quote");
    refused_file("x\n\"1\"2\n", "text after a closing quote");
    refused_file("x\n1\x01\n", "line 2: a control character");
    refused_file("x,y\n1\t2,3\n", "line 2: a tab or control character in field 1");
    /* A NUL inside the text: the length is given explicitly. */
    hb_points q = {0};
    refused_rc(hb_points_parse(&q, "nul.csv", "x\n1\0\n", 5), "nul.csv line 2: a NUL byte");
    hb_points_free(&q);
    refused_rc(hb_points_read(&q, "does-not-exist.csv"), "does-not-exist.csv");
    hb_points_free(&q);
}

int main(void) {
    test_product();
    test_ranges();
    test_zip();
    test_file();
    test_refusals();
    return hb_check_summary();
}
