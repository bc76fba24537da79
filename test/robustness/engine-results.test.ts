/**
 * Hostile input: an engine that answers outside the contract — a job.finished whose result does not match its
 * job type's result schema (another job's result, a wrong field type, an extra field), and a reply whose
 * result does not match its method.
 * Fault injected: a fake engine child (no real process) sends these messages to the real EngineSupervisor.
 * What must hold: the supervisor never forwards an unvalidated result; an invalid job result fails that job
 * (job.failed naming the field) instead of leaving it unfinished; a valid one arrives typed and intact.
 */
import { describe, expect, it } from 'vitest';
import type { EngineChild } from '../../src/host/engine-child';
import { EngineSupervisor } from '../../src/host/supervisor';
import type { EventMessage } from '../../src/shared/contract';

/** A fake engine: records what the supervisor sends, and sends back what the test scripts. */
function fakeEngine() {
  let deliver: (m: unknown) => void = () => {};
  const sent: Array<{ id: string; method: string }> = [];
  const child: EngineChild = {
    pid: 1234,
    send: (m) => sent.push(m as { id: string; method: string }),
    onMessage: (l) => (deliver = l),
    onExit: () => {},
    kill: () => {},
  };
  const events: EventMessage[] = [];
  const supervisor = new EngineSupervisor(() => child, { onEvent: (m) => events.push(m) });
  supervisor.start();
  deliver({ kind: 'event', event: 'job.log', payload: { jobId: null, level: 'debug', message: 'ready', time: 't' } });
  return { supervisor, events, sent, deliver: (m: unknown) => deliver(m) };
}

/** Starts a job through the supervisor, as a front door would, and answers it with `jobId`. */
async function startTrain(engine: ReturnType<typeof fakeEngine>, jobId: string): Promise<void> {
  const started = engine.supervisor.request('job.start', { type: 'train', params: { dataset: '/d', runsDir: '/r', run: 'a' } });
  await new Promise((r) => setImmediate(r));
  const request = engine.sent.at(-1)!;
  engine.deliver({ kind: 'reply', id: request.id, ok: true, result: { jobId, type: 'train' } });
  await started;
}

const finished = (jobId: string, result: unknown) => ({ kind: 'event', event: 'job.finished', payload: { jobId, type: 'train', result, seconds: 2 } });
const trainResult = { runDir: '/r/a', steps: 4, bestPsnr: null, stopped: 'finished' };

describe('supervisor: job results cross from the engine validated', () => {
  it('forwards a valid train result, typed as a train result', async () => {
    const engine = fakeEngine();
    await startTrain(engine, 'j1');
    engine.deliver(finished('j1', trainResult));
    const m = engine.events.find((e) => e.event === 'job.finished');
    expect(m?.event === 'job.finished' && m.payload.type === 'train' ? m.payload.result.steps : null).toBe(4);
  });

  it.each([
    ['another job type’s result', { outputs: [], skipped: [] }, /result/],
    ['a field of the wrong type', { ...trainResult, steps: 'four' }, /result\.steps/],
    ['an extra field', { ...trainResult, secret: 1 }, /result/],
  ])('fails the job on %s instead of forwarding it', async (_name, result, field) => {
    const engine = fakeEngine();
    await startTrain(engine, 'j2');
    engine.deliver(finished('j2', result));
    expect(engine.events.some((e) => e.event === 'job.finished')).toBe(false);
    const failed = engine.events.find((e) => e.event === 'job.failed');
    if (failed?.event !== 'job.failed') throw new Error('expected job.failed');
    expect(failed.payload).toMatchObject({ jobId: 'j2', type: 'train', cancelled: false, error: { code: 'internal' } });
    expect(failed.payload.error.message).toMatch(/train result is invalid/);
    expect(failed.payload.error.message).toMatch(field);
    // the invalid message is also logged, as any malformed engine message is
    expect(engine.events.some((e) => e.event === 'job.log' && /invalid message/.test(e.payload.message))).toBe(true);
  });

  it('refuses a reply whose result does not match its method, naming the field', async () => {
    const engine = fakeEngine();
    const answer = engine.supervisor.request('jobs.active', {});
    await new Promise((r) => setImmediate(r));
    engine.deliver({ kind: 'reply', id: engine.sent.at(-1)!.id, ok: true, result: { jobs: [{ jobId: 'x', type: 'bake', started: 't' }] } });
    await expect(answer).rejects.toThrow(/jobs\.active result\.jobs\.0\.type/);
  });
});
