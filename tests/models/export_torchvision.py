"""Reference weights and outputs from torchvision, for backbone_parity_test
and segmentor_parity_test.

usage: export_torchvision.py OUTPUT_DIR [NAME...]   (default: every NAME)

For each NAME, builds the torchvision 0.14 network with weights=None under a
fixed seed, randomises its batch norm statistics and conv biases (so that a
buffer or bias not loaded shows), and writes, in eval mode:
  OUTPUT_DIR/NAME.pth           the backbone's state dict, as advseg loads it
  OUTPUT_DIR/NAME_features.pth  {"input": 1x3x64x64, feature name: tensor}
resnet18 also writes resnet18_classifier.pth, the full classification state
dict (with fc.*). The segmentation models (fcn_resnet50, ...) write their full
state dict and their outputs ("out", and "aux" with aux_loss), which
torchvision upsamples to the input size, and "conv_macs": the multiply-adds
of every Conv2d in that forward pass, counted by forward hooks (for the
FLOP counter's test). Exits with 77 when torchvision is not installed.
"""
import os
import sys

try:
    import torch
    import torchvision
    from torchvision.models._utils import IntermediateLayerGetter
except ImportError as error:
    print(f"torchvision is not installed: {error}", file=sys.stderr)
    sys.exit(77)


def randomise(model):
    """Non-default batch norm statistics and biases: loading them matters."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.25, 0.75)
                module.bias.uniform_(-0.5, 0.5)
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.num_batches_tracked.fill_(7)
            elif isinstance(module, torch.nn.Conv2d) and module.bias is not None:
                module.bias.uniform_(-0.1, 0.1)
    return model.eval()


def resnet(name, **kwargs):
    """Like torchvision's FCN/DeepLabV3: the backbone is an IntermediateLayerGetter."""
    model = randomise(getattr(torchvision.models, name)(weights=None, **kwargs))
    layers = {"layer1": "low", "layer3": "aux", "layer4": "out"}
    return model, IntermediateLayerGetter(model, return_layers=layers)


def export_resnet(out, name, arch, **kwargs):
    model, backbone = resnet(arch, **kwargs)
    if name == "resnet18":
        torch.save(model.state_dict(), os.path.join(out, "resnet18_classifier.pth"))
    return backbone.state_dict(), backbone


def export_vgg(out, name):
    model = randomise(getattr(torchvision.models, name)(weights=None))
    # The classifier (124M parameters) is not part of the backbone.
    weights = {key: value for key, value in model.state_dict().items() if key.startswith("features.")}
    pools = [i for i, layer in enumerate(model.features) if isinstance(layer, torch.nn.MaxPool2d)]
    layers = {str(pools[2]): "pool3", str(pools[3]): "pool4", str(pools[4]): "out"}
    return weights, IntermediateLayerGetter(model.features, return_layers=layers)


def export_mobilenet(out, name):
    """Like torchvision's _lraspp_mobilenetv3: low = C2 (stride 8), out = the last layer.

    The state dict is the IntermediateLayerGetter's, without "features.", as
    in torchvision's LR-ASPP weights: the test loads it with module_prefix.
    """
    features = randomise(torchvision.models.mobilenet_v3_large(weights=None, dilated=True)).features
    stages = [0] + [i for i, block in enumerate(features) if getattr(block, "_is_cn", False)] + [len(features) - 1]
    layers = {str(stages[-4]): "low", str(stages[-1]): "out"}
    return None, IntermediateLayerGetter(features, return_layers=layers)


def export_segmentation(name, **kwargs):
    """A whole torchvision segmentation model; its forward returns {"out", ["aux"]}."""
    model = getattr(torchvision.models.segmentation, name)(weights=None, weights_backbone=None, **kwargs)
    return None, randomise(model)


EXPORTS = {
    "resnet18": lambda out: export_resnet(out, "resnet18", "resnet18"),
    "resnet50": lambda out: export_resnet(out, "resnet50", "resnet50"),
    "resnet50_dilated": lambda out: export_resnet(
        out, "resnet50_dilated", "resnet50", replace_stride_with_dilation=[False, True, True]
    ),
    "vgg16": lambda out: export_vgg(out, "vgg16"),
    "vgg16_bn": lambda out: export_vgg(out, "vgg16_bn"),
    "mobilenet_v3_large_dilated": lambda out: export_mobilenet(out, "mobilenet_v3_large"),
    "fcn_resnet50": lambda out: export_segmentation("fcn_resnet50", aux_loss=False),
    "fcn_resnet50_aux": lambda out: export_segmentation("fcn_resnet50", aux_loss=True),
    "deeplabv3_resnet50": lambda out: export_segmentation("deeplabv3_resnet50", aux_loss=False),
    "deeplabv3_mobilenet_v3_large": lambda out: export_segmentation("deeplabv3_mobilenet_v3_large", aux_loss=False),
    "lraspp_mobilenet_v3_large": lambda out: export_segmentation("lraspp_mobilenet_v3_large"),
}


def conv_macs(model, images):
    """Multiply-adds of every Conv2d the forward pass runs, from forward hooks."""
    total = [0]

    def count(module, inputs, output):
        kernel = module.kernel_size[0] * module.kernel_size[1]
        total[0] += output.numel() * (module.in_channels // module.groups) * kernel

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        model(images)
    for hook in hooks:
        hook.remove()
    return total[0]


def export(out, name):
    torch.manual_seed(0)
    weights, backbone = EXPORTS[name](out)
    backbone.eval()
    torch.save(weights if weights is not None else backbone.state_dict(), os.path.join(out, name + ".pth"))
    torch.manual_seed(1)
    images = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        features = dict(backbone(images))
    if "low" in features and "aux" not in features:
        features["aux"] = features["low"]  # the same map for MobileNetV3
    if "out" in features and features["out"].shape[1] == 21:  # a segmentation model
        features["conv_macs"] = torch.tensor(conv_macs(backbone, images), dtype=torch.float64)
    torch.save({"input": images, **features}, os.path.join(out, name + "_features.pth"))


def main(argv):
    if len(argv) < 2 or any(name not in EXPORTS for name in argv[2:]):
        print(__doc__ + "\nNAMEs: " + ", ".join(EXPORTS), file=sys.stderr)
        return 2
    os.makedirs(argv[1], exist_ok=True)
    for name in argv[2:] or EXPORTS:
        export(argv[1], name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
