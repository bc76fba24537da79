/**
 * The optional runtime packages stay out of the main-side bundles (electron-vite externalizes only
 * `dependencies` on its own): bundled, Dawn's loader looks for dawn.node beside the bundle chunk and
 * the engine cannot start webgpu in Electron's utility process.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config from '../../electron.vite.config';

describe('electron.vite.config', () => {
  it('keeps every optional dependency external in the main build (engine process included)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { optionalDependencies: Record<string, string> };
    const main = (config as { main?: { build?: { externalizeDeps?: { include?: string[] } } } }).main;
    const included = main?.build?.externalizeDeps?.include ?? [];
    expect(Object.keys(pkg.optionalDependencies).length).toBeGreaterThan(0);
    for (const name of Object.keys(pkg.optionalDependencies)) expect(included, name).toContain(name);
  });
});
