// The summary numbers of an evaluation result ({"metrics": metrics_to_json(),
// "consistency": consistency_to_json()}) in the order and units reports show
// them: shares as percentages, counts and ratios as they are.
#pragma once

#include <vector>

namespace advseg {

struct ReportField {
  const char* section;  // "metrics" or "consistency"
  const char* key;      // in that section
  const char* unit;     // "%" (shown x100) or "" (as is)
};

inline const std::vector<ReportField>& report_fields() {
  static const std::vector<ReportField> fields = {
      {"metrics", "mean_iou", "%"},
      {"metrics", "pixel_accuracy", "%"},
      {"metrics", "mean_class_accuracy", "%"},
      {"metrics", "frequency_weighted_iou", "%"},
      {"consistency", "bf_score", "%"},
      {"consistency", "component_ratio", ""},
      {"consistency", "component_abs_diff", ""},
      {"consistency", "speck_share", "%"},
      {"consistency", "size_error", "%"},
  };
  return fields;
}

}  // namespace advseg
