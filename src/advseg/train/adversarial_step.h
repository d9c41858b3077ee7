// The training step of the method, on one batch:
//   1. segmentor forward: logits and class probabilities s(x) (and, in
//      semi-supervised training, s(u) of a batch of unlabelled images u)
//   2. segmentor update:  mce(s(x), y) + lambda * adversarial term, through the
//                         adversary, whose weights do not learn here (plus
//                         aux_weight * mce of an auxiliary head, if any);
//                         semi-supervised, also on u: lambda_semi_adv * the
//                         adversarial term, and lambda_semi * mce against
//                         the argmax of s(u) where the adversary is confident
//   3. adversary update:  gan(a(x, y), 1) + gan(a(x, s(x)), 0) on the encoded
//                         ground truth and the encoded, detached prediction
//                         (semi-supervised: s(u) is fake too)
// Domain adaptation (AdaptSegNet, ADVENT) changes what the adversary tells
// apart: source predictions s(x) are real and target predictions s(t) fake.
//   2. segmentor update:  mce(s(x), y) + lambda * adversarial term of s(t)
//                         + lambda_ent * mean entropy of s(t)
//   3. adversary update:  gan(a(s(x)), 1) + gan(a(s(t)), 0), both detached
// and, multi-level (AdaptSegNet), a second adversary does the same with the
// auxiliary head's maps, its term weighted by lambda_aux_adv.
// Both updates share the one segmentor forward.
#pragma once

#include <cstdint>
#include <memory>

#include "advseg/data/batch.h"
#include "advseg/distributed/gradient_averaging.h"
#include "advseg/inference/precision.h"
#include "advseg/models/encoding.h"
#include "advseg/train/losses.h"
#include "advseg/train/networks.h"
#include "advseg/train/step_stats.h"

namespace advseg {

struct Config;

struct SemiSettings {
  bool enabled = false;
  double threshold = 0.2;              // T_semi: least confidence of a pseudo-label
  bool adversary_on_unlabeled = true;  // s(u) is fake in step 3
};

struct StepSettings {
  bool adversarial = true;
  bool adapt_domain = false;  // the unlabelled images are a target domain (data.target)
  AdversarialLoss loss = AdversarialLoss::flipped;
  GanCriterion criterion;  // per image or per cell, bce or lsgan
  EncodingOptions encoding;
  SemiSettings semi;
  int ignore_index = 255;
  Precision precision;      // of the forward passes (train.precision)
  bool freeze_bn = false;   // BatchNorm layers stay in eval mode (model.freeze_bn)
  double aux_weight = 0.5;  // of the auxiliary head's cross-entropy (model.aux_weight)
  // Data-parallel training: averages every update's gradients over the
  // workers (null: a single process). Set by the trainer, not the config.
  std::shared_ptr<GradientAverager> workers;
};

StepSettings step_settings(const Config& config);

// What one iteration does. Within a round of max(d_steps, s_steps)
// iterations, the segmentor is updated in the first s_steps and the adversary
// in the first d_steps; lambda is 0 before adversarial.start_iteration, and
// lambda_semi 0 before semi.start_iteration. Domain adaptation moves
// adversarial.lambda from the labelled term (then 0) to lambda_target_adv.
struct StepPlan {
  bool update_segmentor = true;
  bool update_adversary = false;
  double lambda = 0.0;
  double lambda_semi_adv = 0.0;  // semi-supervised terms (0 without semi.enabled)
  double lambda_semi = 0.0;
  double lambda_target_adv = 0.0;      // domain adaptation: the adversarial term on target predictions
  double lambda_entropy = 0.0;         // ... and their entropy (adaptation.lambda_ent)
  double lambda_target_aux_adv = 0.0;  // ... and the second adversary's term (adaptation.aux_adversary)
};

StepPlan plan_step(const Config& config, std::int64_t iteration);

// `unlabeled_images`: a batch of unlabelled images ([M,3,H,W], normalised,
// the labelled batch's size), used only when settings.semi.enabled or, as
// target images, settings.adapt_domain.
StepStats training_step(Networks& networks, Optimizers& optimizers, const Batch& batch, const StepPlan& plan,
                        const StepSettings& settings, const torch::Tensor& unlabeled_images = {});

}  // namespace advseg
