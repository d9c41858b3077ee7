#include "advseg/models/spectral_norm.h"

#include <torch/nn/init.h>

#include <cmath>

namespace advseg {

namespace {

// torch.nn.utils.spectral_norm's eps and the iterations its newer form runs at creation.
constexpr double kEps = 1e-12;
constexpr int kInitialIterations = 15;

// v / max(|v|, eps), as F::normalize (whose options GCC's sanitizer build warns about).
torch::Tensor unit(const torch::Tensor& vector) { return vector / vector.norm().clamp_min(kEps); }

}  // namespace

SpectralNormConv2dImpl::SpectralNormConv2dImpl(const ConvShape& shape_) : shape(shape_) { reset(); }

void SpectralNormConv2dImpl::reset() {
  weight_orig = register_parameter(
      "weight_orig", torch::empty({shape.out_channels, shape.in_channels, shape.kernel, shape.kernel}));
  // Conv2d's initialisation: kaiming_uniform(a = sqrt(5)), bias from its fan-in.
  torch::nn::init::kaiming_uniform_(weight_orig, std::sqrt(5.0));
  const double bound = 1.0 / std::sqrt(static_cast<double>(weight_orig[0].numel()));
  bias = register_parameter("bias", (torch::rand({shape.out_channels}) * 2 - 1) * bound);
  // Named as torch.nn.utils.spectral_norm names them.
  u = register_buffer("weight_u", unit(torch::randn({shape.out_channels})));
  v = register_buffer("weight_v", unit(torch::randn({weight_orig[0].numel()})));
  for (int i = 0; i < kInitialIterations; ++i) power_iteration();
}

// Products with the weight matrix are written elementwise: autocast would
// run mv and dot in bf16 on a GPU (and refuse to mix them with fp32).
void SpectralNormConv2dImpl::power_iteration() {
  torch::NoGradGuard no_grad;
  const auto matrix = weight_orig.flatten(1).to(u.scalar_type());
  v.copy_(unit((matrix * u.unsqueeze(1)).sum(0)));
  u.copy_(unit((matrix * v.unsqueeze(0)).sum(1)));
}

torch::Tensor SpectralNormConv2dImpl::normalised_weight() const {
  // sigma = u^T W v; the estimates are constants of the graph, as in PyTorch,
  // and copies: the next training pass refines u and v in place.
  const auto sigma = (weight_orig.flatten(1) * u.clone().unsqueeze(1) * v.clone().unsqueeze(0)).sum();
  return weight_orig / sigma;
}

torch::Tensor SpectralNormConv2dImpl::forward(const torch::Tensor& input) {
  if (is_training()) power_iteration();
  return torch::conv2d(input, normalised_weight(), bias, shape.stride, shape.padding);
}

}  // namespace advseg
