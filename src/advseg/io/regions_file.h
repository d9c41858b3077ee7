// Stanford Background label files (`labels/<id>.regions.txt`): H rows of W
// whitespace-separated integers, one class id per pixel; negative = unknown.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>

namespace advseg {

// Parses the text of a regions file into a CV_8UC1 label map. Negative ids
// become `ignore_index`. Ragged rows, non-integers, ids >= num_classes and an
// empty file throw advseg::Error naming `source`, the line and the problem.
cv::Mat parse_regions(std::string_view text, int num_classes, const std::string& source,
                      int ignore_index = 255);

// Reads and parses a regions file; a missing or unreadable file is an error.
cv::Mat read_regions_file(const std::filesystem::path& path, int num_classes, int ignore_index = 255);

}  // namespace advseg
