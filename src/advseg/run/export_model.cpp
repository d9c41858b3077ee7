#include "advseg/run/export_model.h"

#include <exception>
#include <string>
#include <system_error>
#include <utility>

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/error.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/inference/torchscript_export.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/output_file.h"

namespace advseg {
namespace fs = std::filesystem;

std::pair<int, int> export_checkpoint(const ExportRequest& request, Config config) {
  check_output_file(request.out, checkpoint_reads(request.checkpoint));
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
  const std::string size = std::to_string(spec.height) + "x" + std::to_string(spec.width);
  try {
    replace_file(request.out, [&](const fs::path& file) { export_torchscript(*segmentor, spec, file); });
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    if (!is_out_of_memory(e.what())) throw;
    throw Error("out of memory tracing the network at " + size +
                ": export at a smaller --size (the size you predict at). Detail: " +
                std::string(e.what()).substr(0, 200));
  }
  return {spec.height, spec.width};
}

}  // namespace advseg
