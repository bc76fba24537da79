import { z } from 'zod';
import { jobType } from './jobs';

/** Events flow one way: engine (or host) → UI. Each is declared once here with its payload schema. */

const jobId = z.string().min(1).max(64);
const levelMetrics = z.strictObject({
  kernel: z.number().int(),
  psnr: z.number().nullable(),
  ssim: z.number().nullable(),
  identityPsnr: z.number().nullable(),
  identitySsim: z.number().nullable(),
});

export const events = {
  'job.progress': z.strictObject({
    jobId,
    type: jobType,
    fraction: z.number().min(0).max(1),
    etaSeconds: z.number().nonnegative().nullable(),
    message: z.string(),
  }),
  'job.log': z.strictObject({
    jobId: jobId.nullable(),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
    time: z.string(),
  }),
  'job.finished': z.strictObject({ jobId, type: jobType, result: z.unknown(), seconds: z.number() }),
  'job.failed': z.strictObject({
    jobId,
    type: jobType,
    cancelled: z.boolean(),
    error: z.strictObject({ code: z.string(), message: z.string() }),
  }),
  'train.step': z.strictObject({
    jobId,
    run: z.string(),
    step: z.number().int(),
    epoch: z.number().int(),
    loss: z.number(),
    smoothedLoss: z.number(),
    lr: z.number(),
    samplesPerSecond: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  'train.validation': z.strictObject({
    jobId,
    run: z.string(),
    step: z.number().int(),
    loss: z.number(),
    psnr: z.number().nullable(),
    ssim: z.number().nullable(),
    identityPsnr: z.number().nullable(),
    byLevel: z.array(levelMetrics),
  }),
  'train.preview': z.strictObject({
    jobId,
    run: z.string(),
    step: z.number().int(),
    /** small PNGs as data URLs (the renderer's CSP allows data: images) */
    blurred: z.string(),
    output: z.string(),
    sharp: z.string(),
  }),
  'train.checkpoint': z.strictObject({
    jobId,
    run: z.string(),
    step: z.number().int(),
    kind: z.enum(['last', 'best']),
    path: z.string(),
  }),
  /** From the supervisor, not the engine: the engine process's life. */
  'engine.status': z.strictObject({
    state: z.enum(['starting', 'ready', 'crashed', 'restarting', 'stopped']),
    message: z.string(),
    pid: z.number().int().nullable(),
    restarts: z.number().int(),
  }),
} as const;

export type EventName = keyof typeof events;
export const eventName = z.enum(Object.keys(events) as [EventName, ...EventName[]]);
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
