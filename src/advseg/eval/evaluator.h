// Evaluation: a segmentor's predictions (inference/prediction.h) over a whole
// dataset, into one confusion matrix, the per-image spatial consistency
// metrics and the validation cross-entropy.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "advseg/data/dataset.h"
#include "advseg/eval/confusion_matrix.h"
#include "advseg/eval/consistency.h"
#include "advseg/inference/prediction.h"
#include "advseg/models/segmentor.h"

namespace advseg {

struct EvaluationOptions {
  PredictionOptions prediction;
  // Images of different sizes are padded with ignore labels; consistency
  // metrics see each padded image (padding is void), so keep 1 for them.
  int batch_size = 1;
  int loader_threads = 1;
  // Data-parallel validation: this worker evaluates the images shard,
  // shard + shards, ... and `sum_across_workers` (required with shards > 1)
  // adds every worker's counts, so each ends with the whole dataset's figures.
  int shard = 0;
  int shards = 1;
  std::function<void(std::vector<double>&)> sum_across_workers;
};

struct Config;

// Evaluation settings for a run's config: its prediction settings and loader threads.
EvaluationOptions evaluation_options(const Config& config);

struct Evaluation {
  ConfusionMatrix confusion;
  ConsistencyMetrics consistency;
  // Per-pixel cross-entropy over every non-void pixel of the dataset: the
  // training loss measured on held-out data, for train-versus-val curves.
  double cross_entropy = 0;
  bool complete = true;  // false when `interrupted` stopped it early
};

// Asked between images; true abandons the evaluation (Ctrl-C). Not asked
// in data-parallel validation: workers cannot stop at different images.
using Interrupted = std::function<bool()>;

Evaluation evaluate(SegmentorImpl& segmentor, std::shared_ptr<const Dataset> dataset,
                    const EvaluationOptions& options, const Interrupted& interrupted = nullptr);

}  // namespace advseg
