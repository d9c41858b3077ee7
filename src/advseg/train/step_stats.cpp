#include "advseg/train/step_stats.h"

#include <algorithm>

#include "advseg/error.h"

namespace advseg {

bool StepStats::has(const std::string& name) const {
  return std::any_of(figures.begin(), figures.end(), [&](const StepFigure& f) { return f.name == name; });
}

double StepStats::value(const std::string& name) const {
  for (const auto& figure : figures)
    if (figure.name == name) return figure.value;
  throw Error("the training step computed no figure '" + name + "'");
}

bool StepStats::applied(StepStage stage) const {
  switch (stage) {
    case StepStage::segmentor:
      return segmentor_updated;
    case StepStage::adversary:
      return adversary_updated;
    case StepStage::aux_adversary:
      return aux_adversary_updated;
  }
  return false;
}

}  // namespace advseg
