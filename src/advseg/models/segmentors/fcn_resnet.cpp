#include "advseg/models/segmentors/fcn_resnet.h"

#include "advseg/models/segmentors/torchvision_heads.h"

namespace advseg {

std::shared_ptr<SegmentorImpl> make_fcn_resnet_segmentor(const SegmentorOptions& options) {
  const auto backbone = make_torchvision_backbone({"fcn_resnet", {"resnet50", "resnet101"}, {}}, options);
  return std::make_shared<SimpleSegmentationModelImpl>(
      backbone, fcn_head(backbone->out_channels("out"), options.num_classes), options);
}

}  // namespace advseg
