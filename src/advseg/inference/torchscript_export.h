// A segmentor as a TorchScript file that Python (`torch.jit.load`) and
// LibTorch (`torch::jit::load`) run without advseg: its `forward` takes RGB
// images in [0, 1], float [N,3,H,W] of any size, and returns float logits
// [N,C,H,W] at the input resolution, normalisation and upsampling included.
//
// advseg's networks are C++ modules, which TorchScript cannot compile, so the
// network is traced: one forward pass of the prepared inference network
// (inference/prediction.h: eval mode, batch norm folded) is recorded as a
// graph over the weights, and a short scripted `forward` wraps it. A trace
// fixes every shape the network computes from its input, so the network runs
// at one resolution (`height` x `width`): an image of another size is resized
// to it and its logits resized back, and a batch runs one image at a time.
// At the export resolution the logits equal advseg's own (fp32) prediction.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "advseg/data/batch.h"
#include "advseg/io/png_mask.h"
#include "advseg/models/segmentor.h"

namespace advseg {

struct TorchScriptExport {
  Normalization normalization;           // baked in: forward takes [0, 1] RGB
  std::vector<std::string> class_names;  // attribute `class_names` (List[str])
  std::vector<Rgb> palette;              // attribute `palette` (uint8 tensor [C,3])
  int height = 0;                        // the resolution the traced network runs at
  int width = 0;
};

// Writes `segmentor` (on the CPU, in fp32) as a TorchScript archive to
// `path`; its weights are left as they were. Throws advseg::Error naming the
// path when it cannot be written, or when the network cannot be traced.
void export_torchscript(SegmentorImpl& segmentor, const TorchScriptExport& spec,
                        const std::filesystem::path& path);

}  // namespace advseg
