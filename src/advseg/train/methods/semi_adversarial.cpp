// Hung, Tsai, Liou, Lin, Yang 2018: on unlabelled images the adversary's
// per-pixel confidence both pushes the prediction (an adversarial term) and
// picks the pixels whose argmax becomes a pseudo-label.
#include "advseg/train/methods/methods.h"

namespace advseg {
namespace {

class SemiAdversarial : public StepMethod {
 public:
  void add_terms(const StepContext& step, SegmentorLoss& loss) const override {
    const auto& unlabeled = *step.unlabeled;
    const auto& settings = step.settings;
    const auto scores = score_prediction(*step.networks.adversary, unlabeled.view, settings);
    const auto term =
        segmentor_adversarial_term(scores, unlabeled.view.judged, settings.loss, settings.criterion);
    const auto pseudo_labels = confident_pseudo_labels(
        unlabeled.output.logits, scores, unlabeled.images.size(2), unlabeled.images.size(3),
        settings.semi.threshold, settings.criterion, settings.ignore_index);
    loss.add("semi_adversarial_term", step.plan.lambda_semi_adv, term);
    loss.note("semi_mask_share", (pseudo_labels != settings.ignore_index).to(torch::kFloat).mean());
    // Self-training waits for semi.start_iteration: early predictions are noise.
    if (step.plan.lambda_semi > 0)
      loss.add("semi_cross_entropy", step.plan.lambda_semi,
               segmentation_cross_entropy(unlabeled.output.logits, pseudo_labels, settings.ignore_index));
  }
  void add_maps(const StepContext& step, AdversaryMaps& maps, AdversaryMaps& /*aux_maps*/) const override {
    if (step.settings.semi.adversary_on_unlabeled)
      maps.fake.push_back(predicted_map(step.unlabeled->view, step.settings));
  }
};

}  // namespace

std::unique_ptr<StepMethod> semi_adversarial() { return std::make_unique<SemiAdversarial>(); }

}  // namespace advseg
