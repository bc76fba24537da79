// The model.py an export folder gets (see ../export-folder.ts); Python kept free of backticks and dollar-braces so it fits a raw template string.
export const MODEL_PY = String.raw`"""Deblur Studio's model as torch.nn modules, written by the app's 'export --format pytorch'.

The layers mirror the app's TensorFlow.js model one for one and carry the same names (head, enc0_res0_conv1,
down0, up0, dec0_fuse, tail, ...), so a state_dict key is "<app layer>.weight" or "<app layer>.bias".
The app computes in NHWC; these modules take and return NCHW tensors. What differs between the two and is
handled here:
  - 'same' padding: TensorFlow pads the end more than the start when the padding is odd (a 3x3 stride-2
    convolution pads 0 before, 1 after); torch's symmetric padding would shift the image by one pixel.
  - Conv2DTranspose 'same': the full transposed output is cropped as TensorFlow crops it.
  - Flatten/Dense (seed autoencoder): flattened in NHWC order, as the app's Dense weights expect.
The weights in weights.bin are already in torch's layout (the app permuted them when it exported):
Conv2d [out, in, kh, kw], ConvTranspose2d [in, out, kh, kw], Linear [out, in].
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

EXPORT_FORMAT = "deblur-studio/pytorch-export"
EXPORT_VERSION = 1
EXPORT_FILE = "export.json"


def _same_amounts(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SameConv2d(nn.Conv2d):
    """Conv2d with TensorFlow's 'same' padding (extra padding at the end)."""

    def __init__(self, cin, cout, kernel, stride=1):
        super().__init__(cin, cout, kernel, stride=stride, padding=0)

    def forward(self, x):
        k, s = self.kernel_size[0], self.stride[0]
        top, bottom = _same_amounts(x.shape[-2], k, s)
        left, right = _same_amounts(x.shape[-1], k, s)
        if top or bottom or left or right:
            x = F.pad(x, (left, right, top, bottom))
        return super().forward(x)


class SameConvTranspose2d(nn.ConvTranspose2d):
    """ConvTranspose2d whose output is input size x stride, cropped where TensorFlow's 'same' crops it."""

    def __init__(self, cin, cout, kernel, stride):
        super().__init__(cin, cout, kernel, stride=stride, padding=0)

    def forward(self, x):
        h, w = x.shape[-2:]
        k, s = self.kernel_size[0], self.stride[0]
        before = max(k - s, 0) // 2
        y = super().forward(x)
        return y[:, :, before : before + h * s, before : before + w * s]


class ResUNet(nn.Module):
    """src/engine/models/resunet.ts: head, residual blocks per level, 2x2 stride-2 down/up, concat + 1x1 fuse, tail, global residual."""

    def __init__(self, widths, blocks, bottleneck_blocks, channels=3):
        super().__init__()
        self.widths, self.blocks, self.bottleneck_blocks = list(widths), list(blocks), bottleneck_blocks
        levels = len(widths) - 1
        self.head = SameConv2d(channels, widths[0], 3)
        for i in range(levels):
            for b in range(blocks[i]):
                self._residual(f"enc{i}_res{b}", widths[i])
            setattr(self, f"down{i}", SameConv2d(widths[i], widths[i + 1], 2, 2))
        for b in range(bottleneck_blocks):
            self._residual(f"mid_res{b}", widths[levels])
        for i in reversed(range(levels)):
            setattr(self, f"up{i}", SameConvTranspose2d(widths[i + 1], widths[i], 2, 2))
            setattr(self, f"dec{i}_fuse", SameConv2d(2 * widths[i], widths[i], 1))
            for b in range(blocks[i]):
                self._residual(f"dec{i}_res{b}", widths[i])
        self.tail = SameConv2d(widths[0], channels, 3)

    def _residual(self, name, width):
        setattr(self, f"{name}_conv1", SameConv2d(width, width, 3))
        setattr(self, f"{name}_conv2", SameConv2d(width, width, 3))

    def _block(self, name, x):
        h = torch.relu(getattr(self, f"{name}_conv1")(x))
        return x + getattr(self, f"{name}_conv2")(h)

    def forward(self, image):
        levels = len(self.widths) - 1
        x = self.head(image)
        skips = []
        for i in range(levels):
            for b in range(self.blocks[i]):
                x = self._block(f"enc{i}_res{b}", x)
            skips.append(x)
            x = getattr(self, f"down{i}")(x)
        for b in range(self.bottleneck_blocks):
            x = self._block(f"mid_res{b}", x)
        for i in reversed(range(levels)):
            x = getattr(self, f"up{i}")(x)
            x = getattr(self, f"dec{i}_fuse")(torch.cat([x, skips[i]], dim=1))
            for b in range(self.blocks[i]):
                x = self._block(f"dec{i}_res{b}", x)
        return image + self.tail(x)


class SeedAutoencoder(nn.Module):
    """src/engine/models/seed-autoencoder.ts: three stride-2 convolutions, a 128-unit dense bottleneck, a mirrored decoder, sigmoid output."""

    def __init__(self, width=448, height=256, channels=3):
        super().__init__()
        self.size = (height, width)
        self.enc_conv1 = SameConv2d(channels, 8, 3, 2)
        self.enc_conv2 = SameConv2d(8, 16, 3, 2)
        self.enc_conv3 = SameConv2d(16, 32, 3, 2)
        self.encoded = (-(-height // 8), -(-width // 8), 32)
        flat = self.encoded[0] * self.encoded[1] * self.encoded[2]
        self.bottleneck = nn.Linear(flat, 128)
        self.expand = nn.Linear(128, flat)
        self.dec_deconv1 = SameConvTranspose2d(32, 32, 3, 2)
        self.dec_deconv2 = SameConvTranspose2d(32, 16, 3, 2)
        self.dec_deconv3 = SameConvTranspose2d(16, 8, 3, 2)
        self.output = SameConvTranspose2d(8, channels, 3, 1)

    def forward(self, image):
        if tuple(image.shape[-2:]) != self.size:
            raise ValueError(f"the seed autoencoder takes only {self.size[1]}x{self.size[0]} (width x height) images, got {image.shape[-1]}x{image.shape[-2]}")
        x = torch.relu(self.enc_conv1(image))
        x = torch.relu(self.enc_conv2(x))
        x = torch.relu(self.enc_conv3(x))
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # Keras flattens NHWC
        x = torch.relu(self.bottleneck(x))
        x = torch.relu(self.expand(x))
        h, w, c = self.encoded
        x = x.reshape(-1, h, w, c).permute(0, 3, 1, 2)
        x = torch.relu(self.dec_deconv1(x))
        x = torch.relu(self.dec_deconv2(x))
        x = torch.relu(self.dec_deconv3(x))
        return torch.sigmoid(self.output(x))


def build_model(architecture):
    """The module for export.json's "architecture" entry."""
    kind = architecture.get("model")
    # wiener-resunet is the resunet network; only its input differs (the Wiener deconvolution train.py makes).
    if kind == "resunet" or kind == "wiener-resunet":
        return ResUNet(architecture["widths"], architecture["blocks"], architecture["bottleneckBlocks"], architecture.get("channels", 3))
    if kind == "seed-autoencoder":
        return SeedAutoencoder(architecture["width"], architecture["height"], architecture.get("channels", 3))
    raise ValueError(f"unknown model {kind!r} in {EXPORT_FILE}; this model.py knows resunet, wiener-resunet and seed-autoencoder")


def read_export(folder):
    """export.json of an export folder, refused when it is of another format or version."""
    path = os.path.join(folder, EXPORT_FILE)
    try:
        with open(path, encoding="utf8") as fh:
            meta = json.load(fh)
    except FileNotFoundError:
        raise SystemExit(f"{path} does not exist: point --export at a folder written by 'deblur-studio export --format pytorch'")
    except json.JSONDecodeError as err:
        raise SystemExit(f"{path} is not valid JSON ({err})")
    if meta.get("format") != EXPORT_FORMAT or meta.get("version") != EXPORT_VERSION:
        raise SystemExit(f"{path} is format {meta.get('format')!r} version {meta.get('version')!r}; this model.py reads {EXPORT_FORMAT!r} version {EXPORT_VERSION}")
    return meta


def read_tensors(folder, index, file_name):
    """Float32 tensors stored back to back in file_name, as listed in 'index' (name, shape, offset in elements)."""
    path = os.path.join(folder, file_name)
    data = np.fromfile(path, dtype="<f4")
    tensors = {}
    for entry in index:
        n = int(np.prod(entry["shape"])) if entry["shape"] else 1
        start = entry["offset"]
        if start + n > data.size:
            raise SystemExit(f"{path} is truncated: {entry['name']} needs elements {start}..{start + n}, the file has {data.size}")
        tensors[entry["name"]] = torch.from_numpy(data[start : start + n].copy()).reshape(entry["shape"])
    return tensors


def load_state(model, state, where):
    """Copies a state_dict into the model; a missing, extra or differently shaped tensor is an error naming it."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    extra = sorted(set(state) - set(own))
    if missing or extra:
        raise SystemExit(f"{where} does not fit this model: missing {missing[:5]}, unexpected {extra[:5]}")
    for name, value in state.items():
        if tuple(value.shape) != tuple(own[name].shape):
            raise SystemExit(f"{where}: {name} has shape {list(value.shape)}, the model needs {list(own[name].shape)}")
    model.load_state_dict(state)


def load_exported(folder):
    """(model with the exported weights, export.json) of an export folder."""
    meta = read_export(folder)
    model = build_model(meta["architecture"])
    load_state(model, read_tensors(folder, meta["weights"], meta["weightsFile"]), os.path.join(folder, meta["weightsFile"]))
    return model, meta
`;
