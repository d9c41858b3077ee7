// Networks chosen by name in the config. Each network's file registers its
// factory with ADVSEG_REGISTER_SEGMENTOR / ADVSEG_REGISTER_ADVERSARY, so
// adding a network is adding one file (listed in models/CMakeLists.txt).
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

std::vector<std::string> segmentor_names();
std::vector<std::string> adversary_names();

// Used by the registration macros; returns true so it can initialise a static.
bool register_segmentor(const std::string& name, SegmentorFactory factory);
bool register_adversary(const std::string& name, AdversaryFactory factory);

}  // namespace advseg

#define ADVSEG_REGISTRY_CONCAT2(a, b) a##b
#define ADVSEG_REGISTRY_CONCAT(a, b) ADVSEG_REGISTRY_CONCAT2(a, b)
#define ADVSEG_REGISTER_SEGMENTOR(name, factory)                                     \
  static const bool ADVSEG_REGISTRY_CONCAT(advseg_registered_segmentor_, __LINE__) = \
      ::advseg::register_segmentor(name, factory)
#define ADVSEG_REGISTER_ADVERSARY(name, factory)                                     \
  static const bool ADVSEG_REGISTRY_CONCAT(advseg_registered_adversary_, __LINE__) = \
      ::advseg::register_adversary(name, factory)
