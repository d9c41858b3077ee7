#include "advseg/models/sync_batch_norm.h"

#include <torch/autograd.h>
#include <torch/nn/modules/container/any.h>

#include <cstdint>

#include "advseg/error.h"
#include "advseg/models/batch_norm_folding.h"

namespace advseg {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// y = sum over workers of x; dL/dx = sum over workers of dL/dy, because every
// worker's loss depends on the sum.
struct SumOverWorkers : torch::autograd::Function<SumOverWorkers> {
  // `sum` lives in the layer that builds the graph, which outlives the graph.
  static torch::Tensor forward(AutogradContext* context, const torch::Tensor& x,
                               const SumAcrossWorkers* sum) {
    context->saved_data["sum"] = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(sum));
    auto total = x.clone();
    (*sum)(total);
    return total;
  }
  static variable_list backward(AutogradContext* context, variable_list gradients) {
    const auto* sum = reinterpret_cast<const SumAcrossWorkers*>(
        static_cast<std::intptr_t>(context->saved_data["sum"].toInt()));
    auto total = gradients[0].clone();
    (*sum)(total);
    return {total, torch::Tensor()};
  }
};

torch::Tensor per_channel(const torch::Tensor& values) { return values.view({1, -1, 1, 1}); }

}  // namespace

void synchronize_batch_norms(torch::nn::Module& network, const SumAcrossWorkers& sum) {
  for (const auto& module : network.modules(/*include_self=*/true))
    if (auto* norm = dynamic_cast<FoldableBatchNorm2dImpl*>(module.get())) norm->sum_across_workers = sum;
}

torch::Tensor synchronized_batch_norm(const torch::Tensor& input, const torch::Tensor& weight,
                                      const torch::Tensor& bias, torch::Tensor& running_mean,
                                      torch::Tensor& running_var, double momentum, double eps,
                                      const SumAcrossWorkers& sum) {
  const auto x = input.to(torch::kFloat);
  const auto channels = x.size(1);
  const auto local_count = static_cast<double>(x.numel() / channels);
  // One all-reduce of [sum, sum of squares, count] (and one of their
  // gradients in the backward pass). The sums are taken about the running
  // mean, the same on every worker and close to the batch's, so that the
  // variance, E[d^2] - E[d]^2, does not cancel away in fp32.
  const auto shift = per_channel(running_mean.detach().to(torch::kFloat).clone());
  const auto shifted = x - shift;
  const auto sums = SumOverWorkers::apply(torch::cat({shifted.sum({0, 2, 3}), shifted.pow(2).sum({0, 2, 3}),
                                                      torch::full({1}, local_count, x.options())}),
                                          &sum);
  const auto count = sums[-1].detach();
  // Every worker sees the same global count, so all of them refuse together.
  if (count.item<double>() <= 1)
    throw Error("batch norm: training needs more than one value per channel over all workers, got " +
                std::to_string(count.item<double>()) + " (a larger batch, or model.freeze_bn)");
  const auto shifted_mean = sums.narrow(0, 0, channels) / count;
  const auto variance = (sums.narrow(0, channels, channels) / count - shifted_mean.pow(2)).clamp_min(0);
  const auto mean = shifted_mean + shift.view({-1});
  const auto centered = x - per_channel(mean);
  {
    torch::NoGradGuard no_grad;
    const double n = count.item<double>();
    running_mean.mul_(1 - momentum).add_(mean.detach().to(running_mean.scalar_type()), momentum);
    running_var.mul_(1 - momentum)
        .add_(variance.detach().to(running_var.scalar_type()) * (n / std::max(n - 1, 1.0)), momentum);
  }
  const auto scale = torch::rsqrt(variance + eps) * weight;
  return (centered * per_channel(scale) + per_channel(bias)).to(input.scalar_type());
}

}  // namespace advseg
