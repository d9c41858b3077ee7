// French, Laine, Aila, Mackiewicz, Finlayson 2020 ("Semi-supervised semantic
// segmentation needs strong, varied perturbations"): a teacher whose weights
// are a moving average of the segmentor's predicts two unlabelled images;
// the segmentor, given their CutMix, must predict the CutMix of the
// teacher's predictions, wherever the teacher is confident.
#include "advseg/data/unlabeled_views.h"
#include "advseg/train/methods/methods.h"

namespace advseg {
namespace {

class MeanTeacherCutMix : public StepMethod {
 public:
  void add_terms(const StepContext& step, SegmentorLoss& loss) const override {
    if (step.plan.lambda_consistency <= 0) return;
    const auto& views = step.views;
    const auto height = views.images.size(2), width = views.images.size(3);
    torch::Tensor teacher_probs;
    {
      torch::NoGradGuard no_grad;
      const auto logits = step.networks.teacher->forward(views.images).to(torch::kFloat);
      teacher_probs = torch::softmax(upsample_logits(logits, height, width), 1);
    }
    const auto target = cutmix(teacher_probs, views.mix_mask);
    const auto student =
        segmentor_forward(*step.networks.segmentor, cutmix(views.images, views.mix_mask), true);
    const auto probs = torch::softmax(upsample_logits(student.logits, height, width), 1);
    const auto confident = (std::get<0>(target.max(1)) >= step.settings.semi.confidence).to(torch::kFloat);
    loss.add("consistency", step.plan.lambda_consistency, masked_squared_error(probs, target, confident));
    loss.note("consistency_mask_share", confident.mean());
  }

  void after_step(const StepContext& step, const StepStats& stats) const override {
    if (stats.segmentor_updated)
      update_moving_average(*step.networks.teacher, *step.networks.segmentor, step.settings.semi.ema_decay);
  }
};

}  // namespace

std::unique_ptr<StepMethod> mean_teacher_cutmix() { return std::make_unique<MeanTeacherCutMix>(); }

}  // namespace advseg
