#include "advseg/io/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

// The path with links and ".." resolved, for the parts that exist.
fs::path resolved(const fs::path& path) {
  std::error_code error;
  const auto canonical = fs::weakly_canonical(fs::absolute(path), error);
  return error ? fs::absolute(path).lexically_normal() : canonical;
}

// Whether `inner` is `outer` or lies inside it (both resolved).
bool is_within(const fs::path& inner, const fs::path& outer) {
  const auto relative = inner.lexically_relative(outer);
  return !relative.empty() && *relative.begin() != "..";
}

void check_not_read(const fs::path& out, const std::vector<ReadPath>& reads, const std::string& flag) {
  const auto target = resolved(out);
  for (const auto& read : reads) {
    if (read.path.empty()) continue;
    const auto source = resolved(read.path);
    if (!is_within(target, source)) continue;
    const std::string where = target == source ? "is " : "is inside ";
    fail_at(out, flag + " " + where + read.what + " " + read.path.string() +
                     ", which this command reads; choose another " + flag);
  }
}

// The file's bytes on the disk before it is renamed into place, so a crash
// cannot leave the new name pointing at an empty file.
void sync_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

fs::file_type type_of(const fs::path& path) {
  std::error_code error;
  return fs::status(path, error).type();
}

}  // namespace

void check_output_file(const fs::path& out, const std::vector<ReadPath>& reads, const std::string& flag) {
  if (type_of(out) == fs::file_type::directory) fail_at(out, flag + " is a folder; give the file to write");
  check_not_read(out, reads, flag);
}

void check_output_folder(const fs::path& out, const std::vector<ReadPath>& reads, const std::string& flag) {
  const auto type = type_of(out);
  if (type != fs::file_type::not_found && type != fs::file_type::directory)
    fail_at(out, flag + " must be a folder, but this is " + describe_file_type(type));
  check_not_read(out, reads, flag);
}

void replace_file(const fs::path& out, const std::function<void(const fs::path&)>& write) {
  const auto type = type_of(out);
  if (type == fs::file_type::directory) fail_at(out, "is a folder, not a file");
  if (type != fs::file_type::not_found && type != fs::file_type::regular) {
    write(out);  // a FIFO or device: nothing can be renamed over it
    return;
  }
  // Through a symbolic link to the file it names, not over the link.
  std::error_code error;
  const auto target = fs::is_symlink(fs::symlink_status(out, error)) ? resolved(out) : out;
  const auto temporary =
      target.parent_path() / ("." + std::to_string(::getpid()) + ".partial-" + target.filename().string());
  // Made before the writer runs: a folder that takes no new file is then
  // named as such, not through the temporary's name in the writer's message.
  const int made = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (made < 0) {
    const std::string folder = target.parent_path().empty() ? "." : target.parent_path().string();
    fail_at(out, "cannot be written: its folder " + folder + " takes no new file (" +
                     std::generic_category().message(errno) + ")");
  }
  ::close(made);
  try {
    write(temporary);
    sync_file(temporary);
  } catch (...) {
    fs::remove(temporary, error);
    throw;
  }
  fs::rename(temporary, target, error);
  if (error) {
    const std::string reason = error.message();
    fs::remove(temporary, error);
    fail_at(out, "cannot replace the file (" + reason + ")");
  }
}

}  // namespace advseg
