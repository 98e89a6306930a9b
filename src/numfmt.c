/* Python-style number text (see numfmt.h). Written by hand because C's printf
 * has no shortest-round-trip conversion; the digits come from printf("%.*e")
 * with the smallest precision that reads back exactly. */
#include "hybench/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *hb_fmt_repr(char buf[HB_NUMFMT_MAX], double x) {
    if (isnan(x)) {
        strcpy(buf, "nan");
        return buf;
    }
    if (isinf(x)) {
        strcpy(buf, x < 0 ? "-inf" : "inf");
        return buf;
    }
    if (x == 0) {
        strcpy(buf, signbit(x) ? "-0.0" : "0.0");
        return buf;
    }
    char e[40];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, x);
        if (strtod(e, NULL) == x)
            break;
    }
    /* e is "-d.ddde+XX": split into sign, digits and decimal exponent. */
    const char *p = e;
    int neg = *p == '-';
    p += neg;
    char digits[24];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    int exp10 = atoi(p + 1);
    int decpt = exp10 + 1; /* digits d1 d2 ... mean 0.d1d2... * 10^decpt */
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            o += sprintf(o, "0.");
            for (int i = 0; i < -decpt; i++)
                *o++ = '0';
            o += sprintf(o, "%s", digits);
        } else if (decpt >= nd) {
            o += sprintf(o, "%s", digits);
            for (int i = nd; i < decpt; i++)
                *o++ = '0';
            o += sprintf(o, ".0");
        } else {
            o += sprintf(o, "%.*s.%s", decpt, digits, digits + decpt);
        }
    } else {
        *o++ = digits[0];
        if (nd > 1)
            o += sprintf(o, ".%s", digits + 1);
        o += sprintf(o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    }
    *o = '\0';
    return buf;
}

char *hb_fmt_num(char buf[HB_NUMFMT_MAX], double x) {
    if (isfinite(x) && x == floor(x) && fabs(x) < 9007199254740992.0) {
        snprintf(buf, HB_NUMFMT_MAX, "%.0f", x);
        if (strcmp(buf, "-0") == 0)
            strcpy(buf, "0");
        return buf;
    }
    return hb_fmt_repr(buf, x);
}
