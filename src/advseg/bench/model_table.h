// `advseg models`: every network of the registry with its size, its cost and
// its CPU speed at one input size, the figures behind docs/models.md.
// Multiply-adds are those of the convolutions (ConvFlopCounter), the measure
// torchvision's model tables use; the forward time is the real inference path
// (predict_logits: eval mode, autocast, upsampling).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "advseg/bench/measure.h"

namespace advseg {

struct ModelTableOptions {
  int size = 512;     // square input side
  int classes = 21;   // VOC's
  bool time = false;  // also time a batch-1 forward pass (fp32, and bf16 where native)
  int threads = 0;    // LibTorch intra-op threads; 0 = every core
  Repetitions reps{1, 3};
};

struct ModelRow {
  std::string kind;  // "segmentor" | "adversary"
  std::string name;
  std::string backbone;  // "" for networks without one
  std::int64_t parameters = 0;
  double conv_gmacs = 0;  // one forward pass on one image
  int output_stride = 0;  // segmentors; adversaries: 0
  std::optional<double> forward_ms_fp32, forward_ms_bf16;
};

// Every segmentor with each backbone it takes, then every adversary (on the
// label map of a stride-8 segmentor: size/8 square, `classes` channels, the
// basic encoding). Writes what it is measuring to `progress`.
std::vector<ModelRow> model_table(const ModelTableOptions& options, std::ostream& progress);

// {"size", "classes", "threads", "cpu", "torch_version", "models": [row...]}.
nlohmann::json model_table_json(const ModelTableOptions& options, const std::vector<ModelRow>& rows);

}  // namespace advseg
