/* Fuzz target: the list/range syntax (`0.1,0.2`, `start:stop:step`) of
 * hb_parse_dlist() and hb_parse_size_list(). The first two bytes pick the
 * size bounds (those of --chunk, or the full size_t range), the rest is the
 * list text. Checks: a refusal leaves a message, an accepted list is
 * non-empty, finite, within HB_LIST_MAX and within the bounds. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "hybench/error.h"
#include "hybench/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    static const size_t mins[] = {0, 1, 2, 1000};
    static const size_t maxs[] = {(size_t)1 << 40, SIZE_MAX, 1, 100000};
    size_t min = mins[data[0] & 3], max = maxs[(data[0] >> 2) & 3];
    char *s = fuzz_strdup(data + 1, size - 1);

    hb_dlist list = {0};
    int rc = hb_parse_dlist("--beta", s, &list);
    if (rc == 0) {
        FUZZ_CHECK(list.n >= 1 && list.n <= HB_LIST_MAX);
        for (size_t i = 0; i < list.n; i++)
            FUZZ_CHECK(isfinite(list.v[i]));
        /* Appending a second time doubles the list (argparse's action="append"). */
        size_t n1 = list.n;
        if (hb_parse_dlist("--beta", s, &list) == 0) {
            FUZZ_CHECK(list.n == 2 * n1);
            FUZZ_CHECK(memcmp(list.v, list.v + n1, n1 * sizeof *list.v) == 0);
        }
    } else {
        FUZZ_CHECK(rc == HB_EUSAGE);
        FUZZ_CHECK(strncmp(hb_errmsg(rc), "--beta", 6) == 0);
    }
    hb_dlist_free(&list);

    size_t *v = NULL, n = 0;
    rc = hb_parse_size_list("--chunk", s, min, max, &v, &n);
    if (rc == 0) {
        FUZZ_CHECK(n >= 1 && n <= HB_LIST_MAX);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(v[i] >= min && v[i] <= max);
        free(v);
    } else {
        FUZZ_CHECK(rc == HB_EUSAGE);
        FUZZ_CHECK(strncmp(hb_errmsg(rc), "--chunk", 7) == 0);
    }
    hb_err_clear();
    free(s);
    return 0;
}
