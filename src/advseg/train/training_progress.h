// How far a run has come, as saved in a checkpoint's state.json. Torch-free,
// so the parser builds fast and can be fuzzed.
#pragma once

#include <cstdint>
#include <string>

namespace advseg {

struct TrainingProgress {
  std::int64_t iteration = 0;       // iterations completed
  int epoch = 0;                    // the epoch in progress
  std::int64_t batch_in_epoch = 0;  // batches of that epoch completed
  double best_mean_iou = -1.0;      // best validation mIoU so far (-1: none yet)
  int best_epoch = -1;
  // The schedule the run was started with, so a resume can refuse settings
  // that would change it (0: unknown, from a format-1 checkpoint).
  std::int64_t batches_per_epoch = 0;
  // Ctrl-C stopped the validation of the epoch just finished; a resumed run
  // validates it first.
  bool validation_pending = false;
  // Unlabelled batches drawn so far (semi-supervised training): the position
  // of the second loader, which runs through its own epochs.
  std::int64_t unlabeled_batches = 0;
  // Workers of the data-parallel run that saved it (1: a single process):
  // with another number, a resumed run rescales its position (trainer.cpp).
  int world_size = 1;
  // Wall time the run has spent so far, in seconds, every resumed part
  // included (0 in checkpoints older than format 5).
  double train_seconds = 0;
};

std::string progress_to_json_text(const TrainingProgress& progress);

// Parses state.json text; malformed text, missing or mistyped fields,
// negative counts and unknown format versions throw advseg::Error naming
// `source`.
TrainingProgress parse_progress_json(const std::string& text, const std::string& source);

}  // namespace advseg
