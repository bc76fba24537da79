/**
 * Zoom and pan arithmetic of the compare viewer. A view maps image pixels to viewport pixels:
 * screen = (x, y) + image × zoom. Every pane of the viewer uses the same view, which keeps them in sync.
 */
export interface View {
  zoom: number;
  x: number;
  y: number;
}
export interface Size {
  width: number;
  height: number;
}

export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 32;
export const ZOOM_STEP = 1.25;

const clampZoom = (z: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));

/** The whole image, as large as the box allows, centred. */
export function fitView(image: Size, box: Size): View {
  if (image.width <= 0 || image.height <= 0 || box.width <= 0 || box.height <= 0) return { zoom: 1, x: 0, y: 0 };
  const zoom = clampZoom(Math.min(box.width / image.width, box.height / image.height));
  return centred(image, box, zoom);
}

/** The image at `zoom`, centred in the box (100 % = one image pixel per CSS pixel). */
export function centred(image: Size, box: Size, zoom: number): View {
  return { zoom, x: (box.width - image.width * zoom) / 2, y: (box.height - image.height * zoom) / 2 };
}

/** Zooms by `factor` keeping the image point under (cx, cy) where it is (wheel and pinch zoom). */
export function zoomAt(view: View, factor: number, cx: number, cy: number): View {
  const zoom = clampZoom(view.zoom * factor);
  const k = zoom / view.zoom;
  return { zoom, x: cx - (cx - view.x) * k, y: cy - (cy - view.y) * k };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, x: view.x + dx, y: view.y + dy };
}
