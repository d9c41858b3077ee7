// Precompiled header for every translation unit that uses LibTorch: parsing
// <torch/torch.h> costs about 30 s, so it is parsed once per target.
#pragma once
#include <torch/torch.h>
