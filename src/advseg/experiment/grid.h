// The grid of an experiment: which variants of a base config to train, over
// which seeds, and where each run lives (OUT/<variant>/seed<seed>/).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "advseg/config/config.h"

namespace advseg {

struct Variant {
  std::string name;                    // directory and table row
  std::vector<std::string> overrides;  // "key=value", applied to the base config
  bool adaptation = false;             // a domain-adaptation method: needs a base config with data.target
};

// Throws advseg::Error when `variant` cannot mean what its name says on
// `config` (the base config with the variant's overrides applied): an
// adaptation method without data.target, MinEnt without an entropy weight,
// the oracle at a label fraction it would not apply.
void check_variant_fits(const Variant& variant, const Config& config);

// "standard" (adversarial.enabled=false), "adversarial" (the base config with
// adversarial training on), "<encoding>-<loss>" for the encodings basic,
// product, scaling and the losses flipped, original (adversarial, with that
// encoding and segmentor loss), "image" (Luc et al.'s two-branch adversary,
// one verdict per image), "pixel" (Hung et al.'s fcd adversary, one verdict
// per pixel) and the semi-supervised methods, which need unlabelled images
// (a label fraction below 1): "semi" (pixel with Hung et al.'s terms),
// "cutmix" (the CutMix mean teacher, no adversary), "pseudo_label"
// (weak-to-strong pseudo-labels, no adversary) and "semi+cutmix" (both of
// "semi"'s and "cutmix"'s terms); for domain adaptation (a base
// config with data.target): "source_only", "adaptsegnet" (pixel, adversary on
// probabilities), "advent" (pixel, on entropy maps), "source_only_bn" (target
// images through the segmentor's BatchNorm statistics only: the control),
// "minent" (entropy minimisation alone) and "target_only" (the oracle).
// Weights such as lambda and adaptation.lambda_ent come from the base config.
std::vector<Variant> known_variants();

// --grid: "full" (standard and the six encoding-loss variants) or names from
// known_variants() separated by commas. Unknown or repeated names throw
// advseg::Error naming them and the valid ones.
std::vector<Variant> parse_grid(const std::string& text);

// --label-fractions "0.125,0.5": every variant at every fraction of the
// training labels (data.labeled_fraction), named "<variant>@<fraction>",
// fraction by fraction. "" keeps the variants as they are. A value outside
// (0, 1], not a number, or given twice (0.5 and 0.50 too) throws
// advseg::Error naming it.
std::vector<Variant> with_label_fractions(const std::vector<Variant>& variants, const std::string& fractions);

// "standard, adversarial": the names, for messages and reports.
std::string variant_names(const std::vector<Variant>& variants);

struct PlannedRun {
  Variant variant;
  int seed = 0;                        // train.seed
  std::filesystem::path dir;           // OUT/<variant>/seed<seed>
  std::vector<std::string> overrides;  // the variant's, then train.seed
};

// Every variant x seed: seeds base_seed .. base_seed + seeds - 1, variant by variant.
std::vector<PlannedRun> plan_runs(const std::vector<Variant>& variants, int base_seed, int seeds,
                                  const std::filesystem::path& out_dir);

}  // namespace advseg
