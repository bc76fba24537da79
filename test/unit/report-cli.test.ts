import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatDeblurResult, modelParam, registerDeblurCommand } from '../../src/cli/commands/deblur';
import { formatEvalSummary, registerEvalCommand } from '../../src/cli/commands/eval';
import { registerReportCommand } from '../../src/cli/commands/report';
import { minimalEval } from '../integration/eval-support';

const row = (name: string, level: string, model: number, identity: number) => ({
  name,
  level,
  kernel: 7,
  sigma: 1,
  width: 8,
  height: 8,
  blurred: `/b/${name}`,
  sharp: `/s/${name}`,
  model: { psnr: model, ssim: 0.9 },
  identity: { psnr: identity, ssim: 0.8 },
  wiener: null,
  ms: 1,
  blur: null,
});

describe('CLI commands', () => {
  it('register deblur, eval and report with their options', () => {
    const program = new Command('deblur-studio');
    registerDeblurCommand(program);
    registerEvalCommand(program);
    registerReportCommand(program);
    const byName = Object.fromEntries(program.commands.map((c) => [c.name(), c.options.map((o) => o.long)]));
    expect(byName).toEqual({
      deblur: ['--model', '--out', '--format', '--tile', '--recursive', '--overwrite', '--blur-sigma'],
      eval: ['--model', '--out', '--overwrite'],
      report: ['--html', '--csv', '--json', '--pdf', '--overwrite'],
    });
  });

  it('pass "default" through and make model paths absolute', () => {
    expect(modelParam('default')).toBe('default');
    expect(modelParam('runs/a')).toBe(path.resolve('runs/a'));
  });

  it('print the evaluation summary per level and overall', () => {
    const text = formatEvalSummary(minimalEval([row('a', 'blur_k3', 30, 28), row('b', 'blur_k7', 26, 25.5)]));
    const lines = text.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(/^blur_k3 +1 +30\.00 \/ 0\.9000 +28\.00 \/ 0\.8000 +– \/ – +\+2\.00 +–$/);
    expect(lines[3]).toMatch(/^all +2 +28\.00 .*\+1\.25/);
    expect(lines[4]).toMatch(/^gain over the blurred input/);
    // both rows are 8×8: a known level, but too small for the estimator
    expect(lines[5]).toBe('blur levels estimated right: – (0/0; 2 image(s) smaller than 256×256 not estimated)');
  });

  it('print how many blur levels were estimated right, and no such line when no level is known', () => {
    const seen = (ksize: 3 | 7 | 11) => ({ sigma: 1, level: { ksize, sigma: 1, confidence: 0.9 } });
    const rows = [{ ...row('a', 'blur_k7', 30, 28), blur: seen(7) }, { ...row('b', 'blur_k7', 30, 28), blur: seen(11) }, { ...row('c', 'blur_k7', 30, 28), blur: seen(7) }];
    expect(formatEvalSummary(minimalEval(rows)).split('\n').at(-1)).toBe('blur levels estimated right: 66.7 % (2/3)');
    const unknown = rows.map((r) => ({ ...r, level: 'blur', kernel: null, sigma: null }));
    expect(formatEvalSummary(minimalEval(unknown))).not.toContain('blur levels estimated');
  });

  it('print what was deblurred and what was skipped, with reasons', () => {
    const text = formatDeblurResult({
      outputs: [
        { input: '/a.jpg', output: '/o/a.jpg', width: 4, height: 3, ms: 1500, blur: null },
        { input: '/c.png', output: '/o/c.png', width: 448, height: 256, ms: 900, blur: { sigma: 1.63, level: { ksize: 11, sigma: 1.6, confidence: 0.97 } } },
        { input: '/d.png', output: '/o/d.png', width: 448, height: 256, ms: 800, blur: { sigma: 0.58, level: { ksize: 3, sigma: 0.3, confidence: 0.99 }, mildBlur: true } },
      ],
      skipped: [{ path: '/b.png', reason: 'empty: the file is empty (0 bytes)' }],
    });
    expect(text.split('\n')).toEqual([
      '/a.jpg → /o/a.jpg (4×3, 1.5 s; estimated blur: unknown (the photo is smaller than 256×256))',
      '/c.png → /o/c.png (448×256, 0.9 s; estimated blur: σ ≈ 1.6 (nearest course level 11×11 σ 1.6, 97 % sure))',
      '/d.png → /o/d.png (448×256, 0.8 s; estimated blur: σ ≈ 0.6 (nearest course level 3×3 σ 0.3, 99 % sure, yet a mild blur past it))',
      '3 image(s) deblurred, 1 skipped — partial: 1 of 4 input(s) skipped or failed (exit code 3)',
      '  skipped /b.png: empty: the file is empty (0 bytes)',
    ]);
  });
});
