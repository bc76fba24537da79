import { afterAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../src/shared/contract';
import { forkEngine } from '../../src/host/engine-child';
import { engineSourceEntry } from '../../src/host/engine-entry';
import { EngineSupervisor } from '../../src/host/supervisor';

/** The real engine process (TypeScript sources under tsx), supervised as the app does it. */
describe('engine process under the supervisor', () => {
  const events: EventMessage[] = [];
  const supervisor = new EngineSupervisor(() => forkEngine({ entry: engineSourceEntry() }), {
    onEvent: (m) => events.push(m),
    restartDelayMs: 100,
  });
  supervisor.start();
  afterAll(() => supervisor.stop());

  const waitFor = async (pred: (m: EventMessage) => boolean, timeoutMs = 60_000): Promise<EventMessage> => {
    const t0 = Date.now();
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for an event');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('answers runtime.info with the backend chain', async () => {
    const info = await supervisor.request('runtime.info', {});
    expect(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']).toContain(info.backend);
    expect(info.attempts.length).toBeGreaterThan(0);
    expect(info.attempts.at(-1)?.ok).toBe(true);
    expect(supervisor.status().state).toBe('ready');
  });

  it('runs a real tensor job with progress to a result', async () => {
    const { jobId } = await supervisor.request('job.start', { type: 'selftest', params: { size: 32, steps: 5 } });
    const done = await waitFor((m) => m.event === 'job.finished' && (m.payload as { jobId: string }).jobId === jobId);
    const result = (done.payload as { result: { steps: number; checksum: number } }).result;
    expect(result.steps).toBe(5);
    expect(Number.isFinite(result.checksum)).toBe(true);
    const progress = events.filter((m) => m.event === 'job.progress' && (m.payload as { jobId: string }).jobId === jobId);
    expect(progress.length).toBeGreaterThan(0);
    expect((progress.at(-1)!.payload as { fraction: number }).fraction).toBe(1);
  });

  it('rejects an invalid request inside the engine with the field named', async () => {
    await expect(supervisor.request('job.start', { type: 'selftest', params: { steps: -1 } } as never)).rejects.toMatchObject({
      code: 'invalid_payload',
      field: 'params.params.steps',
    });
  });

  it('cancels a running job', async () => {
    const { jobId } = await supervisor.request('job.start', { type: 'selftest', params: { size: 256, steps: 10_000 } });
    await waitFor((m) => m.event === 'job.progress' && (m.payload as { jobId: string }).jobId === jobId);
    await supervisor.request('job.cancel', { jobId });
    const failed = await waitFor((m) => m.event === 'job.failed' && (m.payload as { jobId: string }).jobId === jobId);
    expect(failed.payload).toMatchObject({ cancelled: true, error: { code: 'cancelled' } });
  });

  it('reports a SIGKILL mid-job as a crash, fails the job, and restarts the engine', async () => {
    const { jobId } = await supervisor.request('job.start', { type: 'selftest', params: { size: 256, steps: 10_000 } });
    await waitFor((m) => m.event === 'job.progress' && (m.payload as { jobId: string }).jobId === jobId);
    const pid = supervisor.status().pid!;
    process.kill(pid, 'SIGKILL');
    const failed = await waitFor((m) => m.event === 'job.failed' && (m.payload as { jobId: string }).jobId === jobId);
    expect(failed.payload).toMatchObject({ cancelled: false, error: { code: 'engine_crashed' } });
    await waitFor((m) => m.event === 'engine.status' && (m.payload as { state: string }).state === 'crashed');
    // the next request waits for the restarted engine and succeeds
    const info = await supervisor.request('runtime.info', {});
    expect(info.backend).toBeTruthy();
    const status = supervisor.status();
    expect(status.state).toBe('ready');
    expect(status.restarts).toBe(1);
    expect(status.pid).not.toBe(pid);
  });

  it('leaves no engine process behind when stopped', async () => {
    const pid = supervisor.status().pid!;
    await supervisor.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(supervisor.status().state).toBe('stopped');
  });
});
