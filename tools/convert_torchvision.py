"""Turns a PyTorch file into a plain state dict that advseg reads.

usage: tools/convert_torchvision.py INPUT OUTPUT

INPUT: anything torch.load reads: a state dict (torchvision's .pth weights),
a whole pickled model (torch.save(model)), or a training checkpoint with the
state dict under "model" (torchvision's references/segmentation) or
"state_dict"; legacy (pre-1.6) files too. OUTPUT: a zip-format torch.save
file of a plain dict name -> tensor, on the CPU, floating point tensors as
float32, which advseg's read_state_dict (src/advseg/models/state_dict.h)
accepts. Prefixes ("module.", "backbone.") are kept: advseg's LoadOptions
selects and strips them.
"""
import sys

import torch


def extract_state_dict(value, source):
    if isinstance(value, torch.nn.Module):
        return value.state_dict()
    if isinstance(value, dict):
        for key in ("model", "state_dict"):
            if key in value and isinstance(value[key], (dict, torch.nn.Module)):
                return extract_state_dict(value[key], source)
        return value
    raise SystemExit(f"{source}: not a state dict, a model or a checkpoint but a {type(value).__name__}")


def plain_tensors(state_dict, source):
    tensors = {}
    for name, value in state_dict.items():
        if not isinstance(value, torch.Tensor):
            raise SystemExit(f"{source}: entry {name!r} is a {type(value).__name__}, not a tensor")
        value = value.detach().cpu()
        if value.is_floating_point():
            value = value.float()
        # clone: a tensor of its own, not a view into a larger shared storage
        tensors[str(name)] = value.contiguous().clone()
    return tensors


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = argv[1], argv[2]
    loaded = torch.load(source, map_location="cpu")
    tensors = plain_tensors(extract_state_dict(loaded, source), source)
    torch.save(tensors, target)
    print(f"{target}: {len(tensors)} tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
