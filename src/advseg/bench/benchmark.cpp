#include "advseg/bench/benchmark.h"

#include <torch/version.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "advseg/bench/conv_peak.h"
#include "advseg/runtime.h"

namespace advseg {
namespace {

// More timed runs add nothing to a best-of measurement but time.
constexpr int kMaxConvRuns = 3;
// Shapes of the segmentor the micro-benchmark times (the multiscale network has 3).
constexpr std::size_t kMaxConvShapes = 8;
// Operators listed per loop by --profile.
constexpr std::size_t kProfiledOps = 15;

nlohmann::json settings_of(const BenchOptions& options, int threads) {
  const Workload& workload = options.workload;
  return {{"cpu", cpu_model_name()},
          {"hardware_threads", std::thread::hardware_concurrency()},
          {"threads", threads},
          {"torch_version", TORCH_VERSION},
          {"batch", workload.batch},
          {"height", workload.height},
          {"width", workload.width},
          {"classes", workload.num_classes},
          {"encoding", workload.encoding},
          {"segmentor", workload.segmentor},
          {"backbone", workload.backbone},
          {"iters", workload.reps.timed},
          {"warmup", workload.reps.warmup},
          {"overrides", workload.overrides},
          {"channels_last", workload_config(workload, true).train.channels_last},
          {"precision", workload_precision(workload).name()},
          {"notes", nlohmann::json::array()}};
}

// The operators with the most self time, and the iteration's time outside any operator.
nlohmann::json profile_of(const IterationProfile& profile) {
  nlohmann::json ops = nlohmann::json::array();
  double in_ops_ms = 0;
  for (const auto& op : profile.ops) in_ops_ms += op.self_ms;
  for (std::size_t i = 0; i < std::min(profile.ops.size(), kProfiledOps); ++i) {
    const auto& op = profile.ops[i];
    ops.push_back({{"op", op.name},
                   {"self_ms", op.self_ms},
                   {"calls", op.calls},
                   {"share", op.self_ms / profile.iteration_ms}});
  }
  return {{"iteration_ms", profile.iteration_ms},
          {"outside_operators_ms", profile.iteration_ms - in_ops_ms},
          {"ops", ops}};
}

// Convolution FLOPs per iteration and the rate they are done at.
void add_training(nlohmann::json& report, const std::string& loop, const TrainingFigures& figures,
                  int batch) {
  const double gflop = figures.conv_flops_per_iteration / 1e9;
  report["train_images_per_s_" + loop] = figures.images_per_s;
  report["train_conv_gflop_per_iteration_" + loop] = gflop;
  report["train_gflops_per_s_" + loop] = gflop * figures.images_per_s / batch;
  if (!figures.profile.ops.empty()) report["profile"][loop] = profile_of(figures.profile);
}

void measure_training(const Workload& workload, nlohmann::json& report, std::ostream& progress) {
  progress << "bench: training, standard loop" << std::endl;
  add_training(report, "standard", bench_training(workload, false), workload.batch);
  progress << "bench: training, adversarial loop" << std::endl;
  add_training(report, "adversarial", bench_training(workload, true), workload.batch);
  report["train_gflops_per_s"] = report["train_gflops_per_s_adversarial"];

  progress << "bench: inference" << std::endl;
  for (const int batch : {1, 8}) {
    const auto figures = bench_inference(workload, batch);
    const std::string name = "b" + std::to_string(batch);
    report["infer_images_per_s_" + name] = figures.images_per_s;
    if (!figures.profile.ops.empty()) report["profile"]["inference_" + name] = profile_of(figures.profile);
  }
  // Read now, so the figure covers what the twin's covers: training and inference.
  report["peak_rss_mb"] = peak_rss_mb();
}

void measure_conv_peak(const Workload& workload, nlohmann::json& report, std::ostream& progress) {
  progress << "bench: convolution micro-benchmark" << std::endl;
  auto shapes = heaviest_distinct(segmentor_conv_shapes(workload), kMaxConvShapes);
  shapes.push_back(wide_3x3_conv(workload.batch, workload.height, workload.width));
  const bool bf16 = workload_precision(workload).compute == c10::kBFloat16;
  const auto peak = bench_conv_peak(shapes, {1, std::min(workload.reps.timed, kMaxConvRuns)}, bf16);
  report["conv_peak_gflops_per_s"] = peak.best.gflops_per_s;
  report["conv_peak_shape"] = peak.best.shape + (peak.best.channels_last ? " channels-last" : " NCHW") +
                              (peak.best.bf16 ? " bf16" : " fp32");
  report["train_share_of_conv_peak"] = report["train_gflops_per_s"].get<double>() / peak.best.gflops_per_s;
  for (const auto& rate : peak.rates)
    report["conv_rates"].push_back({{"shape", rate.shape},
                                    {"channels_last", rate.channels_last},
                                    {"bf16", rate.bf16},
                                    {"gflops_per_s", rate.gflops_per_s}});
}

void measure_loader(const BenchOptions& options, nlohmann::json& report, std::ostream& progress) {
  const auto& root = options.workload.data_root;
  report["loader_threads"] = options.loader.threads;
  if (!std::filesystem::exists(root)) {
    report["loader_images_per_s"] = nullptr;
    report["notes"].push_back("loader_images_per_s: no Stanford Background copy at " + root.string() +
                              " (set --data-root)");
    return;
  }
  progress << "bench: data loader on " << root.string() << std::endl;
  report["loader_images_per_s"] = bench_loader(options.workload, options.loader);
}

void compare_with_twin(const BenchOptions& options, int threads, nlohmann::json& report,
                       std::ostream& progress) {
  for (const auto form : options.twin_options.forms) {
    const std::string name = form_name(form);
    progress << "bench: Python twin, " << name << std::endl;
    auto twin = run_twin(options.twin_options, options.workload, threads, form);
    report["ratios"][name] = figure_ratios(report, twin);
    report["twin"][name] = std::move(twin);
  }
}

}  // namespace

nlohmann::json run_benchmark(const BenchOptions& options, std::ostream& progress) {
  check_workload(options.workload);
  // Fail before the minutes of measuring, not after.
  if (options.twin) check_twin(options.twin_options, options.workload);
  const int threads = configure_threads(options.threads);
  auto report = settings_of(options, threads);
  report["notes"].push_back(
      "every rate is from the fastest of --iters timed runs after --warmup untimed ones");
  report["notes"].push_back(
      "train_gflops_per_s: convolution FLOPs (forward and backward, both networks) of one adversarial "
      "iteration per second; peak_rss_mb: read after training and inference");
  measure_training(options.workload, report, progress);
  measure_conv_peak(options.workload, report, progress);
  measure_loader(options, report, progress);
  if (options.twin) compare_with_twin(options, threads, report, progress);
  return report;
}

}  // namespace advseg
