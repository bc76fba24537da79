"""Which spectrum bands the mild-blur detector reads: chosen on the training photos only.

For each candidate (the k highest of the 24 bands; absolute, relative or both) a detector is fitted as
scripts/blur-estimator/fit.ts fits it (QDA, covariances shrunk 5 % to the identity; σ 0.3 against σ 0.55 and 0.7),
leaving one training photo out at a time. Its threshold is the highest log odds of a left-out σ 0.3 frame plus 0.5,
as in fit.ts; the score is how many left-out σ 0.55 frames pass it (σ 0.6 is never used), and how many σ 0.45
frames do (harm). The held-out photos are not read.

The features are a NumPy port of src/engine/blur/spectrum-features.ts (equal to 4e-15 on all 48 features of a frame);
frames are made as scripts/lib/mate-frames.ts makes them, with OpenCV itself (other random crops).

Usage: /usr/bin/python3 scripts/blur-estimator/mild_features.py /usr/share/backgrounds/mate [--crops 60]
"""
import sys

import cv2
import numpy as np

TRAIN = ['nature/Aqua.jpg', 'nature/Blinds.jpg', 'nature/FreshFlower.jpg', 'nature/Garden.jpg', 'nature/GreenMeadow.jpg',
         'nature/Storm.jpg', 'nature/TwoWings.jpg', 'nature/Wood.jpg', 'abstract/Elephants_5640x3172.jpg']
TILE, BINS, F_MIN, F_MAX = 256, 24, 0.01, 0.5
SHRINK, MARGIN = 0.05, 0.5

edges = F_MIN * (F_MAX / F_MIN) ** (np.arange(BINS + 1) / BINS)
f = np.fft.fftfreq(TILE)
fx, fy = np.meshgrid(f, f)
r = np.hypot(fx, fy)
on_jpeg_grid = lambda v: np.abs(v * 8 - np.round(v * 8)) * TILE < 1.5 * 8
valid = (r >= F_MIN) & (r < F_MAX) & ~((r >= 0.06) & (on_jpeg_grid(fx) | on_jpeg_grid(fy)))
band = np.clip(np.searchsorted(edges, r, side='right') - 1, 0, BINS - 1)
count = np.bincount(band[valid], minlength=BINS)
hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(TILE) / (TILE - 1))
window = np.outer(hann, hann)


def origins(n):
    k = int(np.ceil(n / TILE))
    return [] if n < TILE else [0] if k == 1 else [round(i * (n - TILE) / (k - 1)) for i in range(k)]


def features(bgr):
    b, g, rr = (bgr[:, :, i].astype(np.float64) for i in range(3))
    luma = 0.299 * rr + 0.587 * g + 0.114 * b
    power, tiles = np.zeros(BINS), 0
    for y in origins(luma.shape[0]):
        for x in origins(luma.shape[1]):
            t = luma[y:y + TILE, x:x + TILE]
            spec = np.fft.fft2((t - t.mean()) * window)
            power += np.bincount(band[valid], weights=np.abs(spec[valid]) ** 2, minlength=BINS) / count / (window ** 2).sum()
            tiles += 1
    logp = np.log(power / tiles + 1e-12)
    return np.concatenate([logp, logp - logp[:4].mean()])


def frames(img, n, rng):
    h, w = img.shape[:2]
    out = [cv2.resize(img, (448, 256), interpolation=cv2.INTER_LINEAR)]
    for _ in range(n):
        max_w = min(w, int(h * 448 / 256))
        min_w = min(max_w, round(448 * 2.5))
        cw = round(min_w + rng.random() * (max_w - min_w))
        ch = round(cw * 256 / 448)
        x, y = int(rng.random() * (w - cw + 1)), int(rng.random() * (h - ch + 1))
        out.append(cv2.resize(img[y:y + ch, x:x + cw], (448, 256), interpolation=cv2.INTER_LINEAR))
    return out


def blur(frame, sigma):
    k = max(1, round(sigma * 6 + 1)) | 1
    return cv2.GaussianBlur(frame, (k, k), sigma)


def fit(x, y):
    mu, sd = x.mean(0), x.std(0)
    sd[sd == 0] = 1
    z = (x - mu) / sd
    classes = {}
    for c in (0, 1):
        m = z[y == c]
        cov = (1 - SHRINK) * np.cov(m.T, ddof=1) + SHRINK * np.eye(z.shape[1])
        classes[c] = (m.mean(0), np.linalg.inv(cov), np.linalg.slogdet(cov)[1])
    return mu, sd, classes


def log_odds(model, x):
    mu, sd, classes = model
    z = (x - mu) / sd
    ll = {c: -0.5 * np.einsum('ij,jk,ik->i', z - m, inv, z - m) - 0.5 * ld for c, (m, inv, ld) in classes.items()}
    return ll[1] - ll[0]


def main():
    root = sys.argv[1]
    crops = int(sys.argv[sys.argv.index('--crops') + 1]) if '--crops' in sys.argv else 60
    rng = np.random.default_rng(1)
    sigmas = (0.3, 0.45, 0.55, 0.7)
    rows, photo, sig = [], [], []
    for p in TRAIN:
        for frame in frames(cv2.imread(f'{root}/{p}'), crops, rng):
            for s in sigmas:
                rows.append(features(blur(frame, s)))
                photo.append(p)
                sig.append(s)
    x, photo, sig = np.array(rows), np.array(photo), np.array(sig)
    candidates = {}
    for k in (4, 6, 8, 10, 12, 16, 24):
        hi = list(range(BINS - k, BINS))
        candidates[f'highest {k:2d}, absolute'] = hi
        candidates[f'highest {k:2d}, relative'] = [BINS + i for i in hi]
        candidates[f'highest {k:2d}, both'] = hi + [BINS + i for i in hi]
    print(f'{len(TRAIN)} training photos × {crops + 1} frames; leave one photo out')
    print('| bands read | threshold | σ 0.55 frames detected | σ 0.45 frames detected |\n|---|---:|---:|---:|')
    fit_set = np.isin(sig, (0.3, 0.55, 0.7))
    label = np.isin(sig, (0.55, 0.7)).astype(int)
    for name, cols in candidates.items():
        scores = {s: [] for s in (0.3, 0.45, 0.55)}
        for p in TRAIN:
            model = fit(x[fit_set & (photo != p)][:, cols], label[fit_set & (photo != p)])
            for s in scores:
                scores[s].append(log_odds(model, x[(photo == p) & (sig == s)][:, cols]))
        s = {k: np.concatenate(v) for k, v in scores.items()}
        threshold = s[0.3].max() + MARGIN
        print(f'| {name} | {threshold:.2f} | {(s[0.55] > threshold).mean() * 100:.1f} % | {(s[0.45] > threshold).mean() * 100:.1f} % |')


if __name__ == '__main__':
    main()
