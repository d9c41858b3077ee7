#include "support/paths.h"

namespace advseg::testing {

std::string binary_dir() { return ADVSEG_BINARY_DIR; }
std::string source_dir() { return ADVSEG_SOURCE_DIR; }
std::string shared_data_dir() { return ADVSEG_SHARED_DATA_DIR; }
std::string python() { return ADVSEG_PYTHON; }

}  // namespace advseg::testing
