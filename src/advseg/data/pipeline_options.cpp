#include "advseg/data/pipeline_options.h"

#include "advseg/config/config.h"
#include "advseg/data/random.h"

namespace advseg {

Normalization normalization(const DataConfig& data) { return Normalization{data.mean, data.std}; }

AugmentOptions augment_options(const DataConfig& data) {
  AugmentOptions options;
  options.crop_height = data.crop_height;
  options.crop_width = data.crop_width;
  options.scale_min = data.scale_min;
  options.scale_max = data.scale_max;
  options.hflip = data.hflip;
  options.ignore_index = data.ignore_index;
  // Pad with the mean colour, which normalises to 0.
  options.pad_rgb.clear();
  for (double m : data.mean) options.pad_rgb.push_back(m * 255.0);
  return options;
}

LoaderOptions training_loader_options(const Config& config, int epoch, std::size_t skip_batches) {
  LoaderOptions options;
  options.batch_size = config.train.batch_size;
  options.shuffle = true;
  options.drop_last = true;
  options.augment = augment_options(labeled_data(config));
  options.normalization = normalization(config.data);
  options.seed = static_cast<std::uint64_t>(config.train.seed);
  options.epoch = epoch;
  options.threads = config.train.loader_threads;
  options.prefetch_batches = config.train.prefetch_batches;
  options.skip_batches = skip_batches;
  return options;
}

LoaderOptions unlabeled_loader_options(const Config& config, int epoch, std::size_t skip_batches) {
  LoaderOptions options = training_loader_options(config, epoch, skip_batches);
  // Target images (domain adaptation) are augmented as the target's settings say.
  if (adapts_domain(config)) options.augment = augment_options(config.target);
  options.seed = mix_seed({options.seed, 0x0b5e55edULL});  // "unlabelled" stream
  return options;
}

}  // namespace advseg
