/* Error codes and the one message buffer that explains the last failure.
 *
 * Functions return 0 or a negative HB_E... code. The function that detects a
 * failure also records one human line with hb_fail(); the subcommand prints
 * it once (under MPI the lowest failing rank, through hb_run_agree) and main()
 * turns the code into the exit status (hb_exit_status). The message buffer is
 * thread-local, so worker threads can fail independently. */
#ifndef HYBENCH_ERROR_H
#define HYBENCH_ERROR_H

/* X(name, value, exit status, text) */
#define HB_ERRORS(X)                                                                               \
    X(HB_OK, 0, 0, "success")                                                                      \
    X(HB_EUSAGE, -1, 2, "bad usage or bad input")                                                  \
    X(HB_ELAYOUT, -2, 2, "impossible layout")                                                      \
    X(HB_ENOMEM, -3, 1, "out of memory")                                                           \
    X(HB_EIO, -4, 1, "input/output error")                                                         \
    X(HB_EMPI, -5, 1, "MPI error")                                                                 \
    X(HB_EHWLOC, -6, 1, "hwloc error")                                                             \
    X(HB_EVERIFY, -7, 1, "result did not verify")                                                  \
    X(HB_EINTR, -8, 1, "interrupted by a signal")                                                  \
    X(HB_ELAUNCH, -9, 1, "a launch failed")                                                        \
    X(HB_EINTERNAL, -10, 1, "internal error")                                                      \
    X(HB_ETASK, -11, 1, "a task failed")

enum hb_error {
#define HB_X_ENUM(name, value, status, text) name = value,
    HB_ERRORS(HB_X_ENUM)
#undef HB_X_ENUM
};

/* Text for a code ("bad usage or bad input"); never NULL. */
const char *hb_strerror(int code);

/* Process exit status for a code: 0, 1 (run failed / not verified) or 2 (bad input). */
int hb_exit_status(int code);

/* Record a printf-style message for the current thread and return code, so a
 * caller can write `return hb_fail(HB_EUSAGE, "--threads: '%s' is not ...", s);`.
 * The message is one line without a trailing newline. */
int hb_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Put a printf-style prefix and ": " before the current thread's message and
 * return code: `return hb_fail_prefix(rc, "--kernel '%s'", text);` turns
 * "--streams: 'x' is not a number" into "--kernel 'pi --streams x': --streams:
 * 'x' is not a number". (Formatting hb_errmsg() into hb_fail() instead would
 * write the message buffer into itself.) */
int hb_fail_prefix(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The current thread's last message, or hb_strerror(code) when none was set. */
const char *hb_errmsg(int code);

/* Forget the current thread's message. */
void hb_err_clear(void);

#endif
