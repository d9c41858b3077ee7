#!/usr/bin/env python3
"""Converts an advseg TorchScript export (advseg export) to ONNX.

    tools/export_onnx.py MODEL.pt MODEL.onnx [--opset 17] [--dynamic]

LibTorch's C++ API cannot write ONNX (the conversion of each operator is
written in Python), so this goes through PyTorch: it loads the TorchScript
file and hands it to torch.onnx.export's TorchScript-based exporter (the
torch.export-based one, PyTorch's default since 2.9, does not take a
TorchScript module). The ONNX model takes one RGB image in [0, 1], float
[1,3,H,W], at the export size (the `network_size` attribute, `advseg export
--size`), and returns its logits [1,C,H,W]. With --dynamic, H and W are free
where the network allows it: advseg's export is a trace, in which a size the
network computes inside (a skip connection's crop, a pooled branch upsampled
back) is a constant. The tool then runs the model at a second size in
onnxruntime and, if it fails or returns the wrong size, deletes it and says
so (tests/inference/onnx_export_test.cpp lists which families pass).
"""
import argparse
import os
import sys
import warnings


def runs_at_other_sizes(path, height, width):
    """Whether onnxruntime runs the model on images larger and of another aspect (None: no onnxruntime)."""
    try:
        import numpy as np
        import onnxruntime
    except ImportError:
        return None
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    for h, w in ((height + 32, width + 32), (height + 16, max(8, width - 8))):
        images = np.random.rand(1, 3, h, w).astype(np.float32)
        try:
            (logits,) = session.run(["logits"], {"images": images})
        except Exception:  # onnxruntime raises its own Fail for shapes that do not broadcast
            return False
        if logits.shape[2:] != images.shape[2:]:
            return False
    return True


def refuse_dynamic(path, height, width, detail):
    if os.path.exists(path):
        os.remove(path)
    sys.exit(f"export_onnx.py: --dynamic: this network fixes sizes inside the network (its export is a trace at "
             f"{height}x{width}; {detail}); export without --dynamic, at the size you predict at "
             "(advseg export --size)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="TorchScript file written by advseg export")
    parser.add_argument("out", help="ONNX file to write")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset version (default 17)")
    parser.add_argument("--dynamic", action="store_true", help="free image height and width")
    args = parser.parse_args()
    if not os.path.isfile(args.model):
        sys.exit(f"export_onnx.py: {args.model}: no such file (a TorchScript file written by advseg export)")
    if os.path.exists(args.out) and os.path.samefile(args.model, args.out):
        sys.exit(f"export_onnx.py: {args.out}: the output would replace the input model; name another file")
    if os.path.isdir(args.out):
        sys.exit(f"export_onnx.py: {args.out}: is a folder; name the ONNX file to write")
    try:
        import torch
    except ImportError:
        print("export_onnx.py needs PyTorch (scripts/setup.sh installs it into .venv)", file=sys.stderr)
        sys.exit(77)  # what advseg's tests read as "skip: no torch here"
    # PyTorch 2.x marks TorchScript and its ONNX exporter deprecated; both
    # still work, and advseg's export is TorchScript (docs/export.md).
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message="no signature found")
    model = torch.jit.load(args.model)
    height, width = model.network_size
    example = torch.rand(1, 3, height, width)
    axes = {"images": {2: "height", 3: "width"}, "logits": {2: "height", 3: "width"}} if args.dynamic else None
    # The model's forward loops over the batch and branches on the size, which
    # ONNX does not convert; at_network_size is the same computation for
    # images of the network's size, without either.
    try:
        torch.onnx.export(model.at_network_size, (example,), args.out, opset_version=args.opset,
                          input_names=["images"], output_names=["logits"], dynamic_axes=axes, dynamo=False)
    except Exception as error:  # the exporter raises whatever its passes raise
        if os.path.exists(args.out):
            os.remove(args.out)
        first_line = str(error).splitlines()[0][:200]
        if args.dynamic:
            refuse_dynamic(args.out, height, width, "the exporter stopped at: " + first_line)
        sys.exit(f"export_onnx.py: PyTorch's TorchScript-based ONNX exporter cannot convert this network "
                 f"({type(error).__name__}: {first_line}); docs/export.md lists the families it converts")
    if args.dynamic and runs_at_other_sizes(args.out, height, width) is False:
        refuse_dynamic(args.out, height, width, "onnxruntime cannot run it at another size")
    size = "H,W" if args.dynamic else f"{height},{width}"
    print(f"wrote {args.out}: images [1,3,{size}] in [0, 1] -> logits [1,{len(model.class_names)},{size}]")


if __name__ == "__main__":
    main()
