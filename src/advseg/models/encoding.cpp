#include "advseg/models/encoding.h"

#include <torch/nn/functional/embedding.h>
#include <torch/nn/functional/pooling.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "advseg/error.h"

namespace advseg {

namespace F = torch::nn::functional;

namespace {

// Below this remaining mass the prediction is treated as already one-hot.
constexpr double kOneHotSlack = 1e-6;
constexpr double kEntropyOffset = 1e-30;

torch::Tensor area_downsample(const torch::Tensor& maps, const torch::Tensor& like) {
  // adaptive pooling averages exact cell areas, so non-integer ratios work too.
  return F::adaptive_avg_pool2d(maps, F::AdaptiveAvgPool2dFuncOptions({like.size(2), like.size(3)}));
}

void check_label_values(const torch::Tensor& labels, int64_t num_classes, int ignore_index) {
  // one_hot would abort with an internal message on a stray label; name the problem instead.
  const auto out_of_range = (labels < 0).logical_or(labels >= num_classes);
  if (out_of_range.logical_and(labels != ignore_index).any().item<bool>()) {
    throw Error("ground-truth label map holds a class id outside 0.." + std::to_string(num_classes - 1) +
                " that is not the void label " + std::to_string(ignore_index));
  }
}

// [N,C,h,w] x [N,3,h,w] -> [N,3C,h,w] with channel c*3+k = maps[:,c] * image[:,k].
torch::Tensor product_encoding(const torch::Tensor& maps, const torch::Tensor& image_small) {
  return (maps.unsqueeze(2) * image_small.unsqueeze(1)).flatten(1, 2);
}

torch::Tensor maybe_with_image(const torch::Tensor& maps, const torch::Tensor& image_small,
                               const EncodingOptions& options) {
  return options.with_image ? torch::cat({maps, image_small.to(maps.scalar_type())}, 1) : maps;
}

// The basic, product and entropy encodings treat real and predicted maps alike.
torch::Tensor encode_map(const torch::Tensor& maps, const torch::Tensor& image_small,
                         const EncodingOptions& options) {
  switch (options.kind) {
    case EncodingKind::product:
      return product_encoding(maps, image_small);
    case EncodingKind::basic:
      return maybe_with_image(maps, image_small, options);
    case EncodingKind::entropy:
      return maybe_with_image(entropy_map(maps), image_small, options);
    case EncodingKind::scaling:
      break;
  }
  return maps;
}

// Moves the true class l up to max(tau, s_l) and shrinks the other classes
// proportionally, so the real map looks like a confident prediction.
torch::Tensor scale_toward_prediction(const GroundTruthMap& truth, const torch::Tensor& prediction,
                                      double tau) {
  if (!(tau >= 0.0 && tau <= 1.0)) {
    throw Error("scaling encoding: tau must lie in [0, 1], got " + std::to_string(tau));
  }
  const auto true_class = truth.soft.argmax(1, /*keepdim=*/true);
  const auto true_mass = prediction.gather(1, true_class);
  const auto remaining = 1.0 - true_mass;
  // A prediction with (nearly) all mass on l leaves nothing to rescale: use the one-hot map.
  const auto one_hot_cell = remaining < kOneHotSlack;
  const auto raised_mass = torch::where(one_hot_cell, torch::ones_like(true_mass), true_mass.clamp_min(tau));
  const auto shrink = torch::where(one_hot_cell, torch::zeros_like(true_mass),
                                   (1.0 - raised_mass) / remaining.clamp_min(kOneHotSlack));
  const auto scaled = (prediction * shrink).scatter(1, true_class, raised_mass);
  // Cells that are entirely void carry no truth: the prediction stands in for it.
  return torch::where(truth.valid_share == 0, prediction, scaled);
}

}  // namespace

EncodingKind parse_encoding(const std::string& name) {
  if (name == "basic") return EncodingKind::basic;
  if (name == "product") return EncodingKind::product;
  if (name == "scaling") return EncodingKind::scaling;
  if (name == "entropy") return EncodingKind::entropy;
  throw Error("unknown adversary input encoding \"" + name +
              "\"; valid names: basic, product, scaling, entropy");
}

int encoded_channels(const EncodingOptions& options, int num_classes) {
  switch (options.kind) {
    case EncodingKind::product:
      return 3 * num_classes;
    case EncodingKind::basic:
    case EncodingKind::entropy:
      return options.with_image ? num_classes + 3 : num_classes;
    case EncodingKind::scaling:
      break;
  }
  return num_classes;
}

torch::Tensor entropy_map(const torch::Tensor& probs) {
  // log C normalises to [0, 1]; one class has no uncertainty to measure.
  const double log_classes = std::log(static_cast<double>(std::max<int64_t>(probs.size(1), 2)));
  // ADVENT's offset keeps p·log p (and its gradient) finite where p underflows to 0.
  return -(probs * torch::log(probs + kEntropyOffset)) / log_classes;
}

GroundTruthMap downsample_ground_truth(const torch::Tensor& labels, const torch::Tensor& probs,
                                       int ignore_index) {
  TORCH_CHECK(labels.dim() == 3 && probs.dim() == 4 && labels.size(0) == probs.size(0),
              "downsample_ground_truth: labels must be [N,H,W] and probs [N,C,h,w] with the same N");
  const int64_t num_classes = probs.size(1);
  check_label_values(labels, num_classes, ignore_index);
  // Void pixels become all-zero vectors, so their share of a cell is missing mass.
  const auto valid = (labels != ignore_index).unsqueeze(1).to(probs.scalar_type());
  const auto safe_labels = labels.masked_fill(labels == ignore_index, 0);
  const auto one_hot = F::one_hot(safe_labels, num_classes).permute({0, 3, 1, 2}).to(probs.scalar_type());
  GroundTruthMap truth;
  truth.valid_share = area_downsample(valid, probs);
  // The missing mass is filled from the prediction, so void gives the adversary no cue.
  truth.soft = area_downsample(one_hot * valid, probs) + (1.0 - truth.valid_share) * probs.detach();
  return truth;
}

torch::Tensor downsample_image(const torch::Tensor& images, const torch::Tensor& probs) {
  return area_downsample(images, probs);
}

torch::Tensor encode_prediction(const torch::Tensor& probs, const torch::Tensor& image_small,
                                const EncodingOptions& options) {
  return encode_map(probs, image_small, options);
}

torch::Tensor encode_ground_truth(const GroundTruthMap& truth, const torch::Tensor& probs,
                                  const torch::Tensor& image_small, const EncodingOptions& options) {
  if (options.kind == EncodingKind::scaling) {
    return scale_toward_prediction(truth, probs.detach(), options.tau);
  }
  return encode_map(truth.soft, image_small, options);
}

}  // namespace advseg
