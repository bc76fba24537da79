// The train.py an export folder gets (see ../export-folder.ts); Python kept free of backticks and dollar-braces so it fits a raw template string.
export const TRAIN_PY = String.raw`"""Data-parallel training of a Deblur Studio model with PyTorch, written by the app's 'export --format pytorch'.

Launch with torchrun (see README.md): one process per GPU (NCCL), or per CPU worker (gloo). It continues the
exported state (weights, Adam moments and step, learning-rate schedule) and trains as the app does:
  - data: the prepared set's manifest.json, its train split, every (image, blur level) pair once per epoch in
    the app's order, crops and flips (the app's seeded generator, ported), scaled to [0, 1];
  - the global batch is the app's batch; each process takes its share of every batch (rank::world);
  - loss (mse, l1, charbonnier, psnr) with the run's level weights, reduced per image as the app does;
  - Adam as the app applies it (Keras's form: eps added to sqrt(v), bias corrections folded into the rate);
  - the run's schedule (constant, cosine, plateau) continued from its saved state;
  - validation on the val split (whole frames, every level, at most 12 images, 8-bit outputs, PSNR per image);
  - a kernel-aware model (wiener-resunet) is fed Wiener deconvolutions instead of the blurred images, made here
    as the app makes them (its Wiener filter ported to numpy, each level's true kernel from the manifest's
    sigmas, each whole frame once): training crops are cut from the whole-frame result, and validation reports
    per level the network's PSNR, the filter's and which one is kept (the gate the app stores on import).
Rank 0 writes OUT/last.pt (and OUT/best.pt on a better validation PSNR) atomically, and OUT/history.jsonl with
the events the app charts. Relaunching the same command continues from OUT/last.pt to the same final step.
"""
import argparse
import json
import math
import os
import sys
import time
import zlib

import numpy as np
import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import build_model, load_exported, load_state, read_tensors  # noqa: E402

CHECKPOINT_FORMAT = "deblur-studio/pytorch-checkpoint"
CHECKPOINT_VERSION = 1
MAX_VALIDATION_IMAGES = 12
PSNR_LOSS_FLOOR_MSE = 1e-6
CHARBONNIER_EPSILON = 1e-3
LOSS_EMA = 0.05
M32 = 0xFFFFFFFF


# --- the app's seeded generator (src/engine/data/random.ts), so order, crops and flips are the app's ---
def _imul(a, b):
    return (a * b) & M32


def _hash_seed(seed):
    h = int(seed) & M32
    h ^= h >> 16
    h = _imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = _imul(h, 0xC2B2AE35)
    h ^= h >> 16
    return h


def derive_seed(seed, *labels):
    h = _hash_seed(seed)
    for label in labels:
        for ch in str(label):
            h = _hash_seed((h ^ ord(ch)) & M32)
        h = _hash_seed((h ^ 0x9E3779B9) & M32)
    return h


class Rng:
    """mulberry32, as createRng(seed) of the app."""

    def __init__(self, seed):
        self.s = _hash_seed(seed)

    def _next_u32(self):
        self.s = (self.s + 0x6D2B79F5) & M32
        t = self.s
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & M32
        return (t ^ (t >> 14)) & M32

    def next(self):
        return self._next_u32() / 4294967296

    def int(self, n):
        return math.floor(self._next_u32() / 4294967296 * n)


def shuffle(items, rng):
    for i in range(len(items) - 1, 0, -1):
        j = rng.int(i + 1)
        items[i], items[j] = items[j], items[i]
    return items


# --- PNG decoding with numpy only (the prepared set is 8-bit RGB PNG) ---
def read_png(path):
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path} is not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise SystemExit(f"{path}: no PNG header")
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    depth, color, interlace = header[8], header[9], header[12]
    channels = {2: 3, 6: 4, 0: 1, 4: 2}.get(color)
    if depth != 8 or channels is None or interlace != 0:
        raise SystemExit(f"{path}: only 8-bit, non-interlaced grey/RGB(A) PNGs are read (depth {depth}, colour type {color}, interlace {interlace})")
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = width * channels
    rows = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        f, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if f == 0:
            cur = line
        elif f == 2:
            cur = (line + prev) & 255
        elif f == 1:
            cur = line.copy()
            for c in range(channels, stride):
                cur[c] = (cur[c] + cur[c - channels]) & 255
        elif f == 3:
            cur = line.copy()
            for c in range(stride):
                left = cur[c - channels] if c >= channels else 0
                cur[c] = (cur[c] + ((left + prev[c]) >> 1)) & 255
        elif f == 4:
            cur = line.copy()
            for c in range(stride):
                a = cur[c - channels] if c >= channels else 0
                b = prev[c]
                cc = prev[c - channels] if c >= channels else 0
                p = a + b - cc
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - cc)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else cc)
                cur[c] = (cur[c] + pred) & 255
        else:
            raise SystemExit(f"{path}: bad PNG filter {f} in row {y}")
        out[y] = cur
        prev = cur
    img = out.reshape(height, width, channels)
    if channels == 1 or channels == 2:
        img = np.repeat(img[:, :, :1], 3, axis=2)
    return np.ascontiguousarray(img[:, :, :3])


# --- the app's Wiener deconvolution (src/engine/evaluate/wiener.ts), the input of a kernel-aware model ---
# Same rules as the app: OpenCV's double Gaussian kernel, G = H / (H^2 + K) with G(0,0) = 1, overlap-save
# blocks (power of two, the app's block and margin; a small image the smallest block that holds it with its
# margins), reflect-101 beyond the image, the core of each block kept, rounded half up and clipped to 8 bits.
def gaussian_kernel(ksize, sigma):
    """cv2.getGaussianKernel(ksize, sigma) in double (src/engine/image/gaussian.ts gaussianKernel)."""
    half = (ksize - 1) // 2
    scale2x = -0.125 / (sigma * sigma)
    left, total, x = [], 0.0, 1 - ksize
    for _ in range(half):
        t = math.exp(x * x * scale2x)
        left.append(t)
        total += t
        x += 2
    mul = 1 / (total * 2 + 1)
    kernel = np.zeros(ksize, dtype=np.float64)
    for i in range(half):
        kernel[i] = kernel[ksize - 1 - i] = left[i] * mul
    kernel[half] = mul
    return kernel


def kernel_response(kernel, n):
    """H(u) of a centred symmetric kernel on an n-point grid: a cosine sum (real)."""
    r = (len(kernel) - 1) // 2
    u = np.arange(n, dtype=np.float64)
    h = np.full(n, kernel[r], dtype=np.float64)
    for t in range(1, r + 1):
        h = h + 2 * kernel[r + t] * np.cos(2 * math.pi * u * t / n)
    return h


def wiener_filter(kernel, k, nx, ny):
    """G = H / (H^2 + K) on an ny x nx grid (rows v, columns u), G(0,0) = 1."""
    if not (k > 0) or not math.isfinite(k):
        raise SystemExit(f"Wiener K must be a positive number, got {k}")
    h = np.outer(kernel_response(kernel, ny), kernel_response(kernel, nx))
    g = h / (h * h + k)
    g[0, 0] = 1
    return g


def _next_pow2(n):
    p = 1
    while p < n:
        p *= 2
    return p


def _reflect(p, n):
    """Reflect-101 indices (gfedcb|abcdefgh|gfedcba), repeated for any offset."""
    if n == 1:
        return np.zeros_like(p)
    period = 2 * (n - 1)
    q = np.mod(p, period)
    return np.where(q < n, q, period - q)


def wiener_deblur(img, ksize, sigma, k, block=256, margin=32):
    """The app's wienerDeblurGaussian(img, ksize, sigma, K) of an 8-bit H x W x C image."""
    height, width = img.shape[:2]
    nx = min(_next_pow2(block), _next_pow2(width + 2 * margin))
    ny = min(_next_pow2(block), _next_pow2(height + 2 * margin))
    core_x, core_y = nx - 2 * margin, ny - 2 * margin
    if core_x <= 0 or core_y <= 0:
        raise SystemExit(f"Wiener: block {block} leaves no core after a {margin}-pixel margin")
    g = wiener_filter(gaussian_kernel(ksize, sigma), k, nx, ny)[:, :, None]
    src = img.astype(np.float64)
    out = np.empty(img.shape, dtype=np.uint8)
    for by in range(0, height, core_y):
        rows = _reflect(np.arange(by - margin, by - margin + ny), height)
        ch = min(core_y, height - by)
        for bx in range(0, width, core_x):
            cols = _reflect(np.arange(bx - margin, bx - margin + nx), width)
            cw = min(core_x, width - bx)
            res = np.fft.ifft2(np.fft.fft2(src[rows[:, None], cols[None, :]], axes=(0, 1)) * g, axes=(0, 1)).real
            out[by : by + ch, bx : bx + cw] = np.clip(np.floor(res[margin : margin + ch, margin : margin + cw] + 0.5), 0, 255)
    return out


def wiener_k_for_sigma(sigma, points):
    """K for any sigma (src/engine/restore/wiener-kernel.ts wienerKForSigma): a course level's K, log-linear between levels, the nearest beyond."""
    i = next((j for j, p in enumerate(points) if p["sigma"] >= sigma), -1)
    if i == 0:
        return points[0]["k"]
    if i < 0:
        return points[-1]["k"]
    a, b = points[i - 1], points[i]
    if b["sigma"] == sigma:
        return b["k"]
    t = (sigma - a["sigma"]) / (b["sigma"] - a["sigma"])
    return 10 ** (math.log10(a["k"]) + t * (math.log10(b["k"]) - math.log10(a["k"])))


def wiener_kernel_of_level(ksize, sigma, wiener):
    """The Wiener kernel of a prepared level (wienerKernelOfLevel): the tuned K at a course level's own sigma, else interpolated."""
    tuned = next((p for p in wiener["levels"] if p["ksize"] == ksize), None)
    k = tuned["k"] if tuned is not None and tuned["sigma"] == sigma else wiener_k_for_sigma(sigma, wiener["levels"])
    return {"ksize": ksize, "sigma": sigma, "k": k, "block": wiener["block"], "margin": wiener["margin"]}


def wiener_input(img, kernel):
    """What a kernel-aware model is fed: the 8-bit Wiener deconvolution of img with this kernel (src/engine/restore/wiener-input.ts)."""
    return wiener_deblur(img, kernel["ksize"], kernel["sigma"], kernel["k"], kernel["block"], kernel["margin"])


def level_kernels(manifest, architecture):
    """Blur level -> Wiener kernel of its true blur for a kernel-aware model (manifest settings.sigmas); None for a blind one."""
    wiener = architecture.get("wiener")
    if wiener is None:
        return None
    sigmas = manifest["settings"].get("sigmas") or {}
    kernels = {}
    for level in manifest["settings"]["levels"]:
        sigma = sigmas.get(str(level))
        if sigma is None:
            raise SystemExit(f"the data set's manifest gives no sigma for blur level {level}, which a kernel-aware model needs (prepare it again with this app)")
        kernels[level] = wiener_kernel_of_level(level, sigma, wiener)
    return kernels


# --- the prepared set ---
def read_manifest(folder):
    path = os.path.join(folder, "manifest.json")
    try:
        with open(path, encoding="utf8") as fh:
            manifest = json.load(fh)
    except FileNotFoundError:
        raise SystemExit(f"{folder} holds no prepared data set (no manifest.json); run 'deblur-studio prepare' first")
    if manifest.get("format") != "deblur-studio/prepared-dataset" or manifest.get("version") != 1:
        raise SystemExit(f"{path} is not a data set manifest of Deblur Studio (format {manifest.get('format')!r})")
    if not manifest.get("complete"):
        raise SystemExit(f"the data set in {folder} is not finished; run 'deblur-studio prepare' again to complete it")
    return manifest


class PairPlan:
    """The app's loader plan (src/engine/data/loader.ts): pairs of the split, shuffled per epoch, crop and flips per pair.

    With kernels (a kernel-aware model), a pair's input is the whole-frame Wiener deconvolution of its blurred
    frame with its level's true kernel, made once per frame and kept, then cropped and flipped like the sharp one.
    """

    def __init__(self, folder, manifest, split, batch, patch, seed, kernels=None):
        self.folder, self.batch, self.seed, self.split, self.kernels = folder, batch, seed, split, kernels
        s = manifest["settings"]
        self.frame = (s["width"], s["height"])
        self.patch = (s["width"], s["height"]) if patch is None else (patch, patch)
        self.pairs = []
        for item in manifest["items"]:
            if item["split"] != split:
                continue
            for k in s["levels"]:
                self.pairs.append((item["id"], k, item["outputs"]["sharp"]["file"], item["outputs"][f"blur_k{k}"]["file"]))
        if not self.pairs:
            raise SystemExit(f'the "{split}" split of {folder} has no images')
        self.batches_per_epoch = -(-len(self.pairs) // batch)
        self.cache = {}

    def plan(self, epoch):
        rng = Rng(derive_seed(self.seed, "pairs", self.split, epoch))
        order = shuffle(list(self.pairs), rng)
        planned = []
        for pair in order:
            x = rng.int(self.frame[0] - self.patch[0] + 1)
            y = rng.int(self.frame[1] - self.patch[1] + 1)
            flip_h = rng.next() < 0.5
            flip_v = rng.next() < 0.5
            planned.append((pair, x, y, flip_h, flip_v))
        return [planned[b * self.batch : (b + 1) * self.batch] for b in range(self.batches_per_epoch)]

    def image(self, rel):
        if rel not in self.cache:
            self.cache[rel] = read_png(os.path.join(self.folder, *rel.split("/")))
        return self.cache[rel]

    def model_input(self, rel, level):
        """The model's input frame of a pair: the blurred frame, or (kernel-aware) its Wiener deconvolution, kept."""
        if self.kernels is None:
            return self.image(rel)
        key = (rel, level)
        if key not in self.cache:
            self.cache[key] = wiener_input(read_png(os.path.join(self.folder, *rel.split("/"))), self.kernels[level])
        return self.cache[key]

    def tensors(self, plans):
        """(model input, sharp, levels) of these planned pairs, NCHW float in [0, 1]."""
        pw, ph = self.patch
        xs, ys = [], []
        for (pair_id, level, sharp_file, blur_file), x, y, flip_h, flip_v in plans:
            for frame, out in ((self.model_input(blur_file, level), xs), (self.image(sharp_file), ys)):
                crop = frame[y : y + ph, x : x + pw]
                out.append(crop[:: -1 if flip_v else 1, :: -1 if flip_h else 1])
        to = lambda imgs: torch.from_numpy(np.stack(imgs).astype(np.float32) / 255).permute(0, 3, 1, 2).contiguous()
        return to(xs), to(ys), [p[0][1] for p in plans]


# --- loss, optimizer, schedule: the app's (src/engine/train/losses.ts, adam.ts, schedules.ts) ---
def per_image_loss(name, out, target):
    d = out - target
    if name == "mse" or name == "psnr":
        per = (d * d).mean(dim=(1, 2, 3))
        return 10 / math.log(10) * torch.log(per + PSNR_LOSS_FLOOR_MSE) if name == "psnr" else per
    if name == "l1":
        return d.abs().mean(dim=(1, 2, 3))
    if name == "charbonnier":
        return torch.sqrt(d * d + CHARBONNIER_EPSILON**2).mean(dim=(1, 2, 3))
    raise SystemExit(f"unknown loss {name!r}; available: mse, l1, charbonnier, psnr")


class KerasAdam(torch.optim.Optimizer):
    """w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps), t counted per parameter as the app counts it."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-7):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["step"] = 0
                    st["exp_avg"] = torch.zeros_like(p)
                    st["exp_avg_sq"] = torch.zeros_like(p)
                st["step"] += 1
                t = st["step"]
                st["exp_avg"].mul_(b1).add_(p.grad, alpha=1 - b1)
                st["exp_avg_sq"].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                alpha = group["lr"] * math.sqrt(1 - b2**t) / (1 - b1**t)
                p.addcdiv_(st["exp_avg"], st["exp_avg_sq"].sqrt().add_(group["eps"]), value=-alpha)


class Schedule:
    def __init__(self, state):
        self.s = dict(state)

    def lr_at(self, step):
        s = self.s
        if s["kind"] == "constant" or s["kind"] == "plateau":
            return s["lr"]
        if s["kind"] == "cosine":
            if step < s["warmupSteps"]:
                return s["baseLr"] * (step + 1) / s["warmupSteps"]
            span = max(1, s["totalSteps"] - s["warmupSteps"])
            progress = min(1, (step - s["warmupSteps"]) / span)
            return s["minLr"] + (s["baseLr"] - s["minLr"]) * 0.5 * (1 + math.cos(math.pi * progress))
        raise SystemExit(f"unknown schedule {s['kind']!r}")

    def on_validation(self, loss):
        s = self.s
        if s["kind"] != "plateau":
            return False
        if s["best"] is None or loss < s["best"] - s["minDelta"]:
            s["best"], s["wait"] = loss, 0
            return False
        s["wait"] += 1
        if s["wait"] < s["patience"] or s["lr"] <= s["minLr"]:
            return False
        s["lr"], s["wait"] = max(s["lr"] * s["factor"], s["minLr"]), 0
        return True


def fresh_schedule(name, lr, total_steps, offset):
    if name == "constant":
        return {"kind": "constant", "lr": lr}
    if name == "cosine":
        warmup = min(1000, math.floor(total_steps * 0.05 + 0.5))
        return {"kind": "cosine", "baseLr": lr, "minLr": lr * 0.01, "warmupSteps": warmup + offset, "totalSteps": total_steps + offset}
    if name == "plateau":
        return {"kind": "plateau", "lr": lr, "factor": math.sqrt(0.1), "patience": 5, "minLr": min(0.5e-6, lr), "minDelta": 1e-4, "best": None, "wait": 0}
    raise SystemExit(f"unknown schedule {name!r}; available: plateau, cosine, constant")


# --- validation and metrics (src/engine/train/validation.ts) ---
def psnr_u8(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)


def mean_db(values):
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else None


def to_u8(t):
    return np.clip(np.rint(t.permute(1, 2, 0).numpy() * 255), 0, 255).astype(np.uint8)


def fit_to_model(img, multiple):
    h, w = img.shape[0] // multiple * multiple, img.shape[1] // multiple * multiple
    return img[:h, :w]


_FRAMES = {}
_WIENER = {}


def read_frame(path, multiple):
    """A validation frame, cropped (top-left) to the model's multiple; decoded once per process."""
    if path not in _FRAMES:
        _FRAMES[path] = fit_to_model(read_png(path), multiple)
    return _FRAMES[path]


def wiener_frame(path, multiple, kernel):
    """A validation frame's Wiener deconvolution, of the cropped frame as the app's validation makes it; once per process."""
    key = (path, kernel["ksize"], kernel["sigma"], kernel["k"])
    if key not in _WIENER:
        _WIENER[key] = wiener_input(read_frame(path, multiple), kernel)
    return _WIENER[key]


def evaluate(model, folder, manifest, split, loss_name, multiple, max_images=None, kernels=None):
    """Loss and PSNR per level of the model and of the blurred input, on whole frames of a split (outputs rounded to 8 bits).

    With kernels (a kernel-aware model; src/engine/train/validation.ts) the model is fed each level's Wiener
    deconvolution; per level networkPsnr (the model's output), wienerPsnr (the filter's), refined (the network's
    mean squared error is below the filter's) and psnr of the one refined picks; the overall psnr is over those routed outputs.
    """
    items = sorted((i for i in manifest["items"] if i["split"] == split), key=lambda i: i["id"])
    if max_images is not None and len(items) > max_images:
        items = [items[(k * len(items)) // max_images] for k in range(max_images)]
    levels = manifest["settings"]["levels"]
    per = {k: ([], [], []) for k in levels}  # network, identity, Wiener PSNRs
    losses = []
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        for item in items:
            sharp = read_frame(os.path.join(folder, *item["outputs"]["sharp"]["file"].split("/")), multiple)
            for k in levels:
                blur_path = os.path.join(folder, *item["outputs"][f"blur_k{k}"]["file"].split("/"))
                blurred = read_frame(blur_path, multiple)
                fed = blurred if kernels is None else wiener_frame(blur_path, multiple, kernels[k])
                x = torch.from_numpy(fed.astype(np.float32) / 255).permute(2, 0, 1)[None].to(device)
                y = torch.from_numpy(sharp.astype(np.float32) / 255).permute(2, 0, 1)[None].to(device)
                out = model(x)
                losses.append(float(per_image_loss(loss_name, out, y).mean()))
                per[k][0].append(psnr_u8(to_u8(out[0].cpu()), sharp))
                per[k][1].append(psnr_u8(blurred, sharp))
                if kernels is not None:
                    per[k][2].append(psnr_u8(fed, sharp))
    model.train()
    # the app's rule (validation.ts): by mean squared error, an exact output (inf dB) counting 0; a tie keeps the filter
    mean_mse = lambda ps: sum(0.0 if p == math.inf else 65025.0 / 10 ** (p / 10) for p in ps) / len(ps)
    refined = {k: not per[k][2] or mean_mse(per[k][0]) < mean_mse(per[k][2]) for k in levels}
    routed = {k: per[k][0] if refined[k] else per[k][2] for k in levels}
    by_level = []
    for k in levels:
        entry = {"kernel": k, "psnr": mean_db(routed[k]), "ssim": None, "identityPsnr": mean_db(per[k][1]), "identitySsim": None}
        if kernels is not None:
            entry.update({"networkPsnr": mean_db(per[k][0]), "wienerPsnr": mean_db(per[k][2]), "refined": refined[k]})
        by_level.append(entry)
    return {
        "loss": sum(losses) / len(losses) if losses else float("nan"),
        "psnr": mean_db([v for k in levels for v in routed[k]]),
        "ssim": None,
        "identityPsnr": mean_db([v for k in levels for v in per[k][1]]),
        "byLevel": by_level,
        "images": len(items),
    }


# --- checkpoints ---
def save_atomic(obj, path):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        torch.save(obj, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def append_history(out, lines):
    if not lines:
        return
    with open(os.path.join(out, "history.jsonl"), "a", encoding="utf8") as fh:
        fh.write("".join(json.dumps(e) + "\n" for e in lines))
        fh.flush()
        os.fsync(fh.fileno())


def read_history(out):
    path = os.path.join(out, "history.jsonl")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf8") as fh:
        return fh.read()


def rewrite_history(out, keep_to_step):
    """Drops what was logged after the checkpoint a relaunch continues from (those steps are trained again)."""
    kept = []
    for line in read_history(out).splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("payload", {}).get("step", math.inf) <= keep_to_step:
            kept.append(line + "\n")
    path = os.path.join(out, "history.jsonl")
    with open(path + ".tmp", "w", encoding="utf8") as fh:
        fh.write("".join(kept))
    os.replace(path + ".tmp", path)


def checkpoint_of(model, opt, names, st, sched, meta):
    moments = {}
    for name, p in zip(names, model.parameters()):
        s = opt.state.get(p, {})
        moments[name] = {"m": s.get("exp_avg", torch.zeros_like(p)).detach().clone(), "v": s.get("exp_avg_sq", torch.zeros_like(p)).detach().clone()}
    return {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "architecture": meta["architecture"],
        "trainConfig": meta["trainConfig"],
        "runConfig": meta.get("runConfig"),
        # kernel size -> sigma of the data set's levels (the import stores a kernel-aware model's gate with them)
        "sigmas": meta.get("sigmas") or {},
        "model": {k: v.detach().clone() for k, v in model.state_dict().items()},
        "adam": {"iterations": st["iterations"], "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7, "lr": st["lr"], "moments": moments},
        "state": {
            "step": st["step"],
            "samplesSeen": st["samplesSeen"],
            "data": dict(st["data"]),
            "smoothedLoss": st["smoothedLoss"],
            "lr": st["lr"],
            "schedule": dict(sched.s),
            "bestPsnr": st["bestPsnr"],
            "bestStep": st["bestStep"],
            "lastValidation": st["lastValidation"],
            "trainSeconds": st["trainSeconds"],
            "targetStep": st["targetStep"],
        },
        "history": read_history(meta["out"]),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="prepared data set folder (with manifest.json)")
    ap.add_argument("--steps", type=int, required=True, help="optimizer steps to train past the exported state (a relaunch continues to the same step)")
    ap.add_argument("--out", required=True, help="checkpoint folder: last.pt, best.pt, history.jsonl")
    ap.add_argument("--export", default=os.path.dirname(os.path.abspath(__file__)), help="the export folder (default: this script's)")
    ap.add_argument("--batch", type=int, help="global batch (default: the run's)")
    ap.add_argument("--patch", help='crop side or "full" (default: the run\'s)')
    ap.add_argument("--loss", help="mse, l1, charbonnier or psnr (default: the run's)")
    ap.add_argument("--lr", type=float, help="start a new schedule at this rate (with --schedule; default: continue the run's)")
    ap.add_argument("--schedule", help="plateau, cosine or constant: a new schedule over --steps (default: continue the run's)")
    ap.add_argument("--validate-every", type=int, help="steps between validations and checkpoints (default: the run's)")
    ap.add_argument("--threads", type=int, help="torch CPU threads per process")
    args = ap.parse_args()

    distributed = "WORLD_SIZE" in os.environ
    if distributed:
        dist.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    device = torch.device("cpu")
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    if args.threads:
        torch.set_num_threads(args.threads)

    model, meta = load_exported(args.export)
    run = meta["trainConfig"]
    names = [n for n, _ in model.named_parameters()]
    batch = args.batch or run["batch"]
    patch = run["patch"] if args.patch is None else (None if args.patch == "full" else int(args.patch))
    loss_name = args.loss or run["loss"]
    level_weights = run.get("levelWeights") or {}
    validate_every = args.validate_every or run["validateEvery"]
    multiple = meta["inputMultiple"]
    manifest = read_manifest(args.data)
    kernels = level_kernels(manifest, meta["architecture"])
    loader = PairPlan(args.data, manifest, "train", batch, patch, run["seed"], kernels)
    os.makedirs(args.out, exist_ok=True)
    meta["out"] = args.out
    meta["sigmas"] = {str(k): v for k, v in (manifest["settings"].get("sigmas") or {}).items()}

    exported = meta["state"]
    opt = KerasAdam(model.parameters(), lr=exported["lr"], betas=(meta["adam"]["beta1"], meta["adam"]["beta2"]), eps=meta["adam"]["epsilon"])
    last_path = os.path.join(args.out, "last.pt")
    if os.path.exists(last_path):
        ck = torch.load(last_path, map_location="cpu")
        if ck.get("format") != CHECKPOINT_FORMAT or ck.get("version") != CHECKPOINT_VERSION:
            raise SystemExit(f"{last_path} is not a checkpoint of this train.py (format {ck.get('format')!r} version {ck.get('version')!r})")
        load_state(model, ck["model"], last_path)
        st = dict(ck["state"])
        st["iterations"] = ck["adam"]["iterations"]
        moments = {n: (ck["adam"]["moments"][n]["m"], ck["adam"]["moments"][n]["v"]) for n in names}
        sched = Schedule(st["schedule"])
        if rank == 0:
            rewrite_history(args.out, st["step"])
            print(f"resuming from {last_path} at step {st['step']} of {st['targetStep']}", flush=True)
    else:
        st = {k: exported[k] for k in ("step", "samplesSeen", "data", "smoothedLoss", "lr", "bestPsnr", "bestStep", "lastValidation", "trainSeconds")}
        st["data"] = dict(st["data"])
        st["iterations"] = meta["adam"]["iterations"]
        st["targetStep"] = exported["step"] + args.steps
        saved = read_tensors(args.export, meta["adam"]["moments"], meta["adam"]["file"]) if meta["adam"]["moments"] else {}
        moments = {n: (saved[f"{n}/m"], saved[f"{n}/v"]) for n in names if f"{n}/m" in saved}
        sched = Schedule(exported["schedule"] if args.schedule is None else fresh_schedule(args.schedule, args.lr or exported["lr"], args.steps, exported["step"]))
        if rank == 0:
            with open(os.path.join(args.out, "history.jsonl"), "w", encoding="utf8") as fh:
                history = os.path.join(args.export, "history.jsonl")
                fh.write(open(history, encoding="utf8").read() if os.path.exists(history) else "")
    for name, p in zip(names, model.parameters()):
        if name in moments and st["iterations"] > 0:
            opt.state[p] = {"step": st["iterations"], "exp_avg": moments[name][0].clone().reshape(p.shape), "exp_avg_sq": moments[name][1].clone().reshape(p.shape)}
    model.to(device)
    for s in opt.state.values():
        for key in ("exp_avg", "exp_avg_sq"):
            s[key] = s[key].to(device)
    net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None) if distributed else model

    job = f"torchrun-{os.environ.get('TORCHELASTIC_RUN_ID', 'local')}"
    pending, samples_per_second, t_run = [], 0.0, time.perf_counter()
    epoch, index = st["data"]["epoch"], st["data"]["batch"]
    if index >= loader.batches_per_epoch:
        epoch, index = epoch + 1, 0
    planned = loader.plan(epoch)
    if rank == 0:
        print(f"training {meta['architecture']['model']} on {world} process(es) ({device.type}): steps {st['step']} -> {st['targetStep']}, "
              f"global batch {batch}, {len(loader.pairs)} training pairs" + ("; inputs: Wiener deconvolutions of each level's true kernel" if kernels else ""), flush=True)
    while st["step"] < st["targetStep"]:
        t0 = time.perf_counter()
        plans = planned[index]
        mine = plans[rank::world]
        lr = sched.lr_at(st["step"])
        for group in opt.param_groups:
            group["lr"] = lr
        weights_all = [float(level_weights.get(str(p[0][1]), 1)) for p in plans]
        total_w = sum(weights_all)
        if mine:
            x, y, levels = loader.tensors(mine)
            w = torch.tensor([float(level_weights.get(str(k), 1)) for k in levels], device=device)
            per = per_image_loss(loss_name, net(x.to(device)), y.to(device))
            # DDP averages gradients over processes: scale so the average is the app's weighted mean over the whole batch.
            local = (per * w).sum() / total_w
            objective = local * world
        else:  # fewer pairs than processes in the last batch of an epoch: contribute a zero gradient
            local = sum(p.sum() for p in net.parameters()) * 0.0
            objective = local
        opt.zero_grad(set_to_none=False)
        objective.backward()
        loss_t = local.detach().clone()
        if distributed:
            dist.all_reduce(loss_t)
        loss = float(loss_t)
        if not math.isfinite(loss):
            raise SystemExit(f"training stopped: the loss became {loss} at step {st['step'] + 1} (learning rate {lr:.2e}); {last_path} keeps the last good state. Lower --lr.")
        opt.step()
        st["iterations"] += 1
        st["step"] += 1
        index += 1
        if index >= loader.batches_per_epoch:
            epoch, index = epoch + 1, 0
            planned = loader.plan(epoch)
        st["data"] = {"epoch": epoch, "batch": index}
        st["samplesSeen"] += len(plans)
        st["lr"] = lr
        st["smoothedLoss"] = loss if st["smoothedLoss"] is None else st["smoothedLoss"] + LOSS_EMA * (loss - st["smoothedLoss"])
        dt = time.perf_counter() - t0
        st["trainSeconds"] += dt
        samples_per_second = len(plans) / dt if samples_per_second == 0 else samples_per_second + 0.1 * (len(plans) / dt - samples_per_second)
        if rank == 0:
            remaining = (st["targetStep"] - st["step"]) * (time.perf_counter() - t_run) / max(1, st["step"] - (st["targetStep"] - args.steps))
            pending.append({"event": "train.step", "payload": {"jobId": job, "run": run["name"], "step": st["step"], "epoch": (st["step"] - 1) // (run.get("stepsPerEpoch") or loader.batches_per_epoch) + 1,
                                                              "loss": loss, "smoothedLoss": st["smoothedLoss"], "lr": lr, "samplesPerSecond": samples_per_second, "etaSeconds": remaining}})
            print(json.dumps({"step": st["step"], "loss": loss, "lr": lr}), flush=True)
        due = st["step"] % validate_every == 0 or st["step"] == st["targetStep"]
        if due:
            improved = False
            if rank == 0:
                t_val = time.perf_counter()
                r = evaluate(model, args.data, manifest, "val", loss_name, multiple, MAX_VALIDATION_IMAGES, kernels)
                st["trainSeconds"] += time.perf_counter() - t_val
                if r["images"]:
                    pending.append({"event": "train.validation", "payload": {"jobId": job, "run": run["name"], "step": st["step"], "loss": r["loss"], "psnr": r["psnr"],
                                                                              "ssim": None, "identityPsnr": r["identityPsnr"], "byLevel": r["byLevel"]}})
                    sched.on_validation(r["loss"])
                    st["lastValidation"] = {"step": st["step"], "loss": r["loss"], "psnr": r["psnr"]}
                    improved = r["psnr"] is not None and (st["bestPsnr"] is None or r["psnr"] > st["bestPsnr"])
                    if improved:
                        st["bestPsnr"], st["bestStep"] = r["psnr"], st["step"]
                    print(json.dumps({"step": st["step"], "valLoss": r["loss"], "valPsnr": r["psnr"]}), flush=True)
                pending.append({"event": "train.checkpoint", "payload": {"jobId": job, "run": run["name"], "step": st["step"], "kind": "last", "path": last_path}})
                if improved:
                    pending.append({"event": "train.checkpoint", "payload": {"jobId": job, "run": run["name"], "step": st["step"], "kind": "best", "path": os.path.join(args.out, "best.pt")}})
                append_history(args.out, pending)
                pending = []
                ck = checkpoint_of(model, opt, names, st, sched, meta)
                save_atomic(ck, last_path)
                if improved:
                    save_atomic(ck, os.path.join(args.out, "best.pt"))
            if distributed:
                # The plateau schedule changes on rank 0's validation: every process continues with its rate.
                shared = [sched.s]
                dist.broadcast_object_list(shared, src=0)
                sched.s = shared[0]
    done = {"done": True, "step": st["step"], "out": args.out, "bestPsnr": st["bestPsnr"]}
    if not distributed:
        print(json.dumps(done), flush=True)
        return
    # Every rank is past its last collective, and rank 0 has written its checkpoints atomically.
    dist.barrier()
    if rank == 0:
        print(json.dumps(done), flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave without tearing the process group down. PyTorch 1.13's gloo group joins its worker threads in its
    # destructor while this thread holds the GIL; a worker still freeing a tensor that Python had seen waits for that
    # GIL, and the process never exits (seen here as a rank spinning after training, its torchrun agent waiting, the
    # other node's agent in its exit barrier: 1 two-node launch in 3 to 5 on 2 cores; gdb: ~ProcessGroupGloo in
    # thread::join, a runLoop thread in ~TensorImpl -> PyEval_AcquireThread). There is nothing left to free or send.
    os._exit(0)


def evaluate_main():
    ap = argparse.ArgumentParser(description="PSNR of a checkpoint on a split of a prepared set, as the app's evaluation computes it")
    ap.add_argument("evaluate")
    ap.add_argument("--data", required=True)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--split", default="test")
    args = ap.parse_args()
    ck = torch.load(args.checkpoint, map_location="cpu")
    model = build_model(ck["architecture"])
    load_state(model, ck["model"], args.checkpoint)
    arch = ck["architecture"]
    multiple = 1 if arch["model"] == "seed-autoencoder" else 2 ** (len(arch["widths"]) - 1)
    manifest = read_manifest(args.data)
    # A kernel-aware model is scored on each level's Wiener deconvolution with its true kernel, routed per level as validation does.
    r = evaluate(model, args.data, manifest, args.split, "mse", multiple, kernels=level_kernels(manifest, arch))
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    evaluate_main() if len(sys.argv) > 1 and sys.argv[1] == "evaluate" else main()
`;
