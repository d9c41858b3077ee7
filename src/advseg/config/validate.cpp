// validate(): the rules a Config must satisfy before anything is built from
// it. Each failure reads "KEY: must be RULE, got VALUE", so the user knows
// which setting to change and to what.
#include <algorithm>
#include <cctype>
#include <limits>
#include <set>
#include <string>

#include "advseg/config/config.h"
#include "advseg/config/config_diff.h"
#include "advseg/config/number_text.h"
#include "advseg/error.h"
#include "advseg/io/palette.h"

namespace advseg {

namespace {

using config_detail::number_text;

std::string quoted(const std::string& text) { return "'" + text + "'"; }

void require(bool ok, const std::string& key, const std::string& rule, const std::string& got) {
  if (!ok) throw Error(key + ": must be " + rule + ", got " + got);
}

void require_at_least(const std::string& key, long long value, long long min) {
  require(value >= min, key, ">= " + std::to_string(min), std::to_string(value));
}

void require_in_range(const std::string& key, long long value, long long min, long long max) {
  require(value >= min && value <= max, key, "in [" + std::to_string(min) + ", " + std::to_string(max) + "]",
          std::to_string(value));
}

// More threads than this only slow LibTorch down; a typo like 1000 must not
// stall a run.
constexpr long long kMaxThreads = 1024;
constexpr long long kMaxCropSide = 32768;

// Comparisons are written so that NaN fails them too.
void require_positive(const std::string& key, double value) {
  require(value > 0, key, "> 0", number_text(value));
}

void require_non_negative(const std::string& key, double value) {
  require(value >= 0, key, ">= 0", number_text(value));
}

// [0, 1): momentum and Adam betas.
void require_fraction_below_one(const std::string& key, double value) {
  require(value >= 0 && value < 1, key, "in [0, 1)", number_text(value));
}

void require_one_of(const std::string& key, const std::string& value,
                    const std::vector<std::string>& allowed) {
  std::string rule = "one of ";
  for (std::size_t i = 0; i < allowed.size(); ++i) rule += (i == 0 ? "" : ", ") + allowed[i];
  require(std::find(allowed.begin(), allowed.end(), value) != allowed.end(), key, rule, quoted(value));
}

// Per-class lists are optional, but when given they must cover every class.
void require_empty_or_per_class(const std::string& key, std::size_t size, int num_classes) {
  require(size == 0 || size == static_cast<std::size_t>(num_classes), key,
          "empty or one entry per class (data.num_classes = " + std::to_string(num_classes) + ")",
          std::to_string(size) + " entries");
}

std::string element_key(const std::string& key, std::size_t index) {
  return key + "[" + std::to_string(index) + "]";
}

bool is_device_name(const std::string& device) {
  if (device == "cpu" || device == "cuda") return true;
  const std::string cuda_prefix = "cuda:";
  if (device.size() <= cuda_prefix.size() || device.compare(0, cuda_prefix.size(), cuda_prefix) != 0)
    return false;
  return std::all_of(device.begin() + static_cast<std::ptrdiff_t>(cuda_prefix.size()), device.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

// ---- One function per section ----------------------------------------------

void validate_labels(const DataConfig& d, const std::string& section) {
  require(d.num_classes >= 1 && d.num_classes < 255, section + ".num_classes", "in [1, 254]",
          std::to_string(d.num_classes));
  // Masks are 8-bit; the ignore label must be storable there and never a real class.
  require(d.ignore_index >= 0 && d.ignore_index <= 255 && d.ignore_index >= d.num_classes,
          section + ".ignore_index",
          "in [" + section + ".num_classes, 255] = [" + std::to_string(d.num_classes) + ", 255]",
          std::to_string(d.ignore_index));
  require_empty_or_per_class(section + ".class_names", d.class_names.size(), d.num_classes);
  require_empty_or_per_class(section + ".palette", d.palette.size(), d.num_classes);
  for (std::size_t i = 0; i < d.palette.size(); ++i) {
    try {
      parse_hex_colour(d.palette[i]);
    } catch (const Error& e) {
      throw Error(element_key(section + ".palette", i) + ": " + e.what());
    }
  }
}

void validate_channel_stats(const std::string& key, const std::vector<double>& values, bool positive) {
  require(values.size() == 3, key, "3 values (R, G, B)", std::to_string(values.size()) + " values");
  for (std::size_t i = 0; positive && i < values.size(); ++i)
    require_positive(element_key(key, i), values[i]);
}

// `section`: "data" or "data.target", the prefix of the keys named in errors.
void validate_data(const DataConfig& d, const std::string& section) {
  require_one_of(section + ".dataset", d.dataset,
                 {"shapes", "stanford_background", "folder", "voc", "sbd", "cityscapes", "ade20k", "camvid"});
  require(d.dataset == "shapes" || !d.root.empty(), section + ".root",
          "set for " + section + ".dataset " + quoted(d.dataset), "''");
  validate_labels(d, section);
  require_in_range(section + ".crop_height", d.crop_height, 8, kMaxCropSide);
  require_in_range(section + ".crop_width", d.crop_width, 8, kMaxCropSide);
  require_positive(section + ".scale_min", d.scale_min);
  require(d.scale_max >= d.scale_min, section + ".scale_max",
          ">= " + section + ".scale_min (" + number_text(d.scale_min) + ")", number_text(d.scale_max));
  validate_channel_stats(section + ".mean", d.mean, false);
  validate_channel_stats(section + ".std", d.std, true);
  require_at_least(section + ".max_image_pixels", d.max_image_pixels, 1);
  // A crop is an image the pipeline allocates: the same limit applies.
  const long long crop_pixels = static_cast<long long>(d.crop_height) * d.crop_width;
  require(crop_pixels <= d.max_image_pixels, section + ".crop_height x " + section + ".crop_width",
          "at most " + section + ".max_image_pixels (" + std::to_string(d.max_image_pixels) + ")",
          std::to_string(crop_pixels) + " pixels");
  require(d.image_scale > 0 && d.image_scale <= 4, section + ".image_scale", "in (0, 4]",
          number_text(d.image_scale));
  require_one_of(section + ".shift", d.shift, {"none", "fog", "fog_gradient", "low_light"});
  require(d.shift_severity > 0 && d.shift_severity <= 1, section + ".shift_severity", "in (0, 1]",
          number_text(d.shift_severity));
  require_at_least(section + ".shapes_train_size", d.shapes_train_size, 1);
  require_at_least(section + ".shapes_val_size", d.shapes_val_size, 1);
  require_at_least(section + ".shapes_image_size", d.shapes_image_size, 16);
  require_one_of(section + ".shapes_domain", d.shapes_domain, {"any", "source", "target"});
  require(d.labeled_fraction > 0 && d.labeled_fraction <= 1, section + ".labeled_fraction", "in (0, 1]",
          number_text(d.labeled_fraction));
  // Split files name images in <root>/images only in these layouts.
  require(d.unlabeled_split.empty() || d.dataset == "stanford_background" || d.dataset == "folder",
          section + ".unlabeled_split",
          "empty for " + section + ".dataset " + quoted(d.dataset) +
              " (stanford_background and folder only; data.unlabeled_root takes any folder of images)",
          quoted(d.unlabeled_split));
}

// The multiscale family's own options; other families ignore them.
void validate_multiscale(const ModelConfig& m) {
  require(!m.segmentor_widths.empty(), "model.segmentor_widths", "a non-empty list", "[]");
  for (std::size_t i = 0; i < m.segmentor_widths.size(); ++i) {
    require_at_least(element_key("model.segmentor_widths", i), m.segmentor_widths[i], 1);
  }
  require(!m.segmentor_scales.empty(), "model.segmentor_scales", "a non-empty list", "[]");
  for (std::size_t i = 0; i < m.segmentor_scales.size(); ++i) {
    const double scale = m.segmentor_scales[i];
    require(scale > 0 && scale <= 1, element_key("model.segmentor_scales", i), "in (0, 1]",
            number_text(scale));
  }
  // The first scale is the full-resolution input that every other one is resized from.
  require(m.segmentor_scales.front() == 1, "model.segmentor_scales[0]", "1",
          number_text(m.segmentor_scales.front()));
}

// The unet family's own option: one width per level, at least two levels.
void validate_unet(const ModelConfig& m) {
  require(m.unet_widths.size() >= 2, "model.unet_widths", "at least 2 widths (one per level)",
          std::to_string(m.unet_widths.size()));
  for (std::size_t i = 0; i < m.unet_widths.size(); ++i)
    require_at_least(element_key("model.unet_widths", i), m.unet_widths[i], 1);
}

void validate_model(const ModelConfig& m) {
  require(!m.segmentor.empty(), "model.segmentor", "a network name", "''");
  if (m.segmentor == "multiscale") validate_multiscale(m);
  if (m.segmentor == "unet") validate_unet(m);
  require_at_least("model.fc_width", m.fc_width, 1);
  require(m.output_stride == 0 || m.output_stride == 4 || m.output_stride == 8 || m.output_stride == 16 ||
              m.output_stride == 32,
          "model.output_stride", "0 (the family's default), 4, 8, 16 or 32", std::to_string(m.output_stride));
  require_one_of("model.aux_loss", m.aux_loss, {"auto", "true", "false"});
  require_non_negative("model.aux_weight", m.aux_weight);
  require(!m.adversary.empty(), "model.adversary", "a network name", "''");
  require_positive("model.adversary_width", m.adversary_width);
  require_positive("model.head_lr_multiplier", m.head_lr_multiplier);
  require(m.pretrained.empty() || m.backbone_pretrained.empty(), "model.backbone_pretrained",
          "empty when model.pretrained is set (the whole model's weights include the backbone)",
          quoted(m.backbone_pretrained));
}

// The fcd adversary halves its input five times: smaller crops leave it nothing to score.
void validate_adversary_input(const Config& config) {
  if (!config.adversarial.enabled || config.model.adversary != "fcd") return;
  const int side = std::min(config.data.crop_height, config.data.crop_width);
  require(side >= 32, "data.crop_height and data.crop_width", "at least 32 with model.adversary 'fcd'",
          std::to_string(config.data.crop_height) + "x" + std::to_string(config.data.crop_width));
}

void validate_adversarial(const AdversarialConfig& a) {
  require_non_negative("adversarial.lambda", a.lambda);
  require_one_of("adversarial.loss", a.loss, {"flipped", "original"});
  require_one_of("adversarial.encoding", a.encoding, {"basic", "product", "scaling", "entropy"});
  require(!a.encoding_with_image || a.encoding == "basic" || a.encoding == "entropy",
          "adversarial.encoding_with_image", "false unless adversarial.encoding is 'basic' or 'entropy'",
          "true with " + quoted(a.encoding));
  require(a.tau > 0 && a.tau <= 1, "adversarial.tau", "in (0, 1]", number_text(a.tau));
  require(a.real_label > 0 && a.real_label <= 1, "adversarial.real_label", "in (0, 1]",
          number_text(a.real_label));
  require_at_least("adversarial.start_iteration", a.start_iteration, 0);
  require_at_least("adversarial.d_steps", a.d_steps, 1);
  require_at_least("adversarial.s_steps", a.s_steps, 1);
  require_one_of("adversarial.reduction", a.reduction, {"image", "pixel"});
  require_one_of("adversarial.gan_loss", a.gan_loss, {"bce", "lsgan"});
  // -(x - 0)^2 has no minimum: the original term is a BCE-only form.
  require(a.gan_loss == "bce" || a.loss == "flipped", "adversarial.loss",
          "'flipped' with adversarial.gan_loss 'lsgan'", quoted(a.loss));
}

bool has_unlabeled_images(const DataConfig& d) {
  return d.labeled_fraction < 1 || !d.unlabeled_split.empty() || !d.unlabeled_root.empty();
}

void validate_semi(const SemiConfig& s, const DataConfig& d, const AdversarialConfig& a) {
  require_non_negative("semi.lambda_adv", s.lambda_adv);
  require_non_negative("semi.lambda_self", s.lambda_self);
  require(s.threshold >= 0 && s.threshold <= 1, "semi.threshold", "in [0, 1]", number_text(s.threshold));
  require_at_least("semi.start_iteration", s.start_iteration, 0);
  require(s.enabled || d.unlabeled_split.empty(), "data.unlabeled_split", "empty unless semi.enabled",
          quoted(d.unlabeled_split));
  require(s.enabled || d.unlabeled_root.empty(), "data.unlabeled_root", "empty unless semi.enabled",
          quoted(d.unlabeled_root));
  require(d.unlabeled_split.empty() || d.unlabeled_split != d.val_split, "data.unlabeled_split",
          "another split than data.val_split (validation images must not train)", quoted(d.unlabeled_split));
  require(s.confidence >= 0 && s.confidence <= 1, "semi.confidence", "in [0, 1]", number_text(s.confidence));
  require_fraction_below_one("semi.ema_decay", s.ema_decay);
  require_non_negative("semi.lambda_consistency", s.lambda_consistency);
  require_non_negative("semi.lambda_pseudo", s.lambda_pseudo);
  require(s.cutmix_area > 0 && s.cutmix_area < 1, "semi.cutmix_area", "in (0, 1)",
          number_text(s.cutmix_area));
  std::set<std::string> seen;
  for (const auto& name : semi_methods(s)) {
    require_one_of("semi.method", name, {"adversarial", "mean_teacher_cutmix", "pseudo_label"});
    require(seen.insert(name).second, "semi.method", "each method once", quoted(s.method));
  }
  if (!s.enabled) return;
  if (uses_semi_method(s, "adversarial")) {
    // The confidence map and the per-cell term need an adversary that judges cells.
    require(a.enabled, "adversarial.enabled",
            "true with semi.method adversarial (Hung et al.'s terms need the adversary)", "false");
    require(a.reduction == "pixel", "adversarial.reduction", "'pixel' with semi.method adversarial",
            quoted(a.reduction));
  }
  require(has_unlabeled_images(d), "semi.enabled",
          "false unless unlabelled images are given (data.labeled_fraction < 1, data.unlabeled_split or "
          "data.unlabeled_root)",
          "true");
}

// data.target must describe the same task as data, for the one segmentor:
// the same classes, void label and normalisation; the adversary compares
// source and target maps in one batch, so their crops match too.
void validate_target(const Config& config) {
  const DataConfig &source = config.data, &target = config.target;
  require_non_negative("adaptation.lambda_ent", config.adaptation.lambda_ent);
  require_non_negative("adaptation.lambda_aux_adv", config.adaptation.lambda_aux_adv);
  // Whether the segmentor has an auxiliary head shows when it is built; an explicit "false" is known now.
  require(!config.adaptation.aux_adversary ||
              (adapts_domain(config) && config.adversarial.enabled && config.model.aux_loss != "false"),
          "adaptation.aux_adversary",
          "false unless data.target.dataset is set, adversarial.enabled and model.aux_loss is not false",
          "true");
  if (!adapts_domain(config)) {
    // A data.target key set without a target dataset would be silently ignored.
    Config unset;
    unset.target = config.target;
    const auto set_keys = changed_keys(Config(), unset);
    if (!set_keys.empty())
      require(false, set_keys.front(), "left at its default unless data.target.dataset is set",
              flat_config(unset).at(set_keys.front()));
    require(config.adaptation.lambda_ent == 0, "adaptation.lambda_ent", "0 unless data.target.dataset is set",
            number_text(config.adaptation.lambda_ent));
    require(!config.adaptation.target_statistics, "adaptation.target_statistics",
            "false unless data.target.dataset is set", "true");
    require(!config.adaptation.target_labels, "adaptation.target_labels",
            "false unless data.target.dataset "
            "is set",
            "true");
    return;
  }
  // The oracle learns from target labels alone: no term may look for the source.
  require(
      !config.adaptation.target_labels || (!config.adversarial.enabled && config.adaptation.lambda_ent == 0),
      "adaptation.target_labels",
      "false with adversarial.enabled or adaptation.lambda_ent > 0 (the oracle "
      "is trained on target labels alone)",
      "true");
  validate_data(target, "data.target");
  require(target.val_split != target.train_split, "data.target.val_split",
          "another split than data.target.train_split (the run adapts on the target's training images)",
          quoted(target.val_split));
  // The adversary must judge label maps alone: seeing the images, it would
  // tell the domains apart by their pixels (AdaptSegNet's and ADVENT's see outputs only).
  if (config.adversarial.enabled) {
    const AdversarialConfig& a = config.adversarial;
    require(a.encoding == "basic" || a.encoding == "entropy", "adversarial.encoding",
            "'basic' or 'entropy' with data.target (product and scaling mix the image in)",
            quoted(a.encoding));
    require(!a.encoding_with_image, "adversarial.encoding_with_image",
            "false with data.target (the image would tell the domains apart)", "true");
    require(config.model.adversary != "stanford", "model.adversary",
            "an adversary without an image branch with data.target (not 'stanford')", "'stanford'");
  }
  auto require_same = [](bool same, const std::string& key, const std::string& got) {
    require(same, "data.target." + key, "equal to data." + key + " (one segmentor for both domains)", got);
  };
  require_same(target.num_classes == source.num_classes, "num_classes", std::to_string(target.num_classes));
  require_same(target.ignore_index == source.ignore_index, "ignore_index",
               std::to_string(target.ignore_index));
  require_same(target.mean == source.mean, "mean", "another list");
  require_same(target.std == source.std, "std", "another list");
  require_same(target.crop_height == source.crop_height, "crop_height", std::to_string(target.crop_height));
  require_same(target.crop_width == source.crop_width, "crop_width", std::to_string(target.crop_width));
  // The target is unlabelled as a whole: these keys choose labelled images.
  require(target.labeled_fraction == 1, "data.target.labeled_fraction",
          "1 (the target's training labels are never used)", number_text(target.labeled_fraction));
  require(target.labeled_seed == DataConfig().labeled_seed, "data.target.labeled_seed",
          "left at its default (the target's training labels are never used)",
          std::to_string(target.labeled_seed));
  require(target.unlabeled_split.empty() && target.unlabeled_root.empty(),
          "data.target.unlabeled_split and data.target.unlabeled_root",
          "empty (data.target.train_split names "
          "the target's images)",
          quoted(target.unlabeled_split + target.unlabeled_root));
  require(!config.semi.enabled, "semi.enabled", "false with data.target (one kind of unlabelled images)",
          "true");
}

void validate_optimizer(const std::string& prefix, const OptimizerConfig& o) {
  require_one_of(prefix + ".type", o.type, {"adam", "sgd"});
  // LibTorch's optimisers hold these as float: 1e300 failed mid-run as an internal error.
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  require(o.lr > 0 && o.lr <= kFloatMax, prefix + ".lr", "> 0 and a float (at most 3.4e+38)",
          number_text(o.lr));
  require_fraction_below_one(prefix + ".momentum", o.momentum);
  require(o.weight_decay >= 0 && o.weight_decay <= kFloatMax, prefix + ".weight_decay",
          ">= 0 and a float (at most 3.4e+38)", number_text(o.weight_decay));
  require_fraction_below_one(prefix + ".beta1", o.beta1);
  require_fraction_below_one(prefix + ".beta2", o.beta2);
  require_one_of(prefix + ".schedule", o.schedule, {"constant", "poly"});
  require_positive(prefix + ".poly_power", o.poly_power);
}

void validate_train(const TrainConfig& t) {
  require_at_least("train.epochs", t.epochs, 1);
  require(t.iterations >= 0, "train.iterations", ">= 0 (0: train.epochs sets the run's length)",
          std::to_string(t.iterations));
  require_at_least("train.batch_size", t.batch_size, 1);
  require_in_range("train.threads", t.threads, 0, kMaxThreads);
  require_in_range("train.loader_threads", t.loader_threads, 0, kMaxThreads);
  require_at_least("train.prefetch_batches", t.prefetch_batches, 1);
  require_at_least("train.log_every", t.log_every, 1);
  require_at_least("train.val_every", t.val_every, 1);
  require_at_least("train.checkpoint_every", t.checkpoint_every, 0);
  require(is_device_name(t.device), "train.device", "cpu, cuda or cuda:N", quoted(t.device));
  require_one_of("train.on_nonfinite", t.on_nonfinite, {"stop", "skip"});
  require_one_of("train.precision", t.precision, {"fp32", "bf16", "fp16", "auto"});
  require_at_least("train.collapse_patience", t.collapse_patience, 0);
  validate_optimizer("train.segmentor_optimizer", t.segmentor_optimizer);
  validate_optimizer("train.adversary_optimizer", t.adversary_optimizer);
}

}  // namespace

void validate(const Config& config) {
  validate_data(config.data, "data");
  validate_model(config.model);
  validate_adversarial(config.adversarial);
  validate_semi(config.semi, config.data, config.adversarial);
  validate_target(config);
  validate_adversary_input(config);
  validate_train(config.train);
}

}  // namespace advseg
