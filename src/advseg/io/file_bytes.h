// Whole-file reads and writes, with the errors a
// user needs: a missing file, a folder given for a file, an unreadable file.
#pragma once

#include <filesystem>
#include <string>

namespace advseg {

// Returns the bytes of `path`; throws advseg::Error naming the path when it is
// missing, a directory or unreadable. An empty file is returned as "".
std::string read_file_bytes(const std::filesystem::path& path);

// Writes `bytes` to `path` (replacing it); throws advseg::Error naming the
// path when it cannot be written completely (disk full, no permission).
void write_file_bytes(const std::filesystem::path& path, const std::string& bytes);

}  // namespace advseg
