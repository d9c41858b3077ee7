// advseg bench: how fast training, inference and data loading run on this
// machine for a segmentor (the Stanford Background network by default) with
// the stanford adversary, and (with --twin) the same work in PyTorch eager,
// NCHW and channels-last, measured in the same run.
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "advseg/bench/benchmark.h"
#include "advseg/cli/commands.h"
#include "advseg/cli/number_checks.h"
#include "advseg/error.h"

namespace advseg {
namespace {

struct BenchCommandOptions {
  BenchOptions bench;
  bool json = false;
  std::vector<std::string> twin_forms;  // empty: all of them
};

TwinForm twin_form(const std::string& name) {
  for (const auto form : {TwinForm::nchw, TwinForm::channels_last, TwinForm::compiled})
    if (name == form_name(form)) return form;
  throw Error("--twin-forms " + name + ": expected nchw, channels_last or compiled");
}

std::string cell(const nlohmann::json& report, const std::string& path) {
  const auto pointer = nlohmann::json::json_pointer(path);
  if (!report.contains(pointer) || !report[pointer].is_number()) return "-";
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << report[pointer].get<double>();
  return text.str();
}

// Per loop: the operators with the most self time in one iteration.
void print_profile(const nlohmann::json& profile) {
  for (const auto& [loop, figures] : profile.items()) {
    std::cout << "\n"
              << loop << " iteration, " << std::fixed << std::setprecision(1)
              << figures["iteration_ms"].get<double>() << " ms (outside operators "
              << figures["outside_operators_ms"].get<double>() << " ms):\n";
    for (const auto& op : figures["ops"])
      std::cout << "  " << std::left << std::setw(44) << op["op"].get<std::string>() << std::right
                << std::setw(9) << op["self_ms"].get<double>() << " ms " << std::setw(5)
                << std::setprecision(1) << 100 * op["share"].get<double>() << "%  " << op["calls"]
                << " calls\n";
    std::cout << std::left;
  }
  std::cout << "\n";
}

// One row per figure: advseg, then (with the twin) each twin form and the ratio to it.
void print_table(const nlohmann::json& report) {
  const bool twin = report.contains("twin");
  std::cout << std::left << std::setw(34) << "figure" << std::setw(12) << "advseg";
  if (twin)
    std::cout << std::setw(12) << "twin NCHW" << std::setw(12) << "twin CL" << std::setw(12) << "twin comp"
              << std::setw(12) << "x NCHW" << std::setw(12) << "x CL"
              << "x comp";
  std::cout << "\n";
  for (const std::string key :
       {"train_images_per_s_standard", "train_images_per_s_adversarial", "infer_images_per_s_b1",
        "infer_images_per_s_b8", "peak_rss_mb", "loader_images_per_s", "train_gflops_per_s_standard",
        "train_gflops_per_s_adversarial", "conv_peak_gflops_per_s"}) {
    std::cout << std::setw(34) << key << std::setw(12) << cell(report, "/" + key);
    if (twin)
      for (const std::string path : {"/twin/nchw/", "/twin/channels_last/", "/twin/compiled/",
                                     "/ratios/nchw/", "/ratios/channels_last/", "/ratios/compiled/"})
        std::cout << std::setw(12) << cell(report, path + key);
    std::cout << "\n";
  }
  if (report.contains("profile")) print_profile(report["profile"]);
  std::cout << "threads " << report["threads"] << ", " << report["cpu"].get<std::string>() << "\n";
  for (const auto& note : report["notes"]) std::cout << "note: " << note.get<std::string>() << "\n";
}

void run_bench(const BenchCommandOptions& options) {
  const auto report = run_benchmark(options.bench, std::cerr);
  if (options.json)
    std::cout << report.dump(2) << "\n";
  else
    print_table(report);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto options = std::make_shared<BenchCommandOptions>();
  BenchOptions& bench = options->bench;
  bench.twin_options.script = default_twin_script();
  bench.twin_options.python = default_twin_python();
  auto* command = app.add_subcommand(
      "bench", "Measure training, inference and loading speed (any segmentor; multiscale by default)");
  command->add_flag("--json", options->json, "Print one JSON object instead of a table");
  command->add_option("--batch", bench.workload.batch, "Training batch size")->transform(whole_number(1));
  command->add_option("--height", bench.workload.height, "Image height")->transform(whole_number(8, 1 << 14));
  command->add_option("--width", bench.workload.width, "Image width")->transform(whole_number(8, 1 << 14));
  command->add_option("--iters", bench.workload.reps.timed, "Timed iterations per figure")
      ->transform(whole_number(1));
  command->add_option("--warmup", bench.workload.reps.warmup, "Untimed iterations first")
      ->transform(whole_number(0));
  command->add_option("--threads", bench.threads, "LibTorch threads, both sides (0 = every core)")
      ->transform(whole_number(0));
  command->add_option("--segmentor", bench.workload.segmentor, "Segmentor (model.segmentor)");
  command->add_option("--backbone", bench.workload.backbone, "Its backbone ('' = the segmentor's default)");
  command->add_option("--encoding", bench.workload.encoding, "Adversary input encoding")
      ->check(CLI::IsMember({"basic", "product"}));
  command
      ->add_option("--set", bench.workload.overrides,
                   "Override a key of advseg's config, e.g. --set train.channels_last=false (repeatable)")
      ->type_name("KEY=VALUE");
  command->add_option("--data-root", bench.workload.data_root,
                      "Stanford Background copy for the loader figure");
  command->add_option("--loader-threads", bench.loader.threads, "Background loading threads")
      ->transform(whole_number(0));
  command->add_option("--loader-batches", bench.loader.batches, "Batches the loader figure times")
      ->transform(whole_number(1));
  auto* twin = command->add_flag(
      "--twin", bench.twin,
      "Also run the Python twin (NCHW, channels-last, and channels-last under torch.compile; "
      "advseg's precision; torchvision's own model for fcn_resnet, deeplabv3, lraspp) and print "
      "ratios");
  command
      ->add_option("--twin-forms", options->twin_forms,
                   "The twin's forms: nchw,channels_last,compiled (the default: all; compiling takes minutes "
                   "on a small machine)")
      ->delimiter(',')
      ->needs(twin);
  command
      ->add_option("--twin-library", bench.twin_options.library,
                   "Whose deeplabv3 the twin runs: torchvision, or smp (segmentation-models-pytorch; "
                   "scripts/setup.sh --bench installs it)")
      ->check(CLI::IsMember({"torchvision", "smp"}))
      ->needs(twin);
  command->add_flag(
      "--profile", bench.workload.profile,
      "Also time one iteration of each loop (training, inference at batch 1 and 8) operator by operator "
      "(self time, top 15)");
  command->add_option("--twin-script", bench.twin_options.script, "The Python twin");
  command->add_option("--python", bench.twin_options.python,
                      "Python with PyTorch (default: $ADVSEG_PYTHON, else the project's .venv)");
  command->callback([options] {
    if (!options->twin_forms.empty()) {
      options->bench.twin_options.forms.clear();
      for (const auto& name : options->twin_forms)
        options->bench.twin_options.forms.push_back(twin_form(name));
    }
    run_bench(*options);
  });
}

}  // namespace advseg
