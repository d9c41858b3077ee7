#include "advseg/runtime.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "advseg/error.h"

namespace advseg {

int configure_threads(int requested) {
  int threads = requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  torch::set_num_threads(threads);
  return threads;
}

c10::Device parse_device(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw Error("--device " + name + ": CUDA is not available (no GPU, or LibTorch built without CUDA)");
    return c10::Device(name);
  }
  throw Error("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
}

namespace {

bool cpu_has_native_bf16() {
  static const bool native = [] {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::stringstream text;
    text << cpuinfo.rdbuf();
    const std::string flags = text.str();
    return flags.find(" avx512_bf16") != std::string::npos || flags.find(" amx_bf16") != std::string::npos;
  }();
  return native;
}

}  // namespace

bool uses_bf16(const std::string& precision, const std::string& device) {
  if (precision == "bf16") return true;
  return precision == "auto" && device == "cpu" && cpu_has_native_bf16();
}

}  // namespace advseg
