#!/usr/bin/env bash
# The GPU comparisons in one run, meant for a machine with a GPU (e.g. NVIDIA + its Vulkan driver), in under 8 minutes:
#   1. training step (workload W, bench/train-step.ts): tfjs-webgpu (Dawn on Vulkan/Metal/D3D12) against wasm and
#      PyTorch on CUDA when this PyTorch has it (else PyTorch on the CPU);
#   2. inference (bench/infer.ts): the deblur job on TF.js and on ONNX Runtime (its WebGPU provider on a hardware
#      adapter), when bench/infer.ts has its ONNX mode; else the same bench once per DEBLUR_INFER runtime.
# Self-sufficient: installs node_modules with `npm ci` when they are missing (a copied checkout without them).
# Nothing here writes docs/: the results are printed and saved under bench/.tmp/gpu/.
#
# Usage: bench/gpu.sh [--quick]
#   --quick  a short end-to-end check of the script itself (tiny images, 2 steps; webgpu is run even on a software
#            adapter such as llvmpipe and labelled so) — not a measurement.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
quick=0
[ "${1:-}" = "--quick" ] && quick=1

out="$root/bench/.tmp/gpu"
mkdir -p "$out"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
started=$(date +%s)
say() { printf '\n▶ %s (%ss)\n' "$1" "$(($(date +%s) - started))"; }

if [ ! -x node_modules/.bin/tsx ] || [ ! -d node_modules/webgpu ] || [ ! -d node_modules/@tensorflow/tfjs-backend-webgpu ]; then
  say 'npm ci (node_modules missing or without the optional webgpu packages)'
  npm ci --no-audit --no-fund || { echo 'npm ci failed: cannot run the benches'; exit 1; }
fi

say 'GPUs'
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
node bin/tsx.mjs bench/webgpu-adapter.ts 2>&1 | grep -v 'artificially reduced'
/usr/bin/python3 -c 'import torch; print("PyTorch", torch.__version__, "CUDA:", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")' 2>/dev/null ||
  echo 'PyTorch: not installed for /usr/bin/python3'

# $1: label, $2: seconds, rest: command. A part that fails or runs out of time is reported; the others still run.
part() {
  local label=$1 limit=$2
  shift 2
  say "$label (at most ${limit}s)"
  timeout "$limit" "$@" 2>&1 | grep -v 'artificially reduced' | tee "$out/$label.txt"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 124 ] && echo "$label: stopped after ${limit}s (timeout)"
  [ "$rc" != 0 ] && [ "$rc" != 124 ] && echo "$label: failed (exit $rc)"
  return 0
}

if [ "$quick" = 1 ]; then
  part train-step 240 node bin/tsx.mjs bench/train-step.ts --no-cpu --no-doc --steps 2 --warmup 1 --size 32 --torch-device auto --webgpu-on-software
else
  part train-step 200 node bin/tsx.mjs bench/train-step.ts --no-cpu --no-doc --steps 8 --warmup 2 --torch-device auto
fi

infer_limit=$([ "$quick" = 1 ] && echo 120 || echo 240)
if grep -q "'no-onnx'" bench/infer.ts; then
  # bench/infer.ts compares TF.js and ONNX Runtime itself (ORT takes WebGPU on a hardware adapter).
  part infer "$infer_limit" node bin/tsx.mjs bench/infer.ts --no-24mp --no-torch --no-doc --repeats 1
else
  half=$((infer_limit / 2))
  DEBLUR_INFER=onnx part infer-onnx "$half" node bin/tsx.mjs bench/infer.ts --no-24mp --no-torch --no-doc --repeats 1
  DEBLUR_INFER=tfjs part infer-tfjs "$half" node bin/tsx.mjs bench/infer.ts --no-24mp --no-torch --no-doc --repeats 1
fi

say "done: results in ${out#"$root"/}/"
