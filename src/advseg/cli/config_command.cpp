// advseg config: the resolved config a run would use (the built-in demo's, or
// --config FILE's, with --set applied) as YAML, or with --reference every key
// with its type, default and meaning as Markdown (docs/config.md).
#include <CLI/CLI.hpp>
#include <iostream>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/config/config_reference.h"

namespace advseg {
namespace {

struct ConfigCommandOptions {
  std::string config_path;
  bool reference = false;
  ConfigOptions config;
};

void run_config(const ConfigCommandOptions& options) {
  if (options.reference)
    std::cout << config_reference_markdown();
  else
    std::cout << to_yaml(file_config(options.config_path, options.config));
}

}  // namespace

void add_config_command(CLI::App& app) {
  auto options = std::make_shared<ConfigCommandOptions>();
  auto* command = app.add_subcommand("config", "Print the resolved config, or every key's reference");
  auto* config =
      command->add_option("--config", options->config_path, "YAML config (default: the built-in demo)");
  auto* reference = command->add_flag("--reference", options->reference,
                                      "Print every key with its type, default and meaning (docs/config.md)");
  add_config_options(*command, options->config);
  // The reference describes the defaults: a config or overrides would be ignored.
  reference->excludes(config);
  for (const char* name : {"--set", "--threads", "--device"}) reference->excludes(command->get_option(name));
  command->callback([options] { run_config(*options); });
}

}  // namespace advseg
