#include "advseg/io/split_file.h"

#include <map>
#include <string_view>
#include <utility>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"

namespace advseg {

namespace {

constexpr std::string_view kBlanks = " \t\r\v\f";

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> fields;
  while (!line.empty()) {
    const std::size_t end = line.find_first_of(kBlanks);
    fields.emplace_back(line.substr(0, end));
    line = end == std::string_view::npos ? std::string_view() : trim(line.substr(end));
  }
  return fields;
}

}  // namespace

std::vector<ListLine> read_list_file(const std::filesystem::path& path) {
  const std::string text = read_file_bytes(path);
  std::vector<ListLine> lines;
  std::string_view rest = text;
  std::size_t line_number = 0;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    // A file name cannot hold one: the id would be cut there, silently.
    if (line.find('\0') != std::string_view::npos)
      fail_at(path, "line " + std::to_string(line_number) + " holds a NUL byte (a binary file, not a list?)");
    lines.push_back({line_number, std::string(line), split_fields(line)});
  }
  if (lines.empty())
    fail_at(path, "lists no sample ids (the file is empty or holds only blank lines and comments)");
  return lines;
}

std::vector<std::string> read_split_file(const std::filesystem::path& path) {
  std::vector<std::string> ids;
  std::map<std::string, std::size_t> first_line;  // id -> where it first appeared
  std::size_t repeated = 0;
  std::string example;
  for (ListLine& line : read_list_file(path)) {
    // Two ids on one line is a malformed split, not an id with a space in it.
    if (line.fields.size() != 1) {
      fail_at(path, "line " + std::to_string(line.number) + " holds more than one id: '" + line.text +
                        "' (expected one sample id per line)");
    }
    const auto [seen, fresh] = first_line.emplace(line.fields.front(), line.number);
    if (!fresh) {
      if (repeated++ == 0)
        example = "'" + seen->first + "' on lines " + std::to_string(seen->second) + " and " +
                  std::to_string(line.number);
      continue;
    }
    ids.push_back(std::move(line.fields.front()));
  }
  // A repeated id would be trained (or scored) twice as often, silently.
  if (repeated > 0)
    fail_at(path, std::to_string(repeated) + " id" + (repeated == 1 ? " is" : "s are") +
                      " listed twice, e.g. " + example + "; list each sample once");
  return ids;
}

}  // namespace advseg
