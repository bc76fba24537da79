import { asImageDataUrl, type ImageDataUrl } from '../../src/engine/evaluate/image-data-url';

/** A valid 1×1 PNG as a data URL, for example crops in hand-made eval files. */
export const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const TINY_PNG: ImageDataUrl = asImageDataUrl(`data:image/png;base64,${TINY_PNG_BASE64}`);
