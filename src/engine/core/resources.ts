import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the shipped models (resources/models): the packaged app's resources folder (Electron), else
 * resources/models of the first ancestor of this file that holds resources/ and package.json (a checkout, the
 * built bundle, the CLI), else ./resources/models.
 */
export function shippedModelsDir(): string {
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath && existsSync(path.join(resourcesPath, 'models'))) return path.join(resourcesPath, 'models');
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'resources')) && existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'resources', 'models');
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve('resources', 'models');
}
