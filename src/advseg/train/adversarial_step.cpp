#include "advseg/train/adversarial_step.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/inference/autocast.h"
#include "advseg/models/norm_layers.h"
#include "advseg/train/step_method.h"

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

// Whether `loss` and every gradient are finite, in one read from the device.
bool loss_and_gradients_finite(const torch::Tensor& loss, const torch::optim::Optimizer& optimizer) {
  std::vector<torch::Tensor> checks{torch::isfinite(loss.detach()).all()};
  for (const auto& group : optimizer.param_groups())
    for (const auto& p : group.params())
      if (p.grad().defined()) checks.push_back(torch::isfinite(p.grad()).all());
  return torch::stack(checks).all().item<bool>();
}

std::vector<torch::Tensor> parameters_of(const torch::optim::Optimizer& optimizer) {
  std::vector<torch::Tensor> parameters;
  for (const auto& group : optimizer.param_groups())
    parameters.insert(parameters.end(), group.params().begin(), group.params().end());
  return parameters;
}

enum class Update { applied, not_finite, overflowed };

// Applies one optimiser step for `loss`, unless the loss or a gradient is
// NaN or Inf: one bad batch must not poison the weights. Data-parallel
// (`workers` set), the gradients are first averaged over the workers, and
// every worker runs the backward pass even on a bad loss, so that the
// collectives in it (synchronised BatchNorm) stay matched; the verdict on
// the losses travels with the gradients, and all skip the step together.
// In fp16 (`scaler` set) the loss is scaled for the backward pass; a
// gradient that overflowed then means the scale was too large, not that
// training diverged: the step is skipped and the scaler backs off.
// A single process reads the verdict once, after the backward pass (a bad
// loss costs one wasted backward pass, and a GPU one stall less per update).
Update minimise(torch::optim::Optimizer& optimizer, const torch::Tensor& loss, GradientAverager* workers,
                GradScaler* scaler) {
  optimizer.zero_grad();
  if (workers) workers->begin(parameters_of(optimizer), !is_finite(loss));
  (scaler ? scaler->scale(loss) : loss).backward();
  if (workers && workers->finish()) return Update::not_finite;
  if (scaler) {
    if (!workers && !is_finite(loss)) return Update::not_finite;
    if (!scaler->unscale(optimizer)) return Update::overflowed;
  } else if (!loss_and_gradients_finite(loss, optimizer)) {
    return Update::not_finite;
  }
  optimizer.step();
  return Update::applied;
}

// `with_graph`: the image features keep their graph (the adversary learns now).
AdversaryView adversary_view(AdversaryImpl& adversary, const torch::Tensor& images,
                             const torch::Tensor& logits, bool with_graph) {
  AdversaryView view;
  // An adversary judging at the image's resolution gets the logits upsampled
  // before the softmax, as Hung et al. feed theirs.
  view.probs = torch::softmax(
      adversary.sees_full_resolution() ? upsample_logits(logits, images.size(2), images.size(3)) : logits, 1);
  view.image_small = downsample_image(images, view.probs);
  view.judged =
      torch::ones({view.probs.size(0), 1, view.probs.size(2), view.probs.size(3)}, view.probs.options());
  torch::AutoGradMode grad_mode(with_graph);
  view.image_features = adversary.image_features(images);
  return view;
}

// Stage 1: s(x) (and s(u) of the unlabelled or target images), and what the
// adversaries see of them.
StepContext forward(Networks& networks, const Batch& batch, const UnlabeledViews& views, const StepPlan& plan,
                    const StepSettings& settings) {
  StepContext step(networks, batch, views, plan, settings);
  const auto& unlabeled_images = views.images;
  // Hung et al.'s terms judge s(u); the consistency methods make their own views.
  const bool semi = settings.adversarial && settings.semi.enabled && settings.semi.adversarial &&
                    unlabeled_images.defined();
  const bool target = settings.adapt_domain && unlabeled_images.defined();
  step.adversary_learns = settings.adversarial && plan.update_adversary;
  const bool adversary_used =
      step.adversary_learns || (settings.adversarial && (plan.lambda > 0 || semi || target));
  // Which unlabelled predictions the adversary learns to call fake.
  const bool adversary_sees_unlabeled = target || (semi && settings.semi.adversary_on_unlabeled);

  step.output = segmentor_forward(*networks.segmentor, batch.images, plan.update_segmentor);
  if (semi || target)
    step.unlabeled =
        UnlabeledPass{unlabeled_images,
                      segmentor_forward(*networks.segmentor, unlabeled_images, plan.update_segmentor),
                      {},
                      {}};
  if (adversary_used) {
    step.labeled =
        adversary_view(*networks.adversary, batch.images, step.output.logits, step.adversary_learns);
    if (!settings.adapt_domain) {
      step.truth = downsample_ground_truth(batch.labels, step.labeled.probs.detach(), settings.ignore_index);
      step.labeled.judged = judged_cells(step.truth.valid_share);
    }
    if (step.unlabeled)
      step.unlabeled->view =
          adversary_view(*networks.adversary, unlabeled_images, step.unlabeled->output.logits,
                         step.adversary_learns && adversary_sees_unlabeled);
  }
  // Multi-level adaptation: the auxiliary head's maps, for the second adversary.
  if (target && adversary_used && networks.aux_adversary) {
    if (!step.output.aux_logits.defined())
      throw Error(
          "adaptation.aux_adversary: the segmentor has no auxiliary head; use a family with one "
          "(fcn_resnet, deeplabv3, pspnet) and model.aux_loss: true, or turn adaptation.aux_adversary off");
    step.labeled_aux =
        adversary_view(*networks.aux_adversary, batch.images, step.output.aux_logits, step.adversary_learns);
    step.unlabeled->aux_view = adversary_view(*networks.aux_adversary, unlabeled_images,
                                              step.unlabeled->output.aux_logits, step.adversary_learns);
  }
  return step;
}

// Stage 2: mce(s(x), y) [+ aux_weight * mce(aux(x), y)] + each method's terms,
// through the adversaries, whose weights do not learn here.
void update_segmentor(const StepContext& step, const std::vector<std::unique_ptr<StepMethod>>& methods,
                      Optimizers& optimizers, StepRecord& record) {
  const auto& settings = step.settings;
  SegmentorLoss loss(record);
  loss.add("cross_entropy", 1.0,
           segmentation_cross_entropy(step.output.logits, step.batch.labels, settings.ignore_index));
  if (step.output.aux_logits.defined())
    // torchvision's auxiliary head: a second classifier on an earlier stage, training only.
    loss.add("aux_cross_entropy", settings.aux_weight,
             segmentation_cross_entropy(step.output.aux_logits, step.batch.labels, settings.ignore_index));
  std::optional<FrozenWeights> frozen, frozen_aux;
  if (step.networks.adversary) frozen.emplace(*step.networks.adversary);
  if (step.networks.aux_adversary) frozen_aux.emplace(*step.networks.aux_adversary);
  for (const auto& method : methods) method->add_terms(step, loss);
  const auto update =
      minimise(*optimizers.segmentor, loss.total(), settings.workers.get(), optimizers.scaler.get());
  auto& stats = record.stats();
  stats.segmentor_updated = update == Update::applied;
  stats.segmentor_failed = update == Update::not_finite;
  stats.finite = stats.finite && !stats.segmentor_failed;
}

// Stage 3, for one adversary: gan(a(real), 1) + gan(a(fake), 0). Predictions
// are detached, so no gradient reaches the segmentor. Every map goes through
// the adversary in one batched pass, sharing the image features (whose
// weight gradient then sums the passes, as separate passes over the image
// would). `stage` says which adversary: the second one's figures start "aux_".
bool update_adversary(AdversaryImpl& adversary, torch::optim::Optimizer& optimizer, GradScaler* scaler,
                      const AdversaryMaps& maps, const StepSettings& settings, StepStage stage,
                      StepRecord& record) {
  const std::string prefix = stage == StepStage::aux_adversary ? "aux_" : "";
  std::vector<torch::Tensor> encoded, features, real_cells, fake_cells;
  std::int64_t real_count = 0;
  for (const auto& map : maps.real) {
    real_count += map.map.size(0);
    real_cells.push_back(map.judged);
  }
  for (const auto& map : maps.fake) fake_cells.push_back(map.judged);
  for (const auto* group : {&maps.real, &maps.fake})
    for (const auto& map : *group) {
      encoded.push_back(map.map);
      features.push_back(map.features);
    }
  const bool has_features = features.front().defined();
  const auto scores =
      adversary
          .score_map_from_features(has_features ? torch::cat(features) : torch::Tensor(), torch::cat(encoded))
          .to(torch::kFloat);
  const auto real_scores = scores.narrow(0, 0, real_count);
  const auto fake_scores = scores.narrow(0, real_count, scores.size(0) - real_count);
  const auto real_judged = torch::cat(real_cells), fake_judged = torch::cat(fake_cells);
  auto loss = adversary_loss(real_scores, real_judged, fake_scores, fake_judged, settings.criterion);
  record.later((prefix + "adversary_loss").c_str(), stage, loss);
  record.later((prefix + "adversary_accuracy_real").c_str(), stage,
               share_judged_real(real_scores, real_judged, settings.criterion));
  record.later((prefix + "adversary_accuracy_fake").c_str(), stage,
               1.0 - share_judged_real(fake_scores, fake_judged, settings.criterion).to(torch::kDouble));
  const auto update = minimise(optimizer, loss, settings.workers.get(), scaler);
  record.stats().finite = record.stats().finite && update != Update::not_finite;
  return update == Update::applied;
}

}  // namespace

SegmentorOutput segmentor_forward(SegmentorImpl& segmentor, const torch::Tensor& images, bool with_graph) {
  SegmentorOutput output;
  {
    torch::AutoGradMode grad_mode(with_graph);
    output = segmentor.forward_train(images);
  }
  output.logits = output.logits.to(torch::kFloat);
  if (output.aux_logits.defined()) output.aux_logits = output.aux_logits.to(torch::kFloat);
  return output;
}

StepSettings step_settings(const Config& config) {
  StepSettings settings;
  settings.adversarial = config.adversarial.enabled;
  settings.adapt_domain = adapts_domain(config);
  settings.loss = parse_adversarial_loss(config.adversarial.loss);
  settings.criterion = {parse_gan_loss(config.adversarial.gan_loss),
                        parse_reduction(config.adversarial.reduction), config.adversarial.real_label};
  settings.encoding = encoding_options(config);
  const SemiConfig& semi = config.semi;
  settings.semi.enabled = semi.enabled;
  settings.semi.adversarial = uses_semi_method(semi, "adversarial");
  settings.semi.mean_teacher = uses_semi_method(semi, "mean_teacher_cutmix");
  settings.semi.pseudo_label = uses_semi_method(semi, "pseudo_label");
  settings.semi.threshold = semi.threshold;
  settings.semi.adversary_on_unlabeled = semi.adversary_on_unlabeled;
  settings.semi.confidence = semi.confidence;
  settings.semi.ema_decay = semi.ema_decay;
  settings.ignore_index = config.data.ignore_index;
  settings.precision = resolve_precision(config.train.precision, config.train.device);
  settings.freeze_bn = config.model.freeze_bn;
  settings.aux_weight = config.model.aux_weight;
  return settings;
}

StepPlan plan_step(const Config& config, std::int64_t iteration) {
  const AdversarialConfig& adversarial = config.adversarial;
  StepPlan plan;
  if (adapts_domain(config)) plan.lambda_entropy = config.adaptation.lambda_ent;
  // The consistency methods need no adversary: they learn from semi.start_iteration on.
  const bool self_training = iteration >= config.semi.start_iteration;
  if (uses_semi_method(config.semi, "mean_teacher_cutmix") && self_training)
    plan.lambda_consistency = config.semi.lambda_consistency;
  if (uses_semi_method(config.semi, "pseudo_label") && self_training)
    plan.lambda_pseudo = config.semi.lambda_pseudo;
  if (!adversarial.enabled) return plan;
  auto round = static_cast<std::int64_t>(std::max(adversarial.d_steps, adversarial.s_steps));
  auto position = iteration % round;
  plan.update_segmentor = position < adversarial.s_steps;
  plan.update_adversary = position < adversarial.d_steps;
  // An adversary still learning alone (before adversarial.start_iteration) drives no image.
  const bool adversary_drives = iteration >= adversarial.start_iteration;
  plan.lambda = adversary_drives ? adversarial.lambda : 0.0;
  if (adapts_domain(config)) {
    // Source predictions are the adversary's "real" maps: only target ones are pushed.
    plan.lambda_target_adv = plan.lambda;
    plan.lambda = 0.0;
    if (config.adaptation.aux_adversary)
      plan.lambda_target_aux_adv = adversary_drives ? config.adaptation.lambda_aux_adv : 0.0;
  }
  if (uses_semi_method(config.semi, "adversarial")) {
    plan.lambda_semi_adv = adversary_drives ? config.semi.lambda_adv : 0.0;
    plan.lambda_semi = self_training ? config.semi.lambda_self : 0.0;
  }
  return plan;
}

StepStats training_step(Networks& networks, Optimizers& optimizers, const Batch& batch, const StepPlan& plan,
                        const StepSettings& settings, const UnlabeledViews& unlabeled) {
  StepRecord record;
  set_train_mode(*networks.segmentor, settings.freeze_bn);
  Autocast autocast(batch.images.device().type(), settings.precision);
  const auto methods = step_methods(settings, unlabeled.defined());

  // 1. Segmentor forward (labelled, then unlabelled or target images).
  const StepContext step = forward(networks, batch, unlabeled, plan, settings);

  // 2. Segmentor update.
  if (plan.update_segmentor) update_segmentor(step, methods, optimizers, record);

  // 3. Adversary update: each method names the maps that are real (ground
  // truth, or source predictions when adapting) and fake.
  if (step.adversary_learns) {
    AdversaryMaps maps, aux_maps;
    for (const auto& method : methods) method->add_maps(step, maps, aux_maps);
    auto& stats = record.stats();
    if (!maps.fake.empty())
      stats.adversary_updated =
          update_adversary(*networks.adversary, *optimizers.adversary, optimizers.scaler.get(), maps,
                           settings, StepStage::adversary, record);
    if (!aux_maps.fake.empty())
      stats.aux_adversary_updated =
          update_adversary(*networks.aux_adversary, *optimizers.aux_adversary, optimizers.scaler.get(),
                           aux_maps, settings, StepStage::aux_adversary, record);
  }
  if (optimizers.scaler) optimizers.scaler->update();
  for (const auto& method : methods) method->after_step(step, record.stats());
  return record.read();
}

ViewOptions view_options(const Config& config) {
  ViewOptions options;
  options.strong = uses_semi_method(config.semi, "pseudo_label");
  options.mix = options.strong || uses_semi_method(config.semi, "mean_teacher_cutmix");
  options.cutmix_area = config.semi.cutmix_area;
  options.mean = config.data.mean;
  options.std = config.data.std;
  return options;
}

}  // namespace advseg
