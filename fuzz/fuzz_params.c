/* Fuzz target: parameter points (points.h) and the cmd kernel's templates
 * (cmd.h). The first byte picks the source: bit 0 a CSV file of points (the
 * rest of the input) or --param words (one per line, the first line is the
 * template, bit 1 --zip); bits 2-3 how the template is compiled (a command,
 * a command for --shell, or one path). Checks: a refusal is HB_EUSAGE or
 * HB_ENOMEM with one line; accepted points hold no control character, every
 * index is in range and every point can be named; a compiled template
 * expands on the first points to the words it was compiled into. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "hybench/cmd.h"
#include "hybench/error.h"
#include "hybench/points.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refused(int rc) {
    FUZZ_CHECK(rc == HB_EUSAGE || rc == HB_ENOMEM);
    FUZZ_CHECK(strchr(hb_errmsg(rc), '\n') == NULL);
    hb_err_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    char *s = fuzz_strdup(data + 1, size - 1);
    hb_points pts = {0};
    const char *tmpl = "echo {task}";
    int rc;
    if (mode & 1) {
        rc = hb_points_parse(&pts, "points.csv", s, size - 1);
    } else {
        char *words[16];
        int n = fuzz_words(s, size - 1, words, 16);
        rc = 0;
        if (n > 0)
            tmpl = words[0];
        for (int i = 1; i < n && !rc; i++)
            rc = hb_points_add_param(&pts, words[i]);
        if (!rc)
            rc = hb_points_combine(&pts, mode & 2);
    }
    if (rc) {
        refused(rc);
        goto out;
    }
    FUZZ_CHECK(pts.n >= 1 && pts.n <= HB_POINTS_MAX && pts.nparams <= HB_PARAMS_MAX);
    for (size_t j = 0; j < pts.nparams; j++) {
        FUZZ_CHECK(hb_param_name_ok(pts.param[j].name));
        FUZZ_CHECK(hb_points_find(&pts, pts.param[j].name) == (int)j);
        for (size_t k = 0; k < pts.param[j].n; k++)
            for (const char *c = pts.param[j].text[k]; *c; c++)
                FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
    }
    size_t show = pts.n < 64 ? pts.n : 64;
    for (size_t i = 0; i < show; i++) {
        char buf[64];
        hb_points_describe(&pts, i, buf, sizeof buf);
        FUZZ_CHECK(strlen(buf) < sizeof buf);
        for (size_t j = 0; j < pts.nparams; j++)
            FUZZ_CHECK(hb_points_index(&pts, i, j) < pts.param[j].n);
    }
    (void)hb_points_hash(&pts);

    hb_tmpl t;
    unsigned how = (mode >> 2) & 3;
    bool split = how != 2, shell = how == 1;
    rc = hb_tmpl_compile(&t, "--command", tmpl, split, shell, &pts,
                         HB_TMPL_POINT | HB_TMPL_WORKER | HB_TMPL_SEED);
    if (rc) {
        refused(rc);
        goto out;
    }
    hb_str out = {0};
    for (size_t i = 0; i < show; i++) {
        hb_tmpl_vars v = {&pts, i, 1, "0-3", 42};
        size_t nw = 0;
        FUZZ_CHECK(hb_tmpl_expand(&t, &v, &out, &nw) == 0);
        FUZZ_CHECK(nw == (t.split ? t.nwords : 1));
        if (split)
            FUZZ_CHECK(nw >= 1);
    }
    char *prog = hb_tmpl_program(&t);
    free(prog);
    hb_str_free(&out);
    hb_tmpl_free(&t);
out:
    hb_points_free(&pts);
    free(s);
    return 0;
}
