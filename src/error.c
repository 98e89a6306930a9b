/* Error texts and the per-thread message buffer behind hb_fail(). */
#include "hybench/error.h"

#include "hybench/files.h"

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

/* Messages are one line: a value holding a newline or another control
 * character is shown escaped. */
int hb_fail(int code, const char *fmt, ...) {
    char raw[sizeof last_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    hb_text_escape(raw, last_msg, sizeof last_msg);
    return code;
}

int hb_fail_prefix(int code, const char *fmt, ...) {
    char old[sizeof last_msg];
    snprintf(old, sizeof old, "%s", hb_errmsg(code));
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    va_end(ap);
    /* Truncated, like every message, at the buffer's end. */
    size_t at = n < 0 ? 0 : (size_t)n < sizeof last_msg ? (size_t)n : sizeof last_msg - 1;
    const char *parts[] = {": ", old};
    for (int i = 0; i < 2; i++)
        for (const char *c = parts[i]; *c && at + 1 < sizeof last_msg; c++)
            last_msg[at++] = *c;
    last_msg[at] = '\0';
    return code;
}

const char *hb_errmsg(int code) {
    return last_msg[0] ? last_msg : hb_strerror(code);
}

void hb_err_clear(void) {
    last_msg[0] = '\0';
}
