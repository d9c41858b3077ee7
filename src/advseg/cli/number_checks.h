// Checks for numeric options whose messages say what is expected
// ("--count: expected a whole number of at least 1, got '0'"), instead of
// CLI11's ranges, which print the largest double in full (316 characters)
// and call "abc" out of range.
#pragma once

#include <CLI/CLI.hpp>
#include <limits>

namespace advseg {

// A whole number from `low` to `high`, written in decimal ("010" is 10, as in
// --set). Use it with ->transform(): it hands CLI11 the number without its
// leading zeros, which CLI11 would otherwise read as octal.
CLI::Validator whole_number(long long low, long long high = std::numeric_limits<long long>::max());

// A number above `low` (or at least `low`, with `or_equal`), and at most `high`.
CLI::Validator number_above(double low, bool or_equal = false,
                            double high = std::numeric_limits<double>::infinity());

}  // namespace advseg
