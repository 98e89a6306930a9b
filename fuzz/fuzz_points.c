/* Fuzz target: the mc kernel's `--points FILE` reader, hb_mc_points_parse(),
 * on any bytes. Checks: a refusal is bad input naming the file; accepted
 * points are finite and positive, thermalize < iterations, slices >= 2, and
 * every point has a file name that fits its buffer. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "hybench/error.h"
#include "hybench/mc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const hb_mc_defaults defaults[] = {
        {1000, UINT64_MAX, 64},
        {10, 0, 2},
    };
    const hb_mc_defaults *d = &defaults[size & 1];
    hb_mc_point *p = NULL;
    size_t n = 0;
    int rc = hb_mc_points_parse("points.csv", (const char *)data, size, d, &p, &n);
    if (rc != 0) {
        FUZZ_CHECK(rc == HB_EUSAGE || rc == HB_ENOMEM);
        if (rc == HB_EUSAGE)
            FUZZ_CHECK(strstr(hb_errmsg(rc), "points.csv") != NULL);
        hb_err_clear();
        return 0;
    }
    FUZZ_CHECK(n <= HB_MC_POINTS_MAX);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(isfinite(p[i].beta) && p[i].beta > 0);
        FUZZ_CHECK(isfinite(p[i].m) && p[i].m > 0);
        FUZZ_CHECK(isfinite(p[i].h) && p[i].h > 0);
        FUZZ_CHECK(p[i].thermalize < p[i].iterations);
        FUZZ_CHECK(p[i].iterations <= HB_MC_ITERATIONS_MAX);
        FUZZ_CHECK(p[i].slices >= 2 && p[i].slices <= HB_MC_SLICES_MAX);
        char name[HB_MC_NAME_MAX];
        FUZZ_CHECK(hb_mc_file_name(name, &p[i]) == name);
        FUZZ_CHECK(strlen(name) < HB_MC_NAME_MAX && strchr(name, '/') == NULL);
    }
    free(p);
    hb_err_clear();
    return 0;
}
