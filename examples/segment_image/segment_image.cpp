// Segments one image with a checkpoint that `advseg train` wrote, through
// the installed library: the prediction `advseg predict` makes, as a palette
// PNG of class indices.   segment_image CHECKPOINT_DIR IMAGE OUT.png
#include <advseg/config/config.h>
#include <advseg/data/dataset.h>
#include <advseg/inference/checkpoint_files.h>
#include <advseg/inference/prediction.h>
#include <advseg/io/image_file.h>
#include <advseg/io/png_mask.h>

#include <exception>
#include <iostream>

int main(int argc, char** argv) try {
  if (argc != 4) {
    std::cerr << "usage: segment_image CHECKPOINT_DIR IMAGE OUT.png\n";
    return 2;
  }
  const advseg::Config config = advseg::load_checkpoint_config(argv[1]);
  auto segmentor = advseg::load_segmentor(argv[1], config);
  advseg::InferenceNetwork network(*segmentor);  // eval mode, batch norm folded
  const cv::Mat image = advseg::read_rgb_image(argv[2], config.data.max_image_pixels);
  const cv::Mat classes = advseg::predict_label_map(network, image, advseg::prediction_options(config));
  advseg::write_index_png(argv[3], classes, advseg::describe_dataset(config.data).palette);
  std::cout << "wrote " << argv[3] << ": " << classes.cols << "x" << classes.rows << " class indices\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "segment_image: " << e.what() << "\n";
  return 1;
}
