"""The resunet forward pass in PyTorch on the CPU, the reference for bench/infer.ts.

Same architecture as src/engine/models/resunet.ts (head conv3x3, residual blocks conv-ReLU-conv + identity,
2x2 stride-2 down/up convolutions, concat skip + 1x1 fusion, tail conv3x3, global residual), random
weights (speed does not depend on them). Prints one JSON line per input size:
{"backend": "pytorch-cpu", "width": W, "height": H, "ms": ..., "msPerMegapixel": ...,
"cpuMsPerMegapixel": ... (CPU time of all threads), "threads": N}.
Run with Debian's Python (apt-get install -y python3-torch):
  /usr/bin/python3 bench/infer_torch.py --preset small --threads 2 --sizes 448x256,512x512
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn

PRESETS = {
    "small": ([16, 32, 48, 64], [1, 1, 1], 1),
    "base": ([24, 48, 96, 192], [1, 1, 2], 2),
    "large": ([32, 64, 128, 256], [1, 2, 4], 6),
}


class ResBlock(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(torch.relu(self.conv1(x)))


class ResUNet(nn.Module):
    def __init__(self, widths, blocks, bottleneck) -> None:
        super().__init__()
        levels = len(widths) - 1
        self.head = nn.Conv2d(3, widths[0], 3, padding=1)
        self.enc = nn.ModuleList([nn.Sequential(*[ResBlock(widths[i]) for _ in range(blocks[i])]) for i in range(levels)])
        self.down = nn.ModuleList([nn.Conv2d(widths[i], widths[i + 1], 2, stride=2) for i in range(levels)])
        self.mid = nn.Sequential(*[ResBlock(widths[levels]) for _ in range(bottleneck)])
        self.up = nn.ModuleList([nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2) for i in range(levels)])
        self.fuse = nn.ModuleList([nn.Conv2d(2 * widths[i], widths[i], 1) for i in range(levels)])
        self.dec = nn.ModuleList([nn.Sequential(*[ResBlock(widths[i]) for _ in range(blocks[i])]) for i in range(levels)])
        self.tail = nn.Conv2d(widths[0], 3, 3, padding=1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = self.head(image)
        skips = []
        for enc, down in zip(self.enc, self.down):
            x = enc(x)
            skips.append(x)
            x = down(x)
        x = self.mid(x)
        for i in reversed(range(len(self.up))):
            x = self.up[i](x)
            x = self.fuse[i](torch.cat([x, skips[i]], dim=1))
            x = self.dec[i](x)
        return image + self.tail(x)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="small", choices=sorted(PRESETS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sizes", default="448x256,512x512")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = ResUNet(*PRESETS[args.preset]).eval()
    for size in args.sizes.split(","):
        width, height = (int(v) for v in size.split("x"))
        x = torch.rand(1, 3, height, width)
        times = []
        cpu_times = []
        with torch.no_grad():
            model(x)  # warm-up
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                c0 = time.process_time()
                model(x)
                times.append((time.perf_counter() - t0) * 1000)
                cpu_times.append((time.process_time() - c0) * 1000)
        ms = statistics.median(times)
        cpu_ms = statistics.median(cpu_times)
        print(json.dumps({"backend": "pytorch-cpu", "torch": torch.__version__, "threads": torch.get_num_threads(), "preset": args.preset,
                          "width": width, "height": height, "ms": ms, "msPerMegapixel": ms / (width * height / 1e6),
                          "cpuMsPerMegapixel": cpu_ms / (width * height / 1e6)}), flush=True)


if __name__ == "__main__":
    main()
