#include "advseg/cli/common.h"

#include <CLI/CLI.hpp>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/runtime.h"

namespace advseg {

void add_config_options(CLI::App& command, ConfigOptions& options) {
  command
      .add_option("--set", options.overrides, "Override a config key, e.g. --set train.epochs=5 (repeatable)")
      ->type_name("KEY=VALUE");
  command.add_option("--threads", options.threads,
                     "LibTorch threads (default: train.threads; 0 = all cores)");
  command.add_option("--device", options.device, "cpu, cuda or cuda:N (default: train.device)");
}

Config finish_config(Config config, const ConfigOptions& options) {
  apply_overrides(config, options.overrides);
  if (options.threads >= 0) config.train.threads = options.threads;
  if (!options.device.empty()) config.train.device = options.device;
  validate(config);
  configure_threads(config.train.threads);
  return config;
}

std::pair<std::string, std::string> split_named_argument(const std::string& argument) {
  auto equals = argument.find('=');
  if (equals == std::string::npos) return {argument, argument};
  return {argument.substr(0, equals), argument.substr(equals + 1)};
}

void write_json_file(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  write_file_bytes(path, text + "\n");
}

}  // namespace advseg
