// The summary numbers of an evaluation result ({"metrics": metrics_to_json(),
// "consistency": consistency_to_json()}) in the order and units reports show
// them: shares as percentages, counts and ratios as they are.
#pragma once

#include <vector>

namespace advseg {

// Which value of a field is best, for marking the best run.
enum class Better { higher, lower, nearer_one };

struct ReportField {
  const char* section;  // "metrics" or "consistency"
  const char* key;      // in that section
  const char* unit;     // "%" (shown x100) or "" (as is)
  Better better;
};

inline const std::vector<ReportField>& report_fields() {
  static const std::vector<ReportField> fields = {
      {"metrics", "mean_iou", "%", Better::higher},
      {"metrics", "pixel_accuracy", "%", Better::higher},
      {"metrics", "mean_class_accuracy", "%", Better::higher},
      {"metrics", "frequency_weighted_iou", "%", Better::higher},
      {"consistency", "bf_score", "%", Better::higher},
      {"consistency", "component_ratio", "", Better::nearer_one},
      {"consistency", "component_abs_diff", "", Better::lower},
      {"consistency", "speck_share", "%", Better::lower},
      {"consistency", "size_error", "%", Better::lower},
  };
  return fields;
}

}  // namespace advseg
