// The message of the advseg::Error an action throws, for tests of error texts.
#pragma once

#include <functional>
#include <string>

#include "advseg/error.h"

namespace advseg::testing {

inline std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no advseg::Error thrown)";
}

}  // namespace advseg::testing
