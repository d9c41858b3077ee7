#!/usr/bin/env python3
"""Modelled data-parallel scaling (docs/distributed.md): ring all-reduce cost
against compute time per iteration.

Per iteration, each of N workers computes for `compute_ms` (forward and
backward of its own batch), then the gradients (`gradient_mb` MB) are
averaged by a ring all-reduce, which sends and receives 2 (N-1)/N times the
gradient bytes per worker and takes 2 (N-1) latency-bound steps:

    t_allreduce(N) = 2 (N-1)/N * bytes / bandwidth + 2 (N-1) * latency

Without overlap the step takes compute + t_allreduce; with overlap (DDP,
advseg's default) the all-reduce runs under the backward pass, assumed to be
`backward_share` of the compute, and only what sticks out of it adds up.
Efficiency = compute / step; speed-up = N * efficiency.

    python3 tools/scaling_model.py --compute-ms 800 --gradient-mb 158.6
"""
import argparse

NETWORKS = [  # name, bus bandwidth per worker (GB/s), latency per step (microseconds)
    ("InfiniBand 200 Gb/s per GPU", 25.0, 5.0),
    ("Ethernet 10 Gb/s", 1.25, 50.0),
]


def allreduce_ms(workers, gradient_mb, bandwidth_gb_s, latency_us):
    if workers == 1:
        return 0.0
    transfer = 2 * (workers - 1) / workers * gradient_mb * 1e6 / (bandwidth_gb_s * 1e9)
    return 1e3 * (transfer + 2 * (workers - 1) * latency_us * 1e-6)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compute-ms", type=float, required=True, help="forward + backward per iteration")
    parser.add_argument("--gradient-mb", type=float, required=True, help="gradient bytes per iteration, MB")
    parser.add_argument("--backward-share", type=float, default=2 / 3, help="of the compute, for overlap")
    parser.add_argument("--workers", type=int, nargs="+", default=[8, 64, 256])
    args = parser.parse_args()
    print("| network | workers | all-reduce ms | efficiency, no overlap | efficiency, overlapped | speed-up, overlapped |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    hidden = args.backward_share * args.compute_ms
    for name, bandwidth, latency in NETWORKS:
        for n in args.workers:
            t = allreduce_ms(n, args.gradient_mb, bandwidth, latency)
            plain = args.compute_ms / (args.compute_ms + t)
            overlapped = args.compute_ms / (args.compute_ms + max(0.0, t - hidden))
            print(f"| {name} | {n} | {t:.1f} | {100 * plain:.0f}% | {100 * overlapped:.0f}% | {n * overlapped:.0f}x |")


if __name__ == "__main__":
    main()
