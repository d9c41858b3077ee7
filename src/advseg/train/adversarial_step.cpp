#include "advseg/train/adversarial_step.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/inference/autocast.h"
#include "advseg/models/norm_layers.h"

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

// A step's figures as they are computed, and the tensors of those not read
// yet: they come off the device in one transfer when the step ends, where an
// .item() each would stall a GPU's stream a dozen times per step.
struct StepRecord {
  StepStats stats;
  std::vector<std::pair<double StepStats::*, torch::Tensor>> pending;

  void later(double StepStats::*field, const torch::Tensor& value) {
    pending.emplace_back(field, value.detach().reshape({}).to(torch::kDouble));
  }
  StepStats read() {
    if (pending.empty()) return stats;
    std::vector<torch::Tensor> values;
    for (const auto& entry : pending) values.push_back(entry.second);
    const auto all = torch::stack(values).cpu();
    const double* data = all.data_ptr<double>();
    for (std::size_t i = 0; i < pending.size(); ++i) stats.*(pending[i].first) = data[i];
    pending.clear();
    return stats;
  }
};

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

// The segmentor's outputs, with a graph only when the segmentor learns now;
// logits in fp32, so the losses are fp32 under autocast.
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

// What the adversary sees of one batch of images, computed once per step:
// the images are the same in all of its passes.
struct AdversaryView {
  torch::Tensor probs;           // s(x) at the adversary's resolution
  torch::Tensor image_small;     // the image at that resolution (product encoding, with_image)
  torch::Tensor image_features;  // the adversary's own image features (undefined if it has none)
  torch::Tensor judged;          // [N,1,h,w] 1 where a cell carries a verdict (pixel reduction)
};

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

// The adversary's score maps [N,1,h',w'] of the encoded predictions of
// `view`. The image features carry the adversary's graph (for step 3):
// detached here, where only the label map's path leads back to the segmentor.
torch::Tensor score_prediction(AdversaryImpl& adversary, const AdversaryView& view,
                               const StepSettings& settings) {
  const auto fake = encode_prediction(view.probs, view.image_small, settings.encoding);
  const auto features = view.image_features.defined() ? view.image_features.detach() : torch::Tensor();
  return adversary.score_map_from_features(features, fake).to(torch::kFloat);
}

// One batch of unlabelled images through step 1: s(u) and the adversary's view of it.
struct UnlabeledPass {
  torch::Tensor images;
  SegmentorOutput output;
  AdversaryView view;
  AdversaryView aux_view;  // the auxiliary head's maps, for the second adversary (multi-level adaptation)
};

// Step 2 on unlabelled images (Hung et al. 2018):
//   lambda_semi_adv * adversarial term of s(u)
//   + lambda_semi * mce(s(u), argmax s(u) where the adversary's confidence passes T_semi).
torch::Tensor semi_supervised_terms(AdversaryImpl& adversary, const UnlabeledPass& unlabeled,
                                    const StepPlan& plan, const StepSettings& settings, StepRecord& record) {
  const auto scores = score_prediction(adversary, unlabeled.view, settings);
  const auto term =
      segmentor_adversarial_term(scores, unlabeled.view.judged, settings.loss, settings.criterion);
  const auto pseudo_labels = confident_pseudo_labels(
      unlabeled.output.logits, scores, unlabeled.images.size(2), unlabeled.images.size(3),
      settings.semi.threshold, settings.criterion, settings.ignore_index);
  record.stats.used_unlabeled = true;
  record.later(&StepStats::semi_adversarial_term, term);
  record.later(&StepStats::semi_mask_share,
               (pseudo_labels != settings.ignore_index).to(torch::kFloat).mean());
  auto loss = plan.lambda_semi_adv * term;
  if (plan.lambda_semi > 0) {
    const auto self_training =
        segmentation_cross_entropy(unlabeled.output.logits, pseudo_labels, settings.ignore_index);
    record.later(&StepStats::semi_cross_entropy, self_training);
    record.stats.self_trained = true;
    loss = loss + plan.lambda_semi * self_training;
  }
  return loss;
}

// Step 2 on target images (domain adaptation; Tsai et al. 2018, Vu et al. 2019):
//   lambda_target_adv * adversarial term of s(t) (the adversary should take it
//   for a source prediction) + lambda_entropy * mean entropy of s(t)
//   [+ lambda_target_aux_adv * the second adversary's term on the auxiliary head's maps].
// The adversaries are null when only the entropy term is on (ADVENT's MinEnt).
torch::Tensor adaptation_terms(const Networks& networks, const UnlabeledPass& target, const StepPlan& plan,
                               const StepSettings& settings, StepRecord& record) {
  const auto entropy = mean_entropy(target.output.logits);
  record.stats.used_target = true;
  record.later(&StepStats::target_entropy, entropy);
  auto loss = plan.lambda_entropy * entropy;
  if (networks.adversary && plan.lambda_target_adv > 0) {
    const auto term = segmentor_adversarial_term(score_prediction(*networks.adversary, target.view, settings),
                                                 target.view.judged, settings.loss, settings.criterion);
    record.later(&StepStats::target_adversarial_term, term);
    record.stats.target_adversary_term = true;
    loss = loss + plan.lambda_target_adv * term;
  }
  if (networks.aux_adversary && plan.lambda_target_aux_adv > 0) {
    const auto term =
        segmentor_adversarial_term(score_prediction(*networks.aux_adversary, target.aux_view, settings),
                                   target.aux_view.judged, settings.loss, settings.criterion);
    record.later(&StepStats::target_aux_adversarial_term, term);
    loss = loss + plan.lambda_target_aux_adv * term;
  }
  return loss;
}

// Step 2: mce(s(x), y) [+ aux_weight * mce(aux(x), y)] + lambda * adversarial
// term [+ the semi-supervised or the domain-adaptation terms].
void update_segmentor(Networks& networks, Optimizers& optimizers, const Batch& batch,
                      const SegmentorOutput& output, const AdversaryView& labeled,
                      const UnlabeledPass* unlabeled, const StepPlan& plan, const StepSettings& settings,
                      StepRecord& record) {
  auto cross_entropy = segmentation_cross_entropy(output.logits, batch.labels, settings.ignore_index);
  auto loss = cross_entropy;
  if (output.aux_logits.defined()) {
    // torchvision's auxiliary head: a second classifier on an earlier stage, training only.
    auto aux = segmentation_cross_entropy(output.aux_logits, batch.labels, settings.ignore_index);
    loss = loss + settings.aux_weight * aux;
    record.later(&StepStats::aux_cross_entropy, aux);
  }
  std::optional<FrozenWeights> frozen, frozen_aux;
  if (networks.adversary) frozen.emplace(*networks.adversary);
  if (networks.aux_adversary) frozen_aux.emplace(*networks.aux_adversary);
  if (settings.adversarial && plan.lambda > 0) {
    auto term = segmentor_adversarial_term(score_prediction(*networks.adversary, labeled, settings),
                                           labeled.judged, settings.loss, settings.criterion);
    loss = loss + plan.lambda * term;
    record.later(&StepStats::adversarial_term, term);
  }
  if (unlabeled && settings.adapt_domain)
    loss = loss + adaptation_terms(networks, *unlabeled, plan, settings, record);
  else if (unlabeled)
    loss = loss + semi_supervised_terms(*networks.adversary, *unlabeled, plan, settings, record);
  record.later(&StepStats::cross_entropy, cross_entropy);
  const auto update = minimise(*optimizers.segmentor, loss, settings.workers.get(), optimizers.scaler.get());
  record.stats.segmentor_updated = update == Update::applied;
  record.stats.segmentor_failed = update == Update::not_finite;
  record.stats.finite = record.stats.finite && !record.stats.segmentor_failed;
}

// A label map the adversary judges in step 3, with what it judges it by.
struct JudgedMap {
  torch::Tensor map;       // encoded, without a graph to the segmentor
  torch::Tensor features;  // the adversary's features of its image (undefined if it has none)
  torch::Tensor judged;    // [N,1,h,w] 1 where a cell carries a verdict
};

JudgedMap predicted_map(const AdversaryView& view, const StepSettings& settings) {
  return {encode_prediction(view.probs.detach(), view.image_small, settings.encoding), view.image_features,
          view.judged};
}

JudgedMap ground_truth_map(const GroundTruthMap& truth, const AdversaryView& view,
                           const StepSettings& settings) {
  return {encode_ground_truth(truth, view.probs.detach(), view.image_small, settings.encoding),
          view.image_features, view.judged};
}

// Step 3: gan(a(real), 1) + gan(a(fake), 0). Predictions are detached, so no
// gradient reaches the segmentor. Every map goes through the adversary in one
// batched pass, sharing the image features (whose weight gradient then sums
// the passes, as separate passes over the image would).
void update_adversary(AdversaryImpl& adversary, torch::optim::Optimizer& optimizer, GradScaler* scaler,
                      const std::vector<JudgedMap>& real, const std::vector<JudgedMap>& fake,
                      const StepSettings& settings, StepRecord& record) {
  std::vector<torch::Tensor> maps, features, real_cells, fake_cells;
  std::int64_t real_count = 0;
  for (const auto& map : real) {
    real_count += map.map.size(0);
    real_cells.push_back(map.judged);
  }
  for (const auto& map : fake) fake_cells.push_back(map.judged);
  for (const auto* group : {&real, &fake})
    for (const auto& map : *group) {
      maps.push_back(map.map);
      features.push_back(map.features);
    }
  const bool has_features = features.front().defined();
  const auto scores =
      adversary
          .score_map_from_features(has_features ? torch::cat(features) : torch::Tensor(), torch::cat(maps))
          .to(torch::kFloat);
  const auto real_scores = scores.narrow(0, 0, real_count);
  const auto fake_scores = scores.narrow(0, real_count, scores.size(0) - real_count);
  const auto real_judged = torch::cat(real_cells), fake_judged = torch::cat(fake_cells);
  auto loss = adversary_loss(real_scores, real_judged, fake_scores, fake_judged, settings.criterion);
  record.later(&StepStats::adversary_loss, loss);
  record.later(&StepStats::adversary_accuracy_real,
               share_judged_real(real_scores, real_judged, settings.criterion));
  record.later(&StepStats::adversary_accuracy_fake,
               1.0 - share_judged_real(fake_scores, fake_judged, settings.criterion).to(torch::kDouble));
  const auto update = minimise(optimizer, loss, settings.workers.get(), scaler);
  record.stats.adversary_updated = update == Update::applied;
  record.stats.finite = record.stats.finite && update != Update::not_finite;
}

}  // namespace

StepSettings step_settings(const Config& config) {
  StepSettings settings;
  settings.adversarial = config.adversarial.enabled;
  settings.adapt_domain = adapts_domain(config);
  settings.loss = parse_adversarial_loss(config.adversarial.loss);
  settings.criterion = {parse_gan_loss(config.adversarial.gan_loss),
                        parse_reduction(config.adversarial.reduction)};
  settings.encoding = encoding_options(config);
  settings.semi = {config.semi.enabled, config.semi.threshold, config.semi.adversary_on_unlabeled};
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
  if (config.semi.enabled) {
    plan.lambda_semi_adv = adversary_drives ? config.semi.lambda_adv : 0.0;
    plan.lambda_semi = iteration < config.semi.start_iteration ? 0.0 : config.semi.lambda_self;
  }
  return plan;
}

StepStats training_step(Networks& networks, Optimizers& optimizers, const Batch& batch, const StepPlan& plan,
                        const StepSettings& settings, const torch::Tensor& unlabeled_images) {
  StepRecord record;
  set_train_mode(*networks.segmentor, settings.freeze_bn);
  Autocast autocast(batch.images.device().type(), settings.precision);
  const bool semi = settings.adversarial && settings.semi.enabled && unlabeled_images.defined();
  const bool target = settings.adapt_domain && unlabeled_images.defined();
  const bool adversary_learns = settings.adversarial && plan.update_adversary;
  const bool adversary_used =
      adversary_learns || (settings.adversarial && (plan.lambda > 0 || semi || target));
  // Which unlabelled predictions the adversary learns to call fake.
  const bool adversary_sees_unlabeled = target || (semi && settings.semi.adversary_on_unlabeled);

  // 1. Segmentor forward (labelled, then unlabelled or target images).
  const SegmentorOutput output = segmentor_forward(*networks.segmentor, batch.images, plan.update_segmentor);
  std::optional<UnlabeledPass> unlabeled;
  if (semi || target)
    unlabeled = UnlabeledPass{unlabeled_images,
                              segmentor_forward(*networks.segmentor, unlabeled_images, plan.update_segmentor),
                              {},
                              {}};
  AdversaryView labeled;
  GroundTruthMap truth;
  if (adversary_used) {
    labeled = adversary_view(*networks.adversary, batch.images, output.logits, adversary_learns);
    if (!settings.adapt_domain) {
      truth = downsample_ground_truth(batch.labels, labeled.probs.detach(), settings.ignore_index);
      labeled.judged = judged_cells(truth.valid_share);
    }
    if (unlabeled)
      unlabeled->view = adversary_view(*networks.adversary, unlabeled->images, unlabeled->output.logits,
                                       adversary_learns && adversary_sees_unlabeled);
  }
  // Multi-level adaptation: the auxiliary head's maps, for the second adversary.
  AdversaryView labeled_aux;
  const bool multi_level = target && adversary_used && networks.aux_adversary;
  if (multi_level) {
    if (!output.aux_logits.defined())
      throw Error(
          "adaptation.aux_adversary: the segmentor has no auxiliary head; use a family with one "
          "(fcn_resnet, deeplabv3, pspnet) and model.aux_loss: true, or turn adaptation.aux_adversary off");
    labeled_aux = adversary_view(*networks.aux_adversary, batch.images, output.aux_logits, adversary_learns);
    unlabeled->aux_view = adversary_view(*networks.aux_adversary, unlabeled->images,
                                         unlabeled->output.aux_logits, adversary_learns);
  }

  // 2. Segmentor update.
  const UnlabeledPass* unlabeled_pass = unlabeled ? &*unlabeled : nullptr;
  if (plan.update_segmentor)
    update_segmentor(networks, optimizers, batch, output, labeled, unlabeled_pass, plan, settings, record);

  // 3. Adversary update: ground truth is real and predictions fake or, when
  // adapting, source predictions are real and target ones fake.
  if (adversary_learns) {
    std::vector<JudgedMap> real = {settings.adapt_domain ? predicted_map(labeled, settings)
                                                         : ground_truth_map(truth, labeled, settings)};
    std::vector<JudgedMap> fake;
    if (!settings.adapt_domain) fake.push_back(predicted_map(labeled, settings));
    if (unlabeled && adversary_sees_unlabeled) fake.push_back(predicted_map(unlabeled->view, settings));
    if (!fake.empty())
      update_adversary(*networks.adversary, *optimizers.adversary, optimizers.scaler.get(), real, fake,
                       settings, record);
  }
  if (adversary_learns && multi_level) {
    StepRecord aux;
    update_adversary(*networks.aux_adversary, *optimizers.aux_adversary, optimizers.scaler.get(),
                     {predicted_map(labeled_aux, settings)}, {predicted_map(unlabeled->aux_view, settings)},
                     settings, aux);
    const StepStats aux_stats = aux.read();
    record.stats.aux_adversary_loss = aux_stats.adversary_loss;
    record.stats.aux_adversary_updated = aux_stats.adversary_updated;
    record.stats.finite = record.stats.finite && aux_stats.finite;
  }
  if (optimizers.scaler) optimizers.scaler->update();
  return record.read();
}

}  // namespace advseg
