/* Numbers as text the way Python prints them, so file names and printed
 * results match the lesson byte for byte: shortest decimal that reads back to
 * the same double, integral values keep ".0" (repr(10.0) == "10.0"), and
 * exponents look like Python's ("1e-05", "1e+16"). */
#ifndef HYBENCH_NUMFMT_H
#define HYBENCH_NUMFMT_H

#include <stddef.h>

/* Largest text hb_fmt_* writes, terminator included. */
#define HB_NUMFMT_MAX 32

/* Python's repr(float(x)): "0.1", "10.0", "1e-05", "nan", "inf". Returns buf. */
char *hb_fmt_repr(char buf[HB_NUMFMT_MAX], double x);

/* As hb_fmt_repr, but an integral value below 2^53 in magnitude prints as an
 * integer ("16", not "16.0"), as Python prints pow() of two ints. */
char *hb_fmt_num(char buf[HB_NUMFMT_MAX], double x);

#endif
