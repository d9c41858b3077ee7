// Turns LibTorch's oneDNN (mkldnn) convolutions off for a scope. oneDNN's
// weight gradient of a large dilated kernel on a tiny feature map (dilated8's
// fc6: 7x7, dilation 4, 4096 maps, on a 4x4 grid) takes seconds where
// LibTorch's own kernel takes a tenth of that; the results are the same
// convolution, so tests of the VGG dilated networks run without it.
#pragma once

#include <ATen/Context.h>

namespace advseg::testing {

class WithoutOneDnn {
 public:
  WithoutOneDnn() : was_enabled_(at::globalContext().userEnabledMkldnn()) {
    at::globalContext().setUserEnabledMkldnn(false);
  }
  ~WithoutOneDnn() { at::globalContext().setUserEnabledMkldnn(was_enabled_); }
  WithoutOneDnn(const WithoutOneDnn&) = delete;
  WithoutOneDnn& operator=(const WithoutOneDnn&) = delete;

 private:
  bool was_enabled_;
};

}  // namespace advseg::testing
