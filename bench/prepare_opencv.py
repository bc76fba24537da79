#!/usr/bin/env python3
"""OpenCV reference for bench/prepare.ts: the course's preparation step in plain cv2.

For every PNG/JPEG under SOURCE: cv2.imread -> cv2.resize to WIDTHxHEIGHT (INTER_LINEAR) ->
cv2.GaussianBlur at (3, 0.3), (7, 1.0), (11, 1.6) -> cv2.imwrite PNG (sharp + 3 blurs) into OUTPUT.
Prints one JSON line: {"images": n, "seconds": wall, "cpuSeconds": cpu (all threads), "opencv": version, "threads": n}.
Usage: prepare_opencv.py SOURCE OUTPUT [--width 448] [--height 256] [--png-level 3]
"""
import argparse
import json
import os
import sys
import time

try:
    import cv2
except ImportError:
    print(json.dumps({"skipped": "cv2 is not importable by this Python"}))
    sys.exit(0)

LEVELS = ((3, 0.3), (7, 1.0), (11, 1.6))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("output")
    ap.add_argument("--width", type=int, default=448)
    ap.add_argument("--height", type=int, default=256)
    ap.add_argument("--png-level", type=int, default=3)
    args = ap.parse_args()

    files = sorted(
        os.path.join(d, f)
        for d, _, names in os.walk(args.source)
        for f in names
        if f.lower().endswith((".png", ".jpg", ".jpeg"))
    )
    dirs = ["sharp"] + [f"blur_k{k}" for k, _ in LEVELS]
    for d in dirs:
        os.makedirs(os.path.join(args.output, d), exist_ok=True)
    params = [cv2.IMWRITE_PNG_COMPRESSION, args.png_level]

    t0 = time.perf_counter()
    c0 = time.process_time()
    for i, path in enumerate(files):
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            continue
        sharp = cv2.resize(img, (args.width, args.height))
        name = f"{i:06d}.png"
        cv2.imwrite(os.path.join(args.output, "sharp", name), sharp, params)
        for k, sigma in LEVELS:
            cv2.imwrite(os.path.join(args.output, f"blur_k{k}", name), cv2.GaussianBlur(sharp, (k, k), sigma), params)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({"images": len(files), "seconds": seconds, "cpuSeconds": cpu, "opencv": cv2.__version__, "threads": cv2.getNumThreads()}))


if __name__ == "__main__":
    main()
