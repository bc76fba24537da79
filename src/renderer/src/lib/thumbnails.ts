import type { DeblurApi } from '../../../shared/contract';

/**
 * Small previews for file lists (the folder picker, batch results): asked from the engine only once an image
 * scrolls into view, a few at a time so a folder of thousands does not queue thousands of decodes, and kept
 * for the session.
 */
const cache = new Map<string, Promise<string>>();
const queue: Array<() => void> = [];
let running = 0;
const PARALLEL = 2;

function next(): void {
  while (running < PARALLEL && queue.length) {
    running++;
    queue.shift()!();
  }
}

export function thumbnailUrl(api: DeblurApi, path: string, side: number): Promise<string> {
  const key = `${side}:${path}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = new Promise<string>((resolve, reject) => {
      queue.push(() =>
        api
          .call('image.preview', { path, maxSide: side })
          .then((p) => resolve(p.dataUrl), reject)
          .finally(() => {
            running--;
            next();
          }),
      );
      next();
    });
    hit.catch(() => cache.delete(key)); // a failed one may be tried again later
    cache.set(key, hit);
  }
  return hit;
}

/** Svelte action: `<img use:thumbnail={{ api, path, side }}>` fills `src` when the image comes into view. */
export function thumbnail(node: HTMLImageElement, opts: { api: DeblurApi; path: string; side: number }) {
  let current = opts;
  let seen = false;
  const load = () =>
    thumbnailUrl(current.api, current.path, current.side).then(
      (url) => {
        node.src = url;
        node.dataset.loaded = 'true';
      },
      () => (node.dataset.loaded = 'failed'),
    );
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && !seen) {
      seen = true;
      observer.disconnect();
      void load();
    }
  });
  observer.observe(node);
  return {
    update(next: { api: DeblurApi; path: string; side: number }) {
      current = next;
      if (seen) void load();
    },
    destroy: () => observer.disconnect(),
  };
}
