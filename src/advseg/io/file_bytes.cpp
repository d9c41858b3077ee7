#include "advseg/io/file_bytes.h"

#include <cerrno>
#include <fstream>
#include <system_error>

#include "advseg/error.h"

namespace advseg {

namespace fs = std::filesystem;

namespace {

// Checked before opening so that the two common mistakes (a wrong name, a
// folder instead of a file) get their own message instead of "cannot open".
void require_regular_file(const fs::path& path) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) fail_at(path, "no such file");
  if (error) fail_at(path, "cannot access (" + error.message() + ")");
  if (fs::is_directory(status)) fail_at(path, "is a directory, not a file");
}

}  // namespace

std::string read_file_bytes(const fs::path& path) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_at(path, "cannot open for reading (" + std::generic_category().message(errno) + ")");
  // Read in chunks: works for pipes and special files, whose size is unknown.
  std::string bytes;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) bytes.append(chunk, in.gcount());
  if (in.bad()) fail_at(path, "read error");
  return bytes;
}

void write_file_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail_at(path, "cannot open for writing (" + std::generic_category().message(errno) + ")");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail_at(path, "cannot write (disk full?)");
}

}  // namespace advseg
