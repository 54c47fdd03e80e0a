#include "CFaultGuard.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

// Set only by the thread that holds the caller's lock (HDF5's one lock), read by the handler.
static char message[8192];
static volatile sig_atomic_t has_message = 0;
static volatile sig_atomic_t guarding = 0;
static pthread_t guarded_thread;
static int exit_status = 1;
static struct sigaction previous_segv, previous_bus;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void write_all(const char *text, size_t length) {
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

static void on_fault(int number, siginfo_t *info, void *context) {
    (void)info;
    (void)context;
    if (guarding && has_message && pthread_equal(pthread_self(), guarded_thread)) {
        // Only async-signal-safe calls here: write and _exit.
        write_all(message, strlen(message));
        const char *kind = number == SIGBUS ? " (a bus error in the C library)\n" : " (a segmentation fault in the C library)\n";
        write_all(kind, strlen(kind));
        _exit(exit_status);
    }
    // Not ours: put the previous handler back and return, so the faulting instruction runs
    // again and faults into it.
    sigaction(number, number == SIGBUS ? &previous_bus : &previous_segv, NULL);
}

static void install_once(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_segv);
    sigaction(SIGBUS, &action, &previous_bus);
}

void cfaultguard_install(int status) {
    exit_status = status;
    pthread_once(&once, install_once);
}

void cfaultguard_set_message(const char *text) {
    has_message = 0;
    if (text == NULL) return;
    strncpy(message, text, sizeof message - 1);
    message[sizeof message - 1] = '\0';
    has_message = 1;
}

void cfaultguard_enter(void) {
    guarded_thread = pthread_self();
    guarding = 1;
}

void cfaultguard_leave(void) {
    guarding = 0;
}
