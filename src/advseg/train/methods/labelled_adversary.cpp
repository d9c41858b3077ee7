// Luc, Couprie, Chintala, Verbeek 2016: the adversary tells the ground truth
// from the segmentor's prediction on the same labelled images.
#include "advseg/train/methods/methods.h"

namespace advseg {
namespace {

class LabelledAdversary : public StepMethod {
 public:
  void add_terms(const StepContext& step, SegmentorLoss& loss) const override {
    if (step.plan.lambda > 0)
      loss.add("adversarial_term", step.plan.lambda,
               adversarial_term(*step.networks.adversary, step.labeled, step.settings));
  }
  void add_maps(const StepContext& step, AdversaryMaps& maps, AdversaryMaps& /*aux_maps*/) const override {
    maps.real.push_back(ground_truth_map(step.truth, step.labeled, step.settings));
    maps.fake.push_back(predicted_map(step.labeled, step.settings));
  }
};

}  // namespace

std::unique_ptr<StepMethod> labelled_adversary() { return std::make_unique<LabelledAdversary>(); }

}  // namespace advseg
