import { describe, expect, it } from 'vitest';
import { createProgressOutput, formatEta } from '../../src/cli/progress';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 100, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream, chunks };
}

describe('CLI progress output', () => {
  it('formats ETAs', () => {
    expect(formatEta(null)).toBe('--:--');
    expect(formatEta(65)).toBe('01:05');
    expect(formatEta(3725)).toBe('1:02:05');
  });

  it('redraws one bar on a terminal', () => {
    const { stream, chunks } = fakeStream(true);
    const out = createProgressOutput(stream);
    out.update(0.5, 10, 'half');
    out.update(0.75, 5, 'more');
    out.done();
    expect(chunks[0]).toMatch(/^\r\x1b\[2K\[#+\.+\]  50\.0% ETA 00:10 half/);
    expect(chunks[1]).toContain('75.0%');
    expect(chunks.at(-1)).toBe('\n');
  });

  it('writes plain, rate-limited lines otherwise, always including the last', () => {
    const { stream, chunks } = fakeStream(false);
    const out = createProgressOutput(stream);
    out.update(0.1, null, 'a');
    out.update(0.2, null, 'b'); // within a second: dropped
    out.update(1, 0, 'done');
    expect(chunks).toEqual([' 10.0% ETA --:-- a\n', '100.0% ETA 00:00 done\n']);
  });
});
