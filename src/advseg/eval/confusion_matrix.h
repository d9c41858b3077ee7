// One confusion matrix accumulated over a whole evaluation set (not averaged
// per image), and the standard segmentation metrics computed from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace advseg {

struct SegmentationMetrics {
  double pixel_accuracy = 0;       // sum(diag) / sum(all)
  double mean_class_accuracy = 0;  // mean over classes present in the ground truth
  double mean_iou = 0;             // mean over classes present in ground truth or prediction
  double frequency_weighted_iou = 0;
  std::vector<double> class_iou;       // NaN where the class appears nowhere
  std::vector<double> class_accuracy;  // NaN where the class is absent from the ground truth
  std::int64_t pixels = 0;             // valid pixels counted
};

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int num_classes, int ignore_index = 255);

  // Counts n pixels; targets equal to ignore_index are skipped. Predictions
  // and (non-ignored) targets outside [0, num_classes) throw advseg::Error.
  void update(const std::uint8_t* target, const std::int64_t* prediction, std::size_t n);
  void merge(const ConfusionMatrix& other);
  // The counts as doubles (exact up to 2^53 pixels), to add up across
  // workers; load_sums puts such a list back (advseg::Error if its size differs).
  std::vector<double> to_sums() const;
  void load_sums(const std::vector<double>& sums);

  // count(t, p): pixels of true class t predicted as p.
  std::int64_t count(int target, int prediction) const;
  int num_classes() const { return num_classes_; }
  SegmentationMetrics metrics() const;

 private:
  int num_classes_;
  int ignore_index_;
  std::vector<std::int64_t> counts_;  // row-major [target][prediction]
};

// {"pixel_accuracy":..,"mean_iou":..,..,"per_class":{"sky":{"iou":..,"accuracy":..},..}};
// NaN becomes null.
nlohmann::json metrics_to_json(const SegmentationMetrics& metrics,
                               const std::vector<std::string>& class_names);

}  // namespace advseg
