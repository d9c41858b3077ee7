#include "advseg/cli/common.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <system_error>

#include "advseg/cli/number_checks.h"
#include "advseg/config/builtin_demo.h"
#include "advseg/error.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/io/file_bytes.h"

namespace advseg {

void add_config_options(CLI::App& command, ConfigOptions& options) {
  command
      .add_option("--set", options.overrides, "Override a config key, e.g. --set train.epochs=5 (repeatable)")
      ->type_name("KEY=VALUE");
  command
      .add_option("--threads", options.threads, "LibTorch threads (default: train.threads; 0 = all cores)")
      ->transform(whole_number(0, 1024));
  command.add_option("--device", options.device, "cpu, cuda or cuda:N (default: train.device)");
}

RunSettings run_settings(const ConfigOptions& options) {
  RunSettings settings;
  settings.overrides = options.overrides;
  if (options.threads >= 0) settings.threads = options.threads;
  settings.device = options.device;
  return settings;
}

Config finish_config(Config config, const ConfigOptions& options, const std::string& source,
                     ConfigOrigin origin) {
  return resolve_config(std::move(config), run_settings(options), source, origin, std::cerr);
}

Config file_config(const std::string& path, const ConfigOptions& options) {
  if (path.empty())
    return finish_config(parse_config(builtin_demo_config_yaml(), kBuiltinDemoSource), options,
                         kBuiltinDemoSource, ConfigOrigin::config_file);
  return finish_config(load_config(path), options, path, ConfigOrigin::config_file);
}

Config checkpoint_config(const std::filesystem::path& checkpoint_dir, const ConfigOptions& options) {
  return finish_config(load_checkpoint_config(checkpoint_dir), options,
                       (checkpoint_dir / checkpoint_file::kConfig).string(), ConfigOrigin::checkpoint);
}

std::pair<std::string, std::string> split_named_argument(const std::string& argument) {
  auto equals = argument.find('=');
  if (equals == std::string::npos) return {argument, argument};
  return {argument.substr(0, equals), argument.substr(equals + 1)};
}

void write_json_file(const std::filesystem::path& path, const std::string& text) {
  create_parent_folders(path);
  write_file_bytes(path, text + "\n");
}

}  // namespace advseg
