// What the training loop needs from validation, whatever computes it: the
// loop picks the best checkpoint by mean IoU, logs the rest, and may be
// interrupted in the middle. The evaluator behind it is wired in by the
// layer above both (run/training_run.h), so train/ never depends on eval/.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace advseg {

class SegmentorImpl;

struct ValidationResult {
  double mean_iou = 0;
  double cross_entropy = 0;    // per valid pixel, the training loss on held-out data
  nlohmann::json metrics;      // {"mean_iou":..,"pixel_accuracy":..,"per_class":{..}}
  nlohmann::json consistency;  // boundary and fragmentation metrics
  std::string summary;         // one line for the terminal: "mIoU 45.20%  pixel acc 80.11% ..."
};

class Validator {
 public:
  virtual ~Validator() = default;
  virtual std::size_t size() const = 0;  // images
  // Reads every validation image and label once, so that a bad file stops
  // the run before training rather than after its first epoch.
  virtual void check_files() const = 0;
  // Nothing when `interrupted` returned true part-way.
  virtual std::optional<ValidationResult> validate(SegmentorImpl& segmentor,
                                                   const std::function<bool()>& interrupted) = 0;
};

}  // namespace advseg
