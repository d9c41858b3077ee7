// The data pipeline's settings derived from the config, in one place for
// training, evaluation and prediction.
#pragma once

#include "advseg/data/augment.h"
#include "advseg/data/batch.h"
#include "advseg/data/loader.h"

namespace advseg {

struct Config;
struct DataConfig;

Normalization normalization(const DataConfig& data);
AugmentOptions augment_options(const DataConfig& data);

// Shuffled, augmented batches of one training epoch; drop_last keeps every
// batch full so batch-norm statistics stay comparable.
LoaderOptions training_loader_options(const Config& config, int epoch, std::size_t skip_batches);

// The same for unlabelled images (semi-supervised training) or target images
// (domain adaptation, augmented by data.target's settings), shuffled by a
// stream of their own: their order never follows the labelled one.
LoaderOptions unlabeled_loader_options(const Config& config, int epoch, std::size_t skip_batches);

}  // namespace advseg
