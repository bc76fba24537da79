import { wienerDeblurGaussian } from '../evaluate/wiener';
import type { RawImage } from '../image/raw-image';
import type { WienerKernel } from './wiener-kernel';

/**
 * The input a kernel-aware model sees: the photo after Wiener deconvolution with its (known or estimated)
 * kernel, on the whole frame, as an 8-bit image. Training crops are cut from this whole-frame result, so
 * they are exactly what inference gives the network for the same pixels.
 */
export function wienerInput(blurred: RawImage, kernel: WienerKernel): RawImage {
  return wienerDeblurGaussian(blurred, kernel.ksize, kernel.sigma, kernel.k);
}

/**
 * Whole-frame Wiener results kept by key (file and kernel), least recently used dropped beyond `maxBytes`:
 * a 448×256 frame costs ~0.2 s to deconvolve and 344 kB to keep, and training visits each pair every epoch.
 */
export class WienerFrameCache {
  private readonly frames = new Map<string, RawImage>();
  private bytes = 0;

  constructor(private readonly maxBytes = 1024 * 1024 * 1024) {}

  get(key: string, blurred: () => Promise<RawImage>, kernel: WienerKernel): Promise<RawImage> {
    const full = `${key}|${kernel.ksize}|${kernel.sigma}|${kernel.k}`;
    const hit = this.frames.get(full);
    if (hit) {
      this.frames.delete(full); // re-insert: Map order is the recency order
      this.frames.set(full, hit);
      return Promise.resolve(hit);
    }
    return blurred().then((img) => {
      const out = wienerInput(img, kernel);
      this.frames.set(full, out);
      this.bytes += out.data.byteLength;
      for (const [k, v] of this.frames) {
        if (this.bytes <= this.maxBytes) break;
        this.frames.delete(k);
        this.bytes -= v.data.byteLength;
      }
      return out;
    });
  }
}
