// The sub-commands of `advseg`, one file each. Each adds itself to the app
// with its options and a callback that does the work.
#pragma once

namespace CLI {
class App;
}

namespace advseg {

void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_models_command(CLI::App& app);
void add_experiment_command(CLI::App& app);
void add_panels_command(CLI::App& app);
void add_config_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace advseg
