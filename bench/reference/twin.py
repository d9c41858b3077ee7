#!/usr/bin/env python3
"""The Python twin of `advseg bench`: the same networks, training step and
optimisers as advseg, written as typical PyTorch eager code, timed the same
way. `advseg bench --twin` runs it (plain NCHW, then --channels-last, then
--channels-last --compile) with the same sizes, precision and thread count and
prints advseg's figures over these.

Segmentors: the multiscale network below, or torchvision's own model for the
families torchvision has (--segmentor fcn_resnet | deeplabv3 | lraspp, with
--backbone), untouched but for returning its classifier's logits at the output
stride, as advseg's segmentors do (the step upsamples them, as torchvision's
forward would). --library smp takes segmentation-models-pytorch's DeepLabV3
instead (its one family with torchvision's architecture: dilated ResNet at
output stride 8, ASPP at rates 12/24/36, a 3x3 and a 1x1 convolution; install
it with `scripts/setup.sh --bench`). bf16 (--precision bf16) is torch.autocast on the forward
passes with the losses in fp32, as a PyTorch user writes it. Inference is
timed in eager eval mode and as a frozen TorchScript model (torch.jit.freeze
+ torch.jit.optimize_for_inference); the faster of the two is the figure.
--compile wraps every network in torch.compile (inductor, default mode) for
training and inference alike; compiling happens in the untimed warm-up runs
(at least two: the step's requires_grad switches recompile once), and its
time is reported apart.

Networks (read from src/advseg/models/):
  multiscale segmentor  conv{i} 7x7 pad 3 no bias -> bn{i} -> ReLU, 2x2 max
                        pooling between stages, run on the input resized
                        (bilinear) to each scale, features resized to the
                        full-scale grid, concatenated, 1x1 classifier.
  stanford adversary    label branch conv5(->64)+ReLU; image branch conv5(->16)
                        ReLU pool conv5(->64) ReLU pool (floor pooling); trunk
                        conv3(->128) ReLU pool conv3(->256) ReLU pool conv3
                        (->512) ReLU conv3(->1) (ceil pooling); score = mean.
Step (src/advseg/train/adversarial_step.cpp): one segmentor forward shared by
the segmentor update (cross-entropy at input resolution + lambda * flipped
adversarial term through the frozen adversary) and the adversary update
(real and detached fake maps in one batched pass); Adam for both.
"""
import argparse
import contextlib
import json
import math
import os
import resource
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("twin.py: PyTorch is missing; scripts/setup.sh installs it into .venv (run with .venv/bin/python3)")

IGNORE_INDEX = 255
LAMBDA = 0.1


def resize(x, height, width):
    if x.shape[2] == height and x.shape[3] == width:
        return x
    return F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)


class MultiscaleSegmentor(nn.Module):
    def __init__(self, num_classes, widths=(16, 64, 256), scales=(1.0, 0.5, 0.25)):
        super().__init__()
        self.scales = scales
        self.pool_levels = len(widths) - 1
        channels = 3
        for i, width in enumerate(widths, start=1):
            setattr(self, f"conv{i}", nn.Conv2d(channels, width, 7, padding=3, bias=False))
            setattr(self, f"bn{i}", nn.BatchNorm2d(width))
            channels = width
        self.stages = len(widths)
        self.classifier = nn.Conv2d(channels * len(scales), num_classes, 1)

    def extract_features(self, x):
        for i in range(1, self.stages + 1):
            if i > 1:
                x = F.max_pool2d(x, 2)
            x = F.relu(getattr(self, f"bn{i}")(getattr(self, f"conv{i}")(x)))
        return x

    def scaled_size(self, size, scale):
        return max(int(math.floor(size * scale)), 1 << self.pool_levels)

    def forward(self, images):
        height, width = images.shape[2], images.shape[3]
        out_height = self.scaled_size(height, 1.0) >> self.pool_levels
        out_width = self.scaled_size(width, 1.0) >> self.pool_levels
        features = []
        for scale in self.scales:
            x = resize(images, self.scaled_size(height, scale), self.scaled_size(width, scale))
            features.append(resize(self.extract_features(x), out_height, out_width))
        return self.classifier(torch.cat(features, 1))


class TorchvisionAtOutputStride(nn.Module):
    """torchvision's segmentation model, returning its classifier's logits
    before the final upsampling (as advseg's segmentors do)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, images):
        features = self.model.backbone(images)
        if isinstance(self.model.classifier, nn.Sequential):  # fcn_resnet, deeplabv3
            return self.model.classifier(features["out"])
        return self.model.classifier(features)  # lraspp takes the low- and high-level maps


def torchvision_segmentor(segmentor, backbone, num_classes):
    try:
        from torchvision.models import segmentation
    except ImportError:
        sys.exit("twin.py: torchvision is missing; scripts/setup.sh installs it into .venv")
    defaults = {"fcn_resnet": "resnet50", "deeplabv3": "resnet50", "lraspp": "mobilenet_v3_large"}
    name = f"{segmentor.replace('_resnet', '')}_{backbone or defaults[segmentor]}"
    builder = getattr(segmentation, name, None)
    if builder is None:
        sys.exit(f"twin.py: torchvision has no {name}")
    # Randomly initialised, as advseg's: no download, no aux head (torchvision's default).
    return TorchvisionAtOutputStride(builder(weights=None, weights_backbone=None, num_classes=num_classes))


class SmpAtOutputStride(nn.Module):
    """segmentation-models-pytorch's model, returning its head's logits before
    the head's upsampling (as advseg's segmentors do)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, images):
        decoded = self.model.decoder(self.model.encoder(images))
        return self.model.segmentation_head[0](decoded)  # the head: conv, upsampling, activation


def smp_segmentor(segmentor, backbone, num_classes):
    if segmentor != "deeplabv3":
        sys.exit(f"twin.py: --library smp has {segmentor} in no form matching advseg's; it compares deeplabv3")
    try:
        import segmentation_models_pytorch as smp
    except ImportError:
        sys.exit("twin.py: segmentation-models-pytorch is missing; scripts/setup.sh --bench installs it into .venv")
    # Randomly initialised (encoder_weights=None: no download), as advseg's.
    model = smp.DeepLabV3(encoder_name=backbone or "resnet50", encoder_weights=None, classes=num_classes)
    return SmpAtOutputStride(model)


def make_segmentor(args):
    if args.segmentor == "multiscale":
        return MultiscaleSegmentor(args.classes)
    if args.library == "smp":
        return smp_segmentor(args.segmentor, args.backbone, args.classes)
    return torchvision_segmentor(args.segmentor, args.backbone, args.classes)


class StanfordAdversary(nn.Module):
    def __init__(self, label_channels):
        super().__init__()
        self.label_branch = nn.Sequential(nn.Conv2d(label_channels, 64, 5, padding=2), nn.ReLU())
        self.image_branch = nn.Sequential(
            nn.Conv2d(3, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2))
        self.trunk = nn.Sequential(
            nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(128, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(256, 512, 3, padding=1), nn.ReLU(),
            nn.Conv2d(512, 1, 3, padding=1))

    def forward(self, image, label_map):
        labels = self.label_branch(label_map)
        pixels = resize(self.image_branch(image), labels.shape[2], labels.shape[3])
        return self.trunk(torch.cat([labels, pixels], 1)).mean(dim=(1, 2, 3))


def encode(maps, image_small, encoding):
    if encoding == "product":
        return (maps.unsqueeze(2) * image_small.unsqueeze(1)).flatten(1, 2)
    return maps


def downsample_ground_truth(labels, probs):
    """One-hot labels area-downsampled to the prediction's grid; void takes the prediction."""
    size = probs.shape[2:]
    valid = (labels != IGNORE_INDEX).unsqueeze(1).to(probs.dtype)
    one_hot = F.one_hot(labels.masked_fill(labels == IGNORE_INDEX, 0), probs.shape[1])
    one_hot = one_hot.permute(0, 3, 1, 2).to(probs.dtype)
    valid_share = F.adaptive_avg_pool2d(valid, size)
    return F.adaptive_avg_pool2d(one_hot * valid, size) + (1.0 - valid_share) * probs.detach()


def bce(logits, target):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def set_requires_grad(module, flag):
    for p in module.parameters():
        p.requires_grad_(flag)


def forward_context(args):
    if args.precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def train_step(seg, adv, seg_opt, adv_opt, images, labels, args):
    """One iteration; adv None is the standard (cross-entropy only) loop."""
    encoding = args.encoding
    with forward_context(args):
        logits = seg(images)
    logits = logits.float()  # the losses in fp32
    probs = torch.softmax(logits, 1)
    upsampled = F.interpolate(logits, size=labels.shape[1:], mode="bilinear", align_corners=False)
    loss = F.cross_entropy(upsampled, labels, ignore_index=IGNORE_INDEX)
    if adv is not None:
        image_small = F.adaptive_avg_pool2d(images, probs.shape[2:])
        set_requires_grad(adv, False)
        with forward_context(args):
            score = adv(images, encode(probs, image_small, encoding))
        loss = loss + LAMBDA * bce(score.float(), 1.0)
        set_requires_grad(adv, True)
    seg_opt.zero_grad()
    loss.backward()
    seg_opt.step()
    loss.item()  # what a training loop logs
    if adv is None:
        return
    prediction = probs.detach()
    real = encode(downsample_ground_truth(labels, prediction), image_small, encoding)
    fake = encode(prediction, image_small, encoding)
    with forward_context(args):
        scores = adv(torch.cat([images, images]), torch.cat([real, fake]))
    scores = scores.float()
    adv_loss = bce(scores[: len(real)], 1.0) + bce(scores[len(real):], 0.0)
    adv_opt.zero_grad()
    adv_loss.backward()
    adv_opt.step()
    adv_loss.item()


def best_seconds(work, warmup, iters):
    """The fastest timed run: other processes only ever slow a run down."""
    for _ in range(warmup):
        work()
    best = math.inf
    for _ in range(iters):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def synthetic_batch(args, batch):
    torch.manual_seed(1)
    images = torch.randn(batch, 3, args.height, args.width)
    labels = torch.randint(0, args.classes, (batch, args.height, args.width), dtype=torch.long)
    if args.channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    return images, labels


def to_format(module, args):
    return module.to(memory_format=torch.channels_last) if args.channels_last else module


def compiled(module, args):
    return torch.compile(module) if args.compile else module


def warmup_runs(args):
    return max(args.warmup, 2) if args.compile else args.warmup


def bench_training(args, adversarial):
    torch.manual_seed(1)
    seg = to_format(make_segmentor(args), args)
    seg.train()
    seg_opt = torch.optim.Adam(seg.parameters(), lr=1e-3)
    adv = adv_opt = None
    if adversarial:
        label_channels = 3 * args.classes if args.encoding == "product" else args.classes
        adv = to_format(StanfordAdversary(label_channels), args)
        adv_opt = torch.optim.Adam(adv.parameters(), lr=1e-4)
    seg, adv = compiled(seg, args), adv if adv is None else compiled(adv, args)
    images, labels = synthetic_batch(args, args.batch)
    seconds = best_seconds(lambda: train_step(seg, adv, seg_opt, adv_opt, images, labels, args),
                           warmup_runs(args), args.iters)
    return args.batch / seconds


def frozen(seg, images, args):
    """TorchScript's inference form: traced, frozen (batch norm folded into the
    convolutions) and optimize_for_inference (oneDNN layouts, fused ops)."""
    with torch.no_grad(), forward_context(args):
        traced = torch.jit.trace(seg, images, check_trace=False)
    return torch.jit.optimize_for_inference(torch.jit.freeze(traced))


def bench_inference(args, batch):
    """Images/s of eager eval and of the frozen TorchScript model (where it
    traces and runs); the best is the twin's figure."""
    torch.manual_seed(1)
    seg = to_format(make_segmentor(args), args)
    seg.eval()
    images, _ = synthetic_batch(args, batch)

    def predict(model):
        with torch.no_grad(), forward_context(args):
            logits = model(images)
            F.interpolate(logits.float(), size=images.shape[2:], mode="bilinear", align_corners=False).argmax(1)

    if args.compile:
        model = compiled(seg, args)
        return {"compiled": batch / best_seconds(lambda: predict(model), warmup_runs(args), args.iters)}
    rates = {"eager": batch / best_seconds(lambda: predict(seg), args.warmup, args.iters)}
    try:
        model = frozen(seg, images, args)
        # TorchScript's profiling executor optimises the graph after its first runs.
        rates["frozen"] = batch / best_seconds(lambda: predict(model), max(args.warmup, 3), args.iters)
    except Exception as error:  # reported, and the eager figure stands
        rates["frozen_error"] = f"{type(error).__name__}: {error}".splitlines()[0]
    return rates


def inference_figures(args, batch):
    rates = bench_inference(args, batch)
    figures = {f"infer_images_per_s_b{batch}_{form}": value for form, value in rates.items()}
    figures[f"infer_images_per_s_b{batch}"] = max(v for v in rates.values() if isinstance(v, float))
    return figures


def print_profile(name, work, args, top=12):
    """One call of `work` after the warm-up runs, operator by operator (self
    CPU time), as `advseg bench --profile` prints advseg's."""
    from torch.profiler import ProfilerActivity, profile

    for _ in range(max(args.warmup, 1)):
        work()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        started = time.perf_counter()
        work()
        total_ms = 1000 * (time.perf_counter() - started)
    events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    print(f"\n{name}, {total_ms:.1f} ms:")
    for event in events[:top]:
        self_ms = event.self_cpu_time_total / 1000
        print(f"  {event.key:44} {self_ms:9.1f} ms {100 * self_ms / total_ms:5.1f}%  {event.count} calls")


def profile_loops(args):
    """--profile: the twin's training step and its eager inference at batch 1
    and 8, in the form and precision asked for."""
    torch.manual_seed(1)
    seg = to_format(make_segmentor(args), args)
    seg.train()
    seg_opt = torch.optim.Adam(seg.parameters(), lr=1e-3)
    images, labels = synthetic_batch(args, args.batch)
    print_profile("training iteration (standard)",
                  lambda: train_step(seg, None, seg_opt, None, images, labels, args), args)
    seg.eval()
    for batch in (1, 8):
        images, _ = synthetic_batch(args, batch)

        def predict():
            with torch.no_grad(), forward_context(args):
                logits = seg(images)
                F.interpolate(logits.float(), size=images.shape[2:], mode="bilinear",
                              align_corners=False).argmax(1)

        print_profile(f"inference, batch {batch} (eager)", predict, args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--classes", type=int, default=8)
    parser.add_argument("--encoding", choices=["basic", "product"], default="basic")
    parser.add_argument("--iters", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="0 = every core")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--segmentor", choices=["multiscale", "fcn_resnet", "deeplabv3", "lraspp"],
                        default="multiscale")
    parser.add_argument("--backbone", default="", help="torchvision families; '' = the family's default")
    parser.add_argument("--library", choices=["torchvision", "smp"], default="torchvision",
                        help="whose model the torchvision families take (smp: segmentation-models-pytorch)")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    parser.add_argument("--compile", action="store_true", help="torch.compile every network (inductor)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (last line)")
    parser.add_argument("--profile", action="store_true",
                        help="print where one training step and one prediction spend their time, then exit")
    args = parser.parse_args()
    torch.set_num_threads(args.threads if args.threads > 0 else (os.cpu_count() or 1))
    if args.profile:
        profile_loops(args)
        return

    started = time.perf_counter()
    report = {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "channels_last": args.channels_last,
        "compile": args.compile,
        "segmentor": args.segmentor,
        "library": args.library if args.segmentor != "multiscale" else "twin",
        "precision": args.precision,
        "train_images_per_s_standard": bench_training(args, adversarial=False),
        "train_images_per_s_adversarial": bench_training(args, adversarial=True),
        **inference_figures(args, 1),
        **inference_figures(args, 8),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    report["seconds"] = time.perf_counter() - started  # compiling included, with --compile
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:34} {value}")


if __name__ == "__main__":
    main()
