/* SIGINT/SIGTERM as a stop request (see signals.h). */
#define _POSIX_C_SOURCE 200809L
#include "hybench/signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t caught;

static void on_signal(int sig) {
    caught = sig;
}

void hb_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    /* The first signal asks to stop at the next task; the handler is then
     * the default again, so a second one ends the process at once (a task
     * may be long: pi --samples 1e12). */
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int hb_interrupted(void) {
    return caught;
}
