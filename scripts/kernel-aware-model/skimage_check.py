"""Recomputes measure.ts's whole-frame PSNR/SSIM with scikit-image from the images it dumped (--dump DIR).

Usage: /usr/bin/python3 scripts/kernel-aware-model/skimage_check.py <dump dir> <report.json>
Prints the largest differences between scikit-image's metrics and the app's over every photo, blur and method.
"""
import json
import math
import os
import re
import sys

import cv2
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

dump, report_file = sys.argv[1], sys.argv[2]
report = json.load(open(report_file))
worst_psnr = worst_ssim = 0.0
n = 0
for row in report["perPhoto"]:
    photo = os.path.splitext(os.path.basename(row["photo"]))[0]
    folder = os.path.join(dump, photo, re.sub(r"[^\w.]+", "_", row["condition"], flags=re.ASCII))  # measure.ts's folder names
    sharp = cv2.imread(os.path.join(folder, "sharp.png"))[:, :, ::-1]
    for method, app_psnr in row["psnr"].items():
        img = cv2.imread(os.path.join(folder, f"{method}.png"))[:, :, ::-1]
        exact = not (img != sharp).any()
        if exact:
            # JSON has no infinity: the app's inf PSNR was written as null
            assert app_psnr is None, f"{folder}/{method}: identical to sharp, but the app says {app_psnr} dB"
        else:
            worst_psnr = max(worst_psnr, abs(peak_signal_noise_ratio(sharp, img, data_range=255) - app_psnr))
        worst_ssim = max(worst_ssim, abs(structural_similarity(sharp, img, channel_axis=2, data_range=255) - row["ssim"][method]))
        n += 1
print(f"{n} images: largest |PSNR(skimage) - PSNR(app)| = {worst_psnr:.2e} dB, largest |SSIM(skimage) - SSIM(app)| = {worst_ssim:.2e}")
