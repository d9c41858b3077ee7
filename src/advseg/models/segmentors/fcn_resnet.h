// torchvision's fcn_resnet50 / fcn_resnet101 (Long et al., 2015, as
// torchvision builds it): a dilated ResNet (output stride 8) and an FCNHead
// on layer4; with options.aux (default false, torchvision's without
// weights), a second FCNHead on layer3 ("aux_classifier", 1024 channels in).
// The module names are torchvision's: its state dicts load strictly.
#pragma once

#include <memory>

#include "advseg/models/segmentor.h"

namespace advseg {

// Backbones: resnet50 (default), resnet101; output_stride 8 (default) or 16.
// Throws advseg::Error for others.
std::shared_ptr<SegmentorImpl> make_fcn_resnet_segmentor(const SegmentorOptions& options);

}  // namespace advseg
