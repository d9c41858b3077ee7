#include "advseg/error.h"

namespace advseg {

void fail_at(const std::filesystem::path& file, const std::string& message) {
  throw Error(file.string() + ": " + message);
}

}  // namespace advseg
