// What advseg's exit status tells a script (README, "Exit status").
#pragma once

namespace advseg {

enum ExitStatus : int {
  kExitSuccess = 0,
  kExitError = 1,          // a user-facing error: the message names the file or setting
  kExitInternalError = 2,  // a bug in advseg: the message says "internal error"
  // Plus the signal's number: a command stopped early by a signal, after
  // saving (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP, 141 SIGPIPE; stop_signals.h).
  kExitStoppedBySignal = 128,
};

}  // namespace advseg
