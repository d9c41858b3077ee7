#include "advseg/runtime.h"

#include <malloc.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <thread>

#include "advseg/error.h"

namespace advseg {

void keep_freed_memory() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::strstr(tunables, "glibc.malloc.")) return;
  mallopt(M_MMAP_THRESHOLD, std::numeric_limits<int>::max());
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
}

int thread_count(int requested, int hardware) {
  if (hardware <= 0) return requested > 0 ? requested : 1;
  return requested > 0 && requested < hardware ? requested : hardware;
}

namespace {

// OMP_NUM_THREADS as a count, or 0 where it is unset or not a whole number.
int threads_from_environment() {
  const char* value = std::getenv("OMP_NUM_THREADS");
  if (!value) return 0;
  char* end = nullptr;
  const long count = std::strtol(value, &end, 10);
  return end != value && *end == '\0' && count > 0 && count <= 1024 ? static_cast<int>(count) : 0;
}

}  // namespace

int configure_threads(int requested) {
  if (requested <= 0) requested = threads_from_environment();
  const int threads = thread_count(requested, static_cast<int>(std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  return threads;
}

c10::Device parse_device(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name.rfind("cuda", 0) != 0) throw Error("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
#ifdef ADVSEG_TORCH_CUDA
  if (!torch::cuda::is_available())
    throw Error("--device " + name +
                ": CUDA is not available: no NVIDIA GPU is visible to this process (check nvidia-smi and "
                "CUDA_VISIBLE_DEVICES), or use --device cpu");
#else
  throw Error("--device " + name +
              ": CUDA is not available: this advseg was built against a LibTorch without CUDA (build it "
              "against the PyPI wheel, scripts/setup.sh, or a CUDA LibTorch), or use --device cpu");
#endif
  const c10::Device device(name);
  const int count = torch::cuda::device_count();
  if (device.has_index() && device.index() >= count)
    throw Error("--device " + name + ": this machine has " + std::to_string(count) + " CUDA device" +
                (count == 1 ? "" : "s") + " (cuda:0" +
                (count > 1 ? " to cuda:" + std::to_string(count - 1) : "") + ")");
  return device;
}

}  // namespace advseg
