#include "advseg/eval/confusion_matrix.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "advseg/error.h"

namespace advseg {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio_or_nan(std::int64_t numerator, std::int64_t denominator) {
  return denominator == 0 ? kNaN : static_cast<double>(numerator) / static_cast<double>(denominator);
}

double mean_ignoring_nan(const std::vector<double>& values) {
  double sum = 0;
  int count = 0;
  for (double value : values) {
    if (std::isnan(value)) continue;
    sum += value;
    ++count;
  }
  return count == 0 ? 0.0 : sum / count;
}

nlohmann::json number_or_null(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

// JSON object keys must be unique; a repeated name keeps its class index.
std::string unique_class_key(const std::vector<std::string>& class_names, std::size_t index,
                             std::set<std::string>& used) {
  std::string key = index < class_names.size() ? class_names[index] : "class_" + std::to_string(index);
  if (used.count(key) > 0) key += " (class " + std::to_string(index) + ")";
  used.insert(key);
  return key;
}

}  // namespace

ConfusionMatrix::ConfusionMatrix(int num_classes, int ignore_index)
    : num_classes_(num_classes), ignore_index_(ignore_index) {
  if (num_classes < 1)
    throw Error("confusion matrix: number of classes must be >= 1, got " + std::to_string(num_classes));
  // An ignore index inside the class range would silently drop a real class.
  if (ignore_index >= 0 && ignore_index < num_classes) {
    throw Error("confusion matrix: ignore index " + std::to_string(ignore_index) +
                " is a class index (classes 0.." + std::to_string(num_classes - 1) + ")");
  }
  counts_.assign(static_cast<std::size_t>(num_classes) * static_cast<std::size_t>(num_classes), 0);
}

void ConfusionMatrix::update(const std::uint8_t* target, const std::int64_t* prediction, std::size_t n) {
  // Check everything first so that a bad batch leaves the counts untouched.
  for (std::size_t i = 0; i < n; ++i) {
    if (target[i] == ignore_index_) continue;
    if (target[i] >= num_classes_) {
      throw Error("confusion matrix: ground-truth label " + std::to_string(target[i]) + " at pixel " +
                  std::to_string(i) + " is neither a class (0.." + std::to_string(num_classes_ - 1) +
                  ") nor the ignore index " + std::to_string(ignore_index_));
    }
    if (prediction[i] < 0 || prediction[i] >= num_classes_) {
      throw Error("confusion matrix: predicted class " + std::to_string(prediction[i]) + " at pixel " +
                  std::to_string(i) + " is outside 0.." + std::to_string(num_classes_ - 1));
    }
  }
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
  std::set<std::string> used;
  for (std::size_t c = 0; c < metrics.class_iou.size(); ++c) {
    const double accuracy = c < metrics.class_accuracy.size() ? metrics.class_accuracy[c] : kNaN;
    per_class[unique_class_key(class_names, c, used)] = {{"iou", number_or_null(metrics.class_iou[c])},
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
