// What every fuzz target shares. A parser may reject input only by throwing
// advseg::Error; any other exception escapes LLVMFuzzerTestOneInput, aborts,
// and libFuzzer reports it as a crash, like a sanitizer finding. Accepted
// input must also satisfy the target's invariants (checked with require()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "advseg/error.h"

namespace advseg::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Runs `parse`; an advseg::Error is the expected rejection of malformed input.
template <class Parse>
void parse_or_reject(Parse&& parse) {
  try {
    parse();
  } catch (const Error&) {
  }
}

// A broken invariant is a finding: say which, then abort so libFuzzer saves the input.
inline void require(bool holds, const char* invariant) {
  if (holds) return;
  std::fprintf(stderr, "invariant broken: %s\n", invariant);
  std::abort();
}

}  // namespace advseg::fuzz
