import { describe, expect, expectTypeOf, it } from 'vitest';
import { EngineService, type EngineMethods } from '../../src/engine/service';
import { parseParams, type EngineMethodName, type JobParams, type JobStarted, type MethodResult } from '../../src/shared/contract';

// Type assertions are checked by `tsc --noEmit`; the runtime ones by vitest.

describe('contract: the engine method table', () => {
  it('holds exactly the engine methods, each typed by its contract result', () => {
    expectTypeOf<EngineMethodName>().toEqualTypeOf<
      | 'runtime.info'
      | 'models.list'
      | 'models.builtin'
      | 'runs.list'
      | 'runs.history'
      | 'image.preview'
      | 'evaluation.read'
      | 'job.start'
      | 'job.cancel'
      | 'job.pause'
      | 'job.resume'
      | 'jobs.active'
    >();
    expectTypeOf<ReturnType<EngineMethods['runs.list']>>().toEqualTypeOf<Promise<MethodResult<'runs.list'>> | MethodResult<'runs.list'>>();
    // a wrong result shape is a compile error, not a cast away
    // @ts-expect-error `runs` is missing
    const wrong: EngineMethods['runs.list'] = () => ({ run: [] });
    // @ts-expect-error ok must be the literal true
    const notOk: EngineMethods['job.cancel'] = () => ({ ok: false });
    expect([wrong, notOk]).toHaveLength(2);
  });

  it('narrows a validated job.start by its type', () => {
    const start = parseParams('job.start', { type: 'scan', params: { folder: '/photos' } });
    expectTypeOf(start).toEqualTypeOf<JobStarted>();
    if (start.type === 'scan') expectTypeOf(start.params).toEqualTypeOf<JobParams<'scan'>>();
    expect(start).toEqual({ type: 'scan', params: { folder: '/photos' } });
  });

  it('answers engine methods through the table and refuses host methods', async () => {
    const service = new EngineService(() => {});
    await expect(service.handle('jobs.active', {})).resolves.toEqual({ jobs: [] });
    await expect(service.handle('settings.get', {})).rejects.toThrow(/"settings.get" is not answered by the engine/);
    await expect(service.handle('job.cancel', { jobId: 'nope' })).rejects.toThrow(/jobId: no running job nope/);
  });
});
