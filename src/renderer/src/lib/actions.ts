import type { ViewId } from './views';

/**
 * Each view registers its main action (Prepare, Train, Deblur, Evaluate) so the app-wide Ctrl+Enter
 * shortcut can run the one on screen. Returns the unregister function (for $effect cleanup).
 */
const mainActions = new Map<ViewId, () => void>();

export function registerMainAction(view: ViewId, run: () => void): () => void {
  mainActions.set(view, run);
  return () => {
    if (mainActions.get(view) === run) mainActions.delete(view);
  };
}

export function runMainAction(view: ViewId): boolean {
  const run = mainActions.get(view);
  if (!run) return false;
  run();
  return true;
}
