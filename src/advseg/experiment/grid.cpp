#include "advseg/experiment/grid.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include "advseg/error.h"

namespace advseg {
namespace {

std::vector<std::string> split_at_commas(const std::string& text) {
  std::vector<std::string> names;
  std::stringstream stream(text);
  std::string name;
  while (std::getline(stream, name, ',')) names.push_back(name);
  return names;
}

// Domain adaptation (a base config with data.target): the source-only
// baseline, AdaptSegNet (an adversary on probabilities), ADVENT's AdvEnt (on
// entropy maps), the control that only lets the target images through the
// segmentor's BatchNorm statistics, MinEnt (entropy minimisation, its weight
// from the base config), and the oracle trained on target labels.
void add_adaptation_variants(std::vector<Variant>& variants, const std::vector<std::string>& pixel) {
  const std::vector<std::string> no_adversary = {
      "adversarial.enabled=false", "adaptation.target_labels=false", "adaptation.target_statistics=false"};
  const std::size_t first = variants.size();
  variants.push_back({"source_only", no_adversary});
  variants.back().overrides.push_back("adaptation.lambda_ent=0");
  for (const char* name : {"adaptsegnet", "advent"}) {
    variants.push_back({name, pixel});
    variants.back().overrides.push_back(std::string("adversarial.encoding=") +
                                        (name == std::string("advent") ? "entropy" : "basic"));
    variants.back().overrides.push_back("adaptation.lambda_ent=0");
    variants.back().overrides.push_back("adaptation.target_labels=false");
  }
  variants.push_back({"source_only_bn", no_adversary});
  variants.back().overrides.push_back("adaptation.lambda_ent=0");
  variants.back().overrides.push_back("adaptation.target_statistics=true");
  variants.push_back({"minent", no_adversary});
  variants.push_back(
      {"target_only",
       {"adversarial.enabled=false", "adaptation.lambda_ent=0", "adaptation.target_labels=true"}});
  for (std::size_t i = first; i < variants.size(); ++i) variants[i].adaptation = true;
}

}  // namespace

std::string variant_names(const std::vector<Variant>& variants) {
  std::string text;
  for (const auto& variant : variants) text += (text.empty() ? "" : ", ") + variant.name;
  return text;
}

std::vector<Variant> known_variants() {
  // Every variant but `semi` trains on the labelled images alone, whatever the base config says.
  std::vector<Variant> variants = {{"standard", {"adversarial.enabled=false", "semi.enabled=false"}},
                                   {"adversarial", {"adversarial.enabled=true", "semi.enabled=false"}}};
  for (const char* encoding : {"basic", "product", "scaling"}) {
    for (const char* loss : {"flipped", "original"}) {
      variants.push_back({std::string(encoding) + "-" + loss,
                          {"adversarial.enabled=true", std::string("adversarial.encoding=") + encoding,
                           std::string("adversarial.loss=") + loss, "semi.enabled=false"}});
    }
  }
  variants.push_back({"image",
                      {"adversarial.enabled=true", "adversarial.reduction=image", "model.adversary=stanford",
                       "semi.enabled=false"}});
  const std::vector<std::string> pixel = {"adversarial.enabled=true", "adversarial.reduction=pixel",
                                          "model.adversary=fcd", "adversarial.encoding=basic"};
  variants.push_back({"pixel", pixel});
  variants.back().overrides.push_back("semi.enabled=false");
  variants.push_back({"semi", pixel});
  variants.back().overrides.push_back("semi.enabled=true");
  variants.back().overrides.push_back("semi.method=adversarial");
  // The consistency baselines: no adversary; and the mean teacher beside Hung et al.'s terms.
  variants.push_back(
      {"cutmix", {"adversarial.enabled=false", "semi.enabled=true", "semi.method=mean_teacher_cutmix"}});
  variants.push_back(
      {"pseudo_label", {"adversarial.enabled=false", "semi.enabled=true", "semi.method=pseudo_label"}});
  variants.push_back({"semi+cutmix", pixel});
  variants.back().overrides.push_back("semi.enabled=true");
  variants.back().overrides.push_back("semi.method=adversarial+mean_teacher_cutmix");
  add_adaptation_variants(variants, pixel);
  return variants;
}

void check_variant_fits(const Variant& variant, const Config& config) {
  const std::string name = "variant '" + variant.name + "': ";
  if (variant.adaptation && !adapts_domain(config))
    throw Error(name + "a domain-adaptation method needs data.target.dataset in the base config");
  if (variant.name == "minent" && config.adaptation.lambda_ent <= 0)
    throw Error(name +
                "entropy minimisation needs adaptation.lambda_ent > 0 in the base config (ADVENT: 0.001)");
  if (config.adaptation.target_labels && config.data.labeled_fraction < 1)
    throw Error(name +
                "the oracle trains on every target label; data.labeled_fraction (the source's) would "
                "not apply to it");
}

std::vector<Variant> with_label_fractions(const std::vector<Variant>& variants,
                                          const std::string& fractions) {
  if (fractions.empty()) return variants;
  std::vector<Variant> crossed;
  std::set<double> seen;
  for (const auto& text : split_at_commas(fractions)) {
    char* end = nullptr;
    const double fraction = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(fraction > 0 && fraction <= 1))
      throw Error("--label-fractions: \"" + text + "\" is not a number in (0, 1]");
    if (!seen.insert(fraction).second)
      throw Error("--label-fractions: " + text +
                  " given twice (each fraction runs once per variant and seed)");
    for (const auto& variant : variants) {
      Variant at_fraction{variant.name + "@" + text, variant.overrides, variant.adaptation};
      at_fraction.overrides.push_back("data.labeled_fraction=" + text);
      crossed.push_back(std::move(at_fraction));
    }
  }
  return crossed;
}

std::vector<Variant> parse_grid(const std::string& text) {
  const auto known = known_variants();
  if (text == "full") {
    std::vector<Variant> full = {known.front()};
    for (const auto& variant : known)  // every encoding-loss pair
      if (variant.name.find('-') != std::string::npos) full.push_back(variant);
    return full;
  }
  std::vector<Variant> chosen;
  std::set<std::string> seen;
  for (const auto& name : split_at_commas(text)) {
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
