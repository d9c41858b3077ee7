// A saved checkpoint's segmentor evaluated on a dataset split, as the JSON
// that `advseg eval --out` and `advseg experiment` write.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace advseg {

struct Config;

// {"metrics": metrics_to_json(), "consistency": consistency_to_json(),
//  "precision": "fp32"|"bf16"} of the checkpoint's segmentor on `split`
// ("train" or "val") of evaluated_data(config): data.target for domain adaptation.
nlohmann::json evaluate_checkpoint(const std::filesystem::path& checkpoint_dir, const Config& config,
                                   const std::string& split);

}  // namespace advseg
