#include "advseg/io/file_bytes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "advseg/error.h"
#include "advseg/io/output_file.h"

namespace advseg {

namespace fs = std::filesystem;

namespace {

enum class Wanted { kFile, kFolder };

// The reason behind a failed stat(), access() or open().
std::string errno_problem(int error_number, Wanted wanted) {
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      return wanted == Wanted::kFile ? "no such file" : "no such folder";
    case ELOOP:
      return "symbolic link loop";
    case EACCES:
    case EPERM:
      return "permission denied";
    case ENAMETOOLONG:
      return "name too long";
    default:
      return "cannot access (" + std::generic_category().message(error_number) + ")";
  }
}

// A missing target of a symbolic link is named: the link itself is there.
std::string not_found_problem(const fs::path& path, Wanted wanted) {
  std::string problem = errno_problem(ENOENT, wanted);
  std::error_code error;
  if (fs::is_symlink(fs::symlink_status(path, error))) {
    const fs::path target = fs::read_symlink(path, error);
    if (!error) problem += " (a symbolic link to the missing " + target.string() + ")";
  }
  return problem;
}

// "" when `path` is of the wanted kind and this process may use it, else why not.
std::string problem_with(const fs::path& path, Wanted wanted) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) return not_found_problem(path, wanted);
  if (error) return errno_problem(error.value(), wanted);
  if (wanted == Wanted::kFile) {
    if (fs::is_directory(status)) return "is a directory, not a file";
    if (!fs::is_regular_file(status))
      return "is " + describe_file_type(status.type()) + ", not a regular file";
  } else if (!fs::is_directory(status)) {
    return "not a folder, it is " + describe_file_type(status.type());
  }
  // Effective ids, as open() uses; root passes unless no execute bit is set.
  const int mode = wanted == Wanted::kFile ? R_OK : R_OK | X_OK;
  if (::faccessat(AT_FDCWD, path.c_str(), mode, AT_EACCESS) != 0) return errno_problem(errno, wanted);
  return "";
}

void require(const fs::path& path, const std::string& what, Wanted wanted) {
  const std::string problem = problem_with(path, wanted);
  if (!problem.empty()) fail_at(path, what.empty() ? problem : what + ": " + problem);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string describe_file_type(fs::file_type type) {
  switch (type) {
    case fs::file_type::regular:
      return "a regular file";
    case fs::file_type::directory:
      return "a directory";
    case fs::file_type::symlink:
      return "a symbolic link";
    case fs::file_type::block:
      return "a block device";
    case fs::file_type::character:
      return "a character device";
    case fs::file_type::fifo:
      return "a FIFO (named pipe)";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::not_found:
      return "nothing (not found)";
    default:
      return "a file of unknown type";
  }
}

void require_regular_file(const fs::path& path, const std::string& what) {
  require(path, what, Wanted::kFile);
}

void require_folder(const fs::path& path, const std::string& what) { require(path, what, Wanted::kFolder); }

std::string read_file_bytes(const fs::path& path) {
  // The type is checked before opening, as opening a FIFO would block.
  require(path, "", Wanted::kFile);
  // O_NONBLOCK: should the file be swapped for a FIFO after the check, the
  // open still returns at once, and fstat() below refuses it.
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) fail_at(path, errno_problem(errno, Wanted::kFile));
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) fail_at(path, errno_problem(errno, Wanted::kFile));
  if (!S_ISREG(status.st_mode)) fail_at(path, "is not a regular file (it changed while being opened)");
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(status.st_size));
  char chunk[1 << 16];
  while (true) {
    const ssize_t count = ::read(file.get(), chunk, sizeof chunk);
    if (count == 0) break;
    if (count < 0) {
      if (errno == EINTR) continue;
      fail_at(path, "read error (" + std::generic_category().message(errno) + ")");
    }
    bytes.append(chunk, static_cast<std::size_t>(count));
  }
  return bytes;
}

void write_file_bytes(const fs::path& path, const std::string& bytes) {
  replace_file(path, [&](const fs::path& file) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) fail_at(path, "cannot open for writing (" + std::generic_category().message(errno) + ")");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) fail_at(path, "cannot write (disk full?)");
  });
}

void create_folders(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) fail_at(folder, "cannot create the folder (" + error.message() + ")");
}

void create_parent_folders(const std::filesystem::path& file) {
  if (file.has_parent_path()) create_folders(file.parent_path());
}

}  // namespace advseg
