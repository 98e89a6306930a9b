/* Fuzz target: the tasks.csv reader of `hybench predict` on any bytes.
 * Checks: a file that parses holds at least one recording, each of at least
 * one task, numbered 0..n-1 by construction, every worker inside its run
 * (worker < ranks x threads), every start and duration finite and >= 0, and
 * the identity fields present. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "hybench/task_times.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_strdup(data, size);
    hb_task_file f;
    if (hb_task_times_parse("fuzz", "tasks.csv", text, size, &f) == 0) {
        FUZZ_CHECK(f.n > 0);
        for (size_t r = 0; r < f.n; r++) {
            const hb_task_rec *rec = &f.v[r];
            FUZZ_CHECK(rec->kernel && rec->params && rec->mode && rec->schedule && rec->round &&
                       rec->launch);
            FUZZ_CHECK(rec->t.n > 0 && rec->nodes >= 1 && rec->ranks >= rec->nodes &&
                       rec->threads >= 1 && rec->chunk >= 1);
            for (size_t i = 0; i < rec->t.n; i++) {
                FUZZ_CHECK(rec->t.worker[i] >= 0 &&
                           (long long)rec->t.worker[i] < (long long)rec->ranks * rec->threads);
                FUZZ_CHECK(isfinite(rec->t.start[i]) && rec->t.start[i] >= 0);
                FUZZ_CHECK(isfinite(rec->t.dur[i]) && rec->t.dur[i] >= 0);
            }
        }
        hb_task_file_free(&f);
    }
    free(text);
    return 0;
}
