#include "advseg/train/adversarial_step.h"

#include <algorithm>
#include <cmath>

#include "advseg/config/config.h"
#include "advseg/inference/autocast.h"
#include "advseg/models/norm_layers.h"
#include "advseg/runtime.h"

namespace advseg {
namespace {

// Turns off weight gradients of a network for one scope: the segmentor's
// update back-propagates through the adversary without computing (or ever
// applying) gradients for the adversary's weights.
class FrozenWeights {
 public:
  explicit FrozenWeights(torch::nn::Module& module) : parameters_(module.parameters()) {
    for (auto& p : parameters_) p.requires_grad_(false);
  }
  ~FrozenWeights() {
    for (auto& p : parameters_) p.requires_grad_(true);
  }
  FrozenWeights(const FrozenWeights&) = delete;
  FrozenWeights& operator=(const FrozenWeights&) = delete;

 private:
  std::vector<torch::Tensor> parameters_;
};

bool is_finite(const torch::Tensor& loss) { return std::isfinite(loss.item<double>()); }

bool gradients_finite(const torch::optim::Optimizer& optimizer) {
  std::vector<torch::Tensor> checks;
  for (const auto& group : optimizer.param_groups())
    for (const auto& p : group.params())
      if (p.grad().defined()) checks.push_back(torch::isfinite(p.grad()).all());
  return checks.empty() || torch::stack(checks).all().item<bool>();
}

// Applies one optimiser step for `loss`, unless the loss or a gradient is
// NaN or Inf: one bad batch must not poison the weights.
bool minimise(torch::optim::Optimizer& optimizer, const torch::Tensor& loss) {
  if (!is_finite(loss)) return false;
  optimizer.zero_grad();
  loss.backward();
  if (!gradients_finite(optimizer)) return false;
  optimizer.step();
  return true;
}

// What the adversary sees of the images, for each of its passes.
struct AdversaryInputs {
  torch::Tensor image_small;     // the image at the label maps' size (product encoding)
  torch::Tensor image_features;  // the adversary's own image features (undefined if it has none)
};

// Step 2: mce(s(x), y) [+ aux_weight * mce(aux(x), y)] + lambda * adversarial term.
void update_segmentor(Networks& networks, torch::optim::Optimizer& optimizer, const Batch& batch,
                      const SegmentorOutput& output, const torch::Tensor& probs,
                      const AdversaryInputs& inputs, const StepPlan& plan, const StepSettings& settings,
                      StepStats& stats) {
  auto cross_entropy = segmentation_cross_entropy(output.logits, batch.labels, settings.ignore_index);
  auto loss = cross_entropy;
  if (output.aux_logits.defined()) {
    // torchvision's auxiliary head: a second classifier on an earlier stage, training only.
    auto aux = segmentation_cross_entropy(output.aux_logits, batch.labels, settings.ignore_index);
    loss = loss + settings.aux_weight * aux;
    stats.aux_cross_entropy = aux.item<double>();
  }
  if (settings.adversarial && plan.lambda > 0) {
    FrozenWeights frozen(*networks.adversary);
    auto fake = encode_prediction(probs, inputs.image_small, settings.encoding);
    // The image features carry the adversary's graph (for step 3): detached
    // here, where only the label map's path leads back to the segmentor.
    const auto features = inputs.image_features.defined() ? inputs.image_features.detach() : torch::Tensor();
    auto scores = networks.adversary->forward_from_features(features, fake).to(torch::kFloat);
    auto term = segmentor_adversarial_term(scores, settings.loss);
    loss = loss + plan.lambda * term;
    stats.adversarial_term = term.item<double>();
  }
  stats.cross_entropy = cross_entropy.item<double>();
  stats.segmentor_updated = minimise(optimizer, loss);
  stats.finite = stats.finite && stats.segmentor_updated;
}

// Step 3: bce(a(x, y), 1) + bce(a(x, s(x)), 0), with s(x) detached so no
// gradient reaches the segmentor. Real and fake maps go through the
// adversary in one batched pass, sharing the image features (whose weight
// gradient then sums both halves, as two passes over the image would).
void update_adversary(Networks& networks, torch::optim::Optimizer& optimizer, const Batch& batch,
                      const torch::Tensor& probs, const AdversaryInputs& inputs, const StepSettings& settings,
                      StepStats& stats) {
  auto prediction = probs.detach();
  auto truth = downsample_ground_truth(batch.labels, prediction, settings.ignore_index);
  auto real = encode_ground_truth(truth, prediction, inputs.image_small, settings.encoding);
  auto fake = encode_prediction(prediction, inputs.image_small, settings.encoding);
  const auto& features = inputs.image_features;
  auto scores = networks.adversary
                    ->forward_from_features(features.defined() ? torch::cat({features, features}) : features,
                                            torch::cat({real, fake}))
                    .to(torch::kFloat);
  auto real_scores = scores.narrow(0, 0, real.size(0));
  auto fake_scores = scores.narrow(0, real.size(0), fake.size(0));
  auto loss = adversary_loss(real_scores, fake_scores);
  stats.adversary_loss = loss.item<double>();
  stats.adversary_accuracy_real = (real_scores > 0).to(torch::kFloat).mean().item<double>();
  stats.adversary_accuracy_fake = (fake_scores < 0).to(torch::kFloat).mean().item<double>();
  stats.adversary_updated = minimise(optimizer, loss);
  stats.finite = stats.finite && stats.adversary_updated;
}

}  // namespace

StepSettings step_settings(const Config& config) {
  StepSettings settings;
  settings.adversarial = config.adversarial.enabled;
  settings.loss = parse_adversarial_loss(config.adversarial.loss);
  settings.encoding = encoding_options(config);
  settings.ignore_index = config.data.ignore_index;
  settings.bf16 = uses_bf16(config.train.precision, config.train.device);
  settings.freeze_bn = config.model.freeze_bn;
  settings.aux_weight = config.model.aux_weight;
  return settings;
}

StepPlan plan_step(const AdversarialConfig& config, std::int64_t iteration) {
  StepPlan plan;
  if (!config.enabled) return plan;
  auto round = static_cast<std::int64_t>(std::max(config.d_steps, config.s_steps));
  auto position = iteration % round;
  plan.update_segmentor = position < config.s_steps;
  plan.update_adversary = position < config.d_steps;
  plan.lambda = iteration < config.start_iteration ? 0.0 : config.lambda;
  return plan;
}

StepStats training_step(Networks& networks, Optimizers& optimizers, const Batch& batch, const StepPlan& plan,
                        const StepSettings& settings) {
  StepStats stats;
  set_train_mode(*networks.segmentor, settings.freeze_bn);
  Autocast autocast(batch.images.device().type(), settings.bf16);

  // 1. Segmentor forward, with a graph only when the segmentor learns now.
  SegmentorOutput output;
  {
    torch::AutoGradMode grad_mode(plan.update_segmentor);
    output = networks.segmentor->forward_train(batch.images);
  }
  // fp32 losses under autocast
  output.logits = output.logits.to(torch::kFloat);
  if (output.aux_logits.defined()) output.aux_logits = output.aux_logits.to(torch::kFloat);
  auto probs = torch::softmax(output.logits, 1);
  const bool adversary_learns = settings.adversarial && plan.update_adversary;
  const bool adversary_used = adversary_learns || (settings.adversarial && plan.lambda > 0);
  // The adversary's view of the image, computed once: the image is the same
  // in every pass (with a graph only when the adversary learns now).
  AdversaryInputs inputs;
  if (adversary_used) {
    inputs.image_small = downsample_image(batch.images, probs);
    torch::AutoGradMode grad_mode(adversary_learns);
    inputs.image_features = networks.adversary->image_features(batch.images);
  }

  // 2. Segmentor update.
  if (plan.update_segmentor)
    update_segmentor(networks, *optimizers.segmentor, batch, output, probs, inputs, plan, settings, stats);

  // 3. Adversary update.
  if (adversary_learns)
    update_adversary(networks, *optimizers.adversary, batch, probs, inputs, settings, stats);
  return stats;
}

}  // namespace advseg
