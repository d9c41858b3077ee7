#include "advseg/eval/confusion_matrix.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "advseg/error.h"
#include "advseg/eval/metric_support.h"

namespace advseg {

namespace {

constexpr const char* kWhat = "confusion matrix";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio_or_nan(std::int64_t numerator, std::int64_t denominator) {
  return denominator == 0 ? kNaN : static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace

ConfusionMatrix::ConfusionMatrix(int num_classes, int ignore_index)
    : num_classes_(num_classes), ignore_index_(ignore_index) {
  LabelRange(kWhat, num_classes, ignore_index);  // throws on an impossible class setup
  counts_.assign(static_cast<std::size_t>(num_classes) * static_cast<std::size_t>(num_classes), 0);
}

void ConfusionMatrix::update(const std::uint8_t* target, const std::int64_t* prediction, std::size_t n) {
  // Check everything first so that a bad batch leaves the counts untouched.
  const LabelRange range(kWhat, num_classes_, ignore_index_);
  for (std::size_t i = 0; i < n; ++i) range.counts(target[i], prediction[i], i);
  for (std::size_t i = 0; i < n; ++i) {
    if (target[i] == ignore_index_) continue;
    ++counts_[static_cast<std::size_t>(target[i]) * static_cast<std::size_t>(num_classes_) +
              static_cast<std::size_t>(prediction[i])];
  }
}

void ConfusionMatrix::merge(const ConfusionMatrix& other) {
  if (other.num_classes_ != num_classes_) {
    throw Error("confusion matrix: cannot merge " + std::to_string(other.num_classes_) + " classes into " +
                std::to_string(num_classes_));
  }
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
}

std::vector<double> ConfusionMatrix::to_sums() const { return {counts_.begin(), counts_.end()}; }

void ConfusionMatrix::load_sums(const std::vector<double>& sums) {
  if (sums.size() != counts_.size())
    throw Error("confusion matrix: " + std::to_string(sums.size()) + " sums for " +
                std::to_string(counts_.size()) + " counts");
  for (std::size_t i = 0; i < sums.size(); ++i) counts_[i] = static_cast<std::int64_t>(sums[i]);
}

std::int64_t ConfusionMatrix::count(int target, int prediction) const {
  if (target < 0 || target >= num_classes_ || prediction < 0 || prediction >= num_classes_) {
    throw Error("confusion matrix: no cell (" + std::to_string(target) + ", " + std::to_string(prediction) +
                ") in a " + std::to_string(num_classes_) + "-class matrix");
  }
  return counts_[static_cast<std::size_t>(target) * static_cast<std::size_t>(num_classes_) +
                 static_cast<std::size_t>(prediction)];
}

SegmentationMetrics ConfusionMatrix::metrics() const {
  const auto classes = static_cast<std::size_t>(num_classes_);
  // Row sums are ground-truth pixels per class, column sums predicted pixels.
  std::vector<std::int64_t> row(classes, 0), column(classes, 0), diagonal(classes, 0);
  for (int t = 0; t < num_classes_; ++t) {
    for (int p = 0; p < num_classes_; ++p) {
      row[static_cast<std::size_t>(t)] += count(t, p);
      column[static_cast<std::size_t>(p)] += count(t, p);
    }
    diagonal[static_cast<std::size_t>(t)] = count(t, t);
  }
  SegmentationMetrics m;
  m.class_accuracy.assign(classes, kNaN);
  m.class_iou.assign(classes, kNaN);
  std::int64_t correct = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    m.pixels += row[c];
    correct += diagonal[c];
    m.class_accuracy[c] = ratio_or_nan(diagonal[c], row[c]);
    m.class_iou[c] = ratio_or_nan(diagonal[c], row[c] + column[c] - diagonal[c]);
  }
  if (m.pixels == 0) return m;  // nothing counted: every summary stays 0
  m.pixel_accuracy = static_cast<double>(correct) / static_cast<double>(m.pixels);
  m.mean_class_accuracy = mean_ignoring_nan(m.class_accuracy);
  m.mean_iou = mean_ignoring_nan(m.class_iou);
  // Classes with ground-truth pixels always have a defined IoU (denominator >= row).
  for (std::size_t c = 0; c < classes; ++c) {
    if (row[c] > 0)
      m.frequency_weighted_iou +=
          static_cast<double>(row[c]) / static_cast<double>(m.pixels) * m.class_iou[c];
  }
  return m;
}

nlohmann::json metrics_to_json(const SegmentationMetrics& metrics,
                               const std::vector<std::string>& class_names) {
  nlohmann::json per_class = nlohmann::json::object();
  ClassKeys keys(class_names);
  for (std::size_t c = 0; c < metrics.class_iou.size(); ++c) {
    const double accuracy = c < metrics.class_accuracy.size() ? metrics.class_accuracy[c] : kNaN;
    per_class[keys.key(c)] = {{"iou", number_or_null(metrics.class_iou[c])},
                              {"accuracy", number_or_null(accuracy)}};
  }
  return {{"pixel_accuracy", number_or_null(metrics.pixel_accuracy)},
          {"mean_class_accuracy", number_or_null(metrics.mean_class_accuracy)},
          {"mean_iou", number_or_null(metrics.mean_iou)},
          {"frequency_weighted_iou", number_or_null(metrics.frequency_weighted_iou)},
          {"pixels", metrics.pixels},
          {"per_class", per_class}};
}

}  // namespace advseg
