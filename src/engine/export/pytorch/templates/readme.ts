import type { TrainConfig } from '../format';

/** README.md of an export folder: what is in it and the commands for one machine, several GPUs and several nodes. */
export function readmeFor(o: { model: string; preset: string; step: number; fromRun: boolean; kernelAware: boolean; trainConfig: TrainConfig }): string {
  const c = o.trainConfig;
  const continues = o.fromRun
    ? `It continues the run **${c.name}** at step ${o.step}: weights, Adam's moments and step count, the learning-rate schedule and the data position.`
    : 'It starts from these weights with a fresh optimizer at a constant learning rate (pass --schedule cosine --lr 1e-3 for another schedule).';
  const kernelAware = o.kernelAware
    ? `
## A kernel-aware model
${o.model} is not fed the blurred images themselves: its input is each blurred image's **Wiener deconvolution**
with that blur level's true Gaussian kernel (the σ in the data set's manifest.json), and the network refines it.
train.py makes these inputs itself, with a numpy port of the app's Wiener filter (same blocks, borders, constants
and 8-bit rounding; the constants are in export.json under architecture.wiener), once per whole frame, then cuts
the training crops from them; nothing has to be prepared for it beyond the usual data set. Expect the first pass
over the data to be slower while those frames are made (each process keeps them in memory).

Validation reports per blur level the network's PSNR (networkPsnr), the Wiener filter's (wienerPsnr) and whether
the network beats the filter there (refined); the level's psnr, and the overall one, are of what a user would get
(the network where refined, the filter elsewhere). When the checkpoint comes back into the app, the last validation
becomes the model's gate: the app runs the network only at the refined levels. A checkpoint with no validation in
its history is used as the Wiener filter alone.
`
    : '';
  return `# ${o.model} (${o.preset}) for PyTorch

Written by Deblur Studio's \`export --format pytorch\`. ${continues}

| file | what |
|---|---|
| model.py | the architecture as torch.nn modules, named after the app's layers (NCHW in and out) |
| train.py | data-parallel training with torchrun (gloo on CPUs, NCCL on GPUs), as the app trains |
| export.json, weights.bin, optimizer.bin | weights and Adam state in torch's layout; the run's settings and counters |
| history.jsonl | the run's chart events so far (train.py appends to a copy in --out) |

Needs Python 3 with PyTorch and numpy (Debian: \`apt-get install python3-torch\`), and the prepared data set
(the folder with manifest.json that \`deblur-studio prepare\` made) on every machine, at the path given to --data.

Training settings from the run: global batch ${c.batch}, ${c.patch === null ? 'whole frames' : `${c.patch}×${c.patch} crops`}, loss ${c.loss}${c.levelWeights ? `, level weights ${JSON.stringify(c.levelWeights)}` : ''}, seed ${c.seed}, validation every ${c.validateEvery} steps.
--steps N trains N steps past the exported state; relaunching the same command after a failure continues from
OUT/last.pt to the same step. The global batch is split over all processes, so the result does not depend on
how many there are (up to float rounding).

Debian 12's torchrun (PyTorch 1.13 on Python 3.11) stops with \`AttributeError: 'NoneType' object has no attribute
'get'\` before it starts a worker: it cannot read its own default for output redirection. Add
\`--redirects 1 --tee 1 --log_dir logs/\` to the torchrun commands below there (newer PyTorch does not need it).

## One machine, CPU
\`\`\`sh
torchrun --standalone --nproc_per_node 2 train.py --data /path/to/prepared --steps 1000 --out checkpoints/ --threads 1
\`\`\`

## One machine, several GPUs (NCCL)
\`\`\`sh
torchrun --standalone --nproc_per_node 4 train.py --data /path/to/prepared --steps 1000 --out checkpoints/
\`\`\`

## Several machines
Run on every node (here 2 nodes × 4 GPUs), with the address of one of them as the rendezvous endpoint:
\`\`\`sh
torchrun --nnodes 2 --nproc_per_node 4 --rdzv_backend c10d --rdzv_endpoint node0.example:29400 --rdzv_id deblur1 \\
  train.py --data /shared/prepared --steps 1000 --out /shared/checkpoints/
\`\`\`
Only rank 0 writes --out (last.pt, best.pt, history.jsonl); put it on storage you can reach afterwards.
${kernelAware}
## Back into the app
\`\`\`sh
deblur-studio import checkpoints/ --run ${c.name}-cluster --runs-dir ~/runs
\`\`\`
The imported run opens in the Train view with its history, deblurs, evaluates and can be fine-tuned.

## Check a checkpoint's PSNR
\`\`\`sh
python3 train.py evaluate --data /path/to/prepared --checkpoint checkpoints/last.pt --split test
\`\`\`
`;
}
