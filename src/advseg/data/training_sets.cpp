#include "advseg/data/training_sets.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <utility>

#include "advseg/config/config.h"
#include "advseg/data/augment.h"
#include "advseg/data/dataset_files.h"
#include "advseg/data/image_shift.h"
#include "advseg/data/loader.h"
#include "advseg/data/random.h"
#include "advseg/error.h"

namespace advseg {
namespace {

// Some of another dataset's examples, by index.
class SubsetDataset final : public Dataset {
 public:
  SubsetDataset(std::shared_ptr<const Dataset> inner, std::vector<std::size_t> indices)
      : inner_(std::move(inner)), indices_(std::move(indices)) {}
  std::size_t size() const override { return indices_.size(); }
  Example get(std::size_t index) const override { return inner_->get(indices_.at(index)); }
  Example image_only(std::size_t index) const override { return inner_->image_only(indices_.at(index)); }
  const DatasetInfo& info() const override { return inner_->info(); }

 private:
  std::shared_ptr<const Dataset> inner_;
  std::vector<std::size_t> indices_;
};

// Images of several sources as one set, seen without labels: every example's
// label is all void, made here, never read.
class UnlabeledImages final : public Dataset {
 public:
  UnlabeledImages(std::vector<std::shared_ptr<const Dataset>> sources, DatasetInfo info)
      : sources_(std::move(sources)), info_(std::move(info)) {
    for (const auto& source : sources_) size_ += source->size();
  }
  std::size_t size() const override { return size_; }
  Example get(std::size_t index) const override {
    Example example = image_only(index);
    example.label = cv::Mat(example.image.size(), CV_8UC1, cv::Scalar(info_.ignore_index));
    return example;
  }
  Example image_only(std::size_t index) const override {
    for (const auto& source : sources_) {
      if (index < source->size()) return source->image_only(index);
      index -= source->size();
    }
    throw Error("unlabelled images: index out of range");
  }
  const DatasetInfo& info() const override { return info_; }

 private:
  std::vector<std::shared_ptr<const Dataset>> sources_;
  DatasetInfo info_;
  std::size_t size_ = 0;
};

// Image files without labels (data.unlabeled_split, data.unlabeled_root),
// resized by data.image_scale and shifted by data.shift as every dataset's
// images are.
class ImageFiles final : public Dataset {
 public:
  ImageFiles(std::vector<SampleFiles> files, DatasetInfo info, const DataConfig& config)
      : files_(std::move(files)),
        info_(std::move(info)),
        max_image_pixels_(config.max_image_pixels),
        image_scale_(config.image_scale),
        shift_(shift_options(config)) {}
  std::size_t size() const override { return files_.size(); }
  Example get(std::size_t index) const override { return image_only(index); }
  Example image_only(std::size_t index) const override {
    Example example = read_image_only(files_.at(index), max_image_pixels_);
    example.image = shift_image(rescale_image(example.image, image_scale_), shift_, example.id);
    return example;
  }
  const DatasetInfo& info() const override { return info_; }

 private:
  std::vector<SampleFiles> files_;
  DatasetInfo info_;
  long long max_image_pixels_;
  double image_scale_;
  ShiftOptions shift_;
};

}  // namespace

LabeledShare draw_labeled_share(std::size_t n, double fraction, std::uint64_t seed) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Fisher-Yates with our own draws: std::shuffle differs between standard libraries.
  std::mt19937_64 rng(mix_seed({seed, 0x1abe1edULL}));
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[uniform_below(rng, i)]);
  const auto kept = std::clamp<std::size_t>(static_cast<std::size_t>(std::llround(fraction * n)), 1, n);
  LabeledShare share{{order.begin(), order.begin() + kept}, {order.begin() + kept, order.end()}};
  std::sort(share.labeled.begin(), share.labeled.end());
  std::sort(share.unlabeled.begin(), share.unlabeled.end());
  return share;
}

namespace {

std::string fraction_text(double fraction) {
  std::ostringstream text;
  text << fraction;  // 0.01, 0.125: six significant digits
  return text.str();
}

// "larger than the 10" (" (5 per worker of 2)" when shared out).
std::string batch_too_large(const Config& config, std::size_t images, int workers) {
  return "train.batch_size: " + std::to_string(config.train.batch_size) + " is larger than the " +
         std::to_string(images) +
         (workers > 1 ? " (" + std::to_string(images / static_cast<std::size_t>(workers)) +
                            " per worker of " + std::to_string(workers) + ")"
                      : std::string());
}

}  // namespace

std::int64_t check_batches_fit(const Config& config, const TrainingSets& sets, int workers) {
  const int batch = config.train.batch_size;
  const auto batches =
      static_cast<std::int64_t>(full_batches_per_shard(sets.labeled->size(), batch, workers));
  const DataConfig& data = labeled_data(config);
  if (batches == 0)
    throw Error(batch_too_large(config, sets.labeled->size(), workers) + " labelled training images" +
                (data.labeled_fraction < 1
                     ? " (data.labeled_fraction " + fraction_text(data.labeled_fraction) +
                           " keeps that many labels); give more labels or a smaller batch"
                     : std::string()));
  if (sets.unlabeled && full_batches_per_shard(sets.unlabeled->size(), batch, workers) == 0)
    throw Error(batch_too_large(config, sets.unlabeled->size(), workers) +
                (adapts_domain(config)
                     ? " training images of data.target; give more target images or a smaller batch"
                     : " unlabelled training images (from data.labeled_fraction, data.unlabeled_split and "
                       "data.unlabeled_root); give more unlabelled images or a smaller batch"));
  return batches;
}

TrainingSets make_training_sets(const Config& config) {
  const DataConfig& data = labeled_data(config);
  const std::shared_ptr<const Dataset> train = make_dataset(data, "train");
  TrainingSets sets{train, nullptr};
  std::vector<std::shared_ptr<const Dataset>> unlabeled;
  if (data.labeled_fraction < 1) {
    auto share = draw_labeled_share(train->size(), data.labeled_fraction,
                                    static_cast<std::uint64_t>(data.labeled_seed));
    sets.labeled = std::make_shared<SubsetDataset>(train, std::move(share.labeled));
    if (!share.unlabeled.empty())
      unlabeled.push_back(std::make_shared<SubsetDataset>(train, share.unlabeled));
  }
  if (adapts_domain(config) && !config.adaptation.target_labels) {
    // Domain adaptation: the target's training images, whose labels are never
    // read, used only when a term of the segmentor's loss looks at them.
    if (config.adversarial.enabled || config.adaptation.lambda_ent > 0 || config.adaptation.target_statistics)
      sets.unlabeled = std::make_shared<UnlabeledImages>(
          std::vector<std::shared_ptr<const Dataset>>{make_dataset(config.target, "train")}, train->info());
    return sets;
  }
  if (!config.semi.enabled) return sets;
  if (!data.unlabeled_split.empty())
    unlabeled.push_back(
        std::make_shared<ImageFiles>(split_images(data.root, data.unlabeled_split), train->info(), data));
  if (!data.unlabeled_root.empty())
    unlabeled.push_back(
        std::make_shared<ImageFiles>(folder_images(data.unlabeled_root), train->info(), data));
  if (unlabeled.empty())
    throw Error(
        "semi.enabled: no unlabelled image: data.labeled_fraction leaves each of the " +
        std::to_string(train->size()) +
        " training images its label, and neither data.unlabeled_split nor data.unlabeled_root is set");
  sets.unlabeled = std::make_shared<UnlabeledImages>(std::move(unlabeled), train->info());
  return sets;
}

}  // namespace advseg
