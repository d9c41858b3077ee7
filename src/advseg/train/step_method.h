// What a method of the training step sees and adds. The step
// (train/adversarial_step.cpp) runs the stages; each method
// (train/methods/) adds named terms to the segmentor's loss in stage 2,
// real and fake maps for the adversaries in stage 3, and may act after the
// updates. A method reads the forward passes of stage 1 from the StepContext
// and may run its own (a teacher's, on other views).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "advseg/train/adversarial_step.h"
#include "advseg/train/step_stats.h"

namespace advseg {

// The step's figures as they are computed, and the tensors of those not read
// yet: they come off the device in one transfer when the step ends, where an
// .item() each would stall a GPU's stream a dozen times per step.
class StepRecord {
 public:
  void later(const std::string& name, StepStage stage, const torch::Tensor& value);
  StepStats& stats() { return stats_; }
  StepStats read();

 private:
  StepStats stats_;
  std::vector<std::pair<std::size_t, torch::Tensor>> pending_;  // figure index, value not read yet
};

// The segmentor's loss of one step: a sum of weighted terms, each recorded
// under its name (the key of log.jsonl).
class SegmentorLoss {
 public:
  explicit SegmentorLoss(StepRecord& record) : record_(record) {}
  void add(const char* name, double weight, const torch::Tensor& term);
  // A figure that is not summed: a diagnostic (the share of pixels a mask keeps).
  void note(const char* name, const torch::Tensor& value);
  const torch::Tensor& total() const { return total_; }

 private:
  StepRecord& record_;
  torch::Tensor total_;
};

// What the adversary sees of one batch of images, computed once per step:
// the images are the same in all of its passes.
struct AdversaryView {
  torch::Tensor probs;           // s(x) at the adversary's resolution
  torch::Tensor image_small;     // the image at that resolution (product encoding, with_image)
  torch::Tensor image_features;  // the adversary's own image features (undefined if it has none)
  torch::Tensor judged;          // [N,1,h,w] 1 where a cell carries a verdict (pixel reduction)
};

// One batch of unlabelled images through stage 1: s(u) and the adversaries' views of it.
struct UnlabeledPass {
  torch::Tensor images;
  SegmentorOutput output;
  AdversaryView view;
  AdversaryView aux_view;  // the auxiliary head's maps, for the second adversary (multi-level adaptation)
};

// A label map an adversary judges in stage 3, with what it judges it by.
struct JudgedMap {
  torch::Tensor map;       // encoded, without a graph to the segmentor
  torch::Tensor features;  // the adversary's features of its image (undefined if it has none)
  torch::Tensor judged;    // [N,1,h,w] 1 where a cell carries a verdict
};

// The maps one adversary learns to call real and fake in stage 3.
struct AdversaryMaps {
  std::vector<JudgedMap> real, fake;
};

// Stage 1's results, which every method reads.
struct StepContext {
  StepContext(Networks& networks_, const Batch& batch_, const UnlabeledViews& views_, const StepPlan& plan_,
              const StepSettings& settings_)
      : networks(networks_), batch(batch_), views(views_), plan(plan_), settings(settings_) {}
  Networks& networks;
  const Batch& batch;
  const UnlabeledViews& views;  // the unlabelled images and their views (undefined images: none)
  const StepPlan& plan;
  const StepSettings& settings;
  SegmentorOutput output;                  // s(x), with a graph when the segmentor learns now
  GroundTruthMap truth;                    // y at the adversary's resolution (when it judges labelled maps)
  AdversaryView labeled;                   // the adversary's view of x (when the adversary is used)
  AdversaryView labeled_aux;               // the second adversary's (multi-level adaptation)
  std::optional<UnlabeledPass> unlabeled;  // s(u) of the unlabelled or target images, if any
  bool adversary_learns = false;           // stage 3 runs
};

class StepMethod {
 public:
  virtual ~StepMethod() = default;
  // Stage 2: the method's terms of the segmentor's loss.
  virtual void add_terms(const StepContext& step, SegmentorLoss& loss) const = 0;
  // Stage 3: the maps the adversary (`maps`) and the second adversary
  // (`aux_maps`, multi-level adaptation) learn to tell apart.
  virtual void add_maps(const StepContext& /*step*/, AdversaryMaps& /*maps*/,
                        AdversaryMaps& /*aux_maps*/) const {}
  // After both updates, knowing which were applied.
  virtual void after_step(const StepContext& /*step*/, const StepStats& /*stats*/) const {}
};

// The methods a step with these settings runs, in the order their terms add
// up: the labelled adversary (Luc et al. 2016), then the semi-supervised
// methods (Hung et al.'s terms, the mean teacher, pseudo-labels) or
// output-space domain adaptation. `unlabeled`: whether the step was given
// unlabelled (or target) images.
std::vector<std::unique_ptr<StepMethod>> step_methods(const StepSettings& settings, bool unlabeled);

// The segmentor's outputs, with a graph only when `with_graph`; logits in
// fp32, so the losses are fp32 under autocast.
SegmentorOutput segmentor_forward(SegmentorImpl& segmentor, const torch::Tensor& images, bool with_graph);

// The adversary's score maps [N,1,h',w'] of the encoded predictions of
// `view`. The image features carry the adversary's graph (for stage 3):
// detached here, where only the label map's path leads back to the segmentor.
torch::Tensor score_prediction(AdversaryImpl& adversary, const AdversaryView& view,
                               const StepSettings& settings);
// The segmentor's adversarial term of `view`'s prediction (settings.loss).
torch::Tensor adversarial_term(AdversaryImpl& adversary, const AdversaryView& view,
                               const StepSettings& settings);

// The prediction of `view`, detached, as the adversary judges it.
JudgedMap predicted_map(const AdversaryView& view, const StepSettings& settings);
// The ground truth of `view`'s images, encoded as the adversary judges it.
JudgedMap ground_truth_map(const GroundTruthMap& truth, const AdversaryView& view,
                           const StepSettings& settings);

}  // namespace advseg
