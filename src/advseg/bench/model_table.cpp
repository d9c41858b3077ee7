#include "advseg/bench/model_table.h"

#include <ATen/Parallel.h>
#include <torch/nn/module.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>

#include "advseg/bench/conv_flops.h"
#include "advseg/inference/autocast.h"
#include "advseg/inference/precision.h"
#include "advseg/inference/prediction.h"
#include "advseg/models/from_config.h"
#include "advseg/models/registry.h"
#include "advseg/runtime.h"

namespace advseg {
namespace {

constexpr int kAdversaryInputStride = 8;  // the label maps of most zoo segmentors
constexpr int kTableSeed = 0;

struct Variant {
  std::string segmentor;
  std::string backbone;
};

// Every segmentor, with its default backbone first, then the others it takes.
const std::vector<Variant>& variants() {
  static const std::vector<Variant> list = {
      {"multiscale", ""},
      {"fcn32s", "vgg16"},
      {"fcn16s", "vgg16"},
      {"fcn8s", "vgg16"},
      {"dilated8", "vgg16"},
      {"dilated8-context", "vgg16"},
      {"fcn_resnet", "resnet50"},
      {"fcn_resnet", "resnet101"},
      {"deeplabv3", "resnet50"},
      {"deeplabv3", "resnet101"},
      {"deeplabv3", "mobilenet_v3_large"},
      {"lraspp", "mobilenet_v3_large"},
      {"deeplabv2", "resnet101"},
      {"deeplabv2", "resnet50"},
      {"pspnet", "resnet50"},
      {"pspnet", "resnet101"},
      {"unet", ""},
  };
  return list;
}

std::int64_t parameter_count(const torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& parameter : module.parameters()) count += parameter.numel();
  return count;
}

// Multiply-adds of the convolutions `forward` runs.
double conv_gmacs(const std::function<void()>& forward) {
  torch::NoGradGuard no_grad;
  ConvFlopCounter counter;
  forward();
  return counter.flops() / 2 / 1e9;
}

// Milliseconds of the fastest run of `forward`, in fp32 and, where the CPU
// has native bf16, under bf16 autocast.
void time_forward(const std::function<void(const Precision&)>& forward, const ModelTableOptions& options,
                  ModelRow& row) {
  row.forward_ms_fp32 = 1000 * best_seconds([&] { forward({c10::kFloat}); }, options.reps);
  if (const auto native = resolve_precision("auto", "cpu"); native.compute == c10::kBFloat16)
    row.forward_ms_bf16 = 1000 * best_seconds([&] { forward(native); }, options.reps);
}

ModelRow segmentor_row(const Variant& variant, const ModelTableOptions& options) {
  SegmentorOptions segmentor_options;
  segmentor_options.num_classes = options.classes;
  segmentor_options.backbone = variant.backbone;
  torch::manual_seed(kTableSeed);
  auto segmentor = make_segmentor(variant.segmentor, segmentor_options);
  segmentor->eval();
  set_memory_format(*segmentor, c10::MemoryFormat::ChannelsLast);

  ModelRow row;
  row.kind = "segmentor";
  row.name = variant.segmentor;
  row.backbone = variant.backbone;
  row.parameters = parameter_count(*segmentor);
  row.output_stride = segmentor->output_stride();
  const auto images = torch::randn({1, 3, options.size, options.size});
  row.conv_gmacs = conv_gmacs([&] { segmentor->forward(images); });
  if (options.time) {
    InferenceNetwork network(*segmentor);
    PredictionOptions prediction;
    prediction.memory_format = c10::MemoryFormat::ChannelsLast;
    time_forward(
        [&](const Precision& precision) {
          prediction.precision = precision;
          predict_logits(network, images, prediction);
        },
        options, row);
  }
  return row;
}

ModelRow adversary_row(const std::string& name, const ModelTableOptions& options) {
  AdversaryOptions adversary_options;
  adversary_options.label_channels = options.classes;
  torch::manual_seed(kTableSeed);
  auto adversary = make_adversary(name, adversary_options);
  adversary->eval();
  set_memory_format(*adversary, c10::MemoryFormat::ChannelsLast);

  ModelRow row;
  row.kind = "adversary";
  row.name = name;
  row.parameters = parameter_count(*adversary);
  // Label maps at the segmentor's output resolution, or at the image's for
  // an adversary that judges them there (fcd).
  const int side =
      adversary->sees_full_resolution() ? options.size : std::max(options.size / kAdversaryInputStride, 1);
  const auto images =
      torch::randn({1, 3, options.size, options.size}).contiguous(c10::MemoryFormat::ChannelsLast);
  const auto label_map = torch::softmax(torch::randn({1, options.classes, side, side}), 1)
                             .contiguous(c10::MemoryFormat::ChannelsLast);
  row.conv_gmacs = conv_gmacs([&] { adversary->forward(images, label_map); });
  if (options.time)
    time_forward(
        [&](const Precision& precision) {
          torch::NoGradGuard no_grad;
          Autocast autocast(c10::kCPU, precision);
          adversary->forward(images, label_map);
        },
        options, row);
  return row;
}

}  // namespace

std::vector<ModelRow> model_table(const ModelTableOptions& options, std::ostream& progress) {
  configure_threads(options.threads);
  std::vector<ModelRow> rows;
  for (const auto& variant : variants()) {
    progress << "models: " << variant.segmentor << (variant.backbone.empty() ? "" : " / " + variant.backbone)
             << std::endl;
    rows.push_back(segmentor_row(variant, options));
  }
  for (const auto& name : adversary_names()) {
    progress << "models: adversary " << name << std::endl;
    rows.push_back(adversary_row(name, options));
  }
  return rows;
}

nlohmann::json model_table_json(const ModelTableOptions& options, const std::vector<ModelRow>& rows) {
  nlohmann::json report = {
      {"size", options.size},    {"classes", options.classes},     {"threads", at::get_num_threads()},
      {"cpu", cpu_model_name()}, {"torch_version", TORCH_VERSION}, {"models", nlohmann::json::array()}};
  const auto optional = [](const std::optional<double>& value) -> nlohmann::json {
    return value ? nlohmann::json(*value) : nlohmann::json();
  };
  for (const auto& row : rows)
    report["models"].push_back({{"kind", row.kind},
                                {"name", row.name},
                                {"backbone", row.backbone},
                                {"parameters", row.parameters},
                                {"conv_gmacs", row.conv_gmacs},
                                {"output_stride", row.output_stride},
                                {"forward_ms_fp32", optional(row.forward_ms_fp32)},
                                {"forward_ms_bf16", optional(row.forward_ms_bf16)}});
  return report;
}

}  // namespace advseg
