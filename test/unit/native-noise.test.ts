import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isNativeNoise, pipeWithoutNoise } from '../../src/host/native-noise';

describe("the engine's stderr", () => {
  it("drops Dawn's limit notes and keeps every other line, split across chunks or not", async () => {
    const from = new PassThrough();
    const to = new PassThrough();
    let out = '';
    to.on('data', (d: Buffer) => (out += d.toString()));
    pipeWithoutNoise(from, to);
    from.write('Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\nreal error: the model');
    from.write(' folder is missing\nWarning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n');
    from.end('Warning: something else\nlast line without newline');
    await new Promise((r) => setImmediate(r));
    expect(out).toBe('real error: the model folder is missing\nWarning: something else\nlast line without newline');
    expect(isNativeNoise('Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced')).toBe(false);
  });
});
