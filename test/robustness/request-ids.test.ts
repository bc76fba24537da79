/**
 * Hostile input: request envelopes with a well-formed id but a wrong kind, an unknown method, missing or
 * invalid params, extra fields; and envelopes whose id cannot be read (missing, empty, too long, not a string).
 * Fault injected: each is handed to the contract's answerRequest and, raw, to the real engine process.
 * What must hold: every reply to a request with a readable id carries exactly that id (so the caller is not
 * left waiting); only an unreadable id yields UNREADABLE_ID; answerRequest never throws.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { forkEngine } from '../../src/host/engine-child';
import { engineSourceEntry } from '../../src/host/engine-entry';
import { answerRequest, parseParams, readRequestId, UNREADABLE_ID, type MethodName, type Reply } from '../../src/shared/contract';

const badRequests: Array<[string, Record<string, unknown>, string]> = [
  ['an unknown method', { kind: 'request', id: 'r1', method: 'shell.exec', params: {} }, 'method'],
  ['no kind', { id: 'r2', method: 'jobs.active', params: {} }, 'kind'],
  ['a wrong kind', { kind: 'reply', id: 'r3', method: 'jobs.active', params: {} }, 'kind'],
  ['no params', { kind: 'request', id: 'r4', method: 'image.preview' }, 'params'],
  ['invalid params', { kind: 'request', id: 'r5', method: 'image.preview', params: { path: 'relative.png' } }, 'params.path'],
  ['an extra field', { kind: 'request', id: 'r6', method: 'jobs.active', params: {}, extra: 1 }, 'extra'],
];

describe('readRequestId', () => {
  it('reads a well-formed id whatever else is wrong, and nothing else', () => {
    expect(readRequestId({ id: 'abc', kind: 'nonsense' })).toBe('abc');
    for (const raw of [null, 'abc', 5, ['abc'], {}, { id: '' }, { id: 'x'.repeat(65) }, { id: 7 }]) expect(readRequestId(raw)).toBeNull();
  });
});

describe('answerRequest', () => {
  // validates params as the engine does, so a params error surfaces through answerRequest
  const handle = async (method: MethodName, params: unknown) => parseParams(method, params);

  it.each(badRequests)('keeps the id of a request with %s', async (_what, raw, field) => {
    const reply = await answerRequest(raw, handle);
    expect(reply).toMatchObject({ kind: 'reply', id: raw.id, ok: false, error: { code: 'invalid_payload', field } });
  });

  it('names an unknown method in one line, not a list of every method', async () => {
    const reply = await answerRequest(badRequests[0]![1], handle);
    expect(reply).toMatchObject({ ok: false, error: { message: 'method: unknown method "shell.exec"' } });
  });

  it('keeps the id when the handler fails, and marks only unreadable ids', async () => {
    const failing = async () => {
      throw new Error('boom');
    };
    await expect(answerRequest({ kind: 'request', id: 'h1', method: 'jobs.active', params: {} }, failing)).resolves.toMatchObject({ id: 'h1', ok: false, error: { message: 'boom' } });
    await expect(answerRequest({ kind: 'request', method: 'jobs.active', params: {} }, handle)).resolves.toMatchObject({ id: UNREADABLE_ID, ok: false });
    await expect(answerRequest('not an object', handle)).resolves.toMatchObject({ id: UNREADABLE_ID, ok: false });
  });
});

describe('the engine process', () => {
  const child = forkEngine({ entry: engineSourceEntry() });
  const replies: Reply[] = [];
  child.onMessage((m) => {
    if ((m as { kind?: unknown }).kind === 'reply') replies.push(m as Reply);
  });
  afterAll(() => child.kill('SIGKILL'));

  const replyTo = async (id: string): Promise<Reply> => {
    for (let i = 0; i < 3000; i++) {
      const hit = replies.find((r) => r.id === id);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no reply for ${id}`);
  };

  it.each(badRequests.filter(([, raw]) => raw.kind === 'request'))('answers a raw request with %s under its own id', async (_what, raw, field) => {
    child.send(raw);
    expect(await replyTo(raw.id as string)).toMatchObject({ ok: false, error: { code: 'invalid_payload', field } });
  });
});
