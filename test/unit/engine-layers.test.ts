import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The engine's base layer (core/: RNG, workers, concurrency, reflect-101; fs/: atomic writes, locks,
 * JSON lines, the folder walker) is imported by the feature folders and imports none of them, so a
 * general helper never reaches sideways into data/, train/, infer/ … Checked on the sources' relative imports.
 */
const engine = path.resolve(import.meta.dirname, '../../src/engine');
const shared = path.resolve(import.meta.dirname, '../../src/shared');
const BASE = ['core', 'fs'];

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => path.resolve(path.dirname(file), m[1]!));
}

describe('engine layers', () => {
  for (const folder of BASE) {
    it(`${folder}/ imports only the base layer and the shared contract`, () => {
      const dir = path.join(engine, folder);
      const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
      expect(files.length).toBeGreaterThan(0);
      const sideways = files.flatMap((f) =>
        relativeImports(path.join(dir, f))
          .filter((target) => !target.startsWith(`${shared}${path.sep}`) && !BASE.some((b) => target.startsWith(path.join(engine, b) + path.sep)))
          .map((target) => `${folder}/${f} → ${path.relative(engine, target)}`),
      );
      expect(sideways).toEqual([]);
    });
  }

  it('no feature folder imports a general helper from another feature folder', () => {
    // The helpers that used to live in feature folders and were reached sideways.
    const moved = ['data/random', 'data/worker-spawn', 'data/concurrency', 'data/journal'].map((m) => path.join(engine, m));
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) for (const t of relativeImports(p)) if (moved.includes(t)) offenders.push(`${path.relative(engine, p)} → ${path.relative(engine, t)}`);
      }
    };
    walk(engine);
    expect(offenders).toEqual([]);
    expect(readFileSync(path.join(engine, 'infer/tile-pixels.ts'), 'utf8')).not.toMatch(/export function reflectIndex/);
    expect(readFileSync(path.join(engine, 'image/gaussian.ts'), 'utf8')).not.toMatch(/function reflect101/);
  });
});
