// A fixed random batch for training-step tests: two 32x32 images, labels of
// `num_classes` classes with a few void (255) rows.
#pragma once

#include <torch/torch.h>

#include "advseg/data/batch.h"

namespace advseg::testing {

inline Batch random_batch(int num_classes) {
  torch::manual_seed(3);
  Batch batch;
  batch.images = torch::randn({2, 3, 32, 32});
  batch.labels = torch::randint(0, num_classes, {2, 32, 32}, torch::kLong);
  batch.labels.index_put_({0, torch::indexing::Slice(0, 4)}, 255);  // some void pixels
  return batch;
}

}  // namespace advseg::testing
