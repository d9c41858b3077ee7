"""Turns a PyTorch file into a plain state dict that advseg reads.

usage: tools/convert_torchvision.py [--trust-pickle] INPUT OUTPUT

INPUT: anything torch.load reads: a state dict (torchvision's .pth weights),
a whole pickled model (torch.save(model)), or a training checkpoint with the
state dict under "model" (torchvision's references/segmentation) or
"state_dict"; legacy (pre-1.6) files too. Files of tensors, numbers and
strings load safely (torch.load's weights_only mode); a pickled model runs
code of its own when loaded, so it needs --trust-pickle: use it only for a
file from a source you trust. OUTPUT: a zip-format torch.save
file of a plain dict name -> tensor, on the CPU, floating point tensors as
float32, which advseg's read_state_dict (src/advseg/models/state_dict.h)
accepts. Prefixes ("module.", "backbone.") are kept: advseg's LoadOptions
selects and strips them.
"""
import os
import pickle
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


def load(source, trust_pickle):
    try:
        return torch.load(source, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if not trust_pickle:
            reason = str(error).split("WeightsUnpickler error:")[-1].strip().splitlines()[0].split(". Please")[0]
            raise SystemExit(f"{source}: holds more than tensors ({reason}); loading it runs code from the "
                             "file: if you trust its source, run again with --trust-pickle") from None
    return torch.load(source, map_location="cpu", weights_only=False)


def main(argv):
    trust_pickle = "--trust-pickle" in argv
    paths = [arg for arg in argv[1:] if arg != "--trust-pickle"]
    if len(paths) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = paths
    if not os.path.isfile(source):
        raise SystemExit(f"{source}: no such file")
    if os.path.exists(target) and os.path.samefile(source, target):
        raise SystemExit(f"{target}: the output would replace the input; name another file")
    if os.path.isdir(target):
        raise SystemExit(f"{target}: is a folder; name the file to write")
    loaded = load(source, trust_pickle)
    tensors = plain_tensors(extract_state_dict(loaded, source), source)
    torch.save(tensors, target)
    print(f"{target}: {len(tensors)} tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
