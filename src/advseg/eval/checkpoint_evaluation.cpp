#include "advseg/eval/checkpoint_evaluation.h"

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/eval/evaluator.h"
#include "advseg/inference/checkpoint_files.h"

namespace advseg {

nlohmann::json evaluate_checkpoint(const std::filesystem::path& checkpoint_dir, const Config& config,
                                   const std::string& split) {
  auto dataset = make_dataset(evaluated_data(config), split);
  auto segmentor = load_segmentor(checkpoint_dir, config);
  const auto options = evaluation_options(config);
  auto evaluation = evaluate(*segmentor, dataset, options);
  const auto& class_names = dataset->info().class_names;
  return {{"metrics", metrics_to_json(evaluation.confusion.metrics(), class_names)},
          {"consistency", consistency_to_json(evaluation.consistency.summary(), class_names)},
          {"precision", options.prediction.precision.name()}};
}

}  // namespace advseg
