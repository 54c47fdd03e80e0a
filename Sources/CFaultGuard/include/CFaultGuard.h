// A message instead of a crash report when a C library crashes on a damaged input.
#ifndef CFAULTGUARD_H
#define CFAULTGUARD_H

/// Installs the handler for SIGSEGV and SIGBUS once per process (later calls do nothing). A
/// fault on the guarded thread while a message is set prints the message and ends the process
/// with `status`; any other fault goes to the handler that was there before (Swift's crash
/// report) or to the default action.
void cfaultguard_install(int status);

/// The sentence printed on a guarded fault, or NULL for none (faults then crash as before).
/// Copied: the caller's string may go away.
void cfaultguard_set_message(const char *message);

/// Guards faults on the calling thread until `cfaultguard_leave`.
void cfaultguard_enter(void);
void cfaultguard_leave(void);

#endif
