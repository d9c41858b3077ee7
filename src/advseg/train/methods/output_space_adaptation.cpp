// Output-space domain adaptation: the segmentor's predictions on target
// images t should look like its predictions on source images, to an
// adversary (AdaptSegNet, Tsai et al. 2018) or by their low entropy
// (ADVENT, Vu et al. 2019). Source predictions are the "real" maps.
#include "advseg/train/methods/methods.h"

namespace advseg {
namespace {

class OutputSpaceAdaptation : public StepMethod {
 public:
  // The adversaries are null when only the entropy term is on (ADVENT's MinEnt).
  void add_terms(const StepContext& step, SegmentorLoss& loss) const override {
    const auto& target = *step.unlabeled;
    const auto& plan = step.plan;
    loss.add("target_entropy", plan.lambda_entropy, mean_entropy(target.output.logits));
    if (step.networks.adversary && plan.lambda_target_adv > 0)
      loss.add("target_adversarial_term", plan.lambda_target_adv,
               adversarial_term(*step.networks.adversary, target.view, step.settings));
    if (step.networks.aux_adversary && plan.lambda_target_aux_adv > 0)
      loss.add("target_aux_adversarial_term", plan.lambda_target_aux_adv,
               adversarial_term(*step.networks.aux_adversary, target.aux_view, step.settings));
  }
  void add_maps(const StepContext& step, AdversaryMaps& maps, AdversaryMaps& aux_maps) const override {
    maps.real.push_back(predicted_map(step.labeled, step.settings));
    maps.fake.push_back(predicted_map(step.unlabeled->view, step.settings));
    if (!step.networks.aux_adversary) return;
    aux_maps.real.push_back(predicted_map(step.labeled_aux, step.settings));
    aux_maps.fake.push_back(predicted_map(step.unlabeled->aux_view, step.settings));
  }
};

}  // namespace

std::unique_ptr<StepMethod> output_space_adaptation() { return std::make_unique<OutputSpaceAdaptation>(); }

}  // namespace advseg
