// Every segmentor family, exported by `advseg export` and converted by
// tools/export_onnx.py, must compute advseg's own logits in onnxruntime (fp32,
// 1e-4) at the export size, and, converted with --dynamic, at another size
// too where the network allows it; where it does not, --dynamic is refused
// (checked on one family). The conversion and onnxruntime
// run in the build's Python (.venv: scripts/requirements.txt).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <ostream>
#include <string>

#include "advseg/inference/torchscript_export.h"
#include "cli/run_command.h"
#include "inference/export_fixtures.h"
#include "support/paths.h"
#include "support/python.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {

using testing::quoted;

// advseg's export traces the network at one size, so a size the network
// computes inside (a skip connection's crop, a pooled branch upsampled back,
// the other scales of multiscale) is a constant of the graph: only networks
// without one run at other sizes in ONNX (tools/export_onnx.py --dynamic says
// so when a network has one).
// Two families do not convert at all: PyTorch 2.15's TorchScript-based
// exporter cannot type their traced graphs ("Cannot determine scalar type"
// at a convolution followed by an in-place ReLU); the tool says so.
// The refusal of --dynamic is the tool's own check, the same for every
// network, and costs a whole export (16 s for fcn16s): it is checked on the
// smallest fixed-size family (fixed_size_refused) only.
enum class Onnx { unsupported, fixed_size, fixed_size_refused, any_size };

struct OnnxCase {
  testing::SegmentorFamily family;
  Onnx sizes;
};

void PrintTo(const OnnxCase& c, std::ostream* out) { testing::PrintTo(c.family, out); }

class OnnxExportOf : public ::testing::TestWithParam<OnnxCase> {};

// Writes one image of height x width and advseg's logits for it; returns the
// check script's arguments for them.
std::string input_and_logits(SegmentorImpl& segmentor, const testing::TempDir& dir, int height, int width) {
  const std::string name = std::to_string(height) + "x" + std::to_string(width);
  const auto images = torch::rand({1, 3, height, width});
  testing::write_floats(dir.file(name + ".images.f32"), images);
  testing::write_floats(dir.file(name + ".logits.f32"), testing::advseg_logits(segmentor, images));
  return " " + quoted(dir.file(name + ".images.f32").string()) + " " +
         quoted(dir.file(name + ".logits.f32").string()) + " " + std::to_string(height) + " " +
         std::to_string(width);
}

// tools/export_onnx.py ARGUMENTS in the build's Python; stdout and stderr together.
testing::CommandResult run_export_tool(const std::string& arguments) {
  return testing::run_shell(testing::python_command() + " " +
                            quoted(testing::source_dir() + "/tools/export_onnx.py") + " " + arguments);
}

// Runs the tool on `arguments` and `out`, expecting it to refuse: exit
// status non-zero, `message` said, no file left at `out`.
void expect_refusal(const std::string& arguments, const std::filesystem::path& out,
                    const std::string& message) {
  const auto refused = run_export_tool(arguments + " " + quoted(out.string()));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find(message), std::string::npos) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_P(OnnxExportOf, ComputesAdvsegsLogitsInOnnxRuntime) {
  const auto& [family, sizes] = GetParam();
  auto segmentor = testing::exportable(family);
  testing::TempDir dir;
  export_torchscript(*segmentor, testing::spec_for(family.side), dir.file("model.pt"));
  const std::string model = quoted(dir.file("model.pt").string());
  if (sizes == Onnx::unsupported) {
    expect_refusal(model, dir.file("model.onnx"), "exporter cannot convert this network");
    return;
  }
  const bool dynamic_sizes = sizes == Onnx::any_size;
  torch::manual_seed(7);
  std::string checks = input_and_logits(*segmentor, dir, family.side, family.side);
  if (dynamic_sizes) checks += input_and_logits(*segmentor, dir, family.side + 16, family.side - 8);

  const std::string tool = testing::source_dir() + "/tools/export_onnx.py";
  const std::string check = testing::source_dir() + "/tests/inference/check_onnx.py";
  std::string why;
  SKIP_OR_FAIL_WITHOUT(
      testing::run_python(quoted(tool) + " " + quoted(dir.file("model.pt").string()) + " " +
                              quoted(dir.file("model.onnx").string()) + (dynamic_sizes ? " --dynamic" : ""),
                          dir, why, "torch"),
      why);
  SKIP_OR_FAIL_WITHOUT(testing::run_python(quoted(check) + " " + quoted(dir.file("model.onnx").string()) +
                                               " " + std::to_string(testing::kExportClasses) + checks,
                                           dir, why, "onnxruntime"),
                       why);
  if (sizes == Onnx::fixed_size_refused)
    expect_refusal("--dynamic " + model, dir.file("dynamic.onnx"), "fixes sizes inside the network");
}

// The tool never replaces its input, and names a missing model or a folder
// given as the output.
TEST(OnnxExportTool, RefusesBadPathsNamingThem) {
  testing::TempDir dir;
  export_torchscript(*testing::exportable({"fcn_resnet", "resnet50", 32}), testing::spec_for(32),
                     dir.file("model.pt"));
  const auto size = std::filesystem::file_size(dir.file("model.pt"));
  const std::string model = quoted(dir.file("model.pt").string());
  expect_refusal(quoted(dir.file("missing.pt").string()), dir.file("out.onnx"), "missing.pt: no such file");
  const auto same = run_export_tool(model + " " + model);
  EXPECT_NE(same.exit_code, 0);
  EXPECT_NE(same.output.find("would replace the input model"), std::string::npos) << same.output;
  EXPECT_EQ(std::filesystem::file_size(dir.file("model.pt")), size);
  std::filesystem::create_directory(dir.file("folder"));
  const auto folder = run_export_tool(model + " " + quoted(dir.file("folder").string()));
  EXPECT_NE(folder.exit_code, 0);
  EXPECT_NE(folder.output.find("is a folder"), std::string::npos) << folder.output;
}

using Family = testing::SegmentorFamily;
INSTANTIATE_TEST_SUITE_P(
    Segmentors, OnnxExportOf,
    ::testing::Values(OnnxCase{Family{"multiscale", "", 32}, Onnx::unsupported},
                      OnnxCase{Family{"unet", "", 32}, Onnx::unsupported},
                      OnnxCase{Family{"fcn32s", "", 64}, Onnx::any_size},
                      OnnxCase{Family{"fcn16s", "", 64}, Onnx::fixed_size},
                      OnnxCase{Family{"fcn8s", "", 64}, Onnx::fixed_size},
                      OnnxCase{Family{"dilated8", "", 32}, Onnx::any_size},
                      OnnxCase{Family{"dilated8-context", "", 32}, Onnx::any_size},
                      OnnxCase{Family{"deeplabv2", "resnet50", 32}, Onnx::any_size},
                      OnnxCase{Family{"fcn_resnet", "resnet50", 32}, Onnx::any_size},
                      OnnxCase{Family{"deeplabv3", "mobilenet_v3_large", 64}, Onnx::fixed_size},
                      OnnxCase{Family{"lraspp", "mobilenet_v3_large", 64}, Onnx::fixed_size_refused},
                      OnnxCase{Family{"pspnet", "resnet50", 48}, Onnx::fixed_size}));

}  // namespace
}  // namespace advseg
