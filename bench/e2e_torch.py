#!/usr/bin/env python3
"""PyTorch-CPU reference for bench/e2e.ts: train the resunet `small` on frames prepared by OpenCV
(bench/prepare_opencv.py) and score it on the app's held-out set. Each subcommand is one phase,
run as its own process (bench/e2e.ts times the processes) and prints one JSON line.

  check                      versions, or {"skipped": why} when torch, cv2 or skimage is missing
  train SET FRAMES MANIFEST OUT --steps S [--batch 8] [--patch 96] [--lr 1e-3] [--seed 1]
      SET: prepare_opencv.py's output for FRAMES (sharp/NNNNNN.png, blur_kK/NNNNNN.png, N = index of
      the frame in FRAMES' sorted listing); MANIFEST: the app's prepared set's manifest.json, whose
      train/val split (by sequence) is used as is, so both sides learn from the same frames.
      As the app's `train --loss mse --schedule cosine`: every (frame, level) pair once per
      epoch in a shuffled order, random patch crop and flips per pair, MSE loss (mean over all values),
      Adam (beta 0.9/0.999, eps 1e-7), linear warm-up over round(5 % of S) steps (at most 1000), then
      a half cosine down to 1 % of lr; Keras's initialisation (the app's model starts as the identity).
      At the end, one validation pass over the val frames (whole frames, every level) and a checkpoint,
      as the app's run does at its last step.
  eval TEST_SET MODEL        PSNR per level (skimage, data_range 255, output rounded to uint8) of the
      blurred input and of the model on TEST_SET/blur_kK/test/*.png against TEST_SET/sharp/test/*.png.
"""
import argparse
import json
import math
import os
import sys
import time

LEVELS = (3, 7, 11)
MAX_VALIDATION_IMAGES = 12  # src/engine/train/validation.ts


def check() -> dict:
    try:
        import cv2
        import skimage
        import torch
    except ImportError as err:
        return {"skipped": f"{err.name} is not importable by {sys.executable} (Debian: apt-get install -y python3-opencv python3-skimage python3-torch)"}
    return {"python": sys.version.split()[0], "torch": torch.__version__, "cv2": cv2.__version__, "skimage": skimage.__version__, "threads": os.cpu_count()}


def read_rgb(path: str):
    import cv2

    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise RuntimeError(f"cannot read {path}")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def build_model(torch):
    """resunet small of bench/infer_torch.py with Keras's initialisers (src/engine/models/resunet.ts)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from infer_torch import PRESETS, ResBlock, ResUNet

    torch.manual_seed(1)
    model = ResUNet(*PRESETS["small"])
    nn = torch.nn
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)  # glorotUniform: convolutions without ReLU, up-convolutions
            nn.init.zeros_(m.bias)
    for m in model.modules():
        if isinstance(m, ResBlock):  # conv1 (ReLU): heNormal = normal truncated at 2 sd; conv2: zeros
            std = math.sqrt(2 / (m.conv1.in_channels * 9))
            nn.init.trunc_normal_(m.conv1.weight, std=std, a=-2 * std, b=2 * std)
            nn.init.zeros_(m.conv2.weight)
    nn.init.zeros_(model.tail.weight)  # the output head starts at zero: the model starts as the identity
    return model


def to_tensor(torch, images):
    """uint8 HWC images → float NCHW in [0, 1]."""
    import numpy as np

    return torch.from_numpy(np.stack(images).astype(np.float32) / 255).permute(0, 3, 1, 2).contiguous()


def to_uint8(tensor):
    import numpy as np

    return np.clip(np.rint(tensor.permute(1, 2, 0).numpy() * 255), 0, 255).astype(np.uint8)


def cosine_lr(step: int, steps: int, lr: float) -> float:
    """src/engine/train/schedules.ts cosineLr (JS Math.round: half up)."""
    warmup = min(1000, math.floor(steps * 0.05 + 0.5))
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1, (step - warmup) / max(1, steps - warmup))
    return lr * 0.01 + (lr - lr * 0.01) * 0.5 * (1 + math.cos(math.pi * progress))


def train(args) -> dict:
    import numpy as np
    import torch
    from skimage.metrics import peak_signal_noise_ratio

    torch.set_num_threads(os.cpu_count() or 1)
    # The same listing as prepare_opencv.py, whose output names frame i of it NNNNNN.png.
    frames = sorted(
        os.path.join(d, f) for d, _, names in os.walk(args.frames) for f in names if f.lower().endswith((".png", ".jpg", ".jpeg"))
    )
    with open(args.manifest, encoding="utf8") as fh:
        split_of = {item["source"]["relPath"]: item["split"] for item in json.load(fh)["items"]}
    splits = {"train": [], "val": []}
    for i, path in enumerate(frames):
        split = split_of.get(os.path.relpath(path, args.frames).replace(os.sep, "/"))
        if split in splits:
            splits[split].append(i)
    if not splits["train"]:
        raise RuntimeError("the app's manifest puts none of these frames in the train split")

    def load(i):
        name = f"{i:06d}.png"
        return read_rgb(os.path.join(args.set, "sharp", name)), {k: read_rgb(os.path.join(args.set, f"blur_k{k}", name)) for k in LEVELS}

    data = {i: load(i) for i in splits["train"]}
    pairs = [(i, k) for i in splits["train"] for k in LEVELS]
    rng = np.random.default_rng(args.seed)

    def batches():
        while True:  # epochs of every pair once, shuffled; the last batch of an epoch may be smaller
            order = rng.permutation(len(pairs))
            for b in range(0, len(order), args.batch):
                yield [pairs[j] for j in order[b : b + args.batch]]

    def crop(batch):
        xs, ys = [], []
        for i, k in batch:
            sharp, blurred = data[i][0], data[i][1][k]
            h, w = sharp.shape[:2]
            x, y = rng.integers(w - args.patch + 1), rng.integers(h - args.patch + 1)
            flip_h, flip_v = rng.random() < 0.5, rng.random() < 0.5
            for img, out in ((blurred, xs), (sharp, ys)):
                p = img[y : y + args.patch, x : x + args.patch]
                out.append(p[::-1 if flip_v else 1, ::-1 if flip_h else 1])
        return to_tensor(torch, xs), to_tensor(torch, ys)

    model = build_model(torch)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-7)
    stream = batches()
    t0 = time.perf_counter()
    loss = float("nan")
    for step in range(args.steps):
        x, y = crop(next(stream))
        for group in opt.param_groups:
            group["lr"] = cosine_lr(step, args.steps, args.lr)
        opt.zero_grad(set_to_none=True)
        out = model(x)
        batch_loss = ((out - y) ** 2).mean()
        batch_loss.backward()
        opt.step()
        loss = batch_loss.item()
    step_seconds = time.perf_counter() - t0

    val_psnr = []
    val = splits["val"]
    if len(val) > MAX_VALIDATION_IMAGES:
        val = [val[(k * len(val)) // MAX_VALIDATION_IMAGES] for k in range(MAX_VALIDATION_IMAGES)]
    model.eval()
    with torch.no_grad():
        for i in val:
            sharp, blurred = load(i)
            for k in LEVELS:
                out = to_uint8(model(to_tensor(torch, [blurred[k]]))[0])
                val_psnr.append(peak_signal_noise_ratio(sharp, out, data_range=255))
    os.makedirs(args.out, exist_ok=True)
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": args.steps}, os.path.join(args.out, "checkpoint.pt"))
    return {
        "steps": args.steps,
        "trainFrames": len(splits["train"]),
        "valFrames": len(val),
        "loss": loss,
        "stepSeconds": step_seconds,
        "valPsnr": float(np.mean(val_psnr)) if val_psnr else None,
        "threads": torch.get_num_threads(),
    }


def evaluate(args) -> dict:
    import numpy as np
    import torch
    from skimage.metrics import peak_signal_noise_ratio

    torch.set_num_threads(os.cpu_count() or 1)
    model = build_model(torch)
    model.load_state_dict(torch.load(os.path.join(args.model, "checkpoint.pt"))["model"])
    model.eval()
    names = sorted(f for f in os.listdir(os.path.join(args.test_set, "sharp", "test")) if f.endswith(".png"))
    levels = {}
    with torch.no_grad():
        for k in LEVELS:
            model_psnr, input_psnr = [], []
            for name in names:
                sharp = read_rgb(os.path.join(args.test_set, "sharp", "test", name))
                blurred = read_rgb(os.path.join(args.test_set, f"blur_k{k}", "test", name))
                out = to_uint8(model(to_tensor(torch, [blurred]))[0])
                model_psnr.append(peak_signal_noise_ratio(sharp, out, data_range=255))
                input_psnr.append(peak_signal_noise_ratio(sharp, blurred, data_range=255))
            levels[f"blur_k{k}"] = {"images": len(names), "model": float(np.mean(model_psnr)), "input": float(np.mean(input_psnr))}
    return {"levels": levels}


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("check")
    t = sub.add_parser("train")
    for name in ("set", "frames", "manifest", "out"):
        t.add_argument(name)
    t.add_argument("--steps", type=int, required=True)
    t.add_argument("--batch", type=int, default=8)
    t.add_argument("--patch", type=int, default=96)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--seed", type=int, default=1)
    e = sub.add_parser("eval")
    e.add_argument("test_set")
    e.add_argument("model")
    args = ap.parse_args()
    result = check()
    if args.command == "train" and "skipped" not in result:
        result = train(args)
    elif args.command == "eval" and "skipped" not in result:
        result = evaluate(args)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
