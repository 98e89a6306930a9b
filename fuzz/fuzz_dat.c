/* Fuzz target: the mc kernel's .dat reader used by --resume, hb_mc_parse(),
 * on any bytes. Its contract: it accepts exactly what hb_mc_format() writes,
 * so whatever it accepts must format back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "hybench/error.h"
#include "hybench/mc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hb_mc_file f;
    int rc = hb_mc_parse((const char *)data, size, &f);
    if (rc != 0) {
        FUZZ_CHECK(rc == HB_EIO || rc == HB_ENOMEM);
        hb_err_clear();
        return 0;
    }
    char *text = NULL;
    size_t len = 0;
    FUZZ_CHECK(hb_mc_format(&f, &text, &len) == 0);
    FUZZ_CHECK(len == size && memcmp(text, data, size) == 0);
    free(text);
    hb_mc_file_free(&f);
    hb_err_clear();
    return 0;
}
