import { describe, expect, it } from 'vitest';
import {
  decodeBase64Head,
  decodeEval,
  gainVerdict,
  imageDataUrlProblem,
  methods,
  serializeEval,
  storedEvalFileSchema,
  storeEval,
  type ImageRow,
} from '../../src/shared/contract';
import { readEvaluation, readStoredEvaluation } from '../../src/engine/evaluate/read-evaluation';
import { evaluationGains } from '../../src/renderer/src/lib/evaluation';
import { formatGain, losingLevels, validationGains } from '../../src/renderer/src/lib/gain';
import { minimalEval } from '../integration/eval-support';
import { TINY_PNG, TINY_PNG_BASE64 } from '../helpers/tiny-images';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

function row(name: string, level: string, model: number, identity: number): ImageRow {
  return {
    name,
    level,
    kernel: Number(level.slice(6)) || null,
    sigma: null,
    width: 16,
    height: 16,
    blurred: `/d/${level}/${name}.png`,
    sharp: `/d/sharp/${name}.png`,
    model: { psnr: model, ssim: 0.9 },
    identity: { psnr: identity, ssim: 0.8 },
    wiener: null,
    ms: 1,
    blur: null,
  };
}

const file = minimalEval([row('a', 'blur_k3', 46.6, 66.0), row('b', 'blur_k3', Infinity, Infinity), row('c', 'blur_k11', 29.2, 26.9)]);
file.examples = [
  { kind: 'best', name: 'c', level: 'blur_k11', gainDb: 2.3, modelPsnr: 29.2, identityPsnr: 26.9, crop: { x: 0, y: 0, width: 1, height: 1 }, blurred: TINY_PNG, model: TINY_PNG, wiener: null, sharp: TINY_PNG },
] as typeof file.examples;

describe('image data URLs without Buffer (the renderer has none)', () => {
  it('decodes the head of base64 text exactly as Buffer does, padding included', () => {
    for (const bytes of [[0], [1, 2], [255, 254, 253], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]]) {
      const b64 = Buffer.from(bytes).toString('base64');
      expect(decodeBase64Head(b64, 4)).toEqual(bytes);
    }
  });

  it('checks the signature with Buffer removed from the global scope', () => {
    const saved = globalThis.Buffer;
    const png = `data:image/png;base64,${TINY_PNG_BASE64}`;
    const script = `data:image/png;base64,${saved.from('<script>alert(1)</script>').toString('base64')}`;
    try {
      // @ts-expect-error simulating the sandboxed renderer
      delete globalThis.Buffer;
      expect(imageDataUrlProblem(png)).toBeNull();
      expect(imageDataUrlProblem(script)).toMatch(/not a PNG/);
    } finally {
      globalThis.Buffer = saved;
    }
  });
});

describe('evaluation.read carries the contract type intact over JSON', () => {
  it('its result schema is the stored evaluation, which survives a JSON hop and decodes to the same file', () => {
    expect(methods['evaluation.read'].result).toBe(storedEvalFileSchema);
    const stored = storeEval(file);
    expect(stored.images[1]!.model.psnr).toBe('Infinity');
    // a WebSocket or child-process hop is JSON: an Infinity number would arrive as null
    const overTheWire = storedEvalFileSchema.parse(JSON.parse(JSON.stringify(stored)));
    const decoded = decodeEval(overTheWire, 'answer');
    expect(decoded.images[1]!.model.psnr).toBe(Infinity);
    expect(serializeEval(decoded)).toBe(serializeEval(file));
  });

  it('the engine answers the parsed file, and refuses a damaged one naming the field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eval-read-'));
    const good = path.join(dir, 'eval.json');
    await writeFile(good, serializeEval(file));
    expect((await readEvaluation(good)).images[1]!.identity.psnr).toBe(Infinity);
    expect(storedEvalFileSchema.safeParse(await readStoredEvaluation(good)).success).toBe(true);
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, serializeEval(file).replace('"ms": 1', '"ms": "slow"'));
    await expect(readStoredEvaluation(bad)).rejects.toThrow(/bad\.json is damaged: images\.0\.ms/);
  });

  it('decodeEval refuses an answer whose example image is not an image, naming the field', () => {
    const stored = storeEval(file);
    stored.examples[0]!.model = 'javascript:alert(1)' as never;
    expect(() => decodeEval(stored, 'answer')).toThrow(/answer is damaged: examples\.0\.model: not an image data URL/);
  });
});

describe('gain over the blurred input: one computation, headlined per level', () => {
  it('takes each level of an evaluation from the summary, and flags a loss', () => {
    const gains = evaluationGains(file);
    expect(gains.map((g) => g.label)).toEqual(['blur_k3', 'blur_k11']);
    expect(gains[0]!.gainDb).toBeCloseTo(46.6 - 66.0, 6); // the identical pair is left out of the gain
    expect(losingLevels(gains).map((g) => g.label)).toEqual(['blur_k3']);
    expect(formatGain(gains[0]!.gainDb)).toBe('−19.40 dB');
    expect(formatGain(gains[1]!.gainDb)).toBe('+2.30 dB');
  });

  it('takes a validation per blur kernel, sorted, labelled with its σ', () => {
    const lv = (kernel: number, psnr: number, identityPsnr: number) => ({ kernel, psnr, ssim: null, identityPsnr, identitySsim: null });
    const gains = validationGains({ jobId: 'j', run: 'r', step: 30, loss: 0.1, psnr: 36.1, ssim: null, identityPsnr: 40.9, byLevel: [lv(11, 29.2, 26.9), lv(3, 46.6, 66.0)] });
    expect(gains.map((g) => [g.label, formatGain(g.gainDb)])).toEqual([
      ['σ 0.3 (3 px)', '−19.40 dB'],
      ['σ 1.6 (11 px)', '+2.30 dB'],
    ]);
    expect(gainVerdict(0.004)).toBe('even');
    expect(gainVerdict(-0.01)).toBe('loss');
    expect(gainVerdict(null)).toBeNull();
  });
});
