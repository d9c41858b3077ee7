"""Loads an advseg TorchScript export in Python and checks it against advseg.

    check_torchscript.py MODEL.pt IMAGES.f32 LOGITS.f32 N H W CLASS,NAMES,...

IMAGES.f32 holds RGB images in [0, 1] and LOGITS.f32 the logits advseg
predicted for them (float32, [N,3,H,W] and [N,C,H,W], C-ordered), written by
tests/inference/torchscript_export_test.cpp. Exits 0 when the model's logits
match to 1e-4 and its class names are those given, 1 otherwise, and 77 when
this Python has no torch.
"""
import sys

try:
    import torch
except ImportError:
    sys.exit(77)


def read_floats(path, shape):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)


def main():
    model_path, images_path, logits_path = sys.argv[1:4]
    n, h, w = (int(v) for v in sys.argv[4:7])
    class_names = sys.argv[7].split(",")
    model = torch.jit.load(model_path)
    images = read_floats(images_path, (n, 3, h, w))
    expected = read_floats(logits_path, (n, len(class_names), h, w))
    with torch.no_grad():
        logits = model(images)
    worst = ((logits - expected).abs() / (1 + expected.abs())).max().item()
    print(f"logits {tuple(logits.shape)}, worst relative difference {worst:.3g}")
    print(f"class_names {list(model.class_names)}, palette {tuple(model.palette.shape)}")
    ok = (logits.shape == expected.shape and worst <= 1e-4 and list(model.class_names) == class_names
          and tuple(model.palette.shape) == (len(class_names), 3))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
