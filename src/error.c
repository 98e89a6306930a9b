/* Error texts and the per-thread message buffer behind hb_fail(). */
#include "hybench/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_msg[1024];

const char *hb_strerror(int code) {
    switch (code) {
#define HB_X_TEXT(name, value, status, text)                                                       \
    case name:                                                                                     \
        return text;
        HB_ERRORS(HB_X_TEXT)
#undef HB_X_TEXT
    }
    return "unknown error";
}

int hb_exit_status(int code) {
    switch (code) {
#define HB_X_STATUS(name, value, status, text)                                                     \
    case name:                                                                                     \
        return status;
        HB_ERRORS(HB_X_STATUS)
#undef HB_X_STATUS
    }
    return 1;
}

int hb_fail(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *hb_errmsg(int code) {
    return last_msg[0] ? last_msg : hb_strerror(code);
}

void hb_err_clear(void) {
    last_msg[0] = '\0';
}
