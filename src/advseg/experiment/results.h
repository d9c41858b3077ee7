// The results of an experiment: each run's evaluation (OUT/<variant>/seed<k>/
// result.json) summarised per variant as mean and standard deviation over
// seeds, as JSON (every number) and as Markdown tables (the summary metrics,
// per-class IoU and BF score).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace advseg {

struct VariantResults {
  std::string name;
  std::vector<nlohmann::json>
      runs;  // result.json objects: {"seed", "metrics", "consistency", "train_seconds", ...}
};

// The runs' "metrics", "consistency" and "train_seconds" with each number
// replaced by {"mean", "std" (sample std, n-1; null below two values), "n",
// "values"}; null (NaN) values are left out, so "mean" is null when all are.
nlohmann::json summarize_runs(const std::vector<nlohmann::json>& runs);

// {"grid": [names in order], "variants": {name: {"runs": n, "seeds": [..],
//  "metrics": .., "consistency": .., "train_seconds": ..}}}
nlohmann::json experiment_results(const std::vector<VariantResults>& variants);

// experiment_results() as Markdown: a "mean ± std" table of the summary
// metrics (one row per variant), then per-class IoU and BF score tables.
// `preamble` (what was run) goes under the title.
std::string results_markdown(const nlohmann::json& results, const std::string& preamble);

}  // namespace advseg
