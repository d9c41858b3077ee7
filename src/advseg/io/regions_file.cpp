#include "advseg/io/regions_file.h"

#include <charconv>
#include <climits>
#include <cstdint>
#include <cstring>
#include <vector>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"

namespace advseg {

namespace {

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool is_blank_line(std::string_view line) {
  for (char c : line) {
    if (!is_blank_char(c)) return false;
  }
  return true;
}

// Long garbage tokens (binary files, fuzzers) are cut so messages stay
// readable, and bytes outside printable ASCII (NUL, control characters,
// non-ASCII) are shown as \xNN so a terminal prints the whole message.
std::string quote_token(std::string_view token) {
  constexpr std::size_t kMaxShown = 32;
  constexpr const char* kHex = "0123456789abcdef";
  std::string quoted = "'";
  for (const char c : token.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F) {
      quoted += c;
    } else {
      quoted += {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xF]};
    }
  }
  if (token.size() > kMaxShown) quoted += "...";
  return quoted + "'";
}

// Parses the file row by row into one flat buffer of labels. Rows are the
// lines up to the last non-blank one; every row must be as wide as the first.
class RegionsParser {
 public:
  RegionsParser(int num_classes, const std::string& source, int ignore_index)
      : num_classes_(num_classes), source_(source), ignore_label_(static_cast<std::uint8_t>(ignore_index)) {}

  cv::Mat parse(std::string_view text) {
    std::size_t line_number = 0;
    std::size_t first_blank_line = 0;  // a blank line is only allowed when no row follows it
    while (!text.empty()) {
      const std::size_t end = text.find('\n');
      const std::string_view line = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      ++line_number;
      if (is_blank_line(line)) {
        if (first_blank_line == 0) first_blank_line = line_number;
        continue;
      }
      if (first_blank_line != 0) fail_blank_line(first_blank_line, line_number);
      parse_row(line, line_number);
    }
    return to_mat();
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { fail_at(source_, message); }

  [[noreturn]] void fail_blank_line(std::size_t blank, std::size_t next_row) const {
    fail("line " + std::to_string(blank) + " is blank but a row of labels follows on line " +
         std::to_string(next_row));
  }

  void parse_row(std::string_view line, std::size_t line_number) {
    std::size_t count = 0;
    std::size_t pos = 0;
    while (true) {
      while (pos < line.size() && is_blank_char(line[pos])) ++pos;
      if (pos == line.size()) break;
      const std::size_t start = pos;
      while (pos < line.size() && !is_blank_char(line[pos])) ++pos;
      ++count;
      labels_.push_back(to_label(line.substr(start, pos - start), line_number, count));
    }
    check_width(count, line_number);
  }

  std::uint8_t to_label(std::string_view token, std::size_t line_number, std::size_t column) const {
    int id = 0;
    const char* end = token.data() + token.size();
    const auto [parsed_end, error] = std::from_chars(token.data(), end, id);
    if (error == std::errc::result_out_of_range) {
      fail("class id " + quote_token(token) + " is out of range" + location(line_number, column));
    }
    if (error != std::errc() || parsed_end != end) {
      fail("not an integer: " + quote_token(token) + location(line_number, column));
    }
    if (id < 0) return ignore_label_;
    if (id >= num_classes_) {
      fail("unknown class id " + std::to_string(id) + location(line_number, column) + " (classes are 0.." +
           std::to_string(num_classes_ - 1) + "; negative means unknown)");
    }
    return static_cast<std::uint8_t>(id);
  }

  // Built only on failure: the happy path parses ~77k values per file.
  static std::string location(std::size_t line_number, std::size_t column) {
    return " at line " + std::to_string(line_number) + ", column " + std::to_string(column);
  }

  void check_width(std::size_t count, std::size_t line_number) {
    if (rows_ == 0) {
      width_ = count;
      first_row_line_ = line_number;
    } else if (count != width_) {
      fail("line " + std::to_string(line_number) + " has " + std::to_string(count) + " values, expected " +
           std::to_string(width_) + " (as on line " + std::to_string(first_row_line_) + ")");
    }
    ++rows_;
  }

  cv::Mat to_mat() const {
    if (rows_ == 0) fail("empty file: no rows of class ids");
    if (rows_ > INT_MAX || width_ > INT_MAX) fail("label map too large");
    cv::Mat labels(static_cast<int>(rows_), static_cast<int>(width_), CV_8UC1);
    std::memcpy(labels.data, labels_.data(), labels_.size());
    return labels;
  }

  int num_classes_;
  const std::string& source_;
  std::uint8_t ignore_label_;
  std::vector<std::uint8_t> labels_;
  std::size_t width_ = 0;
  std::size_t rows_ = 0;
  std::size_t first_row_line_ = 0;
};

// Labels are stored as bytes, so both ranges must fit in 0..255.
void check_label_range(int num_classes, int ignore_index, const std::string& source) {
  if (num_classes < 1 || num_classes > 256) {
    fail_at(source, "num_classes must be 1..256, got " + std::to_string(num_classes));
  }
  if (ignore_index < 0 || ignore_index > 255) {
    fail_at(source, "ignore_index must be 0..255, got " + std::to_string(ignore_index));
  }
}

}  // namespace

cv::Mat parse_regions(std::string_view text, int num_classes, const std::string& source, int ignore_index) {
  check_label_range(num_classes, ignore_index, source);
  return RegionsParser(num_classes, source, ignore_index).parse(text);
}

cv::Mat read_regions_file(const std::filesystem::path& path, int num_classes, int ignore_index) {
  return parse_regions(read_file_bytes(path), num_classes, path.string(), ignore_index);
}

}  // namespace advseg
