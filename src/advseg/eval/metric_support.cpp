#include "advseg/eval/metric_support.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "advseg/error.h"

namespace advseg {

LabelRange::LabelRange(const char* what, int num_classes, int ignore_index)
    : what_(what), num_classes_(num_classes), ignore_index_(ignore_index) {
  if (num_classes < 1)
    throw Error(std::string(what) + ": number of classes must be >= 1, got " + std::to_string(num_classes));
  // An ignore index inside the class range would silently drop a real class.
  if (ignore_index >= 0 && ignore_index < num_classes) {
    throw Error(std::string(what) + ": ignore index " + std::to_string(ignore_index) +
                " is a class index (classes 0.." + std::to_string(num_classes - 1) + ")");
  }
}

void LabelRange::fail(int target, std::int64_t prediction, std::size_t pixel) const {
  const std::string classes = "0.." + std::to_string(num_classes_ - 1);
  if (target < 0 || target >= num_classes_) {
    throw Error(std::string(what_) + ": ground-truth label " + std::to_string(target) + " at pixel " +
                std::to_string(pixel) + " is neither a class (" + classes + ") nor the ignore index " +
                std::to_string(ignore_index_));
  }
  throw Error(std::string(what_) + ": predicted class " + std::to_string(prediction) + " at pixel " +
              std::to_string(pixel) + " is outside " + classes);
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

std::string ClassKeys::key(std::size_t index) {
  std::string key = index < class_names_.size() ? class_names_[index] : "class_" + std::to_string(index);
  if (used_.count(key) > 0) key += " (class " + std::to_string(index) + ")";
  used_.insert(key);
  return key;
}

}  // namespace advseg
