#include "advseg/bench/workload.h"

#include <chrono>

#include "advseg/error.h"
#include "advseg/inference/prediction.h"
#include "advseg/models/from_config.h"
#include "advseg/runtime.h"
#include "advseg/train/adversarial_step.h"
#include "advseg/train/networks.h"

namespace advseg {
namespace {

constexpr int kWorkloadSeed = 1;
// The stanford adversary's image branch pools twice.
constexpr int kWorkloadMinSide = 4;

const c10::Device kCpu(c10::kCPU);

}  // namespace

void check_workload(const Workload& workload) {
  if (workload.batch < 1)
    throw Error("bench: --batch must be at least 1, got " + std::to_string(workload.batch));
  if (workload.height < kWorkloadMinSide || workload.width < kWorkloadMinSide)
    throw Error("bench: --height and --width must be at least 4 (the adversary pools twice), got " +
                std::to_string(workload.height) + "x" + std::to_string(workload.width));
  if (workload.encoding != "basic" && workload.encoding != "product")
    throw Error(
        "bench: --encoding must be basic or product (the encodings the Python twin implements), got '" +
        workload.encoding + "'");
  if (workload.reps.timed < 1 || workload.reps.warmup < 0)
    throw Error("bench: --iters must be at least 1 and --warmup at least 0");
  for (const auto& override : workload.overrides)
    for (const std::string key : {"model.segmentor", "model.backbone"})
      if (override.rfind(key + "=", 0) == 0)
        throw Error("bench: --set " + override + ": use --" + key.substr(key.find('.') + 1) +
                    " (the Python twin builds the same network from it)");
  check_network_names(workload_config(workload, true));
}

Config workload_config(const Workload& workload, bool adversarial) {
  Config config;
  config.data.dataset = "stanford_background";
  config.data.root = workload.data_root.string();
  config.data.num_classes = workload.num_classes;
  config.data.crop_height = workload.height;
  config.data.crop_width = workload.width;
  config.data.scale_min = 0.8;
  config.data.scale_max = 1.2;
  config.model.segmentor = workload.segmentor;
  config.model.backbone = workload.backbone;
  config.model.adversary = "stanford";
  config.adversarial.encoding = workload.encoding;
  config.train.batch_size = workload.batch;
  config.train.segmentor_optimizer.lr = 1e-3;
  config.train.adversary_optimizer.lr = 1e-4;
  apply_overrides(config, workload.overrides);
  // Which loop runs is the benchmark's choice, not an override's.
  config.adversarial.enabled = adversarial;
  return config;
}

Precision workload_precision(const Workload& workload) {
  return resolve_precision(workload_config(workload, true).train.precision, "cpu");
}

Batch synthetic_batch(const Workload& workload, int batch, c10::MemoryFormat format) {
  torch::manual_seed(kWorkloadSeed);
  Batch synthetic;
  synthetic.images = torch::randn({batch, 3, workload.height, workload.width}).contiguous(format);
  synthetic.labels =
      torch::randint(0, workload.num_classes, {batch, workload.height, workload.width}, torch::kLong);
  return synthetic;
}

namespace {

// Runs `iteration` once under the operator profiler.
template <class Iteration>
IterationProfile profile_one(Iteration&& iteration) {
  OpProfiler profiler;
  const auto start = std::chrono::steady_clock::now();
  iteration();
  IterationProfile profile;
  profile.iteration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  profile.ops = profiler.totals();
  return profile;
}

}  // namespace

TrainingFigures bench_training(const Workload& workload, bool adversarial) {
  const Config config = workload_config(workload, adversarial);
  torch::manual_seed(kWorkloadSeed);
  Networks networks = make_networks(config, kCpu);
  Optimizers optimizers = make_optimizers(config, networks);
  const StepSettings settings = step_settings(config);
  const Batch batch = synthetic_batch(workload, workload.batch, memory_format(config));

  std::int64_t iteration = 0;
  auto step = [&] {
    const auto stats = training_step(networks, optimizers, batch, plan_step(config, iteration++), settings);
    // A skipped update would time less work than training does.
    if (!stats.finite)
      throw Error("bench: a training step gave a non-finite loss; its timing would be wrong");
  };
  TrainingFigures figures;
  figures.images_per_s = workload.batch / best_seconds(step, workload.reps);
  // Counted on an untimed iteration: the observer slows every operator down.
  ConvFlopCounter counter;
  step();
  figures.conv_flops_per_iteration = counter.flops();
  if (workload.profile) figures.profile = profile_one(step);
  return figures;
}

InferenceFigures bench_inference(const Workload& workload, int batch) {
  const Config config = workload_config(workload, false);
  torch::manual_seed(kWorkloadSeed);
  auto segmentor = make_configured_segmentor(config, kCpu);
  const auto images = synthetic_batch(workload, batch, memory_format(config)).images;
  const auto options = prediction_options(config);
  InferenceNetwork network(*segmentor);
  const auto predict = [&] { predict_classes(network, images, options); };
  InferenceFigures figures;
  figures.images_per_s = batch / best_seconds(predict, workload.reps);
  if (workload.profile) figures.profile = profile_one(predict);
  return figures;
}

std::vector<ConvShape> segmentor_conv_shapes(const Workload& workload) {
  const Config config = workload_config(workload, false);
  torch::manual_seed(kWorkloadSeed);
  auto segmentor = make_configured_segmentor(config, kCpu);
  const auto images = synthetic_batch(workload, workload.batch, memory_format(config)).images;
  InferenceNetwork network(*segmentor);
  ConvFlopCounter counter;
  predict_classes(network, images, prediction_options(config));
  return counter.forward_shapes();
}

}  // namespace advseg
