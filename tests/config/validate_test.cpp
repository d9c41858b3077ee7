#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/error.h"

namespace advseg {
namespace {

// The validate() message for the default config changed by `change` ("" when valid).
std::string violation(const std::function<void(Config&)>& change) {
  Config config;
  change(config);
  try {
    validate(config);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Validate, DefaultsAreValid) {
  EXPECT_EQ(violation([](Config&) {}), "");
}

TEST(Validate, DatasetMustBeKnownAndRootSetForRealData) {
  EXPECT_EQ(violation([](Config& c) { c.data.dataset = "imagenet"; }),
            "data.dataset: must be one of shapes, stanford_background, folder, voc, sbd, cityscapes, ade20k, "
            "camvid, got 'imagenet'");
  EXPECT_EQ(violation([](Config& c) { c.data.dataset = "folder"; }),
            "data.root: must be set for data.dataset 'folder', got ''");
  EXPECT_EQ(violation([](Config& c) {
              c.data.dataset = "stanford_background";
              c.data.root = "/data";
            }),
            "");
}

TEST(Validate, ClassCountAndIgnoreIndex) {
  EXPECT_EQ(violation([](Config& c) { c.data.num_classes = 0; }),
            "data.num_classes: must be in [1, 254], got 0");
  EXPECT_EQ(violation([](Config& c) { c.data.num_classes = 255; }),
            "data.num_classes: must be in [1, 254], got 255");
  EXPECT_EQ(violation([](Config& c) { c.data.ignore_index = 3; }),
            "data.ignore_index: must be in [data.num_classes, 255] = [5, 255], got 3");
  EXPECT_EQ(violation([](Config& c) { c.data.ignore_index = 256; }),
            "data.ignore_index: must be in [data.num_classes, 255] = [5, 255], got 256");
  EXPECT_EQ(violation([](Config& c) { c.data.ignore_index = 5; }), "");
}

TEST(Validate, PerClassListsMatchTheClassCount) {
  EXPECT_EQ(violation([](Config& c) {
              c.data.class_names = {"a", "b"};
            }),
            "data.class_names: must be empty or one entry per class (data.num_classes = 5), got 2 entries");
  EXPECT_EQ(violation([](Config& c) {
              c.data.num_classes = 2;
              c.data.palette = {"#000000", "red"};
            }),
            "data.palette[1]: invalid colour 'red': expected #rrggbb (hex digits)");
}

TEST(Validate, AugmentationRanges) {
  EXPECT_EQ(violation([](Config& c) { c.data.crop_width = 7; }),
            "data.crop_width: must be in [8, 32768], got 7");
  EXPECT_EQ(violation([](Config& c) { c.data.scale_min = 0; }), "data.scale_min: must be > 0, got 0");
  EXPECT_EQ(violation([](Config& c) { c.data.image_scale = 0; }),
            "data.image_scale: must be in (0, 4], got 0");
  EXPECT_EQ(violation([](Config& c) {
              c.data.scale_min = 1.5;
              c.data.scale_max = 1.25;
            }),
            "data.scale_max: must be >= data.scale_min (1.5), got 1.25");
  EXPECT_EQ(violation([](Config& c) { c.data.mean = {0.5}; }),
            "data.mean: must be 3 values (R, G, B), got 1 values");
  EXPECT_EQ(violation([](Config& c) { c.data.std[2] = 0; }), "data.std[2]: must be > 0, got 0");
  EXPECT_EQ(violation([](Config& c) { c.data.shapes_image_size = 8; }),
            "data.shapes_image_size: must be >= 16, got 8");
}

TEST(Validate, ModelLists) {
  EXPECT_EQ(violation([](Config& c) { c.model.segmentor_widths = {}; }),
            "model.segmentor_widths: must be a non-empty list, got []");
  EXPECT_EQ(violation([](Config& c) {
              c.model.segmentor_widths = {8, 0};
            }),
            "model.segmentor_widths[1]: must be >= 1, got 0");
  EXPECT_EQ(violation([](Config& c) {
              c.model.segmentor_scales = {0.5, 0.25};
            }),
            "model.segmentor_scales[0]: must be 1, got 0.5");
  EXPECT_EQ(violation([](Config& c) {
              c.model.segmentor_scales = {1, 1.5};
            }),
            "model.segmentor_scales[1]: must be in (0, 1], got 1.5");
  EXPECT_EQ(violation([](Config& c) { c.model.adversary = ""; }),
            "model.adversary: must be a network name, got ''");
}

TEST(Validate, AdversarialSettings) {
  EXPECT_EQ(violation([](Config& c) { c.adversarial.lambda = -0.5; }),
            "adversarial.lambda: must be >= 0, got -0.5");
  EXPECT_EQ(violation([](Config& c) { c.adversarial.loss = "hinge"; }),
            "adversarial.loss: must be one of flipped, original, got 'hinge'");
  EXPECT_EQ(violation([](Config& c) {
              c.adversarial.encoding = "product";
              c.adversarial.encoding_with_image = true;
            }),
            "adversarial.encoding_with_image: must be false unless adversarial.encoding is 'basic' or "
            "'entropy', got "
            "true with 'product'");
  EXPECT_EQ(violation([](Config& c) { c.adversarial.tau = 1.01; }),
            "adversarial.tau: must be in (0, 1], got 1.01");
  EXPECT_EQ(violation([](Config& c) { c.adversarial.real_label = 0; }),
            "adversarial.real_label: must be in (0, 1], got 0");
  EXPECT_EQ(violation([](Config& c) { c.model.adversary_width = -0.5; }),
            "model.adversary_width: must be > 0, got -0.5");
  EXPECT_EQ(violation([](Config& c) { c.adversarial.d_steps = 0; }),
            "adversarial.d_steps: must be >= 1, got 0");
  EXPECT_EQ(violation([](Config& c) { c.adversarial.reduction = "patch"; }),
            "adversarial.reduction: must be one of image, pixel, got 'patch'");
  EXPECT_EQ(violation([](Config& c) { c.adversarial.gan_loss = "hinge"; }),
            "adversarial.gan_loss: must be one of bce, lsgan, got 'hinge'");
  EXPECT_EQ(violation([](Config& c) {
              c.adversarial.gan_loss = "lsgan";
              c.adversarial.loss = "original";
            }),
            "adversarial.loss: must be 'flipped' with adversarial.gan_loss 'lsgan', got 'original'");
}

TEST(Validate, SemiSupervisedSettings) {
  const auto semi = [](Config& c) {
    c.semi.enabled = true;
    c.adversarial.reduction = "pixel";
    c.data.labeled_fraction = 0.125;
  };
  EXPECT_EQ(violation(semi), "");
  EXPECT_EQ(violation([&](Config& c) {
              semi(c);
              c.adversarial.reduction = "image";
            }),
            "adversarial.reduction: must be 'pixel' with semi.method adversarial, got 'image'");
  EXPECT_EQ(violation([&](Config& c) {
              semi(c);
              c.adversarial.enabled = false;
            }),
            "adversarial.enabled: must be true with semi.method adversarial (Hung et al.'s terms need the "
            "adversary), got false");
  EXPECT_EQ(violation([&](Config& c) {
              semi(c);
              c.data.labeled_fraction = 1;
            }),
            "semi.enabled: must be false unless unlabelled images are given (data.labeled_fraction < 1, "
            "data.unlabeled_split or data.unlabeled_root), got true");
  // The consistency methods need no adversary, and combine with Hung et al.'s terms.
  EXPECT_EQ(violation([&](Config& c) {
              semi(c);
              c.semi.method = "mean_teacher_cutmix";
              c.adversarial.enabled = false;
            }),
            "");
  EXPECT_EQ(violation([&](Config& c) {
              semi(c);
              c.semi.method = "adversarial+mean_teacher_cutmix+pseudo_label";
            }),
            "");
  EXPECT_EQ(violation([](Config& c) { c.semi.method = "fixmatch"; }),
            "semi.method: must be one of adversarial, mean_teacher_cutmix, pseudo_label, got 'fixmatch'");
  EXPECT_EQ(violation([](Config& c) { c.semi.method = "pseudo_label+"; }),
            "semi.method: must be one of adversarial, mean_teacher_cutmix, pseudo_label, got ''");
  EXPECT_EQ(violation([](Config& c) { c.semi.method = "pseudo_label+pseudo_label"; }),
            "semi.method: must be each method once, got 'pseudo_label+pseudo_label'");
  EXPECT_EQ(violation([](Config& c) { c.semi.ema_decay = 1; }), "semi.ema_decay: must be in [0, 1), got 1");
  EXPECT_EQ(violation([](Config& c) { c.semi.cutmix_area = 0; }),
            "semi.cutmix_area: must be in (0, 1), got 0");
  EXPECT_EQ(violation([](Config& c) { c.semi.confidence = -0.1; }),
            "semi.confidence: must be in [0, 1], got -0.1");
  EXPECT_EQ(violation([](Config& c) { c.semi.lambda_pseudo = -1; }),
            "semi.lambda_pseudo: must be >= 0, got -1");
  EXPECT_EQ(violation([](Config& c) { c.data.labeled_fraction = 0; }),
            "data.labeled_fraction: must be in (0, 1], got 0");
  EXPECT_EQ(violation([](Config& c) { c.semi.threshold = 1.5; }),
            "semi.threshold: must be in [0, 1], got 1.5");
  EXPECT_EQ(violation([](Config& c) { c.data.unlabeled_root = "/photos"; }),
            "data.unlabeled_root: must be empty unless semi.enabled, got '/photos'");
  EXPECT_EQ(
      violation([&](Config& c) {
        semi(c);
        c.data.dataset = "folder";
        c.data.root = "/data";
        c.data.unlabeled_split = "val";
      }),
      "data.unlabeled_split: must be another split than data.val_split (validation images must not train), "
      "got 'val'");
  EXPECT_EQ(
      violation([](Config& c) {
        c.model.adversary = "fcd";
        c.data.crop_width = 24;
      }),
      "data.crop_height and data.crop_width: must be at least 32 with model.adversary 'fcd', got 64x24");
  EXPECT_EQ(
      violation([](Config& c) { c.data.unlabeled_split = "extra"; }),
      "data.unlabeled_split: must be empty for data.dataset 'shapes' (stanford_background and folder only; "
      "data.unlabeled_root takes any folder of images), got 'extra'");
}

TEST(Validate, DomainAdaptationSettings) {
  const auto adapt = [](Config& c) {
    c.target = c.data;
    c.target.shapes_domain = "target";
    c.adaptation.lambda_ent = 0.001;
    c.model.adversary = "fcd";
  };
  EXPECT_EQ(violation(adapt), "");
  // The adversary judges label maps alone: images would give the domains away.
  EXPECT_EQ(
      violation([&](Config& c) {
        adapt(c);
        c.model.adversary = "stanford";
      }),
      "model.adversary: must be an adversary without an image branch with data.target (not 'stanford'), "
      "got 'stanford'");
  EXPECT_EQ(
      violation([&](Config& c) {
        adapt(c);
        c.adversarial.encoding = "product";
      }),
      "adversarial.encoding: must be 'basic' or 'entropy' with data.target (product and scaling mix the "
      "image in), got 'product'");
  EXPECT_EQ(
      violation([&](Config& c) {
        adapt(c);
        c.adversarial.encoding_with_image = true;
      }),
      "adversarial.encoding_with_image: must be false with data.target (the image would tell the domains "
      "apart), got true");
  EXPECT_EQ(
      violation([&](Config& c) {
        adapt(c);
        c.target.val_split = "train";
      }),
      "data.target.val_split: must be another split than data.target.train_split (the run adapts on the "
      "target's training images), got 'train'");
  // A target key without a target dataset would be ignored: refused instead.
  EXPECT_EQ(violation([](Config& c) { c.target.num_classes = 3; }),
            "data.target.num_classes: must be left at its default unless data.target.dataset is set, got 3");
  EXPECT_EQ(violation([](Config& c) { c.adaptation.lambda_ent = 0.001; }),
            "adaptation.lambda_ent: must be 0 unless data.target.dataset is set, got 0.001");
  EXPECT_EQ(violation([](Config& c) { c.adaptation.target_statistics = true; }),
            "adaptation.target_statistics: must be false unless data.target.dataset is set, got true");
  EXPECT_EQ(violation([](Config& c) { c.adaptation.target_labels = true; }),
            "adaptation.target_labels: must be false unless data.target.dataset is set, got true");
  EXPECT_EQ(violation([&](Config& c) {
              adapt(c);
              c.target.shapes_domain = "night";
            }),
            "data.target.shapes_domain: must be one of any, source, target, got 'night'");
  EXPECT_EQ(violation([&](Config& c) {
              adapt(c);
              c.target.dataset = "camvid";
            }),
            "data.target.root: must be set for data.target.dataset 'camvid', got ''");
  EXPECT_EQ(violation([&](Config& c) {
              adapt(c);
              c.target.num_classes = 4;
            }),
            "data.target.num_classes: must be equal to data.num_classes (one segmentor for both domains), "
            "got 4");
  EXPECT_EQ(
      violation([&](Config& c) {
        adapt(c);
        c.target.crop_width = 48;
      }),
      "data.target.crop_width: must be equal to data.crop_width (one segmentor for both domains), got 48");
  EXPECT_EQ(violation([&](Config& c) {
              adapt(c);
              c.target.labeled_fraction = 0.5;
            }),
            "data.target.labeled_fraction: must be 1 (the target's training labels are never used), got 0.5");
  EXPECT_EQ(violation([&](Config& c) {
              adapt(c);
              c.semi.enabled = true;
              c.adversarial.reduction = "pixel";
              c.data.labeled_fraction = 0.5;
            }),
            "semi.enabled: must be false with data.target (one kind of unlabelled images), got true");
  EXPECT_EQ(
      violation([&](Config& c) {
        adapt(c);
        c.adaptation.target_labels = true;
      }),
      "adaptation.target_labels: must be false with adversarial.enabled or adaptation.lambda_ent > 0 (the "
      "oracle is trained on target labels alone), got true");
  EXPECT_EQ(violation([&](Config& c) {
              adapt(c);
              c.adaptation.aux_adversary = true;
            }),
            "");
  const std::string no_aux_adversary =
      "adaptation.aux_adversary: must be false unless data.target.dataset is set, adversarial.enabled and "
      "model.aux_loss is not false, got true";
  EXPECT_EQ(violation([](Config& c) { c.adaptation.aux_adversary = true; }), no_aux_adversary);
  EXPECT_EQ(violation([&](Config& c) {
              adapt(c);
              c.adaptation.aux_adversary = true;
              c.model.aux_loss = "false";
            }),
            no_aux_adversary);
}

TEST(Validate, TrainingLoop) {
  EXPECT_EQ(violation([](Config& c) { c.train.epochs = 0; }), "train.epochs: must be >= 1, got 0");
  EXPECT_EQ(violation([](Config& c) { c.train.threads = -1; }),
            "train.threads: must be in [0, 1024], got -1");
  EXPECT_EQ(violation([](Config& c) { c.train.checkpoint_every = 0; }), "");
  EXPECT_EQ(violation([](Config& c) { c.train.device = "cuda:"; }),
            "train.device: must be cpu, cuda or cuda:N, got 'cuda:'");
  EXPECT_EQ(violation([](Config& c) { c.train.device = "gpu"; }),
            "train.device: must be cpu, cuda or cuda:N, got 'gpu'");
  EXPECT_EQ(violation([](Config& c) { c.train.device = "cuda:12"; }), "");
}

TEST(Validate, BothOptimizersAreChecked) {
  EXPECT_EQ(violation([](Config& c) { c.train.segmentor_optimizer.lr = 0; }),
            "train.segmentor_optimizer.lr: must be > 0 and a float (at most 3.4e+38), got 0");
  // Found by the second sweep: 1e300 passed, then failed mid-run as an internal error.
  EXPECT_EQ(violation([](Config& c) { c.train.segmentor_optimizer.lr = 1e300; }),
            "train.segmentor_optimizer.lr: must be > 0 and a float (at most 3.4e+38), got 1e+300");
  EXPECT_EQ(violation([](Config& c) { c.train.adversary_optimizer.weight_decay = 1e300; }),
            "train.adversary_optimizer.weight_decay: must be >= 0 and a float (at most 3.4e+38), got 1e+300");
  EXPECT_EQ(violation([](Config& c) { c.train.adversary_optimizer.type = "rmsprop"; }),
            "train.adversary_optimizer.type: must be one of adam, sgd, got 'rmsprop'");
  EXPECT_EQ(violation([](Config& c) { c.train.adversary_optimizer.momentum = 1; }),
            "train.adversary_optimizer.momentum: must be in [0, 1), got 1");
  EXPECT_EQ(violation([](Config& c) { c.train.segmentor_optimizer.schedule = "step"; }),
            "train.segmentor_optimizer.schedule: must be one of constant, poly, got 'step'");
}

TEST(Validate, ModelOptionsAreCheckedAndMultiscaleRulesApplyToMultiscaleOnly) {
  EXPECT_EQ(violation([](Config& c) { c.model.aux_loss = "yes"; }),
            "model.aux_loss: must be one of auto, true, false, got 'yes'");
  EXPECT_EQ(violation([](Config& c) { c.model.output_stride = 12; }),
            "model.output_stride: must be 0 (the family's default), 4, 8, 16 or 32, got 12");
  EXPECT_EQ(violation([](Config& c) { c.model.head_lr_multiplier = 0; }),
            "model.head_lr_multiplier: must be > 0, got 0");
  EXPECT_EQ(violation([](Config& c) { c.model.segmentor_widths.clear(); }),
            "model.segmentor_widths: must be a non-empty list, got []");
  // Another family does not use the multiscale widths.
  EXPECT_EQ(violation([](Config& c) {
              c.model.segmentor = "unet";
              c.model.segmentor_widths.clear();
            }),
            "");
}

TEST(Validate, UNetWidthsAreCheckedForUNetOnly) {
  const auto unet = [](std::vector<int> widths) {
    return [widths](Config& c) {
      c.model.segmentor = "unet";
      c.model.unet_widths = widths;
    };
  };
  EXPECT_EQ(violation(unet({8, 16})), "");
  EXPECT_EQ(violation(unet({8})), "model.unet_widths: must be at least 2 widths (one per level), got 1");
  EXPECT_EQ(violation(unet({8, 0, 16})), "model.unet_widths[1]: must be >= 1, got 0");
  EXPECT_EQ(violation([](Config& c) { c.model.unet_widths = {}; }), "");
}

TEST(Validate, TheShiftIsOneOfTheKnownOnesAtASeverityInZeroToOne) {
  EXPECT_EQ(violation([](Config& c) { c.data.shift = "low_light"; }), "");
  EXPECT_EQ(violation([](Config& c) { c.data.shift = "rain"; }),
            "data.shift: must be one of none, fog, fog_gradient, low_light, got 'rain'");
  EXPECT_EQ(violation([](Config& c) { c.data.shift_severity = 0; }),
            "data.shift_severity: must be in (0, 1], got 0");
  EXPECT_EQ(violation([](Config& c) { c.data.shift_severity = 1.5; }),
            "data.shift_severity: must be in (0, 1], got 1.5");
}

TEST(Validate, FcWidthIsAtLeastOne) {
  EXPECT_EQ(violation([](Config& c) { c.model.fc_width = 256; }), "");
  EXPECT_EQ(violation([](Config& c) { c.model.fc_width = 0; }), "model.fc_width: must be >= 1, got 0");
}

}  // namespace
}  // namespace advseg
