#include "advseg/train/training_log.h"

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <system_error>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/progress_bar.h"

namespace advseg {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string format_number(double value) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(3) << value;
  return text.str();
}

std::string whole_percent(double fraction) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(0) << 100 * fraction << "%";
  return text.str();
}

// The terminal's short names of the common figures; others show their own.
std::string terminal_name(const std::string& name) {
  static const std::map<std::string, std::string> short_names = {{"cross_entropy", "ce"},
                                                                 {"aux_cross_entropy", "aux_ce"},
                                                                 {"adversarial_term", "adv"},
                                                                 {"adversary_loss", "d_loss"},
                                                                 {"adversary_accuracy_real", "d_real"},
                                                                 {"adversary_accuracy_fake", "d_fake"},
                                                                 {"semi_adversarial_term", "unlabelled_adv"},
                                                                 {"semi_mask_share", "mask"},
                                                                 {"semi_cross_entropy", "self_ce"},
                                                                 {"target_adversarial_term", "target_adv"},
                                                                 {"target_entropy", "target_entropy"}};
  const auto found = short_names.find(name);
  return found == short_names.end() ? name : found->second;
}

// Shares and accuracies read best as percentages.
bool is_share(const std::string& name) {
  return name.find("_share") != std::string::npos || name.find("accuracy") != std::string::npos;
}

}  // namespace

TrainingLog::TrainingLog(const std::filesystem::path& path)
    : path_(path),
      file_(path, std::ios::app),
      terminal_(stderr_is_terminal()),
      interval_start_(Clock::now()),
      run_start_(interval_start_) {
  if (!file_) fail_at(path, "cannot open the training log for writing");
}

TrainingLog::TrainingLog() : terminal_(false), interval_start_(Clock::now()), run_start_(interval_start_) {}

TrainingLog TrainingLog::silent() { return TrainingLog(); }

int TrainingLog::drop_entries_after(const std::filesystem::path& path, std::int64_t iteration) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return 0;
  std::istringstream lines(read_file_bytes(path));
  std::string kept;
  int dropped = 0;
  for (std::string line; std::getline(lines, line);) {
    auto entry = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const bool keep = entry.is_object() && entry.value("iteration", iteration + 1) <= iteration;
    if (keep)
      kept += line + "\n";
    else
      ++dropped;
  }
  if (dropped == 0) return 0;
  write_file_bytes(path, kept);  // in one rename: a crash keeps the old log
  return dropped;
}

void TrainingLog::add(const StepStats& stats, std::int64_t images) {
  sums_.images += images;
  ++sums_.iterations;
  if (!stats.finite) ++sums_.skipped;
  for (const auto& figure : stats.figures) {
    auto [sum, added] = sums_.figures.try_emplace(figure.name);
    if (added) sums_.order.push_back(figure.name);
    if (!stats.applied(figure.stage)) continue;
    sum->second.sum += figure.value;
    ++sum->second.count;
  }
}

std::optional<double> TrainingLog::mean_of(const std::string& name) const {
  const auto sum = sums_.figures.find(name);
  if (sum == sums_.figures.end() || sum->second.count == 0) return std::nullopt;
  return sum->second.sum / static_cast<double>(sum->second.count);
}

nlohmann::json TrainingLog::interval_json(const IntervalContext& context, double images_per_s) const {
  nlohmann::json entry = {{"type", "train"},
                          {"iteration", context.iteration},
                          {"epoch", context.epoch},
                          {"segmentor_lr", context.segmentor_lr},
                          {"images_per_s", images_per_s}};
  if (sums_.skipped > 0) entry["skipped_steps"] = sums_.skipped;
  // Every figure a step computed; null when every step that had it was skipped.
  for (const auto& name : sums_.order) {
    const auto mean = mean_of(name);
    entry[name] = mean ? nlohmann::json(*mean) : nlohmann::json(nullptr);
  }
  if (mean_of("adversary_loss")) entry["adversary_lr"] = context.adversary_lr;
  return entry;
}

std::string TrainingLog::progress_line(const IntervalContext& context, double images_per_s) const {
  double elapsed = seconds_between(run_start_, Clock::now());
  auto done_here = context.iteration - first_iteration_;
  double eta = done_here > 0 ? elapsed / static_cast<double>(done_here) *
                                   static_cast<double>(context.total_iterations - context.iteration)
                             : 0.0;
  std::ostringstream line;
  line << std::fixed << std::setprecision(3) << "epoch " << context.epoch << "/" << context.epochs << "  it "
       << context.iteration << "/" << context.total_iterations;
  for (const auto& name : sums_.order) {
    line << "  " << terminal_name(name) << " ";
    if (const auto mean = mean_of(name))
      line << (is_share(name) ? whole_percent(*mean) : format_number(*mean));
    else
      line << "-";
  }
  if (sums_.skipped > 0) line << "  skipped " << sums_.skipped;
  line << std::setprecision(1) << "  " << images_per_s << " img/s  ETA " << format_duration(eta);
  return line.str();
}

std::optional<AdversaryAccuracy> TrainingLog::flush_interval(const IntervalContext& context) {
  auto now = Clock::now();
  if (first_iteration_ < 0) first_iteration_ = context.iteration - sums_.iterations;
  double images_per_s =
      static_cast<double>(sums_.images) / std::max(1e-9, seconds_between(interval_start_, now));
  write_line(interval_json(context, images_per_s));
  auto line = progress_line(context, images_per_s);
  if (path_.empty()) {
    // silent
  } else if (terminal_) {
    std::cerr << "\r\033[K" << line << std::flush;
    progress_shown_ = true;
  } else {
    std::cerr << line << "\n";
  }
  std::optional<AdversaryAccuracy> accuracy;
  const auto real = mean_of("adversary_accuracy_real"), fake = mean_of("adversary_accuracy_fake");
  if (real && fake) accuracy = AdversaryAccuracy{*real, *fake};
  sums_ = Sums{};
  interval_start_ = now;
  return accuracy;
}

void TrainingLog::warn(std::int64_t iteration, const std::string& text) {
  write_line({{"type", "warning"}, {"iteration", iteration}, {"message", text}});
  say(text);
}

void TrainingLog::write_validation(int epoch, std::int64_t iteration, const nlohmann::json& metrics,
                                   const nlohmann::json& consistency, double cross_entropy) {
  write_line({{"type", "val"},
              {"epoch", epoch},
              {"iteration", iteration},
              {"cross_entropy", cross_entropy},
              {"metrics", metrics},
              {"consistency", consistency}});
}

void TrainingLog::say(const std::string& text) {
  if (path_.empty()) return;
  if (progress_shown_) std::cerr << "\n";
  progress_shown_ = false;
  std::cerr << text << "\n";
}

void TrainingLog::write_line(const nlohmann::json& entry) {
  if (path_.empty()) return;
  file_ << entry.dump() << "\n";
  file_.flush();
  if (!file_) fail_at(path_, "cannot write to the training log (disk full?)");
}

}  // namespace advseg
