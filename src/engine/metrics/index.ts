export { meanSquaredError, psnr, psnrY, type PsnrOptions } from './psnr';
export { ssim, type SsimOptions } from './ssim';
export { formatPsnrSummary, meanSsim, summarizePsnr, type PsnrSummary } from './aggregate';
