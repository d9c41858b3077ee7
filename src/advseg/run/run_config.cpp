#include "advseg/run/run_config.h"

#include <torch/cuda.h>

#include <filesystem>
#include <thread>

#include "advseg/error.h"
#include "advseg/inference/precision.h"
#include "advseg/models/from_config.h"
#include "advseg/runtime.h"

namespace advseg {
namespace {

// Errors about the config name its source first ("configs/x.yaml: model.segmentor: ...").
template <class Action>
void naming_source(const std::string& source, Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
}

std::string resolved_device(const Config& config, const RunSettings& settings, ConfigOrigin origin,
                            std::ostream& notes) {
  if (!settings.device.empty()) return settings.device;
  const std::string& saved = config.train.device;
  if (origin == ConfigOrigin::checkpoint && saved != "cpu" && !torch::cuda::is_available()) {
    notes << "advseg: note: the checkpoint was trained on " << saved
          << "; this machine has no CUDA, so it runs on the cpu (--device chooses)\n";
    return "cpu";
  }
  return saved;
}

void note_threads(int threads, std::ostream& notes) {
  const auto hardware = static_cast<int>(std::thread::hardware_concurrency());
  if (hardware > 0 && threads > hardware)
    notes << "advseg: note: " << threads << " threads asked for on " << hardware
          << " hardware threads: using " << hardware << " (more only slow LibTorch down)\n";
}

}  // namespace

Config resolve_config(Config config, const RunSettings& settings, const std::string& source,
                      ConfigOrigin origin, std::ostream& notes) {
  apply_overrides(config, settings.overrides);
  if (settings.threads) config.train.threads = *settings.threads;
  config.train.device = resolved_device(config, settings, origin, notes);
  naming_source(source, [&] {
    validate(config);
    check_network_names(config);
  });
  for (auto* path : {&config.data.root, &config.data.unlabeled_root, &config.target.root,
                     &config.model.pretrained, &config.model.backbone_pretrained})
    if (!path->empty()) *path = std::filesystem::absolute(*path).lexically_normal().string();
  if (config.train.precision == "auto")
    config.train.precision = resolve_precision("auto", config.train.device).name();
  note_threads(config.train.threads, notes);
  configure_threads(config.train.threads);
  return config;
}

}  // namespace advseg
