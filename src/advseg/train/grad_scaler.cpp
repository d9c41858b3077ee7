#include "advseg/train/grad_scaler.h"

#include <ATen/ops/_amp_foreach_non_finite_check_and_unscale.h>
#include <ATen/ops/_amp_update_scale.h>
#include <torch/torch.h>

#include <vector>

#include "advseg/error.h"

namespace advseg {

GradScaler::GradScaler(const c10::Device& device, Options options)
    : options_(options),
      scale_(torch::full({1}, options.init_scale, torch::dtype(torch::kFloat).device(device))),
      growth_tracker_(torch::zeros({1}, torch::dtype(torch::kInt).device(device))),
      found_inf_(torch::zeros({1}, torch::dtype(torch::kFloat).device(device))) {}

torch::Tensor GradScaler::scale(const torch::Tensor& loss) const { return loss * scale_.to(loss.dtype()); }

bool GradScaler::unscale(torch::optim::Optimizer& optimizer) {
  std::vector<torch::Tensor> gradients;
  for (const auto& group : optimizer.param_groups())
    for (const auto& p : group.params())
      if (p.grad().defined()) gradients.push_back(p.grad());
  if (gradients.empty()) return true;
  auto found_here = torch::zeros_like(found_inf_);
  at::_amp_foreach_non_finite_check_and_unscale_(gradients, found_here, scale_.reciprocal());
  found_inf_.add_(found_here);
  return found_here.item<float>() == 0.0f;
}

void GradScaler::update() {
  at::_amp_update_scale_(scale_, growth_tracker_, found_inf_, options_.growth_factor, options_.backoff_factor,
                         options_.growth_interval);
  found_inf_.zero_();
}

double GradScaler::current_scale() const { return scale_.item<double>(); }

void GradScaler::save(torch::serialize::OutputArchive& archive) const {
  archive.write("scale", scale_);
  archive.write("growth_tracker", growth_tracker_);
}

void GradScaler::load(torch::serialize::InputArchive& archive) {
  torch::Tensor scale, tracker;
  archive.read("scale", scale);
  archive.read("growth_tracker", tracker);
  if (scale.numel() != 1 || tracker.numel() != 1 || !(scale.item<double>() > 0))
    throw Error("the gradient scaler's state is not one positive scale and one counter");
  scale_.copy_(scale);
  growth_tracker_.copy_(tracker);
}

}  // namespace advseg
