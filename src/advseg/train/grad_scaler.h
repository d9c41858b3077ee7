// Loss scaling for fp16 training, as torch.amp.GradScaler does it (LibTorch's
// C++ API has none): fp16 gradients below ~6e-8 flush to zero, so the loss is
// multiplied by a large scale before the backward pass and the gradients
// divided by it before the optimiser step. A step whose gradients overflowed
// is skipped and the scale halved; after growth_interval clean steps it
// doubles. One scaler serves every optimiser of a training step (the AMP
// recipe for several models and losses); update() runs once per step.
#pragma once

#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <cstdint>

namespace advseg {

class GradScaler {
 public:
  struct Options {  // torch.amp.GradScaler's defaults
    double init_scale = 65536.0;
    double growth_factor = 2.0;
    double backoff_factor = 0.5;
    std::int64_t growth_interval = 2000;
  };

  explicit GradScaler(const c10::Device& device, Options options);
  explicit GradScaler(const c10::Device& device) : GradScaler(device, Options{}) {}

  // The loss times the current scale, for backward().
  torch::Tensor scale(const torch::Tensor& loss) const;
  // Divides the gradients of `optimizer` by the scale, in place; false when
  // one of them overflowed (the step must then be skipped). Reads one flag
  // from the device.
  bool unscale(torch::optim::Optimizer& optimizer);
  // Once per training step, after every unscale(): backs the scale off if
  // any gradient overflowed, grows it after growth_interval clean steps.
  void update();

  double current_scale() const;
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  Options options_;
  torch::Tensor scale_;           // [1] float32, on the device
  torch::Tensor growth_tracker_;  // [1] int32: clean steps since the last change
  torch::Tensor found_inf_;       // [1] float32: >0 when a gradient overflowed this step
};

}  // namespace advseg
