// Label-map encodings fed to the adversary (Luc et al. 2016, section 3.2).
// The real map is built so the adversary cannot win by spotting one-hot
// values or void pixels:
//   basic    probabilities as they are (optionally with the image appended),
//   product  each class map times each RGB channel (3C channels),
//   scaling  ground truth softened toward the prediction, keeping at least
//            tau on the true class; predictions pass through unchanged,
//   entropy  each class's share of the map's entropy, -p·log p / log C
//            (ADVENT, Vu et al. 2019; optionally with the image appended):
//            for domain adaptation, where both maps are predictions.
#pragma once

#include <torch/types.h>

#include <string>

namespace advseg {

enum class EncodingKind { basic, product, scaling, entropy };

// "basic" | "product" | "scaling" | "entropy"; anything else throws advseg::Error.
EncodingKind parse_encoding(const std::string& name);

struct EncodingOptions {
  EncodingKind kind = EncodingKind::basic;
  bool with_image = false;  // basic and entropy
  double tau = 0.9;         // scaling only
};

// Channels of an encoded map for num_classes classes.
int encoded_channels(const EncodingOptions& options, int num_classes);

struct GroundTruthMap {
  torch::Tensor soft;         // [N,C,h,w] rows sum to 1
  torch::Tensor valid_share;  // [N,1,h,w] share of non-void input pixels per cell
};

// The ground truth at the segmentor's output resolution: one-hot maps of
// `labels` ([N,H,W] int64) area-downsampled to the size of `probs`
// ([N,C,h,w]); the void share of each cell takes the (detached) prediction.
GroundTruthMap downsample_ground_truth(const torch::Tensor& labels, const torch::Tensor& probs,
                                       int ignore_index);

// The image at the label map's resolution (area-downsampled), [N,3,h,w].
torch::Tensor downsample_image(const torch::Tensor& images, const torch::Tensor& probs);

// -p·log p / log C per class for probability maps [N,C,h,w] (0 where p = 0;
// the channels sum to the normalised entropy, in [0, 1]).
torch::Tensor entropy_map(const torch::Tensor& probs);

// Encodes the segmentor's prediction: probs [N,C,h,w], image_small [N,3,h,w].
torch::Tensor encode_prediction(const torch::Tensor& probs, const torch::Tensor& image_small,
                                const EncodingOptions& options);

// Encodes the ground truth; `probs` (the detached prediction) is what the
// scaling encoding softens toward.
torch::Tensor encode_ground_truth(const GroundTruthMap& truth, const torch::Tensor& probs,
                                  const torch::Tensor& image_small, const EncodingOptions& options);

}  // namespace advseg
