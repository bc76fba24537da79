import { z } from 'zod';
import { jobs, jobType, type JobResult, type JobType } from './jobs';

/** Events flow one way: engine (or host) → UI. Each is declared once here with its payload schema. */

const jobId = z.string().min(1).max(64);
/** `job.finished` of one job type: its result is that job's result schema (checked where it crosses a process boundary). */
export type JobFinished<T extends JobType = JobType> = { jobId: string; type: T; result: JobResult<T>; seconds: number };
type JobFinishedUnion = { [T in JobType]: JobFinished<T> }[JobType];

/** One branch per job type, discriminated by `type`, so a train job's payload is typed (and validated) as a train result. */
const jobFinishedBranches = (Object.keys(jobs) as JobType[]).map((type) =>
  z.strictObject({ jobId, type: z.literal(type), result: jobs[type].result, seconds: z.number() }),
);
const jobFinished = z.discriminatedUnion(
  'type',
  jobFinishedBranches as unknown as [(typeof jobFinishedBranches)[number], ...typeof jobFinishedBranches],
) as unknown as z.ZodType<JobFinishedUnion>;

/**
 * The `job.finished` payload of a job whose type is generic where it is built (the engine's job runner):
 * TypeScript cannot see that `JobFinished<T>` is one member of the union, so the widening happens here, once.
 */
export const jobFinishedPayload = <T extends JobType>(payload: JobFinished<T>): JobFinishedUnion => payload as JobFinishedUnion;

/** A finished job's result as its own job type's result; null when the event is for a job of another type. */
export function finishedResult<T extends JobType>(type: T, payload: JobFinishedUnion): JobResult<T> | null {
  return payload.type === type ? (payload.result as JobResult<T>) : null;
}

const levelMetrics = z.strictObject({
  kernel: z.number().int(),
  psnr: z.number().nullable(),
  ssim: z.number().nullable(),
  identityPsnr: z.number().nullable(),
  identitySsim: z.number().nullable(),
  /** kernel-aware models: the network's output and the Wiener filter it refines; `psnr` is of the one `refined` picks */
  networkPsnr: z.number().nullable().optional(),
  wienerPsnr: z.number().nullable().optional(),
  refined: z.boolean().optional(),
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
  'job.finished': jobFinished,
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
  /** One photo of a deblur batch is done: deblurred (output) or left alone (reason), so a gallery can fill while the batch runs. */
  'deblur.image': z.strictObject({
    jobId,
    /** 1-based position in the batch, and the batch's size */
    index: z.number().int(),
    total: z.number().int(),
    input: z.string(),
    output: z.string().nullable(),
    reason: z.string().nullable(),
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
