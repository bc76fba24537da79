/**
 * Composes a kernel out of other kernels of the same backend, the way tfjs backends do it
 * internally: kernel functions are called directly (no ops, so nothing lands on the gradient tape
 * or in the engine's tensor count) and every intermediate buffer is released when the scope ends.
 */
import { getKernel } from '../tf';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '../tf';

export type KernelInputs = Record<string, TensorInfo> | TensorInfo[];

export class KernelScope {
  private readonly temps: TensorInfo[] = [];

  constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  /** Runs kernel `name` of this backend; the result is released by dispose() unless kept. */
  run(name: string, inputs: KernelInputs, attrs: Record<string, unknown> = {}): TensorInfo {
    const kernel = getKernel(name, this.backendName);
    if (kernel == null) {
      throw new Error(`kernel '${name}' is not registered for backend '${this.backendName}'`);
    }
    const out = kernel.kernelFunc({
      inputs: inputs as unknown as Record<string, TensorInfo>,
      backend: this.backend,
      attrs: attrs as NamedAttrMap,
    });
    if (Array.isArray(out)) throw new Error(`kernel '${name}' returned several outputs; expected one`);
    this.temps.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Slices only when the window is not the whole tensor. */
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /** Zero padding; skipped when there is none. */
  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /** Takes `t` out of the scope: the caller (the engine) owns it now. */
  keep(t: TensorInfo): TensorInfo {
    const i = this.temps.lastIndexOf(t);
    if (i >= 0) {
      this.temps.splice(i, 1);
    } else {
      // An input passed through unchanged: hand out a new reference to the same buffer.
      t = this.reshape(t, t.shape.slice());
      this.temps.pop();
    }
    return t;
  }

  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs `body` with a fresh scope and returns its (kept) result. */
export function withKernelScope(
  backend: KernelBackend,
  backendName: string,
  body: (s: KernelScope) => TensorInfo,
): TensorInfo {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}
