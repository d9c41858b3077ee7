// What one training step reports: its figures by name (the loss terms each
// method added, the adversary's loss and accuracies, diagnostics such as the
// share of pixels that passed a confidence mask) and which updates it applied.
// The log averages the figures whatever they are; their names are the keys
// of log.jsonl.
#pragma once

#include <string>
#include <vector>

namespace advseg {

// The update a figure belongs to: it counts in the log only when that update
// was applied (a skipped step's losses are not averaged in).
enum class StepStage { segmentor, adversary, aux_adversary };

struct StepFigure {
  std::string name;
  double value = 0;
  StepStage stage = StepStage::segmentor;
};

struct StepStats {
  std::vector<StepFigure> figures;  // in the order the step computed them
  bool segmentor_updated = false;
  bool adversary_updated = false;
  bool aux_adversary_updated = false;  // the second adversary (multi-level adaptation)
  bool finite = true;                  // false when a loss was NaN or Inf (no update was applied then)
  bool segmentor_failed = false;       // ... and it was the segmentor's loss or gradient

  bool has(const std::string& name) const;
  // The figure `name`; an Error naming it when the step did not compute it.
  double value(const std::string& name) const;
  bool applied(StepStage stage) const;
};

}  // namespace advseg
