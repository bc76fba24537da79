"""One training step of workload W in PyTorch (CPU, or CUDA with --device), the reference for bench/train-step.ts.

W: batch 4 x 128x128x3; conv 3->32, six conv 32->32 (3x3, same) with ReLU, conv 32->3,
residual add; MSE loss; Adam. Prints one JSON line: {"backend": "pytorch-cpu" or "pytorch-cuda", "msPerStep": ...}.
Run with Debian's Python (apt-get install -y python3-torch): /usr/bin/python3 bench/train_step_torch.py
"""
import argparse
import json
import os
import statistics
import time

import torch
from torch import nn


class W(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        layers = [nn.Conv2d(3, 32, 3, padding=1), nn.ReLU()]
        for _ in range(6):
            layers += [nn.Conv2d(32, 32, 3, padding=1), nn.ReLU()]
        layers += [nn.Conv2d(32, 3, 3, padding=1)]
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10, help="measured steps (median is reported)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--size", type=int, default=128, help="image side (W: 128)")
    parser.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu", help="auto: CUDA when PyTorch has it")
    args = parser.parse_args()
    cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    if cuda and not torch.cuda.is_available():
        raise SystemExit("--device cuda: this PyTorch has no CUDA device")
    device = torch.device("cuda" if cuda else "cpu")

    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = W().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    x = torch.rand(4, 3, args.size, args.size, device=device)
    y = torch.rand(4, 3, args.size, args.size, device=device)

    def step() -> float:
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()  # the step is done when its loss is read, as in the TF.js bench (this also waits for CUDA)
        return (time.perf_counter() - t0) * 1000

    for _ in range(args.warmup):
        step()
    times, cpu_times = [], []
    for _ in range(args.steps):
        c0 = time.process_time()
        times.append(step())
        cpu_times.append((time.process_time() - c0) * 1000)
    print(json.dumps({
        "backend": "pytorch-cuda" if cuda else "pytorch-cpu",
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "version": torch.__version__,
        "threads": threads,
        "msPerStep": statistics.median(times),
        "minMs": min(times),
        "cpuMsPerStep": statistics.median(cpu_times),
        "steps": args.steps,
    }))


if __name__ == "__main__":
    main()
