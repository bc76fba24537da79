import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { isInside, realPathOfFuture } from '../engine/fs/paths';
import { ContractError, pathFields } from '../shared/contract';

/** One path a request names: where it sits in the params (dotted, as ContractError fields) and its value. */
export interface NamedPath {
  field: string;
  path: string;
}

type Def = { type: string } & Record<string, unknown>;
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every path in a validated value, found by walking its schema alongside it: a string whose schema is marked in
 * `pathFields` (absPath, modelRef) is a path. A model reference counts only when it is a path (not "default").
 */
export function collectPaths(schema: z.ZodType, value: unknown, field: string, out: NamedPath[] = []): NamedPath[] {
  const mark = pathFields.get(schema);
  if (mark) {
    if (typeof value === 'string' && (mark.kind === 'path' || path.isAbsolute(value))) out.push({ field, path: value });
    return out;
  }
  if (value === undefined || value === null) return out;
  const def = defOf(schema);
  const at = (key: string | number) => (field ? `${field}.${key}` : String(key));
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      for (const [key, child] of Object.entries(shape)) collectPaths(child, (value as Record<string, unknown>)[key], at(key), out);
      break;
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      collectPaths(def.innerType as z.ZodType, value, field, out);
      break;
    case 'array':
      (value as unknown[]).forEach((item, i) => collectPaths(def.element as z.ZodType, item, at(i), out));
      break;
    case 'tuple':
      (value as unknown[]).forEach((item, i) => {
        const items = def.items as z.ZodType[];
        const child = items[i] ?? (def.rest as z.ZodType | null);
        if (child) collectPaths(child, item, at(i), out);
      });
      break;
    case 'record':
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) collectPaths(def.valueType as z.ZodType, item, at(key), out);
      break;
    case 'union': {
      // the option the value was validated against (for job.start: the one its `type` names)
      const option = (def.options as z.ZodType[]).find((o) => o.safeParse(value).success);
      if (option) collectPaths(option, value, field, out);
      break;
    }
    case 'intersection':
      collectPaths(def.left as z.ZodType, value, field, out);
      collectPaths(def.right as z.ZodType, value, field, out);
      break;
    case 'pipe':
      collectPaths(def.in as z.ZodType, value, field, out);
      break;
    case 'lazy':
      collectPaths((def.getter as () => z.ZodType)(), value, field, out);
      break;
    default:
      break; // strings, numbers, enums …: no path inside
  }
  return out;
}

/**
 * The real location of a path that may not exist yet (an output): the deepest existing ancestor, resolved
 * through symlinks, plus the rest. A dangling symlink on the way is refused: writing through it would land
 * wherever it points.
 */
function resolveReal(p: string, field: string): Promise<string> {
  return realPathOfFuture(p, () => new ContractError('forbidden', `${field}: ${p} leads through a broken or looping symbolic link`, field));
}

export interface PathPolicy {
  /** the folders paths must lie in (as given) */
  readonly roots: readonly string[];
  /** Throws ContractError 'forbidden' naming the field unless every path in `params` lies inside a root. */
  check(schema: z.ZodType, params: unknown, prefix: string): Promise<void>;
}

/**
 * Confines every path a request names (inputs and outputs alike) to `roots`, after resolving symlinks on
 * both sides, so a link inside a root cannot lead out of it. Roots that do not exist (yet) allow nothing.
 */
export function createPathPolicy(roots: readonly string[]): PathPolicy {
  // resolved on every check: a root may appear later (the data folder is made on the first save)
  const resolveRoots = async () => (await Promise.all(roots.map((r) => realpath(path.resolve(r)).catch(() => null)))).filter((r): r is string => r !== null);
  return {
    roots,
    async check(schema, params, prefix) {
      const allowed = await resolveRoots();
      for (const { field, path: p } of collectPaths(schema, params, prefix)) {
        const real = await resolveReal(p, field);
        // the message names the allowed folders, never anything read from the file
        if (!allowed.some((root) => isInside(root, real))) {
          throw new ContractError('forbidden', `${field}: ${p} is outside the folders this host may use (${roots.join(', ')})`, field);
        }
      }
    },
  };
}
