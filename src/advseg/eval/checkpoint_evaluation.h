// A saved checkpoint's segmentor, and its evaluation on a dataset split as
// the JSON that `advseg eval --out` and `advseg experiment` write.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "advseg/models/segmentor.h"

namespace advseg {

struct Config;

// The segmentor of `checkpoint_dir`, built from `config` (the checkpoint's
// own config, possibly with overrides) on config.train.device.
std::shared_ptr<SegmentorImpl> load_segmentor(const std::filesystem::path& checkpoint_dir,
                                              const Config& config);

// {"metrics": metrics_to_json(), "consistency": consistency_to_json()} of the
// checkpoint's segmentor on `split` ("train" or "val") of config.data.
nlohmann::json evaluate_checkpoint(const std::filesystem::path& checkpoint_dir, const Config& config,
                                   const std::string& split);

}  // namespace advseg
