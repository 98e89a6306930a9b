/* Helpers shared by the libFuzzer targets: a NUL-terminated copy of the
 * input, splitting it into words, and an invariant check that aborts (so the
 * fuzzer reports it as a crash with its input) instead of going on. */
#ifndef HYBENCH_FUZZ_UTIL_H
#define HYBENCH_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* malloc'd copy of data with a terminating NUL (embedded NULs stay). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    FUZZ_CHECK(s != NULL);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Split a writable buffer of size bytes into at most max words at '\n' and
 * '\0' (a command line as a shell would hand it over, one word per line).
 * Returns the word count; words point into buf. */
static inline int fuzz_words(char *buf, size_t size, char **words, int max) {
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && n < max; i++) {
        if (i == size || buf[i] == '\n' || buf[i] == '\0') {
            buf[i] = '\0';
            words[n++] = buf + start;
            start = i + 1;
        }
    }
    return n;
}

#endif
