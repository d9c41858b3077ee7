// The workload the benchmark measures: a segmentor (by default the Stanford
// Background network, multiscale, as in configs/stanford_background.yaml; any
// registered one) with the stanford adversary, trained with Adam on synthetic
// batches through the real training_step(), and the real inference path.
#pragma once

#include <c10/core/MemoryFormat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "advseg/bench/conv_flops.h"
#include "advseg/bench/measure.h"
#include "advseg/bench/op_profile.h"
#include "advseg/config/config.h"
#include "advseg/data/batch.h"
#include "advseg/inference/precision.h"

namespace advseg {

struct Workload {
  int batch = 8;
  int height = 240;
  int width = 320;
  int num_classes = 8;
  std::string segmentor = "multiscale";  // model.segmentor
  std::string backbone;                  // model.backbone ("" = the segmentor's default)
  std::string encoding = "basic";        // the adversary's input encoding (basic | product)
  std::filesystem::path data_root = "../shared/data/stanford_background";
  std::vector<std::string> overrides;  // "key=value" on advseg's config, e.g. train.channels_last=false
  Repetitions reps;
  bool profile = false;  // also time one iteration of each loop operator by operator
};

// Throws advseg::Error on sizes the networks cannot take, an unknown encoding
// or network, or an override of the segmentor (its own option, for the twin).
void check_workload(const Workload& workload);

// The config of configs/stanford_background.yaml at the workload's sizes,
// with the workload's overrides, adversarial or standard (adversarial.enabled=false).
Config workload_config(const Workload& workload, bool adversarial);

// The precision the workload trains in on this CPU (train.precision resolved).
Precision workload_precision(const Workload& workload);

// Normalised-looking random images in `format` (as the trainer hands them to
// the networks) and random labels, the same for every call.
Batch synthetic_batch(const Workload& workload, int batch, c10::MemoryFormat format);

// One more iteration, observed operator by operator (workload.profile).
struct IterationProfile {
  double iteration_ms = 0;
  std::vector<OpTime> ops;  // empty without workload.profile
};

struct TrainingFigures {
  double images_per_s = 0;
  double conv_flops_per_iteration = 0;  // forward and backward, both networks
  IterationProfile profile;
};

struct InferenceFigures {
  double images_per_s = 0;
  IterationProfile profile;
};

// Times training_step() iterations, then counts one iteration's convolution
// FLOPs (and profiles one, with workload.profile).
TrainingFigures bench_training(const Workload& workload, bool adversarial);

// Images/s of predict_classes() (forward, upsampling, argmax) in batches of
// `batch` (and one call profiled, with workload.profile).
InferenceFigures bench_inference(const Workload& workload, int batch);

// The forward convolutions of one segmentor pass at the training batch size.
std::vector<ConvShape> segmentor_conv_shapes(const Workload& workload);

}  // namespace advseg
