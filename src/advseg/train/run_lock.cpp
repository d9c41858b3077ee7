#include "advseg/train/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "advseg/error.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

std::string holder_pid(int fd) {
  char text[32] = {};
  const auto length = ::pread(fd, text, sizeof text - 1, 0);
  return length > 0 ? std::string(text, static_cast<std::size_t>(length)) : "unknown";
}

}  // namespace

RunLock::RunLock(const fs::path& out_dir) {
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) fail_at(out_dir, "cannot create the output folder (" + error.message() + ")");
  const fs::path path = out_dir / ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    fail_at(path, "cannot open the run's lock file (" + std::generic_category().message(errno) + ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const std::string pid = holder_pid(fd_);
    ::close(fd_);
    fd_ = -1;
    fail_at(out_dir, "in use by another advseg training (pid " + pid +
                         "); wait for it to finish or choose another --out");
  }
  const std::string pid = std::to_string(::getpid());
  // The pid only serves the message above; a failed write changes nothing.
  [[maybe_unused]] const int truncated = ::ftruncate(fd_, 0);
  [[maybe_unused]] const auto written = ::pwrite(fd_, pid.data(), pid.size(), 0);
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace advseg
