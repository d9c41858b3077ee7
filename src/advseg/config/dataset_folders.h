// The folders a config's data is read from, for the rule that no command
// writes into what it reads (io/output_file.h).
#pragma once

#include <vector>

#include "advseg/config/config.h"
#include "advseg/io/output_file.h"

namespace advseg {

// data.root, data.unlabeled_root and data.target.root where set (the
// synthetic shapes data has none).
std::vector<ReadPath> dataset_folders(const Config& config);

}  // namespace advseg
