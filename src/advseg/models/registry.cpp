// The registry: every network advseg builds by name, in two lists.
#include "advseg/models/registry.h"

#include <map>

#include "advseg/error.h"
#include "advseg/models/adversaries/fcd.h"
#include "advseg/models/adversaries/fov.h"
#include "advseg/models/adversaries/stanford.h"
#include "advseg/models/segmentors/deeplabv2.h"
#include "advseg/models/segmentors/deeplabv3.h"
#include "advseg/models/segmentors/dilated.h"
#include "advseg/models/segmentors/fcn.h"
#include "advseg/models/segmentors/fcn_resnet.h"
#include "advseg/models/segmentors/lraspp.h"
#include "advseg/models/segmentors/multiscale.h"
#include "advseg/models/segmentors/pspnet.h"
#include "advseg/models/segmentors/unet.h"

namespace advseg {
namespace {

// std::map keeps the names sorted, so listings and error messages are stable.
template <typename Factory>
using Registry = std::map<std::string, Factory>;

const Registry<SegmentorFactory>& segmentor_registry() {
  static const Registry<SegmentorFactory> registry = {
      {"multiscale", make_multiscale_segmentor},
      {"fcn32s", make_fcn32s_segmentor},
      {"fcn16s", make_fcn16s_segmentor},
      {"fcn8s", make_fcn8s_segmentor},
      {"dilated8", make_dilated8_segmentor},
      {"dilated8-context", make_dilated8_context_segmentor},
      {"deeplabv2", make_deeplabv2_segmentor},
      {"pspnet", make_pspnet_segmentor},
      {"unet", make_unet_segmentor},
      {"fcn_resnet", make_fcn_resnet_segmentor},
      {"deeplabv3", make_deeplabv3_segmentor},
      {"lraspp", make_lraspp_segmentor},
  };
  return registry;
}

const Registry<AdversaryFactory>& adversary_registry() {
  static const Registry<AdversaryFactory> registry = {
      {"stanford", make_stanford_adversary},
      {"largefov", make_largefov_adversary},
      {"smallfov", make_smallfov_adversary},
      {"largefov-light", make_largefov_light_adversary},
      {"smallfov-light", make_smallfov_light_adversary},
      {"fcd", make_fcd_adversary},
  };
  return registry;
}

template <typename Factory>
std::vector<std::string> names_in(const Registry<Factory>& registry) {
  std::vector<std::string> names;
  names.reserve(registry.size());
  for (const auto& entry : registry) names.push_back(entry.first);
  return names;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

template <typename Factory>
const Factory& find_factory(const Registry<Factory>& registry, const std::string& kind,
                            const std::string& name) {
  const auto found = registry.find(name);
  if (found == registry.end())
    throw Error("unknown " + kind + " '" + name + "' (available: " + join_names(names_in(registry)) + ")");
  return found->second;
}

}  // namespace

std::shared_ptr<SegmentorImpl> make_segmentor(const std::string& name, const SegmentorOptions& options) {
  return find_factory(segmentor_registry(), "segmentor", name)(options);
}

std::shared_ptr<AdversaryImpl> make_adversary(const std::string& name, const AdversaryOptions& options) {
  return find_factory(adversary_registry(), "adversary", name)(options);
}

std::vector<std::string> segmentor_names() { return names_in(segmentor_registry()); }

std::vector<std::string> adversary_names() { return names_in(adversary_registry()); }

}  // namespace advseg
