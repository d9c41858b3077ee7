#include "advseg/train/training_log.h"

#include <cstdio>
#include <iomanip>
#include <iostream>
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

double mean(double sum, std::int64_t count) { return count > 0 ? sum / static_cast<double>(count) : 0.0; }

// An interval mean for the log: null when no step contributed (all skipped).
nlohmann::json mean_or_null(double sum, std::int64_t count) {
  return count > 0 ? nlohmann::json(sum / static_cast<double>(count)) : nlohmann::json(nullptr);
}

std::string whole_percent(double fraction) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(0) << 100 * fraction << "%";
  return text.str();
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
  if (stats.segmentor_updated) {
    sums_.cross_entropy += stats.cross_entropy;
    sums_.adversarial_term += stats.adversarial_term;
    ++sums_.segmentor_updates;
  }
  if (stats.segmentor_updated && stats.used_unlabeled) {
    sums_.semi_adversarial_term += stats.semi_adversarial_term;
    sums_.semi_mask_share += stats.semi_mask_share;
    ++sums_.semi_updates;
    if (stats.self_trained) {
      sums_.semi_cross_entropy += stats.semi_cross_entropy;
      ++sums_.self_training_updates;
    }
  }
  if (stats.segmentor_updated && stats.used_target) {
    sums_.target_entropy += stats.target_entropy;
    ++sums_.target_updates;
  }
  if (stats.segmentor_updated && stats.target_adversary_term) {
    // Averaged over the steps that had the term (none before adversarial.start_iteration).
    sums_.target_adversarial_term += stats.target_adversarial_term;
    sums_.target_aux_adversarial_term += stats.target_aux_adversarial_term;
    ++sums_.target_adversary_updates;
  }
  if (stats.aux_adversary_updated) {
    sums_.aux_adversary_loss += stats.aux_adversary_loss;
    ++sums_.aux_adversary_updates;
  }
  if (stats.adversary_updated) {
    sums_.adversary_loss += stats.adversary_loss;
    sums_.accuracy_real += stats.adversary_accuracy_real;
    sums_.accuracy_fake += stats.adversary_accuracy_fake;
    ++sums_.adversary_updates;
  }
}

nlohmann::json TrainingLog::interval_json(const IntervalContext& context, double images_per_s) const {
  nlohmann::json entry = {{"type", "train"},
                          {"iteration", context.iteration},
                          {"epoch", context.epoch},
                          {"cross_entropy", mean_or_null(sums_.cross_entropy, sums_.segmentor_updates)},
                          {"adversarial_term", mean_or_null(sums_.adversarial_term, sums_.segmentor_updates)},
                          {"segmentor_lr", context.segmentor_lr},
                          {"images_per_s", images_per_s}};
  if (sums_.skipped > 0) entry["skipped_steps"] = sums_.skipped;
  if (sums_.semi_updates > 0) {
    // The terms on unlabelled images (semi.enabled), named apart from the labelled ones.
    entry["semi_adversarial_term"] = mean(sums_.semi_adversarial_term, sums_.semi_updates);
    entry["semi_mask_share"] = mean(sums_.semi_mask_share, sums_.semi_updates);
    entry["semi_cross_entropy"] = mean_or_null(sums_.semi_cross_entropy, sums_.self_training_updates);
  }
  if (sums_.target_updates > 0) {
    // Domain adaptation's terms on target images (data.target).
    entry["target_adversarial_term"] =
        mean_or_null(sums_.target_adversarial_term, sums_.target_adversary_updates);
    entry["target_entropy"] = mean(sums_.target_entropy, sums_.target_updates);
  }
  if (sums_.aux_adversary_updates > 0) {
    // Multi-level adaptation: the second adversary, on the auxiliary head's maps.
    entry["target_aux_adversarial_term"] =
        mean_or_null(sums_.target_aux_adversarial_term, sums_.target_adversary_updates);
    entry["aux_adversary_loss"] = mean(sums_.aux_adversary_loss, sums_.aux_adversary_updates);
  }
  if (sums_.adversary_updates > 0) {
    entry["adversary_loss"] = mean(sums_.adversary_loss, sums_.adversary_updates);
    entry["adversary_accuracy_real"] = mean(sums_.accuracy_real, sums_.adversary_updates);
    entry["adversary_accuracy_fake"] = mean(sums_.accuracy_fake, sums_.adversary_updates);
    entry["adversary_lr"] = context.adversary_lr;
  }
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
       << context.iteration << "/" << context.total_iterations << "  ce ";
  if (sums_.segmentor_updates > 0)
    line << mean(sums_.cross_entropy, sums_.segmentor_updates);
  else
    line << "-";
  if (sums_.adversary_updates > 0) {
    // Adapting, the labelled term is always 0: the target term follows.
    if (sums_.target_updates == 0) line << "  adv " << mean(sums_.adversarial_term, sums_.segmentor_updates);
    line << "  d_loss " << mean(sums_.adversary_loss, sums_.adversary_updates) << "  d_acc real/fake "
         << whole_percent(mean(sums_.accuracy_real, sums_.adversary_updates)) << "/"
         << whole_percent(mean(sums_.accuracy_fake, sums_.adversary_updates));
  }
  if (sums_.semi_updates > 0)
    line << "  unlabelled: adv " << mean(sums_.semi_adversarial_term, sums_.semi_updates) << " mask "
         << whole_percent(mean(sums_.semi_mask_share, sums_.semi_updates));
  if (sums_.target_updates > 0) {
    line << "  target:";
    if (sums_.target_adversary_updates > 0)
      line << " adv " << mean(sums_.target_adversarial_term, sums_.target_adversary_updates);
    line << " entropy " << mean(sums_.target_entropy, sums_.target_updates);
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
  if (sums_.adversary_updates > 0)
    accuracy = AdversaryAccuracy{mean(sums_.accuracy_real, sums_.adversary_updates),
                                 mean(sums_.accuracy_fake, sums_.adversary_updates)};
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
