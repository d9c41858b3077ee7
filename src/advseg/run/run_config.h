// A config made ready to run on this machine: --set overrides, thread count
// and device applied, then everything that depends on where it runs resolved
// once, so the checkpoint records what was really used:
//  - data.root and the pretrained weight files become absolute paths (a
//    checkpoint evaluated from another folder still finds its data);
//  - train.precision "auto" becomes "bf16" or "fp32";
//  - a checkpoint's CUDA device falls back to the CPU on a machine without
//    CUDA: the device is a run-time choice, not part of the model.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "advseg/config/config.h"

namespace advseg {

struct RunSettings {
  std::vector<std::string> overrides;  // "key=value"
  std::optional<int> threads;          // replaces train.threads
  std::string device;                  // replaces train.device when not empty
};

enum class ConfigOrigin { config_file, checkpoint };

// `source` names where the config came from ("configs/x.yaml",
// "runs/a/last/config.yaml"); every error about it starts with it. Notes for
// the user (a device fallback, too many threads) go to `notes`.
Config resolve_config(Config config, const RunSettings& settings, const std::string& source,
                      ConfigOrigin origin, std::ostream& notes);

}  // namespace advseg
