#include "advseg/run/export_model.h"

#include <system_error>
#include <utility>

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/error.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/inference/torchscript_export.h"
#include "advseg/io/file_bytes.h"

namespace advseg {
namespace fs = std::filesystem;

std::pair<int, int> export_checkpoint(const ExportRequest& request, Config config) {
  std::error_code error;
  if (fs::is_directory(request.out, error))
    fail_at(request.out, "--out is a folder; give the file to write, e.g. model.pt");
  // The file holds CPU tensors in fp32; `.to("cuda")` moves them after loading.
  config.train.device = "cpu";
  auto segmentor = load_segmentor(request.checkpoint, config);
  const auto dataset = describe_dataset(config.data);
  TorchScriptExport spec;
  spec.normalization = normalization(config.data);
  spec.class_names = dataset.class_names;
  spec.palette = dataset.palette;
  spec.height = request.height > 0 ? request.height : config.data.crop_height;
  spec.width = request.width > 0 ? request.width : config.data.crop_width;
  create_parent_folders(request.out);
  export_torchscript(*segmentor, spec, request.out);
  return {spec.height, spec.width};
}

}  // namespace advseg
