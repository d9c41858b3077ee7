#include "advseg/train/training_progress.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "advseg/error.h"

namespace advseg {
namespace {

// Version 2 added batches_per_epoch and validation_pending, version 3
// unlabeled_batches, version 4 world_size, version 5 train_seconds; older
// versions are still read.
constexpr int kFormatVersion = 5;

// Whole numbers that fit T: converting a float or a wider integer would be
// undefined (1e300) or wrap silently (4294967297 -> 1).
template <class T>
bool is_integer_in_range(const nlohmann::json& value) {
  if (value.is_number_unsigned())
    return value.get<std::uint64_t>() <= std::uint64_t{std::numeric_limits<T>::max()};
  if (!value.is_number_integer()) return false;
  const auto number = value.get<std::int64_t>();
  return number >= std::numeric_limits<T>::min() && number <= std::numeric_limits<T>::max();
}

template <class T>
T field(const nlohmann::json& json, const char* key, const std::string& source) {
  if (!json.contains(key)) throw Error(source + ": missing \"" + key + "\"");
  if constexpr (std::is_same_v<T, bool>) {
    if (!json.at(key).is_boolean())
      throw Error(source + ": \"" + key + "\" must be true or false, got " + json.at(key).dump());
  } else if constexpr (std::is_integral_v<T>) {
    if (!is_integer_in_range<T>(json.at(key)))
      throw Error(source + ": \"" + key + "\" must be an integer in range, got " + json.at(key).dump());
  }
  try {
    return json.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(source + ": \"" + key + "\" has the wrong type (" + json.at(key).dump() + ")");
  }
}

}  // namespace

std::string progress_to_json_text(const TrainingProgress& progress) {
  nlohmann::json json = {{"format_version", kFormatVersion},
                         {"iteration", progress.iteration},
                         {"epoch", progress.epoch},
                         {"batch_in_epoch", progress.batch_in_epoch},
                         {"best_mean_iou", progress.best_mean_iou},
                         {"best_epoch", progress.best_epoch},
                         {"batches_per_epoch", progress.batches_per_epoch},
                         {"validation_pending", progress.validation_pending},
                         {"unlabeled_batches", progress.unlabeled_batches},
                         {"world_size", progress.world_size},
                         {"train_seconds", progress.train_seconds}};
  return json.dump(2) + "\n";
}

TrainingProgress parse_progress_json(const std::string& text, const std::string& source) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object())
    throw Error(source + ": corrupted checkpoint state (not a JSON object)");
  auto version = field<int>(json, "format_version", source);
  if (version < 1 || version > kFormatVersion)
    throw Error(source + ": checkpoint format version " + std::to_string(version) +
                " is not supported (expected " + std::to_string(kFormatVersion) + ")");
  TrainingProgress progress;
  progress.iteration = field<std::int64_t>(json, "iteration", source);
  progress.epoch = field<int>(json, "epoch", source);
  progress.batch_in_epoch = field<std::int64_t>(json, "batch_in_epoch", source);
  progress.best_mean_iou = field<double>(json, "best_mean_iou", source);
  progress.best_epoch = field<int>(json, "best_epoch", source);
  if (version >= 2) {
    progress.batches_per_epoch = field<std::int64_t>(json, "batches_per_epoch", source);
    progress.validation_pending = field<bool>(json, "validation_pending", source);
  }
  if (version >= 3) progress.unlabeled_batches = field<std::int64_t>(json, "unlabeled_batches", source);
  if (version >= 4) progress.world_size = field<int>(json, "world_size", source);
  if (version >= 5) progress.train_seconds = field<double>(json, "train_seconds", source);
  if (progress.iteration < 0 || progress.epoch < 0 || progress.batch_in_epoch < 0 ||
      progress.batches_per_epoch < 0 || progress.unlabeled_batches < 0)
    throw Error(source + ": negative iteration, epoch or batch count");
  if (progress.world_size < 1) throw Error(source + ": \"world_size\" must be at least 1");
  if (!(progress.train_seconds >= 0) || !std::isfinite(progress.train_seconds))
    throw Error(source + ": \"train_seconds\" must be a finite number of at least 0");
  // A hand-edited position would make the resumed run skip or repeat batches.
  if (progress.batches_per_epoch > 0 && progress.batch_in_epoch > progress.batches_per_epoch)
    throw Error(source + ": \"batch_in_epoch\" " + std::to_string(progress.batch_in_epoch) +
                " is past \"batches_per_epoch\" " + std::to_string(progress.batches_per_epoch));
  return progress;
}

}  // namespace advseg
