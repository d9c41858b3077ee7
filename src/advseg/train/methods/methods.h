// The methods of the training step (train/step_method.h), one file each.
#pragma once

#include <memory>

#include "advseg/train/step_method.h"

namespace advseg {

// Luc et al. 2016: lambda * the adversarial term of s(x); the adversary
// learns to call the ground truth real and s(x) fake.
std::unique_ptr<StepMethod> labelled_adversary();

// Hung et al. 2018, on unlabelled images u: lambda_semi_adv * the adversarial
// term of s(u) + lambda_semi * mce(s(u), its argmax where the adversary's
// confidence passes T_semi); s(u) is fake too (semi.adversary_on_unlabeled).
std::unique_ptr<StepMethod> semi_adversarial();

// French et al. 2020, on unlabelled images u: lambda_consistency * the
// squared error between s(cutmix(u)) and cutmix(teacher(u)) where the
// teacher is confident (semi.confidence); after each segmentor update the
// teacher (Networks::teacher) moves toward the segmentor (semi.ema_decay).
std::unique_ptr<StepMethod> mean_teacher_cutmix();

// FixMatch-style self-training on unlabelled images u: lambda_pseudo * the
// cross-entropy of s(cutmix(strong(u))) against cutmix(argmax s(u)) where
// s(u), without a graph, is confident (semi.confidence).
std::unique_ptr<StepMethod> pseudo_label();

// Output-space domain adaptation on target images t (AdaptSegNet, Tsai et
// al. 2018; ADVENT, Vu et al. 2019): lambda_target_adv * the adversarial
// term of s(t) + lambda_entropy * the mean entropy of s(t) [+ the second
// adversary's term on the auxiliary head's maps]; the adversaries learn to
// call source predictions real and target ones fake.
std::unique_ptr<StepMethod> output_space_adaptation();

}  // namespace advseg
