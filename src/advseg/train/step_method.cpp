#include "advseg/train/step_method.h"

#include "advseg/train/methods/methods.h"

namespace advseg {

void StepRecord::later(const std::string& name, StepStage stage, const torch::Tensor& value) {
  pending_.emplace_back(stats_.figures.size(), value.detach().reshape({}).to(torch::kDouble));
  stats_.figures.push_back({name, 0.0, stage});
}

StepStats StepRecord::read() {
  if (pending_.empty()) return stats_;
  std::vector<torch::Tensor> values;
  for (const auto& entry : pending_) values.push_back(entry.second);
  const auto all = torch::stack(values).cpu();
  const double* data = all.data_ptr<double>();
  for (std::size_t i = 0; i < pending_.size(); ++i) stats_.figures[pending_[i].first].value = data[i];
  pending_.clear();
  return stats_;
}

void SegmentorLoss::add(const char* name, double weight, const torch::Tensor& term) {
  const auto weighted = weight == 1.0 ? term : weight * term;
  total_ = total_.defined() ? total_ + weighted : weighted;
  record_.later(name, StepStage::segmentor, term);
}

void SegmentorLoss::note(const char* name, const torch::Tensor& value) {
  record_.later(name, StepStage::segmentor, value);
}

std::vector<std::unique_ptr<StepMethod>> step_methods(const StepSettings& settings, bool unlabeled) {
  std::vector<std::unique_ptr<StepMethod>> methods;
  if (settings.adversarial && !settings.adapt_domain) methods.push_back(labelled_adversary());
  const bool semi = unlabeled && settings.semi.enabled;
  if (semi && settings.adversarial && settings.semi.adversarial) methods.push_back(semi_adversarial());
  if (semi && settings.semi.mean_teacher) methods.push_back(mean_teacher_cutmix());
  if (semi && settings.semi.pseudo_label) methods.push_back(pseudo_label());
  if (unlabeled && settings.adapt_domain) methods.push_back(output_space_adaptation());
  return methods;
}

torch::Tensor score_prediction(AdversaryImpl& adversary, const AdversaryView& view,
                               const StepSettings& settings) {
  const auto fake = encode_prediction(view.probs, view.image_small, settings.encoding);
  const auto features = view.image_features.defined() ? view.image_features.detach() : torch::Tensor();
  return adversary.score_map_from_features(features, fake).to(torch::kFloat);
}

torch::Tensor adversarial_term(AdversaryImpl& adversary, const AdversaryView& view,
                               const StepSettings& settings) {
  return segmentor_adversarial_term(score_prediction(adversary, view, settings), view.judged, settings.loss,
                                    settings.criterion);
}

JudgedMap predicted_map(const AdversaryView& view, const StepSettings& settings) {
  return {encode_prediction(view.probs.detach(), view.image_small, settings.encoding), view.image_features,
          view.judged};
}

JudgedMap ground_truth_map(const GroundTruthMap& truth, const AdversaryView& view,
                           const StepSettings& settings) {
  return {encode_ground_truth(truth, view.probs.detach(), view.image_small, settings.encoding),
          view.image_features, view.judged};
}

}  // namespace advseg
