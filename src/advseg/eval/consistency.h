// Spatial consistency of predicted label maps, the qualities adversarial
// training aims at and that pixel accuracy and mIoU barely see: boundaries in
// the right place, regions in one piece, no scattered specks, classes of the
// right size. Accumulated one image at a time.
//
// Void pixels (ground truth = ignore index) are "don't care": they are removed
// from both masks before anything is measured. They belong to no class, and
// the edge between a class and a void region is not a boundary (we do not know
// what lies under the void), so a prediction is judged on valid pixels only.
//
// Per image I and class c (masks of c restricted to valid pixels):
//  - bf_score (Csurka et al. 2013): boundary pixels of c are its pixels with a
//    4-neighbour of another class. Precision = share of predicted boundary
//    pixels within `boundary_tolerance` x image diagonal (Euclidean) of a
//    true boundary pixel; recall the converse; F1 = 2PR/(P+R) (0 when P+R=0).
//    Taken when c is in the ground truth or the prediction; 0 when in only
//    one; with no boundary pixels in either mask 1, in only one of them 0.
//  - component_ratio = predicted / true connected components (8-connected),
//    when c is in the ground truth.
//  - component_abs_diff = |predicted - true components|, when c is in the
//    ground truth or the prediction (a hallucinated class counts all its pieces).
//  - size_error = |predicted area - true area| / true area, when c is in the
//    ground truth.
// Each is averaged over the images where it is taken, per class; the summary
// is the mean over classes where it was ever taken.
//  - speck_share = predicted pixels of c in components smaller than
//    `speck_fraction` x image area, over all predicted pixels of c, pooled over
//    images (a share of pixels, so tiny predictions do not dominate); the
//    summary is the mean over predicted classes.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace advseg {

struct ConsistencyOptions {
  double boundary_tolerance = 0.0075;  // of the image diagonal, as in Csurka et al. 2013
  double speck_fraction = 0.001;       // of the image area (64x64: < 4.1 px; 320x240: < 76.8 px)
};

// Per class; NaN where the class never met the metric's condition.
struct ClassConsistency {
  double bf_score = 0;
  double component_ratio = 0;
  double component_abs_diff = 0;
  double speck_share = 0;
  double size_error = 0;
};

struct ConsistencySummary {
  ClassConsistency mean;  // over classes with a value; 0 when none has one
  std::vector<ClassConsistency> per_class;
  std::int64_t images = 0;
  ConsistencyOptions options;
};

class ConsistencyMetrics {
 public:
  explicit ConsistencyMetrics(int num_classes, int ignore_index = 255, ConsistencyOptions options = {});

  // One image: CV_8UC1 masks of the same size. Ground-truth labels must be
  // classes or the ignore index, predictions (at valid pixels) classes;
  // otherwise advseg::Error, and nothing is counted.
  void update(const cv::Mat& target, const cv::Mat& prediction);
  void merge(const ConsistencyMetrics& other);
  // The running sums and counts as doubles, to add up across workers;
  // load_sums puts such a list back (advseg::Error if its size differs).
  std::vector<double> to_sums() const;
  void load_sums(const std::vector<double>& sums);

  ConsistencySummary summary() const;
  int num_classes() const { return static_cast<int>(classes_.size()); }

 private:
  // Running sums for one class.
  struct Mean {
    double sum = 0;
    std::int64_t count = 0;
    void add(double value) {
      sum += value;
      ++count;
    }
    double value() const;  // NaN when count == 0
  };
  struct ClassSums {
    Mean bf_score, component_ratio, component_abs_diff, size_error;
    std::int64_t speck_pixels = 0, predicted_pixels = 0;
  };
  void check_labels(const cv::Mat& target, const cv::Mat& prediction) const;

  int ignore_index_;
  ConsistencyOptions options_;
  std::vector<ClassSums> classes_;
  std::int64_t images_ = 0;
};

// {"bf_score":..,"component_ratio":..,"component_abs_diff":..,"speck_share":..,
//  "size_error":..,"images":N,"boundary_tolerance":..,"speck_fraction":..,
//  "per_class":{"sky":{"bf_score":..,..},..}}; NaN becomes null.
nlohmann::json consistency_to_json(const ConsistencySummary& summary,
                                   const std::vector<std::string>& class_names);

}  // namespace advseg
