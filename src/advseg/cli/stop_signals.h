// The signals that stop a long command cleanly (train, experiment). The first
// SIGINT (Ctrl-C), SIGTERM, SIGHUP (a dropped ssh session) or SIGPIPE (`advseg
// train | head` once head has exited) asks for a stop after the current step,
// which saves OUT/last; a second says so again; a third quits at once. The
// command then exits with 128 + the first signal's number, as a shell reports
// a killed process: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP), 141 (SIGPIPE).
#pragma once

#include <string>

namespace advseg {

// `saving`: what a stop saves, for the notices (e.g. "runs/a/last").
void install_stop_handlers(const std::string& saving);

// Whether a stop signal arrived.
bool stop_requested();

// Thrown by a command that saved and stopped early; main exits with `exit_status`.
struct StoppedEarly {
  int exit_status;
};

// Throws StoppedEarly: 128 + the first stop signal's number, or 143 (as for
// SIGTERM) when none arrived here (a data-parallel worker stopping because
// another one did).
[[noreturn]] void stop_early();

}  // namespace advseg
