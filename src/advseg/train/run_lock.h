// An exclusive lock on a run's output folder (OUT/.lock, flock), held while
// a training writes there, so two trainings never interleave their
// checkpoints and logs. The kernel releases it when the process ends, also
// on SIGKILL, so a crashed run never leaves a stale lock behind.
#pragma once

#include <filesystem>

namespace advseg {

class RunLock {
 public:
  // Creates `out_dir` if needed and locks it; throws advseg::Error naming the
  // folder (and the pid holding it) when another process holds the lock.
  explicit RunLock(const std::filesystem::path& out_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace advseg
