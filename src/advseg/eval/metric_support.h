// Pieces shared by the metric accumulators (confusion matrix, consistency):
// checks of class labels, NaN-aware means, and the JSON conventions of their
// reports (NaN as null, one unique key per class).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <vector>

namespace advseg {

// The class range of an accumulator named `what` (e.g. "confusion matrix"):
// classes 0..num_classes-1, and an ignore index outside them.
class LabelRange {
 public:
  // Throws advseg::Error when num_classes < 1 or the ignore index is a class.
  LabelRange(const char* what, int num_classes, int ignore_index);

  // True when pixel `pixel` counts (its target is not the ignore index);
  // throws advseg::Error when the target or the prediction is not a class.
  bool counts(int target, std::int64_t prediction, std::size_t pixel) const {
    if (target == ignore_index_) return false;
    if (target < 0 || target >= num_classes_ || prediction < 0 || prediction >= num_classes_)
      fail(target, prediction, pixel);
    return true;
  }

  int num_classes() const { return num_classes_; }
  int ignore_index() const { return ignore_index_; }

 private:
  [[noreturn]] void fail(int target, std::int64_t prediction, std::size_t pixel) const;

  const char* what_;
  int num_classes_;
  int ignore_index_;
};

// Mean of the values that are not NaN; 0 when every value is NaN (or none).
double mean_ignoring_nan(const std::vector<double>& values);

// A JSON number, or null for NaN (JSON has no NaN).
nlohmann::json number_or_null(double value);

// Names classes for JSON objects: class_names[index], or "class_<index>"
// beyond them; a name met before gets " (class <index>)" appended, since
// JSON keys must be unique.
class ClassKeys {
 public:
  explicit ClassKeys(const std::vector<std::string>& class_names) : class_names_(class_names) {}
  std::string key(std::size_t index);

 private:
  const std::vector<std::string>& class_names_;
  std::set<std::string> used_;
};

}  // namespace advseg
