#include "advseg/experiment/grid.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "advseg/error.h"

namespace advseg {
namespace {

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  std::stringstream stream(text);
  std::string name;
  while (std::getline(stream, name, ',')) names.push_back(name);
  return names;
}

}  // namespace

std::string variant_names(const std::vector<Variant>& variants) {
  std::string text;
  for (const auto& variant : variants) text += (text.empty() ? "" : ", ") + variant.name;
  return text;
}

std::vector<Variant> known_variants() {
  std::vector<Variant> variants = {{"standard", {"adversarial.enabled=false"}},
                                   {"adversarial", {"adversarial.enabled=true"}}};
  for (const char* encoding : {"basic", "product", "scaling"}) {
    for (const char* loss : {"flipped", "original"}) {
      variants.push_back({std::string(encoding) + "-" + loss,
                          {"adversarial.enabled=true", std::string("adversarial.encoding=") + encoding,
                           std::string("adversarial.loss=") + loss}});
    }
  }
  return variants;
}

std::vector<Variant> parse_grid(const std::string& text) {
  const auto known = known_variants();
  if (text == "full") {
    std::vector<Variant> full = {known.front()};
    full.insert(full.end(), known.begin() + 2, known.end());  // every encoding-loss pair
    return full;
  }
  std::vector<Variant> chosen;
  std::set<std::string> seen;
  for (const auto& name : split_names(text)) {
    auto match = std::find_if(known.begin(), known.end(), [&](const Variant& v) { return v.name == name; });
    if (match == known.end())
      throw Error("--grid: unknown variant \"" + name +
                  "\"; use \"full\" or some of: " + variant_names(known));
    if (!seen.insert(name).second) throw Error("--grid: variant \"" + name + "\" given twice");
    chosen.push_back(*match);
  }
  if (chosen.empty())
    throw Error("--grid: no variant given; use \"full\" or some of: " + variant_names(known));
  return chosen;
}

std::vector<PlannedRun> plan_runs(const std::vector<Variant>& variants, int base_seed, int seeds,
                                  const std::filesystem::path& out_dir) {
  if (seeds < 1) throw Error("--seeds: must be at least 1, got " + std::to_string(seeds));
  std::vector<PlannedRun> runs;
  for (const auto& variant : variants) {
    for (int k = 0; k < seeds; ++k) {
      PlannedRun run{variant, base_seed + k,
                     out_dir / variant.name / ("seed" + std::to_string(base_seed + k)), variant.overrides};
      run.overrides.push_back("train.seed=" + std::to_string(run.seed));
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

}  // namespace advseg
