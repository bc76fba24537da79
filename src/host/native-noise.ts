import type { Readable, Writable } from 'node:stream';

/**
 * Lines native libraries print on their own that say nothing to a user. Dawn (the WebGPU addon) prints two
 * limit notes on every device it makes on some drivers (Mesa's llvmpipe among them); they reached every CLI
 * command's stderr. Anything else the engine writes to stderr passes through unchanged.
 */
const NOISE = [/^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/];

export const isNativeNoise = (line: string): boolean => NOISE.some((re) => re.test(line));

/** Copies `from` to `to` line by line, leaving out native noise (a last line without newline is kept too). */
export function pipeWithoutNoise(from: Readable, to: Writable): void {
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    const kept = lines.filter((l) => !isNativeNoise(l));
    if (kept.length > 0) to.write(`${kept.join('\n')}\n`);
  });
  from.on('end', () => {
    if (pending !== '' && !isNativeNoise(pending)) to.write(pending);
  });
}
