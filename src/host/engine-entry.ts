import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The engine entry for Node front doors: the TypeScript source (run through tsx) next to this module.
 * The Electron app uses its own bundle instead (out/main/engine.js, see src/main/engine-process.ts).
 */
export function engineSourceEntry(): string {
  const entry = fileURLToPath(new URL('../engine/process/entry.ts', import.meta.url));
  if (!existsSync(entry)) throw new Error(`engine entry not found at ${entry}`);
  return entry;
}
