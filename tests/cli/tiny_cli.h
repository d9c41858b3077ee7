// Command-line settings for shapes data and networks small enough to train in
// about a second, shared by the command-line tests.
#pragma once

#include <string>

namespace advseg::testing {

inline const std::string kTinyCli =
    " --threads 1 --set data.shapes_train_size=16 --set data.shapes_val_size=4 --set "
    "data.shapes_image_size=32"
    " --set data.crop_height=32 --set data.crop_width=32 --set model.segmentor_widths=[4,8,8]"
    " --set train.batch_size=4 --set train.log_every=2"
    // One precision on every machine, as in the unit tests (train.precision: auto follows the CPU).
    " --set train.precision=fp32";

}  // namespace advseg::testing
