#include "advseg/eval/checkpoint_evaluation.h"

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/eval/evaluator.h"
#include "advseg/runtime.h"
#include "advseg/train/checkpoint.h"

namespace advseg {

std::shared_ptr<SegmentorImpl> load_segmentor(const std::filesystem::path& checkpoint_dir,
                                              const Config& config) {
  Networks networks{make_configured_segmentor(config, parse_device(config.train.device)), nullptr};
  load_checkpoint(checkpoint_dir, networks, nullptr);
  return networks.segmentor;
}

nlohmann::json evaluate_checkpoint(const std::filesystem::path& checkpoint_dir, const Config& config,
                                   const std::string& split) {
  auto dataset = make_dataset(config.data, split);
  auto segmentor = load_segmentor(checkpoint_dir, config);
  auto evaluation = evaluate(*segmentor, dataset, evaluation_options(config));
  const auto& class_names = dataset->info().class_names;
  return {{"metrics", metrics_to_json(evaluation.confusion.metrics(), class_names)},
          {"consistency", consistency_to_json(evaluation.consistency.summary(), class_names)}};
}

}  // namespace advseg
