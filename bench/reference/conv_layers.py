# Times each convolution of the twin's multiscale segmentor in inference (fp32, no_grad,
# 2 threads, 240x320) on whichever torch runs this script. Written to compare engines on one
# machine (issue 26: LibTorch 2.15 against 1.13, docs/performance.md): run it with each
# Python, and with ONEDNN_VERBOSE=1 (DNNL_VERBOSE=1 before oneDNN 3) to see which oneDNN
# implementation each convolution gets.
#   python conv_layers.py [--batch N] [--layout cl|nchw]     # prints one JSON object
import argparse
import importlib.util
import json
import os
import time

import torch

spec = importlib.util.spec_from_file_location("twin", os.path.join(os.path.dirname(__file__), "twin.py"))
twin = importlib.util.module_from_spec(spec)
spec.loader.exec_module(twin)

parser = argparse.ArgumentParser(description="Times each convolution of the twin's multiscale segmentor.")
parser.add_argument("--batch", type=int, default=1, help="images per forward (at least 1)")
parser.add_argument("--layout", choices=["cl", "nchw"], default="cl", help="channels-last or NCHW")
args = parser.parse_args()
if args.batch < 1:
    parser.error(f"--batch must be at least 1, got {args.batch}")
batch = args.batch
layout = torch.channels_last if args.layout == "cl" else torch.contiguous_format
torch.set_num_threads(2)
torch.manual_seed(0)
segmentor = twin.MultiscaleSegmentor(8).eval().to(memory_format=layout)

# Each convolution runs once per scale: its time per forward is the sum over its calls.
seconds = {}


def timed(name):
    def before(module, inputs):
        seconds.setdefault(name, []).append(-time.perf_counter())

    def after(module, inputs, output):
        seconds[name][-1] += time.perf_counter()

    return before, after


for name, module in segmentor.named_modules():
    if isinstance(module, torch.nn.Conv2d):
        before, after = timed(f"{name} {module.in_channels}->{module.out_channels} k{module.kernel_size[0]}")
        module.register_forward_pre_hook(before)
        module.register_forward_hook(after)

images = torch.randn(batch, 3, 240, 320).contiguous(memory_format=layout)
repeats = 10
with torch.no_grad():
    for _ in range(3):
        segmentor(images)
    seconds.clear()
    start = time.perf_counter()
    for _ in range(repeats):
        segmentor(images)
    total = (time.perf_counter() - start) / repeats
print(json.dumps({"torch": torch.__version__, "batch": batch, "layout": "nchw" if layout is torch.contiguous_format else "cl",
                  "total_ms": 1000 * total,
                  "convs_ms_per_forward": {name: 1000 * sum(s) / repeats for name, s in seconds.items()}}))
