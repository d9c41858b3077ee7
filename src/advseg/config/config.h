// The typed configuration of a run. One struct per section of the YAML file;
// every field has a sane default, so an empty config trains on the built-in
// shapes data. Dotted keys (`train.epochs`, `adversarial.lambda`) name fields
// in YAML files and in `--set key=value` overrides alike.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace advseg {

struct OptimizerConfig {
  std::string type = "adam";  // adam | sgd
  double lr = 1e-3;
  double momentum = 0.9;  // sgd only
  double weight_decay = 0.0;
  double beta1 = 0.9;                 // adam only
  double beta2 = 0.999;               // adam only
  std::string schedule = "constant";  // constant | poly
  double poly_power = 0.9;
};

struct DataConfig {
  std::string section = "data";    // where it is read from, "data" or "data.target": for messages, not a key
  std::string dataset = "shapes";  // shapes|stanford_background|folder|voc|sbd|cityscapes|ade20k|camvid
  std::string root;                // dataset folder (stanford_background, folder)
  std::string train_split = "train";  // split name: <root>/splits/<name>.txt; "" = every file
  std::string val_split = "val";
  int num_classes = 5;  // shapes: 5; stanford_background: 8; folder: as configured
  int ignore_index = 255;
  std::vector<std::string> class_names;  // empty = the dataset's own names
  std::vector<std::string> palette;      // "#rrggbb" per class; empty = the dataset's own
  // Training augmentation (evaluation uses whole images, unaugmented).
  int crop_height = 64;
  int crop_width = 64;
  double scale_min = 1.0;
  double scale_max = 1.0;
  bool hflip = true;
  std::vector<double> mean = {0.485, 0.456, 0.406};  // per RGB channel, on [0,1] pixels
  std::vector<double> std = {0.229, 0.224, 0.225};
  long long max_image_pixels = 100000000;  // refuse larger images (decompression bombs)
  // Every image and label map is resized by this factor as it is read, for
  // training and evaluation alike (0.5: a quarter of the pixels; the CPU protocol).
  double image_scale = 1.0;
  // A domain shift applied to every image as it is read (data/image_shift.h):
  // none | fog | fog_gradient | low_light; e.g. a foggy target made from a
  // clear source for domain adaptation (data.target.shift).
  std::string shift = "none";
  double shift_severity = 0.5;  // in (0, 1]
  int shift_seed = 1;           // draws each image's atmospheric light, colour cast and noise
  // The synthetic shapes dataset.
  int shapes_train_size = 512;
  int shapes_val_size = 128;
  int shapes_image_size = 64;
  int shapes_seed = 7;
  // any: every region's colour and stripes from one wide distribution; source
  // and target: the synthetic domain pair (see data/shapes_dataset.h).
  std::string shapes_domain = "any";
  // Semi-supervised training (semi.enabled): which training images keep
  // their labels, and where unlabelled images come from. Labels of the
  // unlabelled images are never read.
  double labeled_fraction = 1.0;  // share of the train split that keeps its labels
  int labeled_seed = 1;           // draws that share (fixed across train.seed)
  std::string unlabeled_split;    // a split of data.root used as images only
  std::string unlabeled_root;     // a folder of images (any names), used as images only
};

struct ModelConfig {
  std::string segmentor = "multiscale";  // models/registry.cpp lists the names
  std::string backbone;                  // "" = the segmentor's default backbone
  int output_stride = 0;  // input pixels per logit where a family offers several; 0 = its default
  std::string aux_loss =
      "auto";               // auxiliary head: auto (the family's default, as torchvision) | true | false
  double aux_weight = 0.5;  // weight of the auxiliary head's cross-entropy
  // The multiscale family (Farabet et al. 2013): feature widths and input scales.
  std::vector<int> segmentor_widths = {16, 64, 256};
  std::vector<double> segmentor_scales = {1.0, 0.5, 0.25};
  // The unet family: channels per level, from the top (full resolution) down.
  std::vector<int> unet_widths = {32, 64, 128, 256, 512};
  // fcn32s/16s/8s and dilated8(-context): channels of fc6 and fc7, VGG-16's
  // classifier as convolutions (4096, the papers'; fewer train faster from scratch).
  int fc_width = 4096;
  // stanford | largefov | smallfov | largefov-light | smallfov-light | fcd
  std::string adversary = "stanford";
  // A multiple of the adversary's hidden channels (below 1: a weaker adversary).
  double adversary_width = 1.0;
  // Fine-tuning: the segmentor's backbone learns at the optimiser's rate,
  // its head at head_lr_multiplier times it (DeepLab: 10).
  double head_lr_multiplier = 1.0;
  bool no_weight_decay_on_norm_and_bias = false;  // weight decay for conv/linear weights only
  bool freeze_bn = false;  // BatchNorm in eval mode with frozen affine parameters (small batches)
  bool sync_bn = true;  // several workers: BatchNorm statistics over all their batches (false: each its own)
  // Weights to start from (a torch.save'd state dict, e.g. torchvision's .pth
  // files; tools/convert_torchvision.py converts others): the whole segmentor,
  // or its backbone only (for a new head). Loaded when a run starts, not on resume.
  std::string pretrained;
  std::string backbone_pretrained;
  bool strict_loading =
      true;  // model.pretrained: every tensor must match (false: load what matches, list the rest)
};

struct AdversarialConfig {
  bool enabled = true;               // false: the standard (cross-entropy only) baseline
  double lambda = 0.1;               // weight of the adversarial term in the segmentor loss
  std::string loss = "flipped";      // flipped: +bce(a(x,s(x)),1); original: -bce(a(x,s(x)),0)
  std::string encoding = "basic";    // basic | product | scaling | entropy
  bool encoding_with_image = false;  // basic and entropy: also feed the downsampled image
  double tau = 0.9;                  // scaling: least mass on the true class
  int start_iteration = 0;           // λ = 0 before this iteration (the adversary still trains)
  int d_steps = 1;                   // adversary updates per round
  int s_steps = 1;                   // segmentor updates per round
  // How the adversary's score map becomes its verdict: "image", one logit per
  // image (the mean of the map, Luc et al.), or "pixel", one per cell (Hung et al.).
  std::string reduction = "image";
  std::string gan_loss = "bce";  // bce | lsgan (least squares, Mao et al.; AdaptSegNet's option)
  bool spectral_norm = false;    // spectral normalisation of the adversary's convolutions
  double real_label = 1.0;       // the adversary's target on real maps (< 1: one-sided label smoothing)
};

// Semi-supervised training (Hung et al. 2018) on top of a pixel-level
// adversary: unlabelled images get the adversarial term, and self-training
// on their own argmax where the adversary believes the prediction.
struct SemiConfig {
  bool enabled = false;
  // What learns from the unlabelled images, '+'-joined: adversarial (Hung et
  // al. 2018), mean_teacher_cutmix (French et al. 2020), pseudo_label (FixMatch-style).
  std::string method = "adversarial";
  double lambda_adv = 0.001;           // λ_semi_adv: adversarial term on unlabelled predictions
  double lambda_self = 0.1;            // λ_semi: cross-entropy against the confident argmax
  double threshold = 0.2;              // T_semi: least adversary confidence for a pseudo-label
  int start_iteration = 5000;          // self-training starts here (the authors' semi_start)
  bool adversary_on_unlabeled = true;  // the adversary also sees unlabelled predictions as fake
  double confidence = 0.95;            // least teacher / weak-view confidence of a pixel that trains
  double ema_decay = 0.99;             // mean teacher: teacher = decay * teacher + (1 - decay) * student
  double lambda_consistency = 1.0;     // mean teacher: weight of the CutMix consistency term
  double lambda_pseudo = 1.0;          // pseudo_label: weight of the strong view's cross-entropy
  double cutmix_area = 0.5;            // share of the image a CutMix box covers
};

// The names in semi.method.
std::vector<std::string> semi_methods(const SemiConfig& semi);
bool uses_semi_method(const SemiConfig& semi, const std::string& name);

struct TrainConfig {
  int epochs = 10;
  long long iterations = 0;  // > 0: the run's length in steps instead (train.epochs is then ignored)
  int batch_size = 16;
  int seed = 1;
  int threads = 0;         // intra-op threads; 0 = every hardware thread
  int loader_threads = 1;  // background threads that load and augment
  int prefetch_batches = 2;
  int log_every = 10;        // iterations between log lines
  int val_every = 1;         // epochs between validations (and best/ checkpoints)
  int checkpoint_every = 0;  // iterations between last/ checkpoints; 0 = each epoch end
  std::string device = "cpu";
  bool channels_last = true;          // NHWC activations and weights (faster convolutions through oneDNN)
  std::string precision = "auto";     // fp32 | bf16 | fp16 | auto (inference/precision.h)
  std::string on_nonfinite = "stop";  // NaN/Inf loss: stop (keeping the last checkpoint) | skip the step
  int collapse_patience = 20;  // log intervals of a pinned adversary accuracy before a warning; 0 = off
  OptimizerConfig segmentor_optimizer;
  OptimizerConfig adversary_optimizer;
};

// Domain adaptation (Tsai et al. 2018, Vu et al. 2019): the segmentor learns
// from the labelled data (the source) and adapts to data.target's images,
// whose labels are never read; validation is on the target's val split.
// With adversarial.enabled, the adversary tells source predictions from
// target ones and adversarial.lambda weighs its term on target predictions.
struct AdaptationConfig {
  double lambda_ent = 0.0;     // ADVENT's direct entropy minimisation on target predictions (MinEnt: 0.001)
  bool target_labels = false;  // the oracle: train on the target's labels instead of the source's
  // Target images pass through the segmentor even when no term uses them, so
  // its BatchNorm statistics see them: the control for the adaptation terms.
  bool target_statistics = false;
  // AdaptSegNet's multi-level adaptation: a second adversary judges the
  // auxiliary head's maps (model.aux_loss), its term weighted by lambda_aux_adv.
  bool aux_adversary = false;
  double lambda_aux_adv = 0.0002;
};

// data.target: no dataset (the default) means no domain adaptation.
DataConfig no_target_data();

struct Config {
  DataConfig data;
  DataConfig target = no_target_data();  // the keys data.target.*
  AdaptationConfig adaptation;
  ModelConfig model;
  AdversarialConfig adversarial;
  SemiConfig semi;
  TrainConfig train;
};

// True when data.target names a dataset: a domain-adaptation run.
bool adapts_domain(const Config& config);

// The data whose labels train the segmentor: data, or data.target for the
// oracle (adaptation.target_labels).
const DataConfig& labeled_data(const Config& config);

// The data whose val split measures a run: data.target when adapting, else data.
const DataConfig& evaluated_data(const Config& config);

// Parses YAML text (`source` names it in errors). Keys absent from the text
// keep their defaults; unknown keys, wrong types and impossible values throw
// advseg::Error naming the source, the key and the closest valid key.
Config parse_config(const std::string& yaml_text, const std::string& source);
Config load_config(const std::string& path);

// Applies "dotted.key=value" overrides (values parsed as YAML scalars or
// flow sequences, e.g. `model.segmentor_widths=[8,16,32]`), then validates.
void apply_overrides(Config& config, const std::vector<std::string>& assignments);

// Throws advseg::Error on impossible values (zero batch, negative λ, ...).
void validate(const Config& config);

// The full resolved config as YAML (every key), as saved with checkpoints.
std::string to_yaml(const Config& config);

// Every valid dotted key, in declaration order (for help and error hints).
std::vector<std::string> config_keys();

// What the reference (docs/config.md, `advseg config --reference`) says of a key.
struct ConfigKeyInfo {
  std::string key;
  std::string type;           // bool | int | float | string | list of ...
  std::string default_value;  // as YAML
  std::string meaning;        // with the allowed values
};

// Every key, in declaration order.
std::vector<ConfigKeyInfo> config_reference();

}  // namespace advseg
