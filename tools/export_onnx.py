#!/usr/bin/env python3
"""Converts an advseg TorchScript export (advseg export) to ONNX.

    tools/export_onnx.py MODEL.pt MODEL.onnx [--opset 17]

LibTorch's C++ API cannot write ONNX (the conversion of each operator is
written in Python), so this goes through PyTorch: it loads the TorchScript
file and hands it to torch.onnx.export. The ONNX model takes one RGB image in
[0, 1], float [1,3,H,W], at the export size (the `network_size` attribute,
`advseg export --size`), and returns its logits [1,C,H,W].
"""
import argparse
import sys
import warnings


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="TorchScript file written by advseg export")
    parser.add_argument("out", help="ONNX file to write")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset version (default 17; 13 fails in torch 1.13 on ReLU)")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("export_onnx.py needs PyTorch (Debian: apt-get install python3-torch)", file=sys.stderr)
        sys.exit(77)  # what advseg's tests read as "skip: no torch here"
    # torch 1.13 warns once per constant that it infers no shape for it.
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
    model = torch.jit.load(args.model)
    height, width = model.network_size
    example = torch.rand(1, 3, height, width)
    # The model's forward loops over the batch and branches on the size, which
    # ONNX does not convert; at_network_size is the same computation for
    # images of the network's size, without either.
    torch.onnx.export(model.at_network_size, (example,), args.out, opset_version=args.opset,
                      input_names=["images"], output_names=["logits"])
    print(f"wrote {args.out}: images [1,3,{height},{width}] in [0, 1] -> logits "
          f"[1,{len(model.class_names)},{height},{width}]")


if __name__ == "__main__":
    main()
