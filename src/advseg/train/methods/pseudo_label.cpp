// Confidence-thresholded self-training from a weak to a strong view
// (FixMatch, Sohn et al. 2020; UniMatch's single-stream baseline, Yang et al.
// 2023): the segmentor's own prediction of the weakly augmented images (the
// loader's crop and flip) is the label of their strongly augmented view
// (colour jitter, grayscale, blur, then CutMix), wherever it is confident.
#include "advseg/data/unlabeled_views.h"
#include "advseg/train/methods/methods.h"

namespace advseg {
namespace {

class PseudoLabel : public StepMethod {
 public:
  void add_terms(const StepContext& step, SegmentorLoss& loss) const override {
    if (step.plan.lambda_pseudo <= 0) return;
    const auto& views = step.views;
    const auto height = views.images.size(2), width = views.images.size(3);
    auto& segmentor = *step.networks.segmentor;
    torch::Tensor confidence, labels;
    {
      const auto weak = segmentor_forward(segmentor, views.images, false);
      std::tie(confidence, labels) = torch::softmax(upsample_logits(weak.logits, height, width), 1).max(1);
    }
    const auto mixed_confidence = cutmix(confidence.unsqueeze(1), views.mix_mask).squeeze(1);
    const auto mixed_labels = cutmix(labels, views.mix_mask);
    const auto strong = segmentor_forward(segmentor, cutmix(views.strong, views.mix_mask), true);
    const auto confident = (mixed_confidence >= step.settings.semi.confidence).to(torch::kFloat);
    loss.add("pseudo_label_cross_entropy", step.plan.lambda_pseudo,
             masked_cross_entropy(upsample_logits(strong.logits, height, width), mixed_labels, confident));
    loss.note("pseudo_label_mask_share", confident.mean());
  }
};

}  // namespace

std::unique_ptr<StepMethod> pseudo_label() { return std::make_unique<PseudoLabel>(); }

}  // namespace advseg
