#include "advseg/inference/torchscript_export.h"

#include <ATen/core/ivalue.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/utils.h>

#include <cctype>
#include <cstdint>
#include <memory>
#include <sstream>
#include <utility>

#include "advseg/error.h"
#include "advseg/inference/prediction.h"
#include "advseg/io/file_bytes.h"

namespace advseg {
namespace {
namespace jit = torch::jit;

// The scripted modules around the traced network. AtNetworkSize runs images
// of the size the trace was taken at, without branches or loops (what ONNX
// converts, tools/export_onnx.py); Segmentor takes any batch and size, one
// image at a time and resized to that size and back, as the trace fixed both.
constexpr const char* kAtNetworkSize = R"JIT(
def forward(self, images: Tensor) -> Tensor:
    logits = self.network.forward((images - self.mean) / self.std)
    return torch.upsample_bilinear2d(logits, [images.size(2), images.size(3)], False, None, None)
)JIT";

constexpr const char* kSegmentor = R"JIT(
def forward(self, images: Tensor) -> Tensor:
    height = images.size(2)
    width = images.size(3)
    resized = height != self.network_size[0] or width != self.network_size[1]
    x = images
    if resized:
        x = torch.upsample_bilinear2d(x, self.network_size, False, None, None)
    logits = torch.cat([self.at_network_size.forward(x[i:i + 1]) for i in range(x.size(0))])
    if resized:
        logits = torch.upsample_bilinear2d(logits, [height, width], False, None, None)
    return logits
)JIT";

// "advseg::ResNetImpl" -> "ResNet": a TorchScript class name.
std::string script_class_name(const std::string& cpp_name) {
  std::string name = cpp_name.substr(cpp_name.rfind(':') == std::string::npos ? 0 : cpp_name.rfind(':') + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0) name.resize(name.size() - 4);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return "__torch__.advseg." + (name.empty() ? std::string("Module") : name);
}

// A TorchScript module with the same tree, parameters and buffers (the same
// tensors, so the tracer records reads of them as attribute reads rather
// than constants) as the C++ module.
jit::Module mirror(const torch::nn::Module& module, const std::shared_ptr<jit::CompilationUnit>& unit) {
  jit::Module mirrored(c10::QualifiedName(script_class_name(module.name())), unit, /*shouldMangle=*/true);
  for (const auto& parameter : module.named_parameters(/*recurse=*/false))
    mirrored.register_parameter(parameter.key(), parameter.value(), /*is_buffer=*/false);
  for (const auto& buffer : module.named_buffers(/*recurse=*/false))
    mirrored.register_buffer(buffer.key(), buffer.value());
  for (const auto& child : module.named_children())
    mirrored.register_module(child.key(), mirror(*child.value(), unit));
  return mirrored;
}

// Tensors the trace met that are no module attribute (a bias that folding
// added) became constants of the graph; as buffers they follow `.to(device)`.
void lift_tensor_constants(jit::Graph& graph, jit::Module& module) {
  std::vector<jit::Node*> constants;
  for (auto* node : graph.nodes())
    if (node->kind() == c10::prim::Constant && node->output()->type()->isSubtypeOf(*c10::TensorType::get()))
      constants.push_back(node);
  jit::Value* self = graph.inputs().at(0);
  for (std::size_t i = 0; i < constants.size(); ++i) {
    const std::string name = "constant_" + std::to_string(i);
    module.register_buffer(name, jit::toIValue(constants[i]->output())->toTensor());
    jit::WithInsertPoint here(constants[i]);
    constants[i]->output()->replaceAllUsesWith(graph.insertGetAttr(self, name));
    constants[i]->destroy();
  }
}

// Gives every module of the tree copies of its tensors, so the file keeps the
// folded weights that InferenceNetwork puts back when it ends.
void detach_weights(const jit::Module& root) {
  for (auto module : root.modules()) {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& attribute : module.named_attributes(/*recurse=*/false))
      if (attribute.value.isTensor()) tensors.emplace_back(attribute.name, attribute.value.toTensor());
    for (const auto& [name, tensor] : tensors) module.setattr(name, tensor.detach().clone());
  }
}

// The network, prepared for inference, traced at the export resolution.
jit::Module traced_network(SegmentorImpl& segmentor, const TorchScriptExport& spec,
                           const std::shared_ptr<jit::CompilationUnit>& unit) {
  InferenceNetwork network(segmentor);
  torch::NoGradGuard no_grad;
  jit::Module mirrored = mirror(segmentor, unit);
  const auto parameters = segmentor.parameters();
  const auto device = parameters.empty() ? c10::Device(c10::kCPU) : parameters.front().device();
  const auto example = torch::zeros({1, 3, spec.height, spec.width}, torch::TensorOptions().device(device));
  auto run = [&](jit::Stack inputs) { return jit::Stack{segmentor.forward(inputs.at(0).toTensor())}; };
  auto no_names = [](const at::Tensor&) { return std::string(); };
  auto graph =
      jit::tracer::trace({example}, run, no_names, /*strict=*/true, /*force_outplace=*/false, &mirrored)
          .first->graph;
  lift_tensor_constants(*graph, mirrored);
  auto forward = unit->create_function(c10::QualifiedName(*mirrored.type()->name(), "forward"), graph);
  mirrored.type()->addMethod(forward);
  detach_weights(mirrored);
  return mirrored;
}

torch::Tensor channel_values(const std::vector<double>& values) {
  return torch::tensor(values, torch::kFloat).view({1, -1, 1, 1});
}

torch::Tensor palette_tensor(const std::vector<Rgb>& palette) {
  auto tensor = torch::empty({static_cast<std::int64_t>(palette.size()), 3}, torch::kUInt8);
  for (std::size_t i = 0; i < palette.size(); ++i)
    for (int c = 0; c < 3; ++c)
      tensor[static_cast<std::int64_t>(i)][c] = palette[i][static_cast<std::size_t>(c)];
  return tensor;
}

jit::Module scripted_segmentor(SegmentorImpl& segmentor, const TorchScriptExport& spec) {
  auto unit = std::make_shared<jit::CompilationUnit>();
  jit::Module at_size(c10::QualifiedName("__torch__.advseg.AtNetworkSize"), unit, /*shouldMangle=*/true);
  at_size.register_module("network", traced_network(segmentor, spec, unit));
  at_size.register_buffer("mean", channel_values(spec.normalization.mean));
  at_size.register_buffer("std", channel_values(spec.normalization.std));
  at_size.define(kAtNetworkSize);

  jit::Module model(c10::QualifiedName("__torch__.advseg.Segmentor"), unit, /*shouldMangle=*/true);
  model.register_module("at_network_size", at_size);
  model.register_attribute("network_size", c10::ListType::ofInts(),
                           c10::List<std::int64_t>({spec.height, spec.width}));
  model.register_attribute("class_names", c10::ListType::ofStrings(),
                           c10::List<std::string>(spec.class_names));
  model.register_attribute("palette", c10::TensorType::get(), palette_tensor(spec.palette));
  model.define(kSegmentor);
  model.eval();
  return model;
}

}  // namespace

void export_torchscript(SegmentorImpl& segmentor, const TorchScriptExport& spec,
                        const std::filesystem::path& path) {
  if (spec.height <= 0 || spec.width <= 0)
    throw Error("export: the network size must be positive, got " + std::to_string(spec.height) + "x" +
                std::to_string(spec.width));
  std::ostringstream bytes;
  try {
    scripted_segmentor(segmentor, spec).save(bytes);
  } catch (const c10::Error& e) {
    std::string detail = e.what_without_backtrace();
    throw Error("export: cannot turn the segmentor into TorchScript: " + detail.substr(0, detail.find('\n')));
  }
  write_file_bytes(path, bytes.str());
}

}  // namespace advseg
