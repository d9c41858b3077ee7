#include "advseg/error.h"

namespace advseg {

void fail_at(const std::filesystem::path& file, const std::string& message) {
  throw Error(file.string() + ": " + message);
}

bool is_out_of_memory(const std::string& message) {
  for (const char* sign : {"can't allocate memory", "out of memory", "Failed to allocate",
                           "Insufficient memory", "std::bad_alloc"})
    if (message.find(sign) != std::string::npos) return true;
  return false;
}

}  // namespace advseg
