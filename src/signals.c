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
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int hb_interrupted(void) {
    return caught;
}
