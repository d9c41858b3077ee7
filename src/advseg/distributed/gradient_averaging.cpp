#include "advseg/distributed/gradient_averaging.h"

#include <ATen/ATen.h>

#include <chrono>
#include <utility>

#include "advseg/distributed/communicator.h"
#include "advseg/error.h"

namespace advseg {

GradientAverager::GradientAverager(std::shared_ptr<Communicator> communicator, GradientAveraging options)
    : communicator_(std::move(communicator)), options_(options) {
  if (!communicator_) throw Error("GradientAverager: no communicator");
}

void GradientAverager::prepare(const std::vector<at::Tensor>& parameters, bool local_failure) {
  // Hooks of a backward pass that threw before finish().
  for (std::size_t i = 0; i < hooks_.size(); ++i) parameters_[i].remove_hook(hooks_[i]);
  hooks_.clear();
  parameters_.clear();
  for (const auto& p : parameters)
    if (p.requires_grad()) parameters_.push_back(p);
  // Buckets in reverse order: the backward pass computes the last layers' gradients first.
  slots_.assign(parameters_.size(), {0, 0});
  buckets_.clear();
  std::int64_t filled = 0;
  for (std::size_t i = parameters_.size(); i-- > 0;) {
    const auto& p = parameters_[i];
    const auto bytes = static_cast<std::int64_t>(p.numel() * p.element_size());
    const bool fits = !buckets_.empty() && filled + bytes <= options_.bucket_bytes &&
                      parameters_[buckets_.back().members.front()].scalar_type() == p.scalar_type() &&
                      parameters_[buckets_.back().members.front()].device() == p.device();
    if (!fits) {
      buckets_.emplace_back();
      filled = 0;
    }
    slots_[i] = {buckets_.size() - 1, filled / p.element_size()};
    buckets_.back().members.push_back(i);
    filled += bytes;
  }
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    const auto& first = parameters_[buckets_[b].members.front()];
    std::int64_t numel = 0;
    for (auto i : buckets_[b].members) numel += parameters_[i].numel();
    // Zeros stand for gradients that never come (a parameter this pass does not use).
    buckets_[b].flat = at::zeros({numel + (b == 0 ? 1 : 0)}, first.options().requires_grad(false));
  }
  if (buckets_.empty()) buckets_.push_back({{}, at::zeros({1}), 0, nullptr});
  buckets_.front().flat[-1].fill_(local_failure ? 1.0 : 0.0);
  next_to_start_ = 0;
  hooks_.clear();
}

void GradientAverager::begin(const std::vector<at::Tensor>& parameters, bool local_failure) {
  prepare(parameters, local_failure);
  if (!options_.overlap) return;
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    hooks_.push_back(
        parameters_[i].register_hook([this, i](const at::Tensor& gradient) { arrive(i, gradient); }));
}

void GradientAverager::arrive(std::size_t parameter, const at::Tensor& gradient) {
  const auto [b, offset] = slots_[parameter];
  auto& bucket = buckets_[b];
  bucket.flat.narrow(0, offset, gradient.numel()).copy_(gradient.reshape({-1}));
  if (++bucket.arrived == bucket.members.size()) start_ready_buckets();
}

void GradientAverager::start_ready_buckets() {
  while (next_to_start_ < buckets_.size() &&
         buckets_[next_to_start_].arrived == buckets_[next_to_start_].members.size())
    start(buckets_[next_to_start_++]);
}

void GradientAverager::start(Bucket& bucket) {
  bucket.wait = communicator_->start_sum(bucket.flat, "averaging gradients");
}

bool GradientAverager::finish() {
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (!hooks_.empty()) parameters_[i].remove_hook(hooks_[i]);
    // Into the buckets not started yet (all of them when not overlapped).
    if (buckets_[slots_[i].first].wait || !parameters_[i].grad().defined()) continue;
    buckets_[slots_[i].first]
        .flat.narrow(0, slots_[i].second, parameters_[i].numel())
        .copy_(parameters_[i].grad().reshape({-1}));
  }
  hooks_.clear();
  for (auto& bucket : buckets_) bucket.arrived = bucket.members.size();
  start_ready_buckets();
  for (auto& bucket : buckets_) bucket.wait();
  const double inverse = 1.0 / communicator_->world_size();
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    auto gradient = parameters_[i].grad();
    if (!gradient.defined()) continue;
    const auto [b, offset] = slots_[i];
    gradient.copy_(buckets_[b].flat.narrow(0, offset, gradient.numel()).view_as(gradient)).mul_(inverse);
  }
  const bool any_failed = buckets_.front().flat[-1].item<double>() > 0;
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ++updates_;
  return any_failed;
}

bool GradientAverager::average(const std::vector<at::Tensor>& parameters, bool local_failure) {
  prepare(parameters, local_failure);
  return finish();
}

}  // namespace advseg
