// Options shared by the sub-commands that run a network (train, eval,
// predict, experiment, panels): dotted overrides, threads and device.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/run/run_config.h"

namespace CLI {
class App;
}

namespace advseg {

struct ConfigOptions {
  std::vector<std::string> overrides;  // --set key=value
  int threads = -1;                    // --threads; -1 keeps train.threads
  std::string device;                  // --device; empty keeps train.device
};

// Adds --set, --threads and --device to a sub-command.
void add_config_options(CLI::App& command, ConfigOptions& options);

// --set, --threads and --device as settings for run/run_config.h.
RunSettings run_settings(const ConfigOptions& options);

// Applies --set, --threads and --device to `config` and resolves it for this
// machine (run/run_config.h); `source` names where it came from.
Config finish_config(Config config, const ConfigOptions& options, const std::string& source,
                     ConfigOrigin origin);

// The config of --config `path` (the built-in demo when empty) with the options applied.
Config file_config(const std::string& path, const ConfigOptions& options);

// The config of a checkpoint directory with the options applied.
Config checkpoint_config(const std::filesystem::path& checkpoint_dir, const ConfigOptions& options);

// "NAME=VALUE" -> (NAME, VALUE); without "=", the argument is both (e.g. a path names itself).
std::pair<std::string, std::string> split_named_argument(const std::string& argument);

// Writes `text` to the file `path`, creating its folder; errors name the path.
void write_json_file(const std::filesystem::path& path, const std::string& text);

}  // namespace advseg
