// What the export tests share: a family's segmentor with non-trivial
// BatchNorm statistics, an export spec, advseg's own logits to compare an
// exported model against, and raw float files for the Python checks.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "advseg/inference/prediction.h"
#include "advseg/inference/torchscript_export.h"
#include "advseg/io/palette.h"
#include "support/network_state.h"

namespace advseg::testing {

constexpr int kExportClasses = 4;

inline std::shared_ptr<SegmentorImpl> exportable(const SegmentorFamily& family) {
  auto segmentor = segmentor_of(family, kExportClasses, 5);
  randomise_batch_norms(*segmentor, family.side);
  return segmentor;
}

inline TorchScriptExport spec_for(int side) {
  TorchScriptExport spec;
  spec.class_names = {"sky", "tree", "road", "grass"};
  spec.palette = default_palette(kExportClasses);
  spec.height = side;
  spec.width = side;
  return spec;
}

// advseg's prediction for RGB images in [0, 1].
inline torch::Tensor advseg_logits(SegmentorImpl& segmentor, const torch::Tensor& images) {
  InferenceNetwork network(segmentor);
  PredictionOptions options;
  const auto mean = torch::tensor(options.normalization.mean, torch::kFloat).view({1, 3, 1, 1});
  const auto std = torch::tensor(options.normalization.std, torch::kFloat).view({1, 3, 1, 1});
  return predict_logits(network, (images - mean) / std, options);
}

// float32, C-ordered, no header: what the Python checks read with frombuffer.
inline void write_floats(const std::filesystem::path& path, const torch::Tensor& tensor) {
  const auto data = tensor.to(torch::kFloat).contiguous();
  std::ofstream(path, std::ios::binary)
      .write(static_cast<const char*>(data.data_ptr()), static_cast<std::streamsize>(data.nbytes()));
}

}  // namespace advseg::testing
