// advseg::Error: the one exception type for user-facing failures (bad files,
// bad configs, bad arguments). Its message always names the file or setting
// and the problem, so the command line can print it as it is.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace advseg {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "PATH: MESSAGE", the form of every error about a file.
[[noreturn]] void fail_at(const std::filesystem::path& file, const std::string& message);

// Whether an exception's message is an allocation failure (LibTorch's
// allocators, std::bad_alloc): the caller then says which setting to lower.
bool is_out_of_memory(const std::string& message);

}  // namespace advseg
