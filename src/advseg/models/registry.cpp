// Name -> factory maps behind make_segmentor / make_adversary. The maps are
// function-local statics: networks register from static initialisers in
// their own files, and the order of those across files is unspecified.
#include "advseg/models/registry.h"

#include <map>
#include <utility>

#include "advseg/error.h"

namespace advseg {
namespace {

// std::map keeps the names sorted, so listings and error messages are stable.
template <typename Factory>
using Registry = std::map<std::string, Factory>;

Registry<SegmentorFactory>& segmentor_registry() {
  static Registry<SegmentorFactory> registry;
  return registry;
}

Registry<AdversaryFactory>& adversary_registry() {
  static Registry<AdversaryFactory> registry;
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

// A name registered twice is a programming error that would silently shadow
// one network, so it fails loudly at start-up.
template <typename Factory>
bool add_factory(Registry<Factory>& registry, const std::string& kind, const std::string& name,
                 Factory factory) {
  if (!registry.emplace(name, std::move(factory)).second)
    throw Error(kind + " '" + name + "' is registered twice");
  return true;
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

bool register_segmentor(const std::string& name, SegmentorFactory factory) {
  return add_factory(segmentor_registry(), "segmentor", name, std::move(factory));
}

bool register_adversary(const std::string& name, AdversaryFactory factory) {
  return add_factory(adversary_registry(), "adversary", name, std::move(factory));
}

}  // namespace advseg
