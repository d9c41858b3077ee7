// The training step, on one batch of labelled images x (and, in
// semi-supervised training or domain adaptation, one batch of unlabelled or
// target images u):
//   1. forward:           s(x) (and s(u) where a method needs it), and what
//                         the adversaries see of them
//   2. segmentor update:  mce(s(x), y) [+ aux_weight * mce of an auxiliary
//                         head] + each method's named terms, through the
//                         adversaries, whose weights do not learn here
//   3. adversary update:  gan(a(real), 1) + gan(a(fake), 0) on the maps the
//                         methods call real and fake, all detached
// and then each method may act (the mean teacher follows the student).
// The methods (train/methods/), each a StepMethod (train/step_method.h):
//   labelled adversary (Luc et al. 2016): lambda * adversarial term of s(x);
//     y is real, s(x) fake
//   semi adversarial (Hung et al. 2018): lambda_semi_adv * adversarial term of
//     s(u) + lambda_semi * mce against its argmax where the adversary is
//     confident; s(u) is fake too
//   mean teacher CutMix (French et al. 2020): lambda_consistency * squared
//     error between s(cutmix(u)) and cutmix(teacher(u)) where the teacher is
//     confident; the teacher is an EMA of the segmentor
//   pseudo-labels (FixMatch-style): lambda_pseudo * mce of s(cutmix(strong
//     view of u)) against cutmix(argmax s(u)) where s(u) is confident
//   output-space adaptation (AdaptSegNet, ADVENT), u target images:
//     lambda_target_adv * adversarial term of s(u) + lambda_ent * mean
//     entropy of s(u); source predictions s(x) are real and s(u) fake; a
//     second adversary does the same on the auxiliary head's maps
//     (multi-level, lambda_aux_adv)
// Stage 2 and 3 share the one forward of stage 1.
#pragma once

#include <cstdint>
#include <memory>

#include "advseg/data/batch.h"
#include "advseg/data/unlabeled_views.h"
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
  bool adversarial = true;             // Hung et al.'s terms (semi.method adversarial)
  bool mean_teacher = false;           // French et al.'s CutMix consistency (semi.method mean_teacher_cutmix)
  bool pseudo_label = false;           // weak-to-strong pseudo-labels (semi.method pseudo_label)
  double threshold = 0.2;              // T_semi: least confidence of a pseudo-label
  bool adversary_on_unlabeled = true;  // s(u) is fake in step 3
  double confidence = 0.95;            // least teacher / weak-view confidence of a pixel that trains
  double ema_decay = 0.99;             // of the mean teacher
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
  double lambda_consistency = 0.0;     // mean teacher (0 before semi.start_iteration)
  double lambda_pseudo = 0.0;          // pseudo-labels (0 before semi.start_iteration)
  double lambda_target_adv = 0.0;      // domain adaptation: the adversarial term on target predictions
  double lambda_entropy = 0.0;         // ... and their entropy (adaptation.lambda_ent)
  double lambda_target_aux_adv = 0.0;  // ... and the second adversary's term (adaptation.aux_adversary)
};

StepPlan plan_step(const Config& config, std::int64_t iteration);

// `unlabeled`: a batch of unlabelled images ([M,3,H,W], normalised, the
// labelled batch's size) and the views the semi-supervised methods take of
// it, used only when settings.semi.enabled or, as target images,
// settings.adapt_domain.
StepStats training_step(Networks& networks, Optimizers& optimizers, const Batch& batch, const StepPlan& plan,
                        const StepSettings& settings, const UnlabeledViews& unlabeled = {});

// The views the step's methods need of a batch of unlabelled images
// (data/unlabeled_views.h): a strong view for pseudo_label, CutMix boxes for
// either consistency method.
ViewOptions view_options(const Config& config);

}  // namespace advseg
