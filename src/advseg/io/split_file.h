// Split files: one sample id per line; blank lines and '#' comments skipped.
// List files, more generally, hold a few blank-separated fields per line.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace advseg {

// Throws advseg::Error when the file is missing, unreadable or lists no id.
std::vector<std::string> read_split_file(const std::filesystem::path& path);

struct ListLine {
  std::size_t number = 0;           // 1-based line number, for messages
  std::string text;                 // the line without surrounding blanks
  std::vector<std::string> fields;  // blank-separated, at least one
};

// The non-blank, non-comment lines of a list file. Throws advseg::Error
// when the file is missing, unreadable or has no such line.
std::vector<ListLine> read_list_file(const std::filesystem::path& path);

}  // namespace advseg
