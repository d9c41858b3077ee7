#include "advseg/models/segmentors/deeplabv3.h"

#include "advseg/models/segmentors/torchvision_heads.h"

namespace advseg {

std::shared_ptr<SegmentorImpl> make_deeplabv3_segmentor(const SegmentorOptions& options) {
  const auto backbone = make_torchvision_backbone(
      {"deeplabv3", {"resnet50", "resnet101", "mobilenet_v3_large"}, {16}}, options);
  return std::make_shared<SimpleSegmentationModelImpl>(
      backbone, deeplab_head(backbone->out_channels("out"), options.num_classes), options);
}

}  // namespace advseg
