// Fuzzes parse_progress_json (a checkpoint's state.json).
#include <string>

#include "advseg/train/training_progress.h"
#include "fuzz_support.h"

namespace {

bool same_progress(const advseg::TrainingProgress& a, const advseg::TrainingProgress& b) {
  return a.iteration == b.iteration && a.epoch == b.epoch && a.batch_in_epoch == b.batch_in_epoch &&
         a.best_mean_iou == b.best_mean_iou && a.best_epoch == b.best_epoch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace advseg::fuzz;
  parse_or_reject([&] {
    const std::string text(as_text(data, size));
    const advseg::TrainingProgress progress = advseg::parse_progress_json(text, "state.json");
    require(progress.iteration >= 0 && progress.epoch >= 0 && progress.batch_in_epoch >= 0,
            "no negative counts");
    // What a checkpoint saves must load back unchanged.
    const std::string saved = advseg::progress_to_json_text(progress);
    require(same_progress(advseg::parse_progress_json(saved, "saved state.json"), progress),
            "progress survives a save and load");
  });
  return 0;
}
