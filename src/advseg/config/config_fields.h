// The one list of Config's fields: visit_fields() calls a visitor with every
// dotted key, its field and what the reference says of it. Parsing, to_yaml(),
// config_keys() and config_reference() (config.cpp) all walk this list, so a
// new field needs exactly one new line here (and its rule in validate.cpp).
// Private to src/advseg/config.
#pragma once

#include <string>
#include <type_traits>

#include "advseg/config/config.h"

namespace advseg::config_detail {

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
    "the training split: the file list `<root>/splits/<name>.txt` for stanford_background and folder, or a "
    "list of your own by its path (ending in .txt; \"\" = every file), the dataset's own split name "
    "otherwise");
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
  v(prefix + ".shift", d.shift,
    "a domain shift applied to every image as it is read, training and evaluation alike: none, fog "
    "(I = R·t + L·(1 - t), one transmission t), fog_gradient (t from dense at the top to light at the "
    "bottom: no depth is known), low_light (gamma, gain, a blue cast, shot and read noise); labels "
    "untouched");
  v(prefix + ".shift_severity", d.shift_severity,
    "how strong the shift is, in (0, 1] (fog at 1 leaves 30% of the scene; fog_gradient 5% at the top, 65% "
    "at the bottom)");
  v(prefix + ".shift_seed", d.shift_seed,
    "draws each image's atmospheric light, colour cast and noise, from this seed and the image's id only");
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
  v("model.fc_width", c.model.fc_width,
    "fcn32s/16s/8s and dilated8(-context) only: channels of fc6 and fc7, VGG-16's classifier as "
    "convolutions (4096 as in the papers; fewer give a smaller network for training from scratch), >= 1");
  v("model.adversary", c.model.adversary,
    "the adversary a(x, y): stanford, largefov, smallfov, largefov-light, smallfov-light (Luc et al.), fcd "
    "(Hung et al.'s fully convolutional discriminator, judging maps at the image's resolution)");
  v("model.adversary_width", c.model.adversary_width,
    "a multiple of the channels of every hidden layer of the adversary (e.g. 0.25: fcd's 64-128-256-512 "
    "become 16-32-64-128), > 0; below 1, a weaker adversary");
  v("model.head_lr_multiplier", c.model.head_lr_multiplier,
    "the head learns at this multiple of the optimiser's rate, the backbone at the rate (DeepLab: 10), > 0");
  v("model.no_weight_decay_on_norm_and_bias", c.model.no_weight_decay_on_norm_and_bias,
    "weight decay for convolution and linear weights only");
  v("model.freeze_bn", c.model.freeze_bn,
    "batch norm in eval mode with frozen affine parameters (small batches when fine-tuning)");
  v("model.sync_bn", c.model.sync_bn,
    "data-parallel training (world size > 1): batch statistics over every worker's batch, as one worker with "
    "the global batch (false: each worker's own; rank 0's running statistics are kept)");
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
  v("adversarial.real_label", c.adversarial.real_label,
    "the adversary's target for ground-truth (or source) maps, in (0, 1]; below 1, one-sided label "
    "smoothing (Salimans et al. 2016: 0.9), which keeps the adversary from saturating");
  v("semi.enabled", c.semi.enabled,
    "semi-supervised training (Hung et al. 2018): unlabelled images (data.labeled_fraction, "
    "data.unlabeled_split, data.unlabeled_root) train the segmentor; needs adversarial.reduction: pixel");
  v("semi.method", c.semi.method,
    "what learns from the unlabelled images with semi.enabled, '+'-joined: adversarial (Hung et al. 2018: "
    "the adversary's terms below), mean_teacher_cutmix (French et al. 2020: CutMix consistency with an EMA "
    "teacher), pseudo_label (confident pseudo-labels of a weak view train a strong, CutMix-ed one; "
    "FixMatch-style); e.g. adversarial+mean_teacher_cutmix");
  v("semi.lambda_adv", c.semi.lambda_adv,
    "λ_semi_adv: weight of the adversarial term on unlabelled images, >= 0");
  v("semi.lambda_self", c.semi.lambda_self,
    "λ_semi: weight of the cross-entropy against the segmentor's own argmax where the adversary's confidence "
    "passes semi.threshold, >= 0");
  v("semi.threshold", c.semi.threshold,
    "T_semi: the adversary's least confidence (sigmoid of its score) for a pixel to be a pseudo-label, in "
    "[0, 1]");
  v("semi.start_iteration", c.semi.start_iteration,
    "self-training starts at this iteration: Hung et al.'s semi.lambda_self, and the consistency and "
    "pseudo-label terms, >= 0 (Hung et al.: 5000 of 20000)");
  v("semi.adversary_on_unlabeled", c.semi.adversary_on_unlabeled,
    "the adversary also learns to call unlabelled predictions fake (the authors' D_remain)");
  v("semi.confidence", c.semi.confidence,
    "mean_teacher_cutmix and pseudo_label: a pixel trains only where the teacher's (or the weak view's) "
    "largest class probability is at least this, in [0, 1] (FixMatch, UniMatch: 0.95; French et al.: 0.97)");
  v("semi.ema_decay", c.semi.ema_decay,
    "mean_teacher_cutmix: the teacher follows the student's weights as decay·teacher + (1 - decay)·student "
    "after every segmentor update, in [0, 1) (French et al.: 0.99)");
  v("semi.lambda_consistency", c.semi.lambda_consistency,
    "mean_teacher_cutmix: weight of the consistency term (squared error between the student's probabilities "
    "on the CutMix of two images and the CutMix of the teacher's), >= 0");
  v("semi.lambda_pseudo", c.semi.lambda_pseudo,
    "pseudo_label: weight of the cross-entropy of the strong view against the weak view's pseudo-labels, >= "
    "0");
  v("semi.cutmix_area", c.semi.cutmix_area,
    "share of the image area a CutMix box covers (its aspect ratio is drawn), in (0, 1)");
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
  v("train.iterations", c.train.iterations,
    "the run's length in steps (batches), >= 0: when > 0 it replaces train.epochs, and the last epoch "
    "stops part way; every share of labels then trains as long (experiment --label-fractions)");
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
    "fp32, bf16 (autocast: convolutions in bf16, losses and weights in fp32), fp16 (the same in fp16, "
    "with loss scaling; for GPUs) or auto (bf16 on CPUs with native bf16, fp32 elsewhere)");
  v("train.on_nonfinite", c.train.on_nonfinite,
    "a NaN/Inf loss: stop (keeping the last checkpoint) or skip the step");
  v("train.collapse_patience", c.train.collapse_patience,
    "log intervals of a pinned adversary accuracy before a warning; 0 = off");
  visit_optimizer("train.segmentor_optimizer", c.train.segmentor_optimizer, v);
  visit_optimizer("train.adversary_optimizer", c.train.adversary_optimizer, v);
}

}  // namespace advseg::config_detail
