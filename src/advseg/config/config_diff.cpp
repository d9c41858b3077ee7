#include "advseg/config/config_diff.h"

#include <yaml-cpp/yaml.h>

namespace advseg {
namespace {

// Walks to the node of a dotted key in the YAML tree of to_yaml(). Through
// const nodes, so that nothing is added to the tree; it is not cloned per
// key either (that made every parse_config quadratic in the key count: a
// quarter of a second per config under the fuzzer's sanitizers).
YAML::Node node_at(const YAML::Node& root, const std::string& key) {
  YAML::Node node = root;
  std::size_t start = 0;
  for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    const YAML::Node& parent = node;
    node.reset(parent[key.substr(start, dot - start)]);
    start = dot + 1;
  }
  const YAML::Node& parent = node;
  return parent[key.substr(start)];
}

std::string text_of(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

}  // namespace

std::map<std::string, std::string> flat_config(const Config& config) {
  const YAML::Node root = YAML::Load(to_yaml(config));
  std::map<std::string, std::string> values;
  for (const auto& key : config_keys()) values[key] = text_of(node_at(root, key));
  return values;
}

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  const auto values_a = flat_config(a);
  const auto values_b = flat_config(b);
  std::vector<std::string> keys;
  for (const auto& key : config_keys())
    if (values_a.at(key) != values_b.at(key)) keys.push_back(key);
  return keys;
}

std::string override_key(const std::string& assignment) {
  const auto equals = assignment.find('=');
  return equals == std::string::npos ? "" : assignment.substr(0, equals);
}

}  // namespace advseg
