import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../../src/engine/image/raw-image';
import { PreviewsCallback } from '../../../src/engine/train/callbacks/previews';
import { recorder, validationResult } from './fakes';

const solid = (value: number): RawImage => ({ data: new Uint8Array(4 * 2 * 3).fill(value), width: 4, height: 2, channels: 3 });

async function pixelOf(dataUrl: string): Promise<{ width: number; first: number }> {
  expect(dataUrl).toMatch(/^data:image\/png;base64,/);
  const { data, info } = await sharp(Buffer.from(dataUrl.split(',')[1]!, 'base64')).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, first: data[0]! };
}

describe('PreviewsCallback', () => {
  it("sends the validation's example as three PNG data URLs (blurred, output, sharp)", async () => {
    const { emit, events } = recorder();
    const previews = new PreviewsCallback({ jobId: 'j1', run: 'r', emit });
    await previews.onValidation({ step: 7, result: validationResult({ example: { blurred: solid(10), output: solid(20), sharp: solid(30) } }), improved: false, seconds: 1 });
    expect(events.map((e) => [e.event, e.payload.jobId, e.payload.run, e.payload.step])).toEqual([['train.preview', 'j1', 'r', 7]]);
    const p = events[0]!.payload as { blurred: string; output: string; sharp: string };
    expect(await pixelOf(p.blurred)).toEqual({ width: 4, first: 10 });
    expect(await pixelOf(p.output)).toEqual({ width: 4, first: 20 });
    expect(await pixelOf(p.sharp)).toEqual({ width: 4, first: 30 });
  });

  it('sends nothing for a validation without an example or without validation images', async () => {
    const { emit, events } = recorder();
    const previews = new PreviewsCallback({ jobId: 'j1', run: 'r', emit });
    await previews.onValidation({ step: 7, result: validationResult({ example: null }), improved: false, seconds: 1 });
    await previews.onValidation({ step: 8, result: null, improved: false, seconds: 0 });
    expect(events).toEqual([]);
  });
});
