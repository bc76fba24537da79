import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  finishedResult,
  jobStartOf,
  parseEvent,
  type EventMessage,
  type EventPayload,
  type JobResult,
  type JobStart,
} from '../../src/shared/contract';

// The type assertions are checked by `tsc --noEmit` (test/ is in tsconfig.json); the runtime ones by vitest.

const trainResult: JobResult<'train'> = { runDir: '/runs/a', steps: 10, bestPsnr: 30.5, stopped: 'finished' };
const finished = (type: string, result: unknown) => ({ kind: 'event', event: 'job.finished', payload: { jobId: 'j1', type, result, seconds: 1.5 } });

describe('contract: events are a discriminated union', () => {
  it('narrows the payload by the event name', () => {
    const m = parseEvent({ kind: 'event', event: 'job.progress', payload: { jobId: 'j', type: 'scan', fraction: 0.5, etaSeconds: null, message: '' } });
    if (m.event === 'job.progress') expectTypeOf(m.payload).toEqualTypeOf<EventPayload<'job.progress'>>();
    if (m.event === 'engine.status') expectTypeOf(m.payload.state).toEqualTypeOf<'starting' | 'ready' | 'crashed' | 'restarting' | 'stopped'>();
    expectTypeOf<Extract<EventMessage, { event: 'train.step' }>['payload']>().toEqualTypeOf<EventPayload<'train.step'>>();
    expect(m.event).toBe('job.progress');
  });

  it('types job.finished by job type: a train job carries a train result', () => {
    const m = parseEvent(finished('train', trainResult));
    if (m.event !== 'job.finished') throw new Error('expected job.finished');
    expectTypeOf(m.payload.result).not.toBeUnknown();
    if (m.payload.type === 'train') {
      expectTypeOf(m.payload.result).toEqualTypeOf<JobResult<'train'>>();
      expect(m.payload.result.steps).toBe(10);
    }
    if (m.payload.type === 'deblur') expectTypeOf(m.payload.result).toEqualTypeOf<JobResult<'deblur'>>();
    expect(m.payload.type).toBe('train');
  });

  it('validates a finished job result against its own job type', () => {
    expect(() => parseEvent(finished('train', trainResult))).not.toThrow();
    // a deblur result is not a train result, even though both are well-formed objects
    expect(() => parseEvent(finished('train', { outputs: [], skipped: [] }))).toThrow(/payload\.result/);
    expect(() => parseEvent(finished('train', { ...trainResult, steps: 'ten' }))).toThrow(/payload\.result\.steps/);
    expect(() => parseEvent(finished('train', { ...trainResult, extra: 1 }))).toThrow(/payload\.result/);
    expect(() => parseEvent(finished('nope', trainResult))).toThrow(/payload\.type/);
    // resume ends with a train result too
    expect(() => parseEvent(finished('resume', trainResult))).not.toThrow();
  });

  it('finishedResult gives the result only for the job type asked for', () => {
    const m = parseEvent(finished('train', trainResult));
    if (m.event !== 'job.finished') throw new Error('expected job.finished');
    const r = finishedResult('train', m.payload);
    expectTypeOf(r).toEqualTypeOf<JobResult<'train'> | null>();
    expect(r).toEqual(trainResult);
    expect(finishedResult('deblur', m.payload)).toBeNull();
  });

  it('jobStartOf builds a job.start payload from a generic job type', () => {
    const start = <T extends 'scan' | 'train'>(type: T, params: Parameters<typeof jobStartOf<T>>[1]) => jobStartOf(type, params);
    const s = start('scan', { folder: '/photos' });
    expectTypeOf(s).toEqualTypeOf<JobStart>();
    expect(s).toEqual({ type: 'scan', params: { folder: '/photos' } });
  });
});
