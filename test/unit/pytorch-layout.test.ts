import { describe, expect, it } from 'vitest';
import { fromTorchLayout, permute, toTorchLayout, torchNameOf, torchShapeOf } from '../../src/engine/export/pytorch/layout';

const seq = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('PyTorch weight layout', () => {
  it('Conv2D kernel [kh, kw, in, out] → Conv2d.weight [out, in, kh, kw], element by element', () => {
    const tf = { values: seq(2 * 2 * 3 * 4), shape: [2, 2, 3, 4] };
    const t = toTorchLayout(tf, 'c/kernel');
    expect(t.shape).toEqual([4, 3, 2, 2]);
    // torch[o, i, y, x] = tf[y, x, i, o]
    const at = (y: number, x: number, i: number, o: number) => ((y * 2 + x) * 3 + i) * 4 + o;
    for (const [o, i, y, x] of [[0, 0, 0, 0], [3, 2, 1, 0], [1, 2, 0, 1], [2, 1, 1, 1]] as const) {
      expect(t.values[((o * 3 + i) * 2 + y) * 2 + x]).toBe(at(y, x, i, o));
    }
  });

  it('Dense kernel [in, out] → Linear.weight [out, in]; biases unchanged', () => {
    expect(toTorchLayout({ values: seq(6), shape: [2, 3] }, 'd/kernel')).toEqual({ values: Float32Array.from([0, 3, 1, 4, 2, 5]), shape: [3, 2] });
    expect(toTorchLayout({ values: seq(3), shape: [3] }, 'd/bias')).toEqual({ values: seq(3), shape: [3] });
  });

  it('round-trips every rank it converts', () => {
    for (const shape of [[5], [3, 4], [3, 2, 4, 5]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const back = fromTorchLayout(toTorchLayout({ values: seq(n), shape }, 'w'), 'w');
      expect(back).toEqual({ values: seq(n), shape });
      expect(torchShapeOf(shape, 'w')).toEqual(toTorchLayout({ values: seq(n), shape }, 'w').shape);
    }
  });

  it('names torch parameters after the app layers, and refuses what it cannot name or convert', () => {
    expect(torchNameOf('enc0_res0_conv1/kernel')).toBe('enc0_res0_conv1.weight');
    expect(torchNameOf('tail/bias')).toBe('tail.bias');
    expect(() => torchNameOf('bn/gamma')).toThrow('weight "bn/gamma" is not a layer\'s kernel or bias');
    expect(() => toTorchLayout({ values: seq(8), shape: [2, 2, 2] }, 'c1d/kernel')).toThrow('weight "c1d/kernel" has rank 3');
    expect(() => permute({ values: seq(5), shape: [2, 3] }, [1, 0])).toThrow('needs 6 values, has 5');
  });
});
