#include "advseg/inference/precision.h"

#include <fstream>
#include <iterator>

#include "advseg/error.h"

namespace advseg {
namespace {

bool cpu_has_native_bf16() {
  static const bool native = [] {
    std::ifstream cpuinfo("/proc/cpuinfo");
    const std::string flags{std::istreambuf_iterator<char>(cpuinfo), std::istreambuf_iterator<char>()};
    return flags.find(" avx512_bf16") != std::string::npos || flags.find(" amx_bf16") != std::string::npos;
  }();
  return native;
}

}  // namespace

std::string Precision::name() const {
  if (compute == c10::kBFloat16) return "bf16";
  if (compute == c10::kHalf) return "fp16";
  return "fp32";
}

Precision resolve_precision(const std::string& setting, const std::string& device) {
  if (setting == "fp32") return {c10::kFloat};
  if (setting == "bf16") return {c10::kBFloat16};
  if (setting == "fp16") return {c10::kHalf};
  if (setting == "auto") return {device == "cpu" && cpu_has_native_bf16() ? c10::kBFloat16 : c10::kFloat};
  throw Error("train.precision: expected fp32, bf16, fp16 or auto, got '" + setting + "'");
}

}  // namespace advseg
