/**
 * The difference image of the compare viewer: |after − before| per channel, amplified so small changes show.
 * Runs on canvases in the renderer; both images come from data: URLs, which do not taint a canvas.
 */
export const DIFF_GAIN = 4;

export function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('the image could not be decoded'));
    img.src = url;
  });
}

function pixels(img: HTMLImageElement, width: number, height: number): Uint8ClampedArray {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas available');
  ctx.drawImage(img, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height).data;
}

/** Both images at the size of `before` (the after image is scaled if it differs); returns a PNG data URL. */
export async function differenceImage(beforeUrl: string, afterUrl: string, gain = DIFF_GAIN): Promise<string> {
  const [before, after] = await Promise.all([loadImage(beforeUrl), loadImage(afterUrl)]);
  const width = before.naturalWidth;
  const height = before.naturalHeight;
  const a = pixels(before, width, height);
  const b = pixels(after, width, height);
  const out = new ImageData(width, height);
  for (let i = 0; i < a.length; i += 4) {
    out.data[i] = Math.abs(b[i]! - a[i]!) * gain;
    out.data[i + 1] = Math.abs(b[i + 1]! - a[i + 1]!) * gain;
    out.data[i + 2] = Math.abs(b[i + 2]! - a[i + 2]!) * gain;
    out.data[i + 3] = 255;
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(out, 0, 0);
  // toDataURL, not toBlob: Chromium encodes toBlob in idle time, which can lag far behind a click.
  return canvas.toDataURL('image/png');
}
