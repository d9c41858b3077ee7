"""Runs an ONNX model written by tools/export_onnx.py in onnxruntime and
checks its logits against advseg's.

    check_onnx.py MODEL.onnx C [IMAGES.f32 LOGITS.f32 H W]...

Each group of four is one input: IMAGES.f32 holds one RGB image in [0, 1]
([1,3,H,W] float32, C-ordered) and LOGITS.f32 the logits advseg predicted for
it ([1,C,H,W]), written by tests/inference/onnx_export_test.cpp. Exits 0 when
every output matches to 1e-4 (relative to the largest logit, at least 1), 1
otherwise, 77 when this Python has no onnxruntime or numpy.
"""
import sys

try:
    import numpy as np
    import onnxruntime
except ImportError:
    sys.exit(77)


def read_floats(path, shape):
    return np.fromfile(path, dtype=np.float32).reshape(shape)


def main():
    model, classes = sys.argv[1], int(sys.argv[2])
    groups = sys.argv[3:]
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    ok = len(groups) > 0 and len(groups) % 4 == 0
    for i in range(0, len(groups), 4):
        images_path, logits_path = groups[i:i + 2]
        h, w = int(groups[i + 2]), int(groups[i + 3])
        images = read_floats(images_path, (1, 3, h, w))
        expected = read_floats(logits_path, (1, classes, h, w))
        (logits,) = session.run(["logits"], {"images": images})
        same_shape = logits.shape == expected.shape
        worst = float(np.abs(logits - expected).max() / max(1.0, float(np.abs(expected).max()))) if same_shape else 1
        print(f"{h}x{w}: logits {logits.shape}, worst relative difference {worst:.3g}")
        ok = ok and same_shape and worst <= 1e-4
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
