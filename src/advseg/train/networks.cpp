#include "advseg/train/networks.h"

#include <algorithm>
#include <set>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/inference/precision.h"
#include "advseg/models/norm_layers.h"
#include "advseg/models/state_dict.h"
#include "advseg/runtime.h"
#include "advseg/train/optimizers.h"

namespace advseg {

Networks make_networks(const Config& config, const c10::Device& device) {
  Networks networks;
  networks.segmentor = make_configured_segmentor(config, device);
  if (config.adversarial.enabled) networks.adversary = make_configured_adversary(config, device);
  if (config.adversarial.enabled && config.adaptation.aux_adversary)
    networks.aux_adversary = make_configured_adversary(config, device);
  if (uses_semi_method(config.semi, "mean_teacher_cutmix")) {
    networks.teacher = make_configured_segmentor(config, device);
    for (auto& p : networks.teacher->parameters()) p.requires_grad_(false);
    networks.teacher->eval();
    update_moving_average(*networks.teacher, *networks.segmentor, 0.0);
  }
  return networks;
}

void update_moving_average(torch::nn::Module& average, const torch::nn::Module& network, double decay) {
  torch::NoGradGuard no_grad;
  const auto follow = [decay](const std::vector<torch::Tensor>& targets,
                              const std::vector<torch::Tensor>& sources) {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      auto target = targets[i];
      if (target.is_floating_point())
        target.mul_(decay).add_(sources[i], 1 - decay);
      else
        target.copy_(sources[i]);
    }
  };
  follow(average.parameters(), network.parameters());
  follow(average.buffers(), network.buffers());
}

namespace {

using TensorSet = std::set<const c10::TensorImpl*>;

TensorSet tensor_set(const std::vector<torch::Tensor>& tensors) {
  TensorSet set;
  for (const auto& t : tensors) set.insert(t.unsafeGetTensorImpl());
  return set;
}

std::vector<double> lr_scales(const std::vector<ParameterGroup>& groups) {
  std::vector<double> scales;
  for (const auto& group : groups) scales.push_back(group.lr_scale);
  return scales;
}

}  // namespace

namespace {

std::string first_names(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < 8; ++i) text += (i ? ", " : "") + names[i];
  return names.size() > 8 ? text + ", ... (" + std::to_string(names.size()) + " in all)" : text;
}

std::vector<std::string> loading_notes(const std::string& what, const LoadReport& report) {
  std::vector<std::string> notes = {what + ": loaded " + std::to_string(report.loaded.size()) + " tensors"};
  if (!report.missing.empty()) notes.push_back("  left as initialised: " + first_names(report.missing));
  if (!report.unexpected.empty())
    notes.push_back("  ignored from the file: " + first_names(report.unexpected));
  std::vector<std::string> mismatched;
  for (const auto& m : report.mismatched) mismatched.push_back(m.name);
  if (!mismatched.empty())
    notes.push_back("  of another shape, left as initialised: " + first_names(mismatched));
  return notes;
}

}  // namespace

std::vector<std::string> load_pretrained_weights(SegmentorImpl& segmentor, const ModelConfig& model) {
  if (!model.pretrained.empty()) {
    LoadOptions options;
    options.strict = model.strict_loading;
    return loading_notes("model.pretrained " + model.pretrained,
                         load_state_dict(segmentor, model.pretrained, options));
  }
  if (model.backbone_pretrained.empty()) return {};
  const StateDict weights = read_state_dict(model.backbone_pretrained);
  // A classification file names the backbone's tensors as the backbone alone
  // has them; a segmentor holds the backbone under "backbone.", or, where it
  // is MobileNetV3's feature stack itself (lraspp, deeplabv3), under
  // "backbone." in place of "features." (as torchvision's own models do).
  LoadReport report;
  for (const char* file_prefix : {"", "features."}) {
    LoadOptions options;
    options.prefix = file_prefix;
    options.module_prefix = "backbone.";
    options.strict = false;
    report = load_state_dict(segmentor, weights, options);
    if (!report.loaded.empty()) break;
  }
  std::vector<std::string> backbone_missing;
  for (const auto& name : report.missing)
    if (name.rfind("backbone.", 0) == 0) backbone_missing.push_back(name);
  for (const auto& m : report.mismatched)
    if (m.name.rfind("backbone.", 0) == 0) backbone_missing.push_back(m.name + " (another shape)");
  if (report.loaded.empty() || !backbone_missing.empty())
    throw Error(model.backbone_pretrained + ": model.backbone_pretrained does not fit the backbone of " +
                (report.loaded.empty() ? "this segmentor (no tensor matched)"
                                       : "this segmentor: " + first_names(backbone_missing)));
  auto notes = loading_notes("model.backbone_pretrained " + model.backbone_pretrained, report);
  notes.resize(1);  // the head is new by design, and a classifier in the file is expected
  return notes;
}

std::vector<ParameterGroup> segmentor_parameter_groups(const SegmentorImpl& segmentor,
                                                       const ModelConfig& model) {
  const auto backbone = tensor_set(segmentor.backbone_parameters());
  const auto no_decay =
      model.no_weight_decay_on_norm_and_bias ? tensor_set(norm_and_bias_parameters(segmentor)) : TensorSet{};
  // backbone/decay, backbone/no decay, head/decay, head/no decay.
  std::vector<ParameterGroup> groups = {{{}, 1.0, true},
                                        {{}, 1.0, false},
                                        {{}, model.head_lr_multiplier, true},
                                        {{}, model.head_lr_multiplier, false}};
  for (const auto& p : segmentor.parameters()) {
    if (!p.requires_grad()) continue;  // frozen BatchNorm (model.freeze_bn)
    const auto* impl = p.unsafeGetTensorImpl();
    const std::size_t index = (backbone.count(impl) ? 0 : 2) + (no_decay.count(impl) ? 1 : 0);
    groups[index].parameters.push_back(p);
  }
  groups.erase(
      std::remove_if(groups.begin(), groups.end(), [](const auto& g) { return g.parameters.empty(); }),
      groups.end());
  return groups;
}

Optimizers make_optimizers(const Config& config, const Networks& networks) {
  Optimizers optimizers;
  const auto segmentor_groups = segmentor_parameter_groups(*networks.segmentor, config.model);
  optimizers.segmentor = make_optimizer(config.train.segmentor_optimizer, segmentor_groups);
  optimizers.segmentor_lr_scales = lr_scales(segmentor_groups);
  if (networks.adversary) {
    const std::vector<ParameterGroup> adversary_groups = {{networks.adversary->parameters(), 1.0, true}};
    optimizers.adversary = make_optimizer(config.train.adversary_optimizer, adversary_groups);
    optimizers.adversary_lr_scales = lr_scales(adversary_groups);
  }
  if (networks.aux_adversary)  // the same settings as the first adversary's
    optimizers.aux_adversary =
        make_optimizer(config.train.adversary_optimizer, {{networks.aux_adversary->parameters(), 1.0, true}});
  if (resolve_precision(config.train.precision, config.train.device).scales_gradients())
    optimizers.scaler = std::make_unique<GradScaler>(parse_device(config.train.device));
  return optimizers;
}

}  // namespace advseg
