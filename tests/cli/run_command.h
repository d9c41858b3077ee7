// Runs the built advseg binary as a user would, capturing what it prints.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "support/paths.h"

namespace advseg::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a /bin/sh command line, capturing stdout and stderr together.
inline CommandResult run_shell(const std::string& line) {
  const std::string command = "(" + line + ") 2>&1";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs `advseg ARGUMENTS` from the folder `cwd` (the current one when empty).
inline CommandResult run_advseg_in(const std::string& cwd, const std::string& arguments) {
  return run_shell((cwd.empty() ? "" : "cd '" + cwd + "' && ") + binary_dir() + "/advseg " + arguments);
}

inline CommandResult run_advseg(const std::string& arguments) { return run_advseg_in("", arguments); }

}  // namespace advseg::testing
