// The Python twin (bench/reference/twin.py): the same networks, step and
// optimiser in PyTorch eager, run as a subprocess with the same sizes and
// thread count, so both sides are measured in one run on one machine.
#pragma once

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "advseg/bench/workload.h"

namespace advseg {

// The forms the twin runs in, each in the precision advseg trains in:
// typical eager code (NCHW), its best eager form (channels-last), and that
// form under torch.compile (inductor).
enum class TwinForm { nchw, channels_last, compiled };
const char* form_name(TwinForm form);  // "nchw", "channels_last", "compiled": the report's keys

struct TwinOptions {
  std::filesystem::path script;  // default_twin_script() unless set
  std::string python;            // default_twin_python() unless set
  // Whose model the torchvision families take: "torchvision", or "smp"
  // (segmentation-models-pytorch, deeplabv3 only: scripts/setup.sh --bench).
  std::string library = "torchvision";
  // Compiling takes minutes on a small machine: the tests leave it out.
  std::vector<TwinForm> forms = {TwinForm::nchw, TwinForm::channels_last, TwinForm::compiled};
};

// bench/reference/twin.py in the source tree this program was built from.
std::filesystem::path default_twin_script();

// $ADVSEG_PYTHON, else the project's .venv (scripts/setup.sh) beside a build
// tree, else python3 on the PATH.
std::string default_twin_python();

// The segmentors the twin builds: multiscale, and torchvision's own models
// for the families torchvision has.
const std::vector<std::string>& twin_segmentors();

// Throws advseg::Error when the interpreter or the script is missing, or the
// twin (in options.library) has no counterpart of the workload's segmentor.
void check_twin(const TwinOptions& options, const Workload& workload);

// Runs the twin once in `form` and returns its JSON report.
// Throws advseg::Error when it cannot start, fails or prints no JSON object.
nlohmann::json run_twin(const TwinOptions& options, const Workload& workload, int threads, TwinForm form);

// The figures both sides report (throughputs, and peak memory).
const std::vector<std::string>& compared_figures();

// ours / twin for every compared figure both report.
nlohmann::json figure_ratios(const nlohmann::json& ours, const nlohmann::json& twin);

}  // namespace advseg
