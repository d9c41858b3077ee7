#!/usr/bin/env python3
"""A 7x7 convolution then ReLU, as two operators and as one oneDNN call with
the ReLU as a post-op (mkldnn::_convolution_pointwise, what advseg's folded
inference runs: src/advseg/models/conv_relu.h), for the multiscale segmentor's
three layers at full scale: the fastest of --iters runs, and the largest
difference between the two outputs.

    .venv/bin/python bench/reference/conv_relu_fusion.py [--batch 8] [--precision bf16|fp32] [--threads 2]
"""
import argparse
import time

import torch


def best_ms(work, iters):
    for _ in range(3):
        work()
    best = float("inf")
    for _ in range(iters):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return 1000 * best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--precision", choices=["bf16", "fp32"], default="bf16")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iters", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dtype = torch.bfloat16 if args.precision == "bf16" else torch.float32
    channels_last = torch.channels_last
    for cin, cout, height, width in [(3, 16, 240, 320), (16, 64, 120, 160), (64, 256, 60, 80)]:
        x = torch.randn(args.batch, cin, height, width).to(dtype).contiguous(memory_format=channels_last)
        weight = torch.randn(cout, cin, 7, 7).to(dtype).contiguous(memory_format=channels_last)
        bias = torch.randn(cout).to(dtype)
        fused = lambda: torch.ops.mkldnn._convolution_pointwise(  # noqa: E731
            x, weight, bias, [3, 3], [1, 1], [1, 1], 1, "relu", [None], None)
        two_steps = lambda: torch.relu_(torch.conv2d(x, weight, bias, 1, 3))  # noqa: E731
        with torch.no_grad():
            difference = (fused().float() - two_steps().float()).abs().max().item()
            print(f"{cin:3} -> {cout:3} at {height}x{width}: conv + relu_ {best_ms(two_steps, args.iters):6.2f} ms, "
                  f"fused {best_ms(fused, args.iters):6.2f} ms, largest difference {difference:.3g}")


if __name__ == "__main__":
    main()
