/* SIGINT/SIGTERM as a request to stop: the handler only sets a flag; the
 * schedule stops handing out tasks, tasks in flight finish, completed results
 * are kept and the program exits non-zero. A second signal ends the process
 * at once (the handler resets itself), rows and files already written kept. */
#ifndef HYBENCH_SIGNALS_H
#define HYBENCH_SIGNALS_H

/* Install the handlers for SIGINT and SIGTERM (idempotent). */
void hb_signals_install(void);

/* The signal received (SIGINT/SIGTERM), or 0. Async-signal-safe to read. */
int hb_interrupted(void);

#endif
