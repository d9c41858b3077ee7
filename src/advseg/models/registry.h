// Networks chosen by name in the config. The names and their factories are
// one explicit list in registry.cpp (a network is one file plus one line
// there): self-registration from static initialisers would be dropped by
// the linker when advseg is linked as a static library.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "advseg/models/adversary.h"
#include "advseg/models/segmentor.h"

namespace advseg {

using SegmentorFactory = std::function<std::shared_ptr<SegmentorImpl>(const SegmentorOptions&)>;
using AdversaryFactory = std::function<std::shared_ptr<AdversaryImpl>(const AdversaryOptions&)>;

// Throw advseg::Error listing the valid names when `name` is unknown.
std::shared_ptr<SegmentorImpl> make_segmentor(const std::string& name, const SegmentorOptions& options);
std::shared_ptr<AdversaryImpl> make_adversary(const std::string& name, const AdversaryOptions& options);

// Sorted.
std::vector<std::string> segmentor_names();
std::vector<std::string> adversary_names();

}  // namespace advseg
