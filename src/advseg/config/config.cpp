// Parsing, overriding and saving of Config. Every field is listed once, in
// visit_fields(); parsing, to_yaml() and config_keys() all walk that list, so
// a new field needs exactly one new line here (and its rule in validate.cpp).
#include "advseg/config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <type_traits>

#include "advseg/config/number_text.h"
#include "advseg/error.h"
#include "advseg/io/file_bytes.h"

namespace advseg {

namespace config_detail {

std::string number_text(double value) {
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

}  // namespace config_detail

DataConfig no_target_data() {
  DataConfig target;
  target.dataset.clear();
  return target;
}

bool adapts_domain(const Config& config) { return !config.target.dataset.empty(); }

const DataConfig& labeled_data(const Config& config) {
  return config.adaptation.target_labels ? config.target : config.data;
}

const DataConfig& evaluated_data(const Config& config) {
  return adapts_domain(config) ? config.target : config.data;
}

namespace {

using config_detail::number_text;

// ---- The one list of fields -------------------------------------------------

// Both optimizer sections share one layout; OptimizerT is (const) OptimizerConfig.
template <class OptimizerT, class Visitor>
void visit_optimizer(const std::string& prefix, OptimizerT& o, Visitor& v) {
  v(prefix + ".type", o.type, "adam or sgd");
  v(prefix + ".lr", o.lr, "learning rate, > 0");
  v(prefix + ".momentum", o.momentum, "sgd only: momentum, in [0, 1)");
  v(prefix + ".weight_decay", o.weight_decay, "L2 weight decay, >= 0");
  v(prefix + ".beta1", o.beta1, "adam only: β1, in [0, 1)");
  v(prefix + ".beta2", o.beta2, "adam only: β2, in [0, 1)");
  v(prefix + ".schedule", o.schedule,
    "learning-rate schedule: constant or poly (lr·(1 - iteration/iterations)^poly_power)");
  v(prefix + ".poly_power", o.poly_power, "the poly schedule's power, > 0");
}

// The data section's layout, shared by data and data.target (`target`);
// DataT is (const) DataConfig.
template <class DataT, class Visitor>
void visit_data(const std::string& prefix, DataT& d, bool target, Visitor& v) {
  v(prefix + ".dataset", d.dataset,
    target
        ? "domain adaptation's target dataset, whose training images are used without labels (never read) "
          "and whose val split measures the run; \"\" (the default) = no adaptation. Every data.target key "
          "means what the data key of the same name means, for the target"
        : "the dataset: shapes (built-in synthetic), stanford_background, folder (images + index masks), "
          "voc, sbd, cityscapes, ade20k, camvid");
  v(prefix + ".root", d.root,
    "the dataset's folder, in its distributed layout; required for every dataset but shapes");
  v(prefix + ".train_split", d.train_split,
    "the training split: the file list `<root>/splits/<name>.txt` for stanford_background and folder (\"\" = "
    "every file), the dataset's own split name otherwise");
  v(prefix + ".val_split", d.val_split, "the validation split, named as data.train_split");
  v(prefix + ".num_classes", d.num_classes,
    "classes the segmentor predicts, in [1, 254]; must match the dataset");
  v(prefix + ".ignore_index", d.ignore_index,
    "the label of void pixels (never a class), in [data.num_classes, 255]");
  v(prefix + ".class_names", d.class_names, "one name per class for reports; empty = the dataset's own");
  v(prefix + ".palette", d.palette,
    "one \"#rrggbb\" colour per class for masks and overlays; empty = the dataset's own");
  v(prefix + ".crop_height", d.crop_height, "height of the training crops, in [8, 32768]");
  v(prefix + ".crop_width", d.crop_width, "width of the training crops, in [8, 32768]");
  v(prefix + ".scale_min", d.scale_min, "smallest random rescaling of a training image before cropping, > 0");
  v(prefix + ".scale_max", d.scale_max, "largest random rescaling, >= data.scale_min");
  v(prefix + ".hflip", d.hflip, "random horizontal flips in training");
  v(prefix + ".mean", d.mean,
    "per-channel (R, G, B) mean subtracted from pixels in [0, 1]; ImageNet's by default");
  v(prefix + ".std", d.std, "per-channel (R, G, B) standard deviation pixels are divided by, each > 0");
  v(prefix + ".max_image_pixels", d.max_image_pixels,
    "images with more pixels are refused (decompression bombs); also bounds the crop");
  v(prefix + ".image_scale", d.image_scale,
    "every image and label map is resized by this factor as it is read, for training and evaluation alike, "
    "in (0, 4] (0.5: a quarter of the pixels)");
  v(prefix + ".shapes_train_size", d.shapes_train_size, "shapes dataset: training images, >= 1");
  v(prefix + ".shapes_val_size", d.shapes_val_size, "shapes dataset: validation images, >= 1");
  v(prefix + ".shapes_image_size", d.shapes_image_size, "shapes dataset: image side in pixels, >= 16");
  v(prefix + ".shapes_seed", d.shapes_seed, "shapes dataset: the seed its images are drawn from");
  v(prefix + ".shapes_domain", d.shapes_domain,
    "shapes dataset: any (every region's colour and stripes from one wide range), or the synthetic domain "
    "pair for adaptation: source (bright, nearly flat regions) or target (darker, strongly striped, "
    "noisier)");
  v(prefix + ".labeled_fraction", d.labeled_fraction,
    target ? "not used for the target (must stay at its default)"
           : "share of the training split that keeps its labels, in (0, 1]; the rest is unused, or "
             "unlabelled images "
             "with semi.enabled");
  v(prefix + ".labeled_seed", d.labeled_seed,
    target ? "not used for the target (must stay at its default)"
           : "the seed that draws which training images keep their labels (independent of train.seed)");
  v(prefix + ".unlabeled_split", d.unlabeled_split,
    target ? "not used for the target (must stay at its default)"
           : "semi.enabled: a split of data.root whose images are used without labels (never read); \"\" = "
             "none");
  v(prefix + ".unlabeled_root", d.unlabeled_root,
    target ? "not used for the target (must stay at its default)"
           : "semi.enabled: a folder of images (jpg, jpeg, png, bmp) used without labels; \"\" = none");
}

// Calls v(dotted_key, field, meaning) for every field, in declaration order.
// ConfigT is Config (parsing) or const Config (saving). The meaning, with the
// allowed values, is what docs/config.md says of the key (config_reference()).
template <class ConfigT, class Visitor>
void visit_fields(ConfigT& c, Visitor&& v) {
  static_assert(std::is_same_v<std::remove_const_t<ConfigT>, Config>);
  visit_data("data", c.data, false, v);
  visit_data("data.target", c.target, true, v);
  v("model.segmentor", c.model.segmentor,
    "the segmentor s(x); `advseg models` lists the names (multiscale, fcn32s/16s/8s, fcn_resnet, deeplabv3, "
    "lraspp, deeplabv2, pspnet, dilated8, dilated8-context, unet)");
  v("model.backbone", c.model.backbone,
    "the segmentor's backbone where its family takes several (e.g. resnet50, resnet101, mobilenet_v3_large); "
    "\"\" = the family's default");
  v("model.output_stride", c.model.output_stride,
    "input pixels per logit where the family offers several: 0 (its default), 4, 8, 16 or 32");
  v("model.aux_loss", c.model.aux_loss,
    "the auxiliary head's loss: auto (the family's default, as in torchvision), true, false");
  v("model.aux_weight", c.model.aux_weight, "weight of the auxiliary head's cross-entropy, >= 0");
  v("model.segmentor_widths", c.model.segmentor_widths,
    "multiscale only: feature channels of each stage, each >= 1");
  v("model.segmentor_scales", c.model.segmentor_scales,
    "multiscale only: input scales, the first 1, each in (0, 1]");
  v("model.unet_widths", c.model.unet_widths,
    "unet only: channels per level from full resolution down, at least 2 levels");
  v("model.adversary", c.model.adversary,
    "the adversary a(x, y): stanford, largefov, smallfov, largefov-light, smallfov-light (Luc et al.), fcd "
    "(Hung et al.'s fully convolutional discriminator, judging maps at the image's resolution)");
  v("model.head_lr_multiplier", c.model.head_lr_multiplier,
    "the head learns at this multiple of the optimiser's rate, the backbone at the rate (DeepLab: 10), > 0");
  v("model.no_weight_decay_on_norm_and_bias", c.model.no_weight_decay_on_norm_and_bias,
    "weight decay for convolution and linear weights only");
  v("model.freeze_bn", c.model.freeze_bn,
    "batch norm in eval mode with frozen affine parameters (small batches when fine-tuning)");
  v("model.pretrained", c.model.pretrained,
    "a torch.save'd state dict (e.g. torchvision's .pth) for the whole segmentor, loaded when a run starts "
    "(not on resume)");
  v("model.backbone_pretrained", c.model.backbone_pretrained,
    "the same for the backbone only (a new head); empty when model.pretrained is set");
  v("model.strict_loading", c.model.strict_loading,
    "model.pretrained: every tensor must match (false: load what matches, list the rest)");
  v("adversarial.enabled", c.adversarial.enabled,
    "adversarial training; false trains the standard (cross-entropy only) baseline");
  v("adversarial.lambda", c.adversarial.lambda,
    "weight λ of the adversarial term in the segmentor's loss, >= 0 (domain adaptation: of the term on "
    "target "
    "predictions)");
  v("adversarial.loss", c.adversarial.loss,
    "the segmentor's adversarial term: flipped, +λ·bce(a(x,s(x)),1); original, -λ·bce(a(x,s(x)),0)");
  v("adversarial.encoding", c.adversarial.encoding,
    "how label maps reach the adversary: basic, product or scaling (Luc et al. 2016), or entropy (ADVENT's "
    "-p·log p / log C per class, meant for domain adaptation: a ground-truth map's entropy is near 0)");
  v("adversarial.encoding_with_image", c.adversarial.encoding_with_image,
    "basic and entropy only: also feed the image (at the label map's resolution)");
  v("adversarial.tau", c.adversarial.tau,
    "scaling encoding: the least probability mass on the true class, in (0, 1]");
  v("adversarial.start_iteration", c.adversarial.start_iteration,
    "λ is 0 before this iteration (the adversary still trains), >= 0");
  v("adversarial.d_steps", c.adversarial.d_steps, "adversary updates per round, >= 1");
  v("adversarial.s_steps", c.adversarial.s_steps, "segmentor updates per round, >= 1");
  v("adversarial.reduction", c.adversarial.reduction,
    "the adversary's verdict: image (one per image, the BCE of the score map's mean logit; Luc et al.) or "
    "pixel (one per cell of the score map, upsampled to the label map; cells less than half valid are "
    "masked out; Hung et al.)");
  v("adversarial.gan_loss", c.adversarial.gan_loss,
    "bce (binary cross-entropy of the logits) or lsgan (least squares against 0 and 1; AdaptSegNet's "
    "option)");
  v("adversarial.spectral_norm", c.adversarial.spectral_norm,
    "spectral normalisation of every convolution of the adversary (one power iteration per training pass)");
  v("semi.enabled", c.semi.enabled,
    "semi-supervised training (Hung et al. 2018): unlabelled images (data.labeled_fraction, "
    "data.unlabeled_split, data.unlabeled_root) train the segmentor; needs adversarial.reduction: pixel");
  v("semi.lambda_adv", c.semi.lambda_adv,
    "λ_semi_adv: weight of the adversarial term on unlabelled images, >= 0");
  v("semi.lambda_self", c.semi.lambda_self,
    "λ_semi: weight of the cross-entropy against the segmentor's own argmax where the adversary's confidence "
    "passes semi.threshold, >= 0");
  v("semi.threshold", c.semi.threshold,
    "T_semi: the adversary's least confidence (sigmoid of its score) for a pixel to be a pseudo-label, in "
    "[0, 1]");
  v("semi.start_iteration", c.semi.start_iteration,
    "self-training (semi.lambda_self) starts at this iteration, >= 0 (the authors: 5000 of 20000)");
  v("semi.adversary_on_unlabeled", c.semi.adversary_on_unlabeled,
    "the adversary also learns to call unlabelled predictions fake (the authors' D_remain)");
  v("adaptation.lambda_ent", c.adaptation.lambda_ent,
    "domain adaptation (data.target): weight of ADVENT's entropy minimisation on target predictions, >= 0 "
    "(their MinEnt: 0.001; with an adversary on entropy maps, AdvEnt, usually 0)");
  v("adaptation.target_labels", c.adaptation.target_labels,
    "the oracle adaptation is measured against: train on data.target's labelled training split instead of "
    "the source (no adversary, no target term)");
  v("adaptation.target_statistics", c.adaptation.target_statistics,
    "target images pass through the segmentor (training mode) even when no term uses them, so its "
    "BatchNorm statistics see them: the control that separates that effect from the adaptation terms");
  v("adaptation.aux_adversary", c.adaptation.aux_adversary,
    "AdaptSegNet's multi-level adaptation: a second adversary (model.adversary's architecture) tells source "
    "from target maps of the segmentor's auxiliary head; needs adversarial.enabled and a segmentor with one "
    "(model.aux_loss)");
  v("adaptation.lambda_aux_adv", c.adaptation.lambda_aux_adv,
    "weight of the second adversary's term on target predictions, >= 0 (AdaptSegNet: 0.0002, with 0.001 "
    "for the main output's adversarial.lambda)");
  v("train.epochs", c.train.epochs, "passes over the training split, >= 1");
  v("train.batch_size", c.train.batch_size, "images per iteration, >= 1");
  v("train.seed", c.train.seed, "the seed of initialisation, augmentation and shuffling");
  v("train.threads", c.train.threads, "LibTorch intra-op threads, in [0, 1024]; 0 = every hardware thread");
  v("train.loader_threads", c.train.loader_threads, "background threads that load and augment, in [0, 1024]");
  v("train.prefetch_batches", c.train.prefetch_batches, "batches the loader prepares ahead, >= 1");
  v("train.log_every", c.train.log_every, "iterations between log lines, >= 1");
  v("train.val_every", c.train.val_every, "epochs between validations (and best/ checkpoints), >= 1");
  v("train.checkpoint_every", c.train.checkpoint_every,
    "iterations between last/ checkpoints; 0 = at each epoch's end");
  v("train.device", c.train.device, "cpu, cuda or cuda:N");
  v("train.channels_last", c.train.channels_last,
    "NHWC activations and weights (faster convolutions through oneDNN)");
  v("train.precision", c.train.precision,
    "fp32, bf16 (autocast: convolutions in bf16, losses and weights in fp32) or auto (bf16 on CPUs with "
    "native bf16, fp32 elsewhere)");
  v("train.on_nonfinite", c.train.on_nonfinite,
    "a NaN/Inf loss: stop (keeping the last checkpoint) or skip the step");
  v("train.collapse_patience", c.train.collapse_patience,
    "log intervals of a pinned adversary accuracy before a warning; 0 = off");
  visit_optimizer("train.segmentor_optimizer", c.train.segmentor_optimizer, v);
  visit_optimizer("train.adversary_optimizer", c.train.adversary_optimizer, v);
}

const std::set<std::string>& known_keys() {
  static const std::set<std::string> keys = [] {
    const std::vector<std::string> list = config_keys();
    return std::set<std::string>(list.begin(), list.end());
  }();
  return keys;
}

bool is_field(const std::string& key) { return known_keys().count(key) > 0; }

bool is_section(const std::string& key) {
  const std::string prefix = key + ".";
  return std::any_of(known_keys().begin(), known_keys().end(),
                     [&prefix](const std::string& k) { return k.compare(0, prefix.size(), prefix) == 0; });
}

// ---- Unknown keys: suggest the closest valid one ----------------------------

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Levenshtein distance, one row at a time.
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

std::string leaf_name(const std::string& key) { return key.substr(key.rfind('.') + 1); }

std::string closest_key(const std::string& key) {
  const std::vector<std::string> keys = config_keys();
  // A valid setting under the wrong section ("data.lambda") is the likeliest slip.
  const auto same_leaf = std::find_if(
      keys.begin(), keys.end(), [&key](const std::string& k) { return leaf_name(k) == leaf_name(key); });
  if (same_leaf != keys.end()) return *same_leaf;
  return *std::min_element(keys.begin(), keys.end(), [&key](const std::string& a, const std::string& b) {
    return edit_distance(key, a) < edit_distance(key, b);
  });
}

[[noreturn]] void fail_unknown_key(const std::string& source, const std::string& key) {
  throw Error(source + ": unknown key '" + key + "' (did you mean '" + closest_key(key) + "'?)");
}

// ---- YAML leaves to typed fields --------------------------------------------

template <class T>
struct Expected;
template <>
struct Expected<int> {
  static constexpr const char* name = "an integer";
};
template <>
struct Expected<long long> {
  static constexpr const char* name = "an integer";
};
template <>
struct Expected<double> {
  static constexpr const char* name = "a finite number";
};
template <>
struct Expected<bool> {
  static constexpr const char* name = "true or false";
};
template <>
struct Expected<std::string> {
  static constexpr const char* name = "a string";
};
template <class T>
struct Expected<std::vector<T>> {
  static std::string name() { return std::string("a list, each ") + Expected<T>::name; }
};

// The type of a field as the reference names it.
template <class T>
struct TypeName {
  static std::string name() {
    return std::is_same_v<T, bool> ? "bool" : std::is_integral_v<T> ? "int" : "float";
  }
};
template <>
struct TypeName<std::string> {
  static std::string name() { return "string"; }
};
template <class T>
struct TypeName<std::vector<T>> {
  static std::string name() { return "list of " + TypeName<T>::name(); }
};

std::string describe(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return "nothing";
}

// `where` is "SOURCE: KEY", the prefix of every error about this value.
[[noreturn]] void fail_type(const std::string& where, const std::string& expected, const YAML::Node& node) {
  throw Error(where + ": expected " + expected + ", got " + describe(node));
}

// A decimal integer that does not fit T ("2147483648" for an int) is named as
// such: "expected an integer" would puzzle whoever wrote an integer.
template <class T>
void check_integer_range(const YAML::Node& node, const std::string& where) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    const std::string& text = node.Scalar();
    const std::size_t sign = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
    if (text.size() == sign || text.find_first_not_of("0123456789", sign) != std::string::npos) return;
    T value{};
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);  // from_chars takes '-' but not '+'
    if (std::from_chars(first, text.data() + text.size(), value).ec != std::errc::result_out_of_range) return;
    throw Error(where + ": " + text + " is out of range (an integer from " +
                std::to_string(std::numeric_limits<T>::min()) + " to " +
                std::to_string(std::numeric_limits<T>::max()) + ")");
  }
}

template <class T>
void read_field(const YAML::Node& node, T& field, const std::string& where) {
  T value{};
  if (!node.IsScalar() || !YAML::convert<T>::decode(node, value)) {
    if (node.IsScalar()) check_integer_range<T>(node, where);
    fail_type(where, Expected<T>::name, node);
  }
  if constexpr (std::is_floating_point_v<T>) {
    // inf/nan would slip through most range checks and cannot be saved back.
    if (!std::isfinite(value)) fail_type(where, Expected<T>::name, node);
  }
  field = value;
}

void read_field(const YAML::Node& node, std::string& field, const std::string& where) {
  if (node.IsNull()) {
    field.clear();  // `root:` with no value
    return;
  }
  if (!node.IsScalar()) fail_type(where, Expected<std::string>::name, node);
  field = node.Scalar();
}

template <class T>
void read_field(const YAML::Node& node, std::vector<T>& field, const std::string& where) {
  std::vector<T> values;
  if (!node.IsNull() && !node.IsSequence()) fail_type(where, Expected<std::vector<T>>::name(), node);
  for (std::size_t i = 0; node.IsSequence() && i < node.size(); ++i) {
    values.emplace_back();
    read_field(node[i], values.back(), where + "[" + std::to_string(i) + "]");
  }
  field = std::move(values);
}

// ---- Nested YAML to dotted keys ---------------------------------------------

using FlatYaml = std::map<std::string, YAML::Node>;

std::string join_key(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

std::size_t key_parts(const std::string& key) {
  return key.empty() ? 0 : static_cast<std::size_t>(std::count(key.begin(), key.end(), '.')) + 1;
}

// Parts of the longest known key ("train.segmentor_optimizer.lr": 3).
std::size_t max_key_parts() {
  static const std::size_t parts = [] {
    std::size_t most = 0;
    for (const std::string& key : known_keys()) most = std::max(most, key_parts(key));
    return most;
  }();
  return parts;
}

// Maps are sections until the path names a field; anything else is a leaf.
// YAML aliases can make a map contain itself or repeat a map many times over,
// so the walk stops at the depth of the longest known key and at the first
// unknown key.
void flatten(const YAML::Node& node, const std::string& key, const std::string& source, FlatYaml& out) {
  if (node.IsMap() && !is_field(key) && key_parts(key) < max_key_parts()) {
    for (const auto& entry : node) {
      if (!entry.first.IsScalar())
        throw Error(source + ": keys must be plain names, got " + describe(entry.first));
      flatten(entry.second, join_key(key, entry.first.Scalar()), source, out);
    }
    return;
  }
  if (node.IsNull() && is_section(key)) return;  // "data:" with every entry commented out
  if (!is_field(key) && !is_section(key)) fail_unknown_key(source, key);
  if (!out.emplace(key, node).second) throw Error(source + ": key '" + key + "' is given twice");
}

void apply_flat(Config& config, const FlatYaml& values, const std::string& source) {
  for (const auto& entry : values) {
    if (is_section(entry.first))
      fail_type(source + ": " + entry.first, "a section of settings", entry.second);
    if (!is_field(entry.first)) fail_unknown_key(source, entry.first);
  }
  visit_fields(config, [&](const std::string& key, auto& field, const std::string& /*meaning*/) {
    const auto found = values.find(key);
    if (found != values.end()) read_field(found->second, field, source + ": " + key);
  });
}

YAML::Node load_yaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(source + ": invalid YAML: " + e.what());
  }
}

// Validation errors name the key; parse_config adds which file it came from.
void validate_from(const Config& config, const std::string& source) {
  try {
    validate(config);
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
}

// ---- Typed fields to YAML ---------------------------------------------------

YAML::Node to_node(const std::string& value) { return YAML::Node(value); }
YAML::Node to_node(double value) { return YAML::Node(number_text(value)); }
template <class T>
YAML::Node to_node(const T& value) {
  return YAML::Node(value);
}
template <class T>
YAML::Node to_node(const std::vector<T>& values) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (const T& value : values) list.push_back(to_node(value));
  list.SetStyle(YAML::EmitterStyle::Flow);  // short lists read best on one line
  return list;
}

void set_dotted(YAML::Node& root, const std::string& key, const YAML::Node& value) {
  YAML::Node section = root;
  std::size_t start = 0;
  for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    // reset() rebinds; plain assignment would overwrite the parent's content.
    section.reset(section[key.substr(start, dot - start)]);
    start = dot + 1;
  }
  section[key.substr(start)] = value;
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::string& source) {
  Config config;
  const YAML::Node root = load_yaml(yaml_text, source);
  if (!root.IsNull()) {
    if (!root.IsMap())
      throw Error(source + ": expected a map of sections (data:, model:, ...), got " + describe(root));
    FlatYaml values;
    flatten(root, "", source, values);
    apply_flat(config, values, source);
  }
  validate_from(config, source);
  return config;
}

Config load_config(const std::string& path) {
  // A folder would read as an empty config (the demo's), a FIFO would block.
  require_regular_file(path, "config file");
  std::ifstream file(path, std::ios::binary);
  if (!file) fail_at(path, "cannot open config file");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) fail_at(path, "cannot read config file");
  return parse_config(text.str(), path);
}

void apply_overrides(Config& config, const std::vector<std::string>& assignments) {
  Config updated = config;  // all or nothing: a bad override leaves `config` as it was
  for (const std::string& assignment : assignments) {
    const std::string source = "--set " + assignment;
    const std::size_t equals = assignment.find('=');
    if (equals == std::string::npos) throw Error(source + ": expected key=value");
    const std::string key = assignment.substr(0, equals);
    const std::string text = assignment.substr(equals + 1);
    const YAML::Node value = text.empty() ? YAML::Node(std::string()) : load_yaml(text, source);
    FlatYaml values;
    flatten(value, key, source, values);
    apply_flat(updated, values, source);
  }
  validate_from(updated, "after --set overrides");
  config = std::move(updated);
}

std::string to_yaml(const Config& config) {
  YAML::Node root(YAML::NodeType::Map);
  visit_fields(config, [&root](const std::string& key, const auto& field, const std::string& /*meaning*/) {
    set_dotted(root, key, to_node(field));
  });
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::vector<std::string> config_keys() {
  std::vector<std::string> keys;
  const Config defaults;
  visit_fields(defaults,
               [&keys](const std::string& key, const auto&, const std::string&) { keys.push_back(key); });
  return keys;
}

std::vector<ConfigKeyInfo> config_reference() {
  std::vector<ConfigKeyInfo> reference;
  const Config defaults;
  visit_fields(defaults, [&reference](const std::string& key, const auto& field, const std::string& meaning) {
    YAML::Emitter value;
    value << YAML::Flow << to_node(field);
    reference.push_back({key, TypeName<std::decay_t<decltype(field)>>::name(), value.c_str(), meaning});
  });
  return reference;
}

}  // namespace advseg
