// Starting the advseg binary as a separate process, to kill or signal it as
// a user (or the machine) would.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/paths.h"

namespace advseg::testing {

struct ChildOptions {
  std::string output_file = "/dev/null";                              // stdout and stderr go here
  rlim_t file_size_limit = RLIM_INFINITY;                             // RLIMIT_FSIZE: simulates a full disk
  std::vector<std::pair<std::string, std::string>> environment = {};  // set in the child only
};

// Starts binary_dir()/advseg with `arguments`; returns its pid.
inline pid_t start_advseg(const std::vector<std::string>& arguments, const ChildOptions& options = {}) {
  std::string binary = testing::binary_dir() + "/advseg";
  std::vector<std::string> argv_strings{binary};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child: redirect output, apply limits, exec.
  FILE* out = std::fopen(options.output_file.c_str(), "a");
  if (out) {
    ::dup2(::fileno(out), 1);
    ::dup2(::fileno(out), 2);
  }
  rlimit limit{options.file_size_limit, options.file_size_limit};
  ::setrlimit(RLIMIT_FSIZE, &limit);
  for (const auto& [name, value] : options.environment) ::setenv(name.c_str(), value.c_str(), 1);
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  ::execv(binary.c_str(), argv.data());
  ::_exit(127);
}

// Waits for the child; its exit code, or 128 + signal when a signal ended it.
inline int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace advseg::testing
