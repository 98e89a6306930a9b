/* Assertions for the C unit tests: on failure they print the expression,
 * both values and file:line, count the failure and go on. They do not depend
 * on assert(), so they stay on under NDEBUG. A test's main returns
 * hb_check_summary(). */
#ifndef HYBENCH_TESTS_CHECK_H
#define HYBENCH_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int hb_check_failures;
static int hb_check_count;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        hb_check_count++;                                                                          \
        if (!(cond)) {                                                                             \
            hb_check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        hb_check_count++;                                                                          \
        if (va_ != vb_) {                                                                          \
            hb_check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK_INT(%s, %s) failed: %lld != %lld\n", __FILE__, __LINE__, \
                    #a, #b, va_, vb_);                                                             \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *sa_ = (a), *sb_ = (b);                                                         \
        hb_check_count++;                                                                          \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                               \
            hb_check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK_STR(%s, %s) failed: \"%s\" != \"%s\"\n", __FILE__,       \
                    __LINE__, #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                 \
        }                                                                                          \
    } while (0)

/* |a - b| <= tol */
#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double da_ = (a), db_ = (b), dt_ = (tol);                                                  \
        hb_check_count++;                                                                          \
        if (!(fabs(da_ - db_) <= dt_)) {                                                           \
            hb_check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK_NEAR(%s, %s, %s) failed: %.17g vs %.17g\n", __FILE__,    \
                    __LINE__, #a, #b, #tol, da_, db_);                                             \
        }                                                                                          \
    } while (0)

/* Write text to path (a fixture file); a file that cannot be opened is a failed check. */
static inline void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static inline int hb_check_summary(void) {
    if (hb_check_count == 0) {
        fprintf(stderr, "no checks ran\n");
        return 1;
    }
    fprintf(stderr, "%d checks, %d failed\n", hb_check_count, hb_check_failures);
    return hb_check_failures ? 1 : 0;
}

#endif
