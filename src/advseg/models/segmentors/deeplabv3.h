// torchvision's deeplabv3_resnet50 / deeplabv3_resnet101 /
// deeplabv3_mobilenet_v3_large (Chen et al., 2017): a dilated backbone and a
// DeepLabHead (ASPP at rates 12/24/36 with image pooling) on its last map;
// with options.aux (default false, torchvision's without weights), an
// FCNHead on layer3 (resnets) or features.4 (MobileNetV3) as
// "aux_classifier". The module names are torchvision's: its state dicts
// load strictly.
#pragma once

#include <memory>

#include "advseg/models/segmentor.h"

namespace advseg {

// Backbones: resnet50 (default), resnet101 (output_stride 8, the default, or
// 16), mobilenet_v3_large (dilated, output_stride 16). Throws advseg::Error
// for others.
std::shared_ptr<SegmentorImpl> make_deeplabv3_segmentor(const SegmentorOptions& options);

}  // namespace advseg
