// Private to src/advseg/config: how numbers are written in saved configs and
// in validation messages.
#pragma once

#include <string>

namespace advseg::config_detail {

// The shortest decimal text that reads back as exactly `value` ("0.1", not
// "0.10000000000000001"), so saved configs stay readable and round-trip.
std::string number_text(double value);

}  // namespace advseg::config_detail
