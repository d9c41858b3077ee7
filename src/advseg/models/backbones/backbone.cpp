#include "advseg/models/backbones/backbone.h"

#include <algorithm>

#include "advseg/error.h"
#include "advseg/models/backbones/mobilenet_v3.h"
#include "advseg/models/backbones/resnet.h"
#include "advseg/models/backbones/vgg.h"

namespace advseg {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

bool any_dilation(const BackboneOptions& options) {
  const auto& dilate = options.replace_stride_with_dilation;
  return std::any_of(dilate.begin(), dilate.end(), [](bool replaced) { return replaced; });
}

// Options a family does not have would be silently ignored: refuse them.
void check_unused_options(const BackboneOptions& options, bool has_replace_stride, bool has_dilated) {
  if (!has_replace_stride && any_dilation(options))
    throw Error("backbone '" + options.name +
                "': replace_stride_with_dilation is for resnet50 and resnet101 only");
  if (!has_dilated && options.dilated)
    throw Error("backbone '" + options.name + "': dilated is for mobilenet_v3_large only");
}

}  // namespace

std::vector<std::string> BackboneImpl::feature_names() const {
  std::vector<std::string> names;
  for (const auto& entry : features_) names.push_back(entry.name);
  return names;
}

const BackboneImpl::Feature& BackboneImpl::feature(const std::string& name) const {
  for (const auto& entry : features_)
    if (entry.name == name) return entry;
  throw Error("backbone has no feature '" + name + "' (available: " + join(feature_names()) + ")");
}

int BackboneImpl::out_channels(const std::string& feature_name) const {
  return feature(feature_name).channels;
}

int BackboneImpl::stride(const std::string& feature_name) const { return feature(feature_name).stride; }

int BackboneImpl::output_stride() const { return stride("out"); }

void BackboneImpl::add_feature(const std::string& feature_name, int channels, int feature_stride) {
  features_.push_back({feature_name, channels, feature_stride});
}

std::vector<std::string> backbone_names() {
  return {"mobilenet_v3_large", "resnet18", "resnet34", "resnet50", "resnet101", "vgg16", "vgg16_bn"};
}

std::shared_ptr<BackboneImpl> make_backbone(const BackboneOptions& options) {
  const std::string& name = options.name;
  if (name == "resnet18" || name == "resnet34" || name == "resnet50" || name == "resnet101") {
    check_unused_options(options, /*has_replace_stride=*/true, /*has_dilated=*/false);
    return std::make_shared<ResNetBackboneImpl>(resnet_options(name, options.replace_stride_with_dilation));
  }
  if (name == "vgg16" || name == "vgg16_bn") {
    check_unused_options(options, false, false);
    return std::make_shared<VggBackboneImpl>(vgg16_options(/*batch_norm=*/name == "vgg16_bn"));
  }
  if (name == "mobilenet_v3_large") {
    check_unused_options(options, false, true);
    return std::make_shared<MobileNetV3BackboneImpl>(MobileNetV3Options{options.dilated});
  }
  throw Error("unknown backbone '" + name + "' (available: " + join(backbone_names()) + ")");
}

}  // namespace advseg
