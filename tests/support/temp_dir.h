// A fresh directory under the system temp folder, removed with its contents
// at scope exit. The pid and a random suffix keep parallel ctest runs apart.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

namespace advseg::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    do {
      path_ = base / ("advseg-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    } while (!std::filesystem::create_directory(path_));
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path file(const std::string& name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace advseg::testing
