// Option checks (and the dilated ResNet) shared by the segmentors of the model zoo (fcn, dilated,
// deeplabv2, pspnet, unet, multiscale): each error names the segmentor, the setting and
// the values it allows.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "advseg/error.h"
#include "advseg/models/backbones/backbone.h"
#include "advseg/models/segmentor.h"

namespace advseg::zoo {

inline std::string join_allowed(const std::vector<std::string>& values) {
  std::string joined;
  for (const auto& value : values) joined += (joined.empty() ? "" : ", ") + value;
  return joined;
}

inline void check_num_classes(const std::string& segmentor, const SegmentorOptions& options) {
  if (options.num_classes < 1)
    throw Error("segmentor '" + segmentor + "': num_classes must be at least 1, got " +
                std::to_string(options.num_classes));
}

// options.backbone, or `allowed.front()` (the default) when it is empty.
inline std::string choose_backbone(const std::string& segmentor, const SegmentorOptions& options,
                                   const std::vector<std::string>& allowed) {
  if (options.backbone.empty()) return allowed.front();
  if (std::find(allowed.begin(), allowed.end(), options.backbone) == allowed.end())
    throw Error("segmentor '" + segmentor + "': unsupported backbone '" + options.backbone +
                "' (allowed: " + join_allowed(allowed) + ")");
  return options.backbone;
}

// Segmentors trained from scratch without a backbone (multiscale, unet): ""
// or "none"; another name would be ignored, so it is refused.
inline void check_no_backbone(const std::string& segmentor, const SegmentorOptions& options) {
  if (!options.backbone.empty() && options.backbone != "none")
    throw Error("segmentor '" + segmentor + "': unsupported backbone '" + options.backbone +
                "' (allowed: none, it is trained from scratch)");
}

// Segmentors with one fixed output stride: 0 (the default) or that stride.
inline int check_output_stride(const std::string& segmentor, const SegmentorOptions& options, int stride) {
  if (options.output_stride != 0 && options.output_stride != stride)
    throw Error("segmentor '" + segmentor + "': unsupported output_stride " +
                std::to_string(options.output_stride) + " (allowed: " + std::to_string(stride) +
                ", or 0 for the default)");
  return stride;
}

// The ResNet of the stride-8 families (deeplabv2, pspnet): options checked,
// layer3 and layer4 dilated instead of strided. `allowed`: default first.
inline std::shared_ptr<BackboneImpl> dilated_resnet8(const std::string& segmentor,
                                                     const SegmentorOptions& options,
                                                     const std::vector<std::string>& allowed) {
  check_num_classes(segmentor, options);
  BackboneOptions backbone;
  backbone.name = choose_backbone(segmentor, options, allowed);
  check_output_stride(segmentor, options, 8);
  backbone.replace_stride_with_dilation = {false, true, true};
  return make_backbone(backbone);
}

}  // namespace advseg::zoo
