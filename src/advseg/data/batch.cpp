#include "advseg/data/batch.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "advseg/error.h"

namespace advseg {

namespace {

// Normalised value of every byte per channel: one table lookup per pixel
// instead of a divide, and no per-pixel tensor operations.
using ChannelTables = std::array<std::array<float, 256>, 3>;

ChannelTables normalisation_tables(const Normalization& norm) {
  if (norm.mean.size() != 3 || norm.std.size() != 3) {
    throw Error("normalisation needs 3 means and 3 standard deviations (data.mean, data.std), got " +
                std::to_string(norm.mean.size()) + " and " + std::to_string(norm.std.size()));
  }
  ChannelTables tables{};
  for (int c = 0; c < 3; ++c) {
    if (!(norm.std[c] > 0)) throw Error("data.std must be positive, got " + std::to_string(norm.std[c]));
    for (int v = 0; v < 256; ++v) tables[c][v] = static_cast<float>((v / 255.0 - norm.mean[c]) / norm.std[c]);
  }
  return tables;
}

void require_type(const cv::Mat& mat, int type, const std::string& what, const std::string& expected) {
  if (mat.type() != type)
    throw Error(what + " must be " + expected + " (got OpenCV type " + std::to_string(mat.type()) + ")");
}

// Writes an RGB image as three planes into a [3,H,W] block whose rows are
// `row_stride` floats apart (the batch width, which may exceed the image's).
void write_image(const cv::Mat& rgb, const ChannelTables& tables, float* planes, std::int64_t plane_stride,
                 std::int64_t row_stride) {
  for (int y = 0; y < rgb.rows; ++y) {
    const std::uint8_t* pixel = rgb.ptr<std::uint8_t>(y);
    float* rows[3] = {planes + y * row_stride, planes + plane_stride + y * row_stride,
                      planes + 2 * plane_stride + y * row_stride};
    for (int x = 0; x < rgb.cols; ++x) {
      for (int c = 0; c < 3; ++c) rows[c][x] = tables[c][pixel[3 * x + c]];
    }
  }
}

void write_label(const cv::Mat& label, std::int64_t* out, std::int64_t row_stride) {
  for (int y = 0; y < label.rows; ++y) {
    std::copy_n(label.ptr<std::uint8_t>(y), label.cols, out + y * row_stride);
  }
}

}  // namespace

torch::Tensor image_to_tensor(const cv::Mat& rgb, const Normalization& norm) {
  require_type(rgb, CV_8UC3, "image", "8-bit RGB");
  torch::Tensor tensor = torch::empty({3, rgb.rows, rgb.cols}, torch::kFloat32);
  write_image(rgb, normalisation_tables(norm), tensor.data_ptr<float>(), std::int64_t{rgb.rows} * rgb.cols,
              rgb.cols);
  return tensor;
}

torch::Tensor label_to_tensor(const cv::Mat& label) {
  require_type(label, CV_8UC1, "label", "8-bit single-channel");
  torch::Tensor tensor = torch::empty({label.rows, label.cols}, torch::kInt64);
  write_label(label, tensor.data_ptr<std::int64_t>(), label.cols);
  return tensor;
}

Batch collate(const std::vector<Example>& examples, const Normalization& norm, int ignore_index) {
  if (examples.empty()) throw Error("collate: a batch needs at least one example");
  int height = 0, width = 0;
  for (const Example& example : examples) {
    require_type(example.image, CV_8UC3, "image of '" + example.id + "'", "8-bit RGB");
    require_type(example.label, CV_8UC1, "label of '" + example.id + "'", "8-bit single-channel");
    if (example.image.size() != example.label.size())
      throw Error("collate: image and label of '" + example.id + "' differ in size");
    height = std::max(height, example.image.rows);
    width = std::max(width, example.image.cols);
  }
  const auto n = static_cast<std::int64_t>(examples.size());
  const std::int64_t plane = std::int64_t{height} * width;

  // Examples fill the top-left corner; the rest is padding (0 is the mean
  // colour after normalisation, ignore_index keeps it out of the loss).
  Batch batch;
  batch.images = torch::zeros({n, 3, height, width}, torch::kFloat32);
  batch.labels = torch::full({n, height, width}, ignore_index, torch::kInt64);
  const ChannelTables tables = normalisation_tables(norm);
  float* images = batch.images.data_ptr<float>();
  std::int64_t* labels = batch.labels.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    write_image(examples[i].image, tables, images + i * 3 * plane, plane, width);
    write_label(examples[i].label, labels + i * plane, width);
    batch.ids.push_back(examples[i].id);
  }
  return batch;
}

}  // namespace advseg
