import type { DeblurApi, MethodResult } from '../../../shared/contract';

export type ImagePreview = MethodResult<'image.preview'>;

/**
 * A display copy of an image file for the compare viewer. The renderer has no file access; the engine reads
 * the file, orients and downsizes it, and answers a data: URL (which the CSP allows for images).
 */
export function loadImagePreview(api: DeblurApi, path: string, maxSide = 2048): Promise<ImagePreview> {
  return api.call('image.preview', { path, maxSide });
}
