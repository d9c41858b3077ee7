// Learning curves of an experiment's runs, read from each run's log.jsonl:
// all of them in one CSV, and an SVG plot per quantity.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace advseg {

// One train (interval averages) or val entry of a log.jsonl.
struct CurvePoint {
  std::string type;  // "train" or "val"
  int epoch = 0;     // as logged: the epoch in progress (train), the epochs completed (val)
  std::int64_t iteration = 0;
  std::map<std::string, double> values;  // by column name (curve_columns())
};

struct RunCurve {
  std::string variant;
  int seed = 0;
  std::vector<CurvePoint> points;  // by iteration, train before val
};

// The value columns: train losses and adversary accuracies, then "val_<key>"
// for the summary metrics (consistency ones when the log has them).
const std::vector<std::string>& curve_columns();

// The train and val entries of a log.jsonl. A resumed run logs some
// iterations twice; the later entry wins. Lines that are not JSON objects, or
// train/val entries without a numeric iteration and epoch, throw
// advseg::Error naming the file and line.
std::vector<CurvePoint> read_learning_curve(const std::filesystem::path& log_path);

// variant,seed,type,epoch,iteration,<curve_columns()>; empty cells where an
// entry has no such value.
std::string curves_csv(const std::vector<RunCurve>& curves);

// (file name, SVG) for the training cross-entropy, validation mIoU and, when
// logged, validation BF score against iterations; one line per run, one
// colour per variant.
std::vector<std::pair<std::string, std::string>> curve_plots(const std::vector<RunCurve>& curves);

}  // namespace advseg
