// JPEG photos decoded with libjpeg into 8-bit RGB, strictly: any libjpeg
// warning (corrupt entropy data, a premature end of the file) is an error,
// where libjpeg alone would fill the gap with grey and call it a success.
// libjpeg prints nothing; errors are advseg::Error naming the source.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <string_view>

namespace advseg {

// Decodes JPEG bytes into a CV_8UC3 image in RGB order. Grayscale JPEGs give
// three equal channels; CMYK and YCCK JPEGs are converted as OpenCV does
// (Adobe's inverted CMYK). The EXIF orientation is ignored: pixels come out
// as stored. Bytes after the end-of-image marker are ignored. Throws
// advseg::Error naming `source`: "truncated JPEG (libjpeg: Premature end of
// JPEG file)", "corrupt JPEG (libjpeg: MESSAGE)", or more than `max_pixels`
// pixels (checked from the header, before any pixel buffer is allocated).
cv::Mat decode_jpeg(std::string_view bytes, const std::string& source, long long max_pixels);

}  // namespace advseg
