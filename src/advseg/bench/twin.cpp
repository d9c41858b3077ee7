#include "advseg/bench/twin.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>
#include <vector>

#include "advseg/error.h"

namespace advseg {
namespace {

// Single quotes for /bin/sh, with embedded quotes spliced in.
std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string twin_command(const TwinOptions& options, const Workload& workload, int threads, TwinForm form) {
  std::ostringstream command;
  command << shell_quote(options.python) << " " << shell_quote(options.script.string()) << " --json"
          << " --batch " << workload.batch << " --height " << workload.height << " --width " << workload.width
          << " --classes " << workload.num_classes << " --encoding " << shell_quote(workload.encoding)
          << " --iters " << workload.reps.timed << " --warmup " << workload.reps.warmup << " --threads "
          << threads << (form != TwinForm::nchw ? " --channels-last" : "")
          << (form == TwinForm::compiled ? " --compile" : "") << " --segmentor "
          << shell_quote(workload.segmentor) << " --backbone " << shell_quote(workload.backbone)
          << " --precision " << workload_precision(workload).name() << " --library "
          << shell_quote(options.library);
  return command.str();
}

struct Finished {
  std::string output;  // stdout; stderr goes to ours
  int status = 0;
};

Finished run_capturing_stdout(const std::string& command) {
  struct PipeCloser {
    void operator()(FILE* pipe) const {
      if (pipe) pclose(pipe);
    }
  };
  std::unique_ptr<FILE, PipeCloser> pipe(popen(command.c_str(), "r"));
  if (!pipe) throw Error("bench: could not start the Python twin: " + command);
  Finished finished;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0;)
    finished.output.append(buffer, n);
  finished.status = pclose(pipe.release());
  return finished;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

// The twin prints its report as the last line of its output.
nlohmann::json last_json_line(const std::string& output, const std::filesystem::path& script) {
  std::string last_line;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) last_line = line;
  auto report = nlohmann::json::parse(last_line, nullptr, /*allow_exceptions=*/false);
  if (!report.is_object())
    fail_at(script, "the Python twin printed no JSON object; its output was:\n" + output);
  return report;
}

// The first of `candidates` beside this executable (build trees sit in the
// source tree, build/advseg; installs put the twin under share/advseg) that
// exists, else `fallback`.
std::filesystem::path beside_executable(const std::vector<std::filesystem::path>& candidates,
                                        const std::filesystem::path& fallback) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe", error).parent_path();
  for (const auto& candidate : candidates)
    if (fs::is_regular_file(exe_dir / candidate, error)) return (exe_dir / candidate).lexically_normal();
  return fallback;
}

}  // namespace

std::filesystem::path default_twin_script() {
  if (const char* given = std::getenv("ADVSEG_TWIN_SCRIPT")) return given;
  return beside_executable({"../bench/reference/twin.py", "../share/advseg/twin.py"},
                           "bench/reference/twin.py");
}

std::string default_twin_python() {
  if (const char* given = std::getenv("ADVSEG_PYTHON"); given && *given) return given;
  return beside_executable({"../.venv/bin/python3"}, "python3").string();
}

const std::vector<std::string>& twin_segmentors() {
  static const std::vector<std::string> names{"multiscale", "fcn_resnet", "deeplabv3", "lraspp"};
  return names;
}

void check_twin(const TwinOptions& options, const Workload& workload) {
  const auto& names = twin_segmentors();
  if (std::find(names.begin(), names.end(), workload.segmentor) == names.end()) {
    std::string listed;
    for (const auto& name : names) listed += (listed.empty() ? "" : ", ") + name;
    throw Error("bench: the Python twin has no counterpart of segmentor '" + workload.segmentor +
                "' (it has " + listed + "); run without --twin");
  }
  if (options.library != "torchvision" && workload.segmentor != "deeplabv3")
    throw Error("bench: --twin-library " + options.library + " compares deeplabv3 only (segmentation-" +
                "models-pytorch has no model built like advseg's " + workload.segmentor + ")");
  if (options.python.find('/') != std::string::npos && !std::filesystem::exists(options.python))
    throw Error("bench: --python " + options.python + " does not exist (scripts/setup.sh installs " +
                "PyTorch into .venv; or name another interpreter)");
  if (!std::filesystem::is_regular_file(options.script))
    fail_at(options.script, "the Python twin is missing");
}

const char* form_name(TwinForm form) {
  switch (form) {
    case TwinForm::nchw:
      return "nchw";
    case TwinForm::channels_last:
      return "channels_last";
    case TwinForm::compiled:
      return "compiled";
  }
  return "";
}

nlohmann::json run_twin(const TwinOptions& options, const Workload& workload, int threads, TwinForm form) {
  check_twin(options, workload);
  const auto finished = run_capturing_stdout(twin_command(options, workload, threads, form));
  if (!WIFEXITED(finished.status) || WEXITSTATUS(finished.status) != 0)
    fail_at(options.script,
            "the Python twin failed (" + describe_status(finished.status) + "; its messages are above)");
  return last_json_line(finished.output, options.script);
}

const std::vector<std::string>& compared_figures() {
  static const std::vector<std::string> figures{"train_images_per_s_standard",
                                                "train_images_per_s_adversarial", "infer_images_per_s_b1",
                                                "infer_images_per_s_b8", "peak_rss_mb"};
  return figures;
}

nlohmann::json figure_ratios(const nlohmann::json& ours, const nlohmann::json& twin) {
  nlohmann::json ratios = nlohmann::json::object();
  for (const auto& key : compared_figures()) {
    const bool both =
        ours.contains(key) && twin.contains(key) && ours[key].is_number() && twin[key].is_number();
    if (both && twin[key].get<double>() > 0) ratios[key] = ours[key].get<double>() / twin[key].get<double>();
  }
  return ratios;
}

}  // namespace advseg
