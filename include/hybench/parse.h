/* Checked parsing of option values: numbers and the list syntax shared by all
 * kernels (`0.1,0.2,0.5`, ranges `start:stop:step`, both mixed).
 *
 * Every function takes the option name (`--beta`) only to build its error
 * message: on failure it returns HB_EUSAGE with one line recorded by hb_fail()
 * that names the option and the offending value. Nothing here prints. */
#ifndef HYBENCH_PARSE_H
#define HYBENCH_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Largest number of values one list may expand to; a longer range is refused
 * rather than allocated. */
#define HB_LIST_MAX ((size_t)10000000)

/* A growable list of doubles; zero-initialise, free with hb_dlist_free(). */
typedef struct hb_dlist {
    double *v;
    size_t n, cap;
} hb_dlist;

/* Parse a signed integer in [min, max] (decimal, or an exact float form such as 1e6). */
int hb_parse_long(const char *opt, const char *s, long min, long max, long *out);

/* Parse an unsigned size in [min, max]; accepts decimal and exact forms such as 1e6. */
int hb_parse_size(const char *opt, const char *s, size_t min, size_t max, size_t *out);

/* Parse an unsigned 64-bit integer (decimal or 0x hex), e.g. a seed. */
int hb_parse_u64(const char *opt, const char *s, uint64_t *out);

/* Parse a finite double in [min, max]; NaN, infinities and trailing junk are refused. */
int hb_parse_double(const char *opt, const char *s, double min, double max, double *out);

/* Append the values of one list argument to *list. Items are separated by
 * commas; an item is a number or a range start:stop:step whose values are
 * start + i*step for every i that does not pass stop (stop itself is
 * included within rounding; values are rounded to the decimals written in
 * start and step, so 0.1:0.5:0.1 gives 0.1 0.2 0.3 0.4 0.5 exactly as
 * typed). Empty items, step 0, a step pointing away from stop, NaN/inf and
 * lists longer than HB_LIST_MAX are refused. */
int hb_parse_dlist(const char *opt, const char *s, hb_dlist *list);

/* As hb_parse_dlist, for sizes: every value must be an integer in [min, max]. */
int hb_parse_size_list(const char *opt, const char *s, size_t min, size_t max, size_t **out,
                       size_t *n);

void hb_dlist_free(hb_dlist *list);
int hb_dlist_push(hb_dlist *list, double x);

#endif
