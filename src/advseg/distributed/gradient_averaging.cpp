#include "advseg/distributed/gradient_averaging.h"

#include <ATen/ATen.h>

#include <chrono>
#include <utility>

#include "advseg/distributed/communicator.h"
#include "advseg/error.h"

namespace advseg {
namespace {

// Gradients grouped into buckets of one dtype and device, in parameter order.
std::vector<std::vector<at::Tensor>> into_buckets(const std::vector<at::Tensor>& gradients,
                                                  std::int64_t bucket_bytes) {
  std::vector<std::vector<at::Tensor>> buckets;
  std::int64_t filled = 0;
  for (const auto& gradient : gradients) {
    const auto bytes = static_cast<std::int64_t>(gradient.numel() * gradient.element_size());
    const bool fits = !buckets.empty() && filled + bytes <= bucket_bytes &&
                      buckets.back().front().scalar_type() == gradient.scalar_type() &&
                      buckets.back().front().device() == gradient.device();
    if (!fits) {
      buckets.emplace_back();
      filled = 0;
    }
    buckets.back().push_back(gradient);
    filled += bytes;
  }
  return buckets;
}

}  // namespace

GradientAverager::GradientAverager(std::shared_ptr<Communicator> communicator, std::int64_t bucket_bytes)
    : communicator_(std::move(communicator)), bucket_bytes_(bucket_bytes) {
  if (!communicator_) throw Error("GradientAverager: no communicator");
}

bool GradientAverager::average(const std::vector<at::Tensor>& parameters, bool local_failure) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<at::Tensor> gradients;
  for (const auto& p : parameters)
    if (p.grad().defined()) gradients.push_back(p.grad());
  const auto buckets = into_buckets(gradients, bucket_bytes_);
  std::vector<at::Tensor> flat;
  for (const auto& bucket : buckets) {
    std::vector<at::Tensor> pieces;
    for (const auto& g : bucket) pieces.push_back(g.reshape({-1}));
    flat.push_back(at::cat(pieces));
  }
  // The failure flag: a bucket of its own only when there are no gradients.
  auto flag = at::full({1}, local_failure ? 1.0 : 0.0,
                       flat.empty() ? at::TensorOptions(at::kFloat) : flat.front().options());
  if (flat.empty())
    flat.push_back(flag);
  else
    flat.front() = at::cat({flat.front(), flag});
  communicator_->sum(flat, "averaging gradients");
  const double inverse = 1.0 / communicator_->world_size();
  for (std::size_t b = 0; b < buckets.size(); ++b) {
    std::int64_t offset = 0;
    for (const auto& g : buckets[b]) {
      g.copy_(flat[b].narrow(0, offset, g.numel()).view_as(g)).mul_(inverse);
      offset += g.numel();
    }
  }
  const bool any_failed = flat.front()[-1].item<double>() > 0;
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return any_failed;
}

}  // namespace advseg
