import { untrack } from 'svelte';

/**
 * Keeps a form field on its default (a remembered folder, or one derived from another field) until the user
 * types something else: the field follows the default while it is empty or still shows the previous default.
 * Call during component setup (it creates an effect).
 */
export function followDefault(field: { get(): string; set(value: string): void }, compute: () => string): void {
  let previous = '';
  $effect(() => {
    const next = compute();
    untrack(() => {
      const current = field.get();
      if (!current || current === previous) field.set(next);
      previous = next;
    });
  });
}
