#include "advseg/cli/number_checks.h"

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

namespace advseg {
namespace {

// The bound as a person writes it: "1", "0.5".
std::string bound_text(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

CLI::Validator whole_number(long long low, long long high) {
  const std::string expected =
      "a whole number " + (high == std::numeric_limits<long long>::max()
                               ? "of at least " + std::to_string(low)
                               : "from " + std::to_string(low) + " to " + std::to_string(high));
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        long long value = 0;
        const char* first = text.data() + (!text.empty() && text[0] == '+' ? 1 : 0);
        const char* last = text.data() + text.size();
        const auto [end, error] = std::from_chars(first, last, value);
        if (text.empty() || error != std::errc() || end != last || value < low || value > high)
          return "expected " + expected + ", got '" + text + "'";
        text = std::to_string(value);  // decimal, as read here: CLI11 would take "010" for octal 8
        return "";
      },
      "", "");
}

CLI::Validator number_above(double low, bool or_equal, double high) {
  const std::string expected = "a number " + std::string(or_equal ? "of at least " : "above ") +
                               bound_text(low) + (std::isinf(high) ? "" : " and at most " + bound_text(high));
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        std::size_t used = 0;
        double value = 0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size() || !(or_equal ? value >= low : value > low) || !(value <= high))
          return "expected " + expected + ", got '" + text + "'";
        return "";
      },
      "", "");
}

}  // namespace advseg
