// Split files: one sample id per line; blank lines and '#' comments skipped.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace advseg {

// Throws advseg::Error when the file is missing, unreadable or lists no id.
std::vector<std::string> read_split_file(const std::filesystem::path& path);

}  // namespace advseg
