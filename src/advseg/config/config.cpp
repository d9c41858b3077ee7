// Parsing, overriding and saving of Config. Every field is listed once, in
// visit_fields() (config_fields.h); parsing, to_yaml() and config_keys() all
// walk that list.
#include "advseg/config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <type_traits>

#include "advseg/config/config_fields.h"
#include "advseg/config/number_text.h"
#include "advseg/error.h"
#include "advseg/io/file_bytes.h"

namespace advseg {

namespace config_detail {

std::string number_text(double value) {
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

}  // namespace config_detail

DataConfig no_target_data() {
  DataConfig target;
  target.section = "data.target";
  target.dataset.clear();
  return target;
}

bool adapts_domain(const Config& config) { return !config.target.dataset.empty(); }

std::vector<std::string> semi_methods(const SemiConfig& semi) {
  std::vector<std::string> names;
  std::string::size_type start = 0;
  while (true) {
    const auto end = semi.method.find('+', start);
    names.push_back(semi.method.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return names;
    start = end + 1;
  }
}

bool uses_semi_method(const SemiConfig& semi, const std::string& name) {
  const auto names = semi_methods(semi);
  return semi.enabled && std::find(names.begin(), names.end(), name) != names.end();
}

const DataConfig& labeled_data(const Config& config) {
  return config.adaptation.target_labels ? config.target : config.data;
}

const DataConfig& evaluated_data(const Config& config) {
  return adapts_domain(config) ? config.target : config.data;
}

namespace {

using config_detail::number_text;
using config_detail::visit_fields;

const std::set<std::string>& known_keys() {
  static const std::set<std::string> keys = [] {
    const std::vector<std::string> list = config_keys();
    return std::set<std::string>(list.begin(), list.end());
  }();
  return keys;
}

bool is_field(const std::string& key) { return known_keys().count(key) > 0; }

bool is_section(const std::string& key) {
  const std::string prefix = key + ".";
  return std::any_of(known_keys().begin(), known_keys().end(),
                     [&prefix](const std::string& k) { return k.compare(0, prefix.size(), prefix) == 0; });
}

// ---- Unknown keys: suggest the closest valid one ----------------------------

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Levenshtein distance, one row at a time.
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

std::string leaf_name(const std::string& key) { return key.substr(key.rfind('.') + 1); }

std::string closest_key(const std::string& key) {
  const std::vector<std::string> keys = config_keys();
  // A valid setting under the wrong section ("data.lambda") is the likeliest slip.
  const auto same_leaf = std::find_if(
      keys.begin(), keys.end(), [&key](const std::string& k) { return leaf_name(k) == leaf_name(key); });
  if (same_leaf != keys.end()) return *same_leaf;
  return *std::min_element(keys.begin(), keys.end(), [&key](const std::string& a, const std::string& b) {
    return edit_distance(key, a) < edit_distance(key, b);
  });
}

[[noreturn]] void fail_unknown_key(const std::string& source, const std::string& key) {
  throw Error(source + ": unknown key '" + key + "' (did you mean '" + closest_key(key) + "'?)");
}

// ---- YAML leaves to typed fields --------------------------------------------

template <class T>
struct Expected;
template <>
struct Expected<int> {
  static constexpr const char* name = "an integer";
};
template <>
struct Expected<long long> {
  static constexpr const char* name = "an integer";
};
template <>
struct Expected<double> {
  static constexpr const char* name = "a finite number";
};
template <>
struct Expected<bool> {
  static constexpr const char* name = "true or false";
};
template <>
struct Expected<std::string> {
  static constexpr const char* name = "a string";
};
template <class T>
struct Expected<std::vector<T>> {
  static std::string name() { return std::string("a list, each ") + Expected<T>::name; }
};

// The type of a field as the reference names it.
template <class T>
struct TypeName {
  static std::string name() {
    return std::is_same_v<T, bool> ? "bool" : std::is_integral_v<T> ? "int" : "float";
  }
};
template <>
struct TypeName<std::string> {
  static std::string name() { return "string"; }
};
template <class T>
struct TypeName<std::vector<T>> {
  static std::string name() { return "list of " + TypeName<T>::name(); }
};

std::string describe(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return "nothing";
}

// `where` is "SOURCE: KEY", the prefix of every error about this value.
[[noreturn]] void fail_type(const std::string& where, const std::string& expected, const YAML::Node& node) {
  throw Error(where + ": expected " + expected + ", got " + describe(node));
}

// A decimal integer that does not fit T ("2147483648" for an int) is named as
// such: "expected an integer" would puzzle whoever wrote an integer.
template <class T>
void check_integer_range(const YAML::Node& node, const std::string& where) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    const std::string& text = node.Scalar();
    const std::size_t sign = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
    if (text.size() == sign || text.find_first_not_of("0123456789", sign) != std::string::npos) return;
    T value{};
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);  // from_chars takes '-' but not '+'
    if (std::from_chars(first, text.data() + text.size(), value).ec != std::errc::result_out_of_range) return;
    throw Error(where + ": " + text + " is out of range (an integer from " +
                std::to_string(std::numeric_limits<T>::min()) + " to " +
                std::to_string(std::numeric_limits<T>::max()) + ")");
  }
}

// Integers are decimal, leading zeros included: yaml-cpp would read "010" as
// octal 8, "0x10" as 16, and refuse "08".
template <class T>
bool decode_decimal(const std::string& text, T& value) {
  const std::size_t sign = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
  if (text.size() == sign || text.find_first_not_of("0123456789", sign) != std::string::npos) return false;
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);  // from_chars takes '-' but not '+'
  const char* last = text.data() + text.size();
  const auto [end, error] = std::from_chars(first, last, value);
  return error == std::errc() && end == last;
}

template <class T>
bool decode_scalar(const YAML::Node& node, T& value) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
    return decode_decimal(node.Scalar(), value);
  else
    return YAML::convert<T>::decode(node, value);
}

template <class T>
void read_field(const YAML::Node& node, T& field, const std::string& where) {
  T value{};
  if (!node.IsScalar() || !decode_scalar(node, value)) {
    if (node.IsScalar()) check_integer_range<T>(node, where);
    fail_type(where, Expected<T>::name, node);
  }
  if constexpr (std::is_floating_point_v<T>) {
    // inf/nan would slip through most range checks and cannot be saved back.
    if (!std::isfinite(value)) fail_type(where, Expected<T>::name, node);
  }
  field = value;
}

void read_field(const YAML::Node& node, std::string& field, const std::string& where) {
  if (node.IsNull()) {
    field.clear();  // `root:` with no value
    return;
  }
  if (!node.IsScalar()) fail_type(where, Expected<std::string>::name, node);
  field = node.Scalar();
}

template <class T>
void read_field(const YAML::Node& node, std::vector<T>& field, const std::string& where) {
  std::vector<T> values;
  if (!node.IsNull() && !node.IsSequence()) fail_type(where, Expected<std::vector<T>>::name(), node);
  for (std::size_t i = 0; node.IsSequence() && i < node.size(); ++i) {
    values.emplace_back();
    read_field(node[i], values.back(), where + "[" + std::to_string(i) + "]");
  }
  field = std::move(values);
}

// ---- Nested YAML to dotted keys ---------------------------------------------

using FlatYaml = std::map<std::string, YAML::Node>;

std::string join_key(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

std::size_t key_parts(const std::string& key) {
  return key.empty() ? 0 : static_cast<std::size_t>(std::count(key.begin(), key.end(), '.')) + 1;
}

// Parts of the longest known key ("train.segmentor_optimizer.lr": 3).
std::size_t max_key_parts() {
  static const std::size_t parts = [] {
    std::size_t most = 0;
    for (const std::string& key : known_keys()) most = std::max(most, key_parts(key));
    return most;
  }();
  return parts;
}

// Maps are sections until the path names a field; anything else is a leaf.
// YAML aliases can make a map contain itself or repeat a map many times over,
// so the walk stops at the depth of the longest known key and at the first
// unknown key.
void flatten(const YAML::Node& node, const std::string& key, const std::string& source, FlatYaml& out) {
  if (node.IsMap() && !is_field(key) && key_parts(key) < max_key_parts()) {
    for (const auto& entry : node) {
      if (!entry.first.IsScalar())
        throw Error(source + ": keys must be plain names, got " + describe(entry.first));
      flatten(entry.second, join_key(key, entry.first.Scalar()), source, out);
    }
    return;
  }
  if (node.IsNull() && is_section(key)) return;  // "data:" with every entry commented out
  if (!is_field(key) && !is_section(key)) fail_unknown_key(source, key);
  if (!out.emplace(key, node).second) throw Error(source + ": key '" + key + "' is given twice");
}

void apply_flat(Config& config, const FlatYaml& values, const std::string& source) {
  for (const auto& entry : values) {
    if (is_section(entry.first))
      fail_type(source + ": " + entry.first, "a section of settings", entry.second);
    if (!is_field(entry.first)) fail_unknown_key(source, entry.first);
  }
  visit_fields(config, [&](const std::string& key, auto& field, const std::string& /*meaning*/) {
    const auto found = values.find(key);
    if (found != values.end()) read_field(found->second, field, source + ": " + key);
  });
}

YAML::Node load_yaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(source + ": invalid YAML: " + e.what());
  }
}

// Validation errors name the key; parse_config adds which file it came from.
void validate_from(const Config& config, const std::string& source) {
  try {
    validate(config);
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
}

// ---- Typed fields to YAML ---------------------------------------------------

YAML::Node to_node(const std::string& value) { return YAML::Node(value); }
YAML::Node to_node(double value) { return YAML::Node(number_text(value)); }
template <class T>
YAML::Node to_node(const T& value) {
  return YAML::Node(value);
}
template <class T>
YAML::Node to_node(const std::vector<T>& values) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (const T& value : values) list.push_back(to_node(value));
  list.SetStyle(YAML::EmitterStyle::Flow);  // short lists read best on one line
  return list;
}

void set_dotted(YAML::Node& root, const std::string& key, const YAML::Node& value) {
  YAML::Node section = root;
  std::size_t start = 0;
  for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    // reset() rebinds; plain assignment would overwrite the parent's content.
    section.reset(section[key.substr(start, dot - start)]);
    start = dot + 1;
  }
  section[key.substr(start)] = value;
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::string& source) {
  Config config;
  const YAML::Node root = load_yaml(yaml_text, source);
  if (!root.IsNull()) {
    if (!root.IsMap())
      throw Error(source + ": expected a map of sections (data:, model:, ...), got " + describe(root));
    FlatYaml values;
    flatten(root, "", source, values);
    apply_flat(config, values, source);
  }
  validate_from(config, source);
  return config;
}

Config load_config(const std::string& path) {
  // A folder would read as an empty config (the demo's), a FIFO would block.
  require_regular_file(path, "config file");
  std::ifstream file(path, std::ios::binary);
  if (!file) fail_at(path, "cannot open config file");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) fail_at(path, "cannot read config file");
  return parse_config(text.str(), path);
}

void apply_overrides(Config& config, const std::vector<std::string>& assignments) {
  Config updated = config;  // all or nothing: a bad override leaves `config` as it was
  for (const std::string& assignment : assignments) {
    const std::string source = "--set " + assignment;
    const std::size_t equals = assignment.find('=');
    if (equals == std::string::npos) throw Error(source + ": expected key=value");
    const std::string key = assignment.substr(0, equals);
    const std::string text = assignment.substr(equals + 1);
    const YAML::Node value = text.empty() ? YAML::Node(std::string()) : load_yaml(text, source);
    FlatYaml values;
    flatten(value, key, source, values);
    apply_flat(updated, values, source);
  }
  validate_from(updated, "after --set overrides");
  config = std::move(updated);
}

std::string to_yaml(const Config& config) {
  YAML::Node root(YAML::NodeType::Map);
  visit_fields(config, [&root](const std::string& key, const auto& field, const std::string& /*meaning*/) {
    set_dotted(root, key, to_node(field));
  });
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::vector<std::string> config_keys() {
  std::vector<std::string> keys;
  const Config defaults;
  visit_fields(defaults,
               [&keys](const std::string& key, const auto&, const std::string&) { keys.push_back(key); });
  return keys;
}

std::vector<ConfigKeyInfo> config_reference() {
  std::vector<ConfigKeyInfo> reference;
  const Config defaults;
  visit_fields(defaults, [&reference](const std::string& key, const auto& field, const std::string& meaning) {
    YAML::Emitter value;
    value << YAML::Flow << to_node(field);
    reference.push_back({key, TypeName<std::decay_t<decltype(field)>>::name(), value.c_str(), meaning});
  });
  return reference;
}

}  // namespace advseg
