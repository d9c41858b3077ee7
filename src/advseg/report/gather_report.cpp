#include "advseg/report/gather_report.h"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <sstream>
#include <system_error>

#include "advseg/config/config_diff.h"
#include "advseg/data/dataset.h"
#include "advseg/error.h"
#include "advseg/eval/evaluator.h"
#include "advseg/eval/panels.h"
#include "advseg/eval/saved_result.h"
#include "advseg/experiment/curves.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/inference/prediction.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/image_file.h"
#include "advseg/io/output_file.h"
#include "advseg/report/html_report.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

// RUN/best, else RUN/last; empty when the folder holds neither.
fs::path checkpoint_of(const fs::path& run_dir) {
  for (const char* name : {"best", "last"})
    if (fs::exists(run_dir / name / checkpoint_file::kConfig)) return run_dir / name;
  return {};
}

// A run's name: its folder's, or its path below the experiment folder.
std::string run_name(const fs::path& input, const fs::path& run_dir) {
  if (run_dir == input) return fs::weakly_canonical(input).filename().string();
  return run_dir.lexically_relative(input).generic_string();
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// {"metrics", "consistency"} as training or the experiment wrote them; null,
// with a note naming the file and its problem, for one that is not a result.
nlohmann::json saved_result(const fs::path& run_dir, std::vector<std::string>& notes) {
  for (const char* name : {"metrics.json", "result.json"}) {
    const auto path = run_dir / name;
    if (!fs::exists(path)) continue;
    try {
      return read_saved_result(path);
    } catch (const Error& e) {
      notes.push_back(first_line(e.what()) + " (its metrics are not shown)");
    }
  }
  return nullptr;
}

struct RunCheckpoint {
  fs::path dir;
  Config config;
};

// The run's best checkpoint on val: result, confusion matrix, and its label
// maps of the panel examples.
void evaluate_run(const RunCheckpoint& checkpoint, const std::vector<Example>& panel_examples, ReportRun& run,
                  std::vector<cv::Mat>& label_maps) {
  auto dataset = make_dataset(evaluated_data(checkpoint.config), "val");
  auto segmentor = load_segmentor(checkpoint.dir, checkpoint.config);
  const auto evaluation = evaluate(*segmentor, dataset, evaluation_options(checkpoint.config));
  const auto& names = dataset->info().class_names;
  run.result = {{"metrics", metrics_to_json(evaluation.confusion.metrics(), names)},
                {"consistency", consistency_to_json(evaluation.consistency.summary(), names)}};
  const int classes = evaluation.confusion.num_classes();
  run.confusion.assign(static_cast<std::size_t>(classes), std::vector<std::int64_t>(classes));
  for (int t = 0; t < classes; ++t)
    for (int p = 0; p < classes; ++p) run.confusion[t][p] = evaluation.confusion.count(t, p);
  InferenceNetwork network(*segmentor);
  const auto prediction = prediction_options(checkpoint.config);
  for (const auto& example : panel_examples)
    label_maps.push_back(predict_label_map(network, example.image, prediction));
}

std::vector<Example> first_examples(const Config& config, int count) {
  std::vector<Example> examples;
  if (count <= 0) return examples;
  auto dataset = make_dataset(evaluated_data(config), "val");
  for (std::size_t i = 0; i < dataset->size() && static_cast<int>(i) < count; ++i)
    examples.push_back(dataset->get(i));
  return examples;
}

}  // namespace

std::vector<fs::path> report_run_dirs(const std::vector<fs::path>& inputs) {
  std::vector<fs::path> runs;
  for (const auto& input : inputs) {
    require_folder(input, "report input");
    if (!checkpoint_of(input).empty()) {
      runs.push_back(input);
      continue;
    }
    std::vector<fs::path> found;
    std::error_code error;
    for (fs::recursive_directory_iterator it(input, error), end; !error && it != end; it.increment(error)) {
      if (it.depth() > 2) it.disable_recursion_pending();
      if (it->is_directory(error) && !checkpoint_of(it->path()).empty()) {
        found.push_back(it->path());
        it.disable_recursion_pending();  // its checkpoints are not runs
      }
    }
    if (found.empty())
      fail_at(input,
              "holds no run: expected a training run's folder (with best/ or last/) or an experiment's");
    std::sort(found.begin(), found.end());
    runs.insert(runs.end(), found.begin(), found.end());
  }
  return runs;
}

Report gather_report(const std::vector<fs::path>& inputs, const ReportOptions& options) {
  Report report;
  std::vector<RunCheckpoint> checkpoints;
  for (const auto& input : inputs)
    for (const auto& run_dir : report_run_dirs({input})) {
      ReportRun run;
      run.name = run_name(input, run_dir);
      const auto checkpoint = checkpoint_of(run_dir);
      std::ostringstream ignored_notes;  // device fallbacks and the like: the report runs anyway
      Config config = resolve_config(load_checkpoint_config(checkpoint), options.settings,
                                     (checkpoint / checkpoint_file::kConfig).string(),
                                     ConfigOrigin::checkpoint, ignored_notes);
      run.config = flat_config(config);
      if (fs::exists(run_dir / "log.jsonl"))
        run.curve = read_learning_curve(run_dir / "log.jsonl");
      else
        report.notes.push_back(run.name + ": no log.jsonl, so no learning curves");
      run.result = saved_result(run_dir, report.notes);
      report.runs.push_back(std::move(run));
      checkpoints.push_back({checkpoint, config});
    }
  report.class_names = describe_dataset(evaluated_data(checkpoints.front().config)).class_names;
  if (!options.evaluate) return report;

  std::vector<Example> examples;
  try {
    examples = first_examples(checkpoints.front().config, options.panel_images);
  } catch (const Error& e) {
    report.notes.push_back("no picture panels: " + first_line(e.what()));
  }
  std::vector<PanelRow> rows;
  for (const auto& example : examples) rows.push_back({example.image, {example.label}, {}});
  std::vector<std::string> columns = {"image", "ground truth"};
  for (std::size_t i = 0; i < report.runs.size(); ++i) {
    std::vector<cv::Mat> maps;
    try {
      evaluate_run(checkpoints[i], examples, report.runs[i], maps);
    } catch (const Error& e) {
      report.notes.push_back(report.runs[i].name + ": not evaluated, metrics as saved by training (" +
                             first_line(e.what()) + ")");
      continue;
    }
    if (maps.size() != rows.size()) continue;
    for (std::size_t r = 0; r < rows.size(); ++r) rows[r].label_maps.push_back(maps[r]);
    columns.push_back(report.runs[i].name);
  }
  if (!rows.empty() && columns.size() > 2)
    report.panels_png = encode_png(
        draw_panels(rows, columns, describe_dataset(evaluated_data(checkpoints.front().config)).palette));
  return report;
}

std::vector<std::string> write_report(const std::vector<fs::path>& inputs, const ReportOptions& options,
                                      const fs::path& out) {
  check_output_file(out, {});  // before evaluating the runs, which takes a while
  const Report report = gather_report(inputs, options);
  create_parent_folders(out);
  write_file_bytes(out, report_html(report));
  return report.notes;
}

}  // namespace advseg
