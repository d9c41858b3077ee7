// The training images of a run: those whose labels train the segmentor and,
// for semi-supervised training, those it sees as images only. Labelled and
// unlabelled images come from data.labeled_fraction (a seeded share of the
// train split keeps its labels, the rest loses them), data.unlabeled_split
// and data.unlabeled_root, or, for domain adaptation, from data.target's
// train split; an unlabelled image's label file is never read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "advseg/data/dataset.h"

namespace advseg {

struct Config;

struct TrainingSets {
  std::shared_ptr<const Dataset> labeled;
  // Null unless semi.enabled or data.target's images are used. Its examples carry an all-void label made in
  // memory (the loader needs one); training uses their images alone.
  std::shared_ptr<const Dataset> unlabeled;
};

TrainingSets make_training_sets(const Config& config);

// Which of n training images keep their labels: round(fraction * n) of them
// (at least one), drawn by `seed`, each list in ascending order.
struct LabeledShare {
  std::vector<std::size_t> labeled;
  std::vector<std::size_t> unlabeled;
};
LabeledShare draw_labeled_share(std::size_t n, double fraction, std::uint64_t seed);

// Full batches of train.batch_size per epoch in `sets.labeled`, shared out
// over `workers`. Throws advseg::Error when either set cannot fill one batch
// per worker, naming train.batch_size, the image count and where the images
// come from (data.labeled_fraction when it leaves too few labels).
std::int64_t check_batches_fit(const Config& config, const TrainingSets& sets, int workers);

}  // namespace advseg
