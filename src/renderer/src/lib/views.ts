/** The app's views, in nav order; the index + 1 is the Ctrl+digit shortcut. */
export const VIEWS = [
  { id: 'home', label: 'Home', title: 'Home and runtime' },
  { id: 'dataset', label: 'Dataset', title: 'Prepare a dataset' },
  { id: 'train', label: 'Train', title: 'Train a model' },
  { id: 'deblur', label: 'Deblur', title: 'Deblur a photo' },
  { id: 'evaluate', label: 'Evaluate & Report', title: 'Evaluate a model and export a report' },
  { id: 'settings', label: 'Settings', title: 'Settings' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

/** Ctrl (⌘ on macOS) + 1…6 → view id; null for any other key. */
export function viewForShortcut(e: KeyboardEvent): ViewId | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return null;
  const n = Number(e.key);
  if (!Number.isInteger(n) || n < 1 || n > VIEWS.length) return null;
  return VIEWS[n - 1]!.id;
}

/** Ctrl+Enter runs the visible view's main action (Scan/Prepare, Train, Deblur, Evaluate). */
export function isRunShortcut(e: KeyboardEvent): boolean {
  return (e.ctrlKey || e.metaKey) && e.key === 'Enter' && !e.altKey && !e.shiftKey;
}
