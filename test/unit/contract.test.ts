import { describe, expect, it } from 'vitest';
import { ContractError, MAX_MESSAGE_BYTES, events, methods, parseEvent, parseFrame, parseRequest, type MethodName } from '../../src/shared/contract';

const req = (method: string, params: unknown, extra: Record<string, unknown> = {}) => ({ kind: 'request', id: 'r1', method, params, ...extra });
const start = (type: string, params: unknown) => req('job.start', { type, params });
const prepare = (over: Record<string, unknown>) => start('prepare', { source: '/photos', output: '/prepared', ...over });
const train = (over: Record<string, unknown>) => start('train', { dataset: '/prepared', runsDir: '/runs', run: 'first', ...over });

describe('contract: valid messages are accepted', () => {
  const valid: Array<[string, unknown]> = [
    ['runtime.info', req('runtime.info', {})],
    ['models.list', req('models.list', {})],
    ['models.builtin', req('models.builtin', {})],
    ['evaluation.read', req('evaluation.read', { path: '/out/eval.json' })],
    ['image.preview', req('image.preview', { path: '/photos/a.jpg', maxSide: 1024 })],
    ['runs.list', req('runs.list', { runsDir: '/home/u/runs' })],
    ['runs.history', req('runs.history', { runDir: '/home/u/runs/a' })],
    ['job.start selftest (defaults)', start('selftest', {})],
    ['job.start scan', start('scan', { folder: '/photos' })],
    ['job.start prepare (defaults)', prepare({})],
    ['job.start prepare (all options)', prepare({ fraction: 0.1, levels: [3, 11], split: [0.7, 0.2, 0.1], seed: 5, width: 448, height: 256 })],
    ['job.start train', train({ model: 'resunet', preset: 'small', epochs: 2, batch: 2, patch: 64, lr: 2e-4, loss: 'l1', schedule: 'plateau' })],
    ['job.start train full frame', train({ patch: null })],
    ['job.start resume', start('resume', { runDir: '/runs/first' })],
    ['job.start deblur', start('deblur', { inputs: ['/a.jpg', '/b.png'], model: 'default', outDir: '/out', format: 'png', tile: 512 })],
    ['job.start evaluate', start('evaluate', { testSet: '/test', model: '/runs/first/checkpoints/best', out: '/out/eval.json' })],
    ['job.start report', start('report', { evalJson: '/out/eval.json', html: '/out/r.html', pdf: '/out/r.pdf' })],
    ['job.cancel', req('job.cancel', { jobId: 'abc' })],
    ['job.pause', req('job.pause', { jobId: 'abc' })],
    ['job.resume', req('job.resume', { jobId: 'abc' })],
    ['jobs.active', req('jobs.active', {})],
    ['engine.status', req('engine.status', {})],
    ['settings.get', req('settings.get', {})],
    ['settings.set', req('settings.set', { theme: 'dark', folders: { dataset: '/photos' } })],
    ['dialog.openFolder', req('dialog.openFolder', { title: 'Pick' })],
    ['dialog.openFile', req('dialog.openFile', { extensions: ['jpg', 'png'] })],
    ['fs.list', req('fs.list', { dir: '/home' })],
    ['host.info', req('host.info', {})],
    ['shell.openFolder', req('shell.openFolder', { path: '/home/me/deblurred' })],
    ['download.ticket', req('download.ticket', { path: '/home/me/deblurred/a.png' })],
    ['windows path', prepare({ source: 'C:\\Users\\me\\photos', output: 'D:/out' })],
  ];
  it.each(valid)('%s', (_name, msg) => {
    expect(() => parseRequest(msg)).not.toThrow();
  });

  it('fills defaults so the engine never sees a half-specified job', () => {
    const r = parseRequest(prepare({}));
    expect(r.params).toMatchObject({ type: 'prepare', params: { fraction: 1, levels: [3, 7, 11], split: [0.8, 0.1, 0.1], seed: 1, width: 448, height: 256 } });
  });

  it('covers every method of the contract', () => {
    const covered = new Set(valid.map(([, m]) => (m as { method: MethodName }).method));
    expect([...covered].sort()).toEqual(Object.keys(methods).sort());
  });
});

describe('contract: malformed messages are rejected with the field named', () => {
  const huge = 'x'.repeat(20_000);
  const malformed: Array<[string, unknown, string]> = [
    ['not an object', 'hello', ''],
    ['missing kind', { id: 'r1', method: 'runtime.info', params: {} }, 'kind'],
    ['wrong kind', { kind: 'reply', id: 'r1', method: 'runtime.info', params: {} }, 'kind'],
    ['id is a number', req('runtime.info', {}, { id: 5 }), 'id'],
    ['id too long', req('runtime.info', {}, { id: 'i'.repeat(65) }), 'id'],
    ['unknown method', req('system.exec', {}), 'method'],
    ['extra envelope field', req('runtime.info', {}, { admin: true }), 'admin'],
    ['extra params field', req('runtime.info', { verbose: true }), 'params.verbose'],
    ['unknown job type', start('format-disk', {}), 'params.type'],
    ['missing required path', start('prepare', { output: '/out' }), 'params.params.source'],
    ['relative path', prepare({ source: 'photos' }), 'params.params.source'],
    ['path with ..', prepare({ output: '/prepared/../etc' }), 'params.params.output'],
    ['path with NUL', prepare({ source: '/photos\0/x' }), 'params.params.source'],
    ['huge path string', prepare({ source: `/${huge}` }), 'params.params.source'],
    ['fraction as string', prepare({ fraction: '0.1' }), 'params.params.fraction'],
    ['fraction above 1', prepare({ fraction: 1.5 }), 'params.params.fraction'],
    ['fraction zero', prepare({ fraction: 0 }), 'params.params.fraction'],
    ['unknown blur level', prepare({ levels: [5] }), 'params.params.levels.0'],
    ['split not adding up', prepare({ split: [0.5, 0.5, 0.5] }), 'params.params.split'],
    ['split wrong length', prepare({ split: [0.5, 0.5] }), 'params.params.split'],
    ['NaN seed', prepare({ seed: Number.NaN }), 'params.params.seed'],
    ['negative batch', train({ batch: -1 }), 'params.params.batch'],
    ['fractional epochs', train({ epochs: 1.5 }), 'params.params.epochs'],
    ['run name with slash', train({ run: 'a/b' }), 'params.params.run'],
    ['run name ..', train({ run: '..' }), 'params.params.run'],
    ['unknown loss', train({ loss: 'ssim' }), 'params.params.loss'],
    ['learning rate zero', train({ lr: 0 }), 'params.params.lr'],
    ['deblur without inputs', start('deblur', { inputs: [], model: 'default', outDir: '/out' }), 'params.params.inputs'],
    ['deblur relative input', start('deblur', { inputs: ['a.jpg'], model: 'default', outDir: '/out' }), 'params.params.inputs.0'],
    ['report with no output', start('report', { evalJson: '/e.json' }), 'params.params.html'],
    ['settings with bad theme', req('settings.set', { theme: 'neon' }), 'params.theme'],
    ['settings with huge title', req('dialog.openFolder', { title: huge }), 'params.title'],
    ['jobId missing', req('job.cancel', {}), 'params.jobId'],
  ];

  it('has at least 20 malformed cases', () => expect(malformed.length).toBeGreaterThanOrEqual(20));

  it.each(malformed)('%s', (_name, msg, field) => {
    let caught: unknown;
    try {
      parseRequest(msg);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ContractError);
    const err = caught as ContractError;
    expect(err.code).toBe('invalid_payload');
    if (field) {
      expect(err.field).toBe(field);
      expect(err.message.startsWith(`${field}:`)).toBe(true);
    }
    expect(err.message.length).toBeLessThan(500);
  });
});

describe('contract: events and frames', () => {
  it('validates event payloads', () => {
    const ok = { kind: 'event', event: 'job.progress', payload: { jobId: 'j', type: 'prepare', fraction: 0.5, etaSeconds: 3, message: 'x' } };
    expect(parseEvent(ok).event).toBe('job.progress');
    expect(() => parseEvent({ ...ok, payload: { ...ok.payload, fraction: 2 } })).toThrow(/payload.fraction/);
    expect(() => parseEvent({ kind: 'event', event: 'nope', payload: {} })).toThrow(/event/);
  });

  it('declares a schema for every event', () => {
    expect(Object.keys(events)).toEqual(expect.arrayContaining(['job.progress', 'job.log', 'job.finished', 'job.failed', 'engine.status']));
  });

  it('refuses oversized or non-JSON frames before parsing', () => {
    expect(() => parseFrame('{')).toThrow(/not valid JSON/);
    expect(() => parseFrame(' '.repeat(MAX_MESSAGE_BYTES + 1))).toThrow(/larger than/);
  });
});
