#include "advseg/eval/consistency.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "advseg/error.h"
#include "advseg/eval/metric_support.h"

namespace advseg {
namespace {

constexpr const char* kWhat = "consistency metrics";
constexpr double kNoScore = std::numeric_limits<double>::quiet_NaN();

// The metrics by name, for the summary and the JSON report alike.
struct Field {
  const char* name;
  double ClassConsistency::*member;
};
constexpr Field kFields[] = {{"bf_score", &ClassConsistency::bf_score},
                             {"component_ratio", &ClassConsistency::component_ratio},
                             {"component_abs_diff", &ClassConsistency::component_abs_diff},
                             {"speck_share", &ClassConsistency::speck_share},
                             {"size_error", &ClassConsistency::size_error}};

// Pixels of `mask` with a 4-neighbour in `others` (valid pixels of other
// classes). Outside the image counts as nothing, so the border is no boundary.
cv::Mat boundary_of(const cv::Mat& mask, const cv::Mat& others) {
  static const cv::Mat cross = cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3));
  cv::Mat near_others;
  cv::dilate(others, near_others, cross);
  return mask & near_others;
}

// Share of the pixels of `boundary` within `tolerance` of a pixel of `reference`
// (both non-empty).
double matched_share(const cv::Mat& boundary, const cv::Mat& reference, double tolerance) {
  cv::Mat distance;
  cv::distanceTransform(~reference, distance, cv::DIST_L2, cv::DIST_MASK_PRECISE);
  cv::Mat matched = boundary & (distance <= tolerance);
  return static_cast<double>(cv::countNonZero(matched)) / static_cast<double>(cv::countNonZero(boundary));
}

double boundary_f1(const cv::Mat& true_boundary, const cv::Mat& predicted_boundary, double tolerance) {
  const bool has_true = cv::countNonZero(true_boundary) > 0;
  const bool has_predicted = cv::countNonZero(predicted_boundary) > 0;
  if (!has_true || !has_predicted) return has_true == has_predicted ? 1.0 : 0.0;
  const double precision = matched_share(predicted_boundary, true_boundary, tolerance);
  const double recall = matched_share(true_boundary, predicted_boundary, tolerance);
  return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
}

struct Components {
  int count = 0;
  std::int64_t speck_pixels = 0;  // in components smaller than the speck area
};

Components components_of(const cv::Mat& mask, double speck_area) {
  cv::Mat labels, stats, centroids;
  const int labels_found = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  Components result;
  result.count = labels_found - 1;  // label 0 is the background
  for (int label = 1; label < labels_found; ++label) {
    const int area = stats.at<int>(label, cv::CC_STAT_AREA);
    if (area < speck_area) result.speck_pixels += area;
  }
  return result;
}

}  // namespace

double ConsistencyMetrics::Mean::value() const {
  return count == 0 ? kNoScore : sum / static_cast<double>(count);
}

ConsistencyMetrics::ConsistencyMetrics(int num_classes, int ignore_index, ConsistencyOptions options)
    : ignore_index_(ignore_index), options_(options) {
  LabelRange(kWhat, num_classes, ignore_index);  // throws on an impossible class setup
  if (!(options.boundary_tolerance >= 0) || !(options.speck_fraction >= 0))
    throw Error(std::string(kWhat) + ": boundary tolerance and speck fraction must be >= 0");
  classes_.resize(static_cast<std::size_t>(num_classes));
}

void ConsistencyMetrics::check_labels(const cv::Mat& target, const cv::Mat& prediction) const {
  if (target.type() != CV_8UC1 || prediction.type() != CV_8UC1 || target.size() != prediction.size()) {
    throw Error(std::string(kWhat) +
                ": ground truth and prediction must be 8-bit single-channel masks of one " + "size, got " +
                std::to_string(target.cols) + "x" + std::to_string(target.rows) + " and " +
                std::to_string(prediction.cols) + "x" + std::to_string(prediction.rows));
  }
  const LabelRange range(kWhat, num_classes(), ignore_index_);
  for (int row = 0; row < target.rows; ++row) {
    const auto* truth = target.ptr<std::uint8_t>(row);
    const auto* predicted = prediction.ptr<std::uint8_t>(row);
    for (int col = 0; col < target.cols; ++col)
      range.counts(truth[col], predicted[col], static_cast<std::size_t>(row) * target.cols + col);
  }
}

void ConsistencyMetrics::update(const cv::Mat& target, const cv::Mat& prediction) {
  check_labels(target, prediction);
  const cv::Mat valid = target != ignore_index_;
  const double tolerance = options_.boundary_tolerance * std::hypot(target.rows, target.cols);
  const double speck_area = options_.speck_fraction * static_cast<double>(target.total());

  for (int c = 0; c < num_classes(); ++c) {
    // Void pixels are removed from both masks: they are neither c nor another class.
    const cv::Mat truth = target == c;
    const cv::Mat predicted = (prediction == c) & valid;
    const int true_area = cv::countNonZero(truth);
    const int predicted_area = cv::countNonZero(predicted);
    if (true_area == 0 && predicted_area == 0) continue;

    auto& sums = classes_[static_cast<std::size_t>(c)];
    const auto true_parts = components_of(truth, speck_area);
    const auto predicted_parts = components_of(predicted, speck_area);
    sums.component_abs_diff.add(std::abs(predicted_parts.count - true_parts.count));
    sums.speck_pixels += predicted_parts.speck_pixels;
    sums.predicted_pixels += predicted_area;
    if (true_area == 0 || predicted_area == 0) {
      sums.bf_score.add(0.0);  // a class in only one of the masks has no matching boundary
    } else {
      sums.bf_score.add(boundary_f1(boundary_of(truth, valid & ~truth),
                                    boundary_of(predicted, valid & ~predicted), tolerance));
    }
    if (true_area > 0) {
      sums.component_ratio.add(static_cast<double>(predicted_parts.count) / true_parts.count);
      sums.size_error.add(std::abs(predicted_area - true_area) / static_cast<double>(true_area));
    }
  }
  ++images_;
}

void ConsistencyMetrics::merge(const ConsistencyMetrics& other) {
  if (other.num_classes() != num_classes()) {
    throw Error(std::string(kWhat) + ": cannot merge " + std::to_string(other.num_classes()) +
                " classes into " + std::to_string(num_classes()));
  }
  auto add = [](Mean& into, const Mean& from) {
    into.sum += from.sum;
    into.count += from.count;
  };
  for (std::size_t c = 0; c < classes_.size(); ++c) {
    auto& into = classes_[c];
    const auto& from = other.classes_[c];
    add(into.bf_score, from.bf_score);
    add(into.component_ratio, from.component_ratio);
    add(into.component_abs_diff, from.component_abs_diff);
    add(into.size_error, from.size_error);
    into.speck_pixels += from.speck_pixels;
    into.predicted_pixels += from.predicted_pixels;
  }
  images_ += other.images_;
}

namespace {
constexpr std::size_t kSumsPerClass = 10;
}

std::vector<double> ConsistencyMetrics::to_sums() const {
  std::vector<double> sums;
  for (const auto& c : classes_)
    for (const Mean* mean : {&c.bf_score, &c.component_ratio, &c.component_abs_diff, &c.size_error}) {
      sums.push_back(mean->sum);
      sums.push_back(static_cast<double>(mean->count));
    }
  for (const auto& c : classes_) {
    sums.push_back(static_cast<double>(c.speck_pixels));
    sums.push_back(static_cast<double>(c.predicted_pixels));
  }
  sums.push_back(static_cast<double>(images_));
  return sums;
}

void ConsistencyMetrics::load_sums(const std::vector<double>& sums) {
  if (sums.size() != classes_.size() * kSumsPerClass + 1)
    throw Error(std::string(kWhat) + ": " + std::to_string(sums.size()) + " sums for " +
                std::to_string(classes_.size()) + " classes");
  auto next = sums.begin();
  for (auto& c : classes_)
    for (Mean* mean : {&c.bf_score, &c.component_ratio, &c.component_abs_diff, &c.size_error}) {
      mean->sum = *next++;
      mean->count = static_cast<std::int64_t>(*next++);
    }
  for (auto& c : classes_) {
    c.speck_pixels = static_cast<std::int64_t>(*next++);
    c.predicted_pixels = static_cast<std::int64_t>(*next++);
  }
  images_ = static_cast<std::int64_t>(*next);
}

ConsistencySummary ConsistencyMetrics::summary() const {
  ConsistencySummary summary;
  summary.images = images_;
  summary.options = options_;
  for (const auto& sums : classes_) {
    ClassConsistency values;
    values.bf_score = sums.bf_score.value();
    values.component_ratio = sums.component_ratio.value();
    values.component_abs_diff = sums.component_abs_diff.value();
    values.size_error = sums.size_error.value();
    values.speck_share = sums.predicted_pixels == 0 ? kNoScore
                                                    : static_cast<double>(sums.speck_pixels) /
                                                          static_cast<double>(sums.predicted_pixels);
    summary.per_class.push_back(values);
  }
  for (const auto& field : kFields) {
    std::vector<double> values;
    for (const auto& per_class : summary.per_class) values.push_back(per_class.*field.member);
    summary.mean.*field.member = mean_ignoring_nan(values);
  }
  return summary;
}

nlohmann::json consistency_to_json(const ConsistencySummary& summary,
                                   const std::vector<std::string>& class_names) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& field : kFields) json[field.name] = number_or_null(summary.mean.*field.member);
  nlohmann::json per_class = nlohmann::json::object();
  ClassKeys keys(class_names);
  for (std::size_t c = 0; c < summary.per_class.size(); ++c) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& field : kFields) values[field.name] = number_or_null(summary.per_class[c].*field.member);
    per_class[keys.key(c)] = values;
  }
  json["images"] = summary.images;
  json["boundary_tolerance"] = summary.options.boundary_tolerance;
  json["speck_fraction"] = summary.options.speck_fraction;
  json["per_class"] = per_class;
  return json;
}

}  // namespace advseg
