// The training step of the method, on one batch:
//   1. segmentor forward: logits and class probabilities s(x)
//   2. segmentor update:  mce(s(x), y) + lambda * adversarial term, through the
//                         adversary, whose weights do not learn here (plus
//                         aux_weight * mce of an auxiliary head, if any)
//   3. adversary update:  bce(a(x, y), 1) + bce(a(x, s(x)), 0) on the encoded
//                         ground truth and the encoded, detached prediction
// Both updates share the one segmentor forward.
#pragma once

#include <cstdint>

#include "advseg/data/batch.h"
#include "advseg/models/encoding.h"
#include "advseg/train/losses.h"
#include "advseg/train/networks.h"

namespace advseg {

struct AdversarialConfig;

struct StepSettings {
  bool adversarial = true;
  AdversarialLoss loss = AdversarialLoss::flipped;
  EncodingOptions encoding;
  int ignore_index = 255;
  bool bf16 = false;        // autocast the forward passes (train.precision: bf16)
  bool freeze_bn = false;   // BatchNorm layers stay in eval mode (model.freeze_bn)
  double aux_weight = 0.5;  // of the auxiliary head's cross-entropy (model.aux_weight)
};

StepSettings step_settings(const Config& config);

// What one iteration does. Within a round of max(d_steps, s_steps)
// iterations, the segmentor is updated in the first s_steps and the adversary
// in the first d_steps; lambda is 0 before adversarial.start_iteration.
struct StepPlan {
  bool update_segmentor = true;
  bool update_adversary = false;
  double lambda = 0.0;
};

StepPlan plan_step(const AdversarialConfig& config, std::int64_t iteration);

struct StepStats {
  double cross_entropy = 0;            // valid only when the segmentor was updated
  double aux_cross_entropy = 0;        // idem, of the auxiliary head (0 without one)
  double adversarial_term = 0;         // idem, 0 while lambda is 0
  double adversary_loss = 0;           // valid only when the adversary was updated
  double adversary_accuracy_real = 0;  // share of real maps scored > 0.5
  double adversary_accuracy_fake = 0;  // share of predicted maps scored < 0.5
  bool segmentor_updated = false;
  bool adversary_updated = false;
  bool finite = true;  // false when a loss was NaN or Inf (no update was applied then)
};

StepStats training_step(Networks& networks, Optimizers& optimizers, const Batch& batch, const StepPlan& plan,
                        const StepSettings& settings);

}  // namespace advseg
