import { ContractError, type MethodName, type MethodParams, type MethodResult } from '../shared/contract';
import { JobRunner, type EventSink } from './jobs/runner';
import { jobHandlers } from './jobs/handlers';
import { selectRuntime } from './runtime/select';
import { imagePreview } from './image/preview';
import { listModels, MAX_PARAMS } from './models/registry';

/**
 * The engine's request handlers, one per engine method of the contract. Transport-free: the process
 * entry (process/entry.ts) feeds it validated requests; tests can call it directly.
 */
export class EngineService {
  readonly jobs: JobRunner;

  constructor(emit: EventSink) {
    this.jobs = new JobRunner(jobHandlers, emit);
  }

  async handle<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    const p = params as MethodParams<MethodName> & Record<string, unknown>;
    switch (method) {
      case 'runtime.info':
        return (await selectRuntime()) as MethodResult<M>;
      case 'models.list':
        return {
          maxParams: MAX_PARAMS,
          models: listModels().map((m) => ({
            name: m.name,
            description: m.description,
            defaultPreset: m.defaultPreset,
            presets: m.presets.map((p) => ({ name: p.name, params: p.params, description: p.description })),
            input: { fixed: m.inputConstraint.fixed ?? null, multipleOf: m.inputConstraint.multipleOf ?? 1 },
          })),
        } as MethodResult<M>;
      case 'models.builtin':
        return (await (await import('./infer/builtin-model')).describeBuiltinModel()) as MethodResult<M>;
      case 'runs.list':
        return { runs: await (await import('./train/runs')).listRuns((p as MethodParams<'runs.list'>).runsDir) } as MethodResult<M>;
      case 'runs.history':
        return { entries: await (await import('./train/runs')).readHistory((p as MethodParams<'runs.history'>).runDir) } as MethodResult<M>;
      case 'evaluation.read': {
        const file = (p as MethodParams<'evaluation.read'>).path;
        const { readFile } = await import('node:fs/promises');
        const text = await readFile(file, 'utf8').catch((err: Error) => {
          throw new ContractError('not_found', `path: cannot read ${file} (${err.message})`, 'path');
        });
        (await import('./evaluate/eval-schema')).parseEval(text, file);
        return JSON.parse(text) as MethodResult<M>;
      }
      case 'image.preview': {
        const q = p as MethodParams<'image.preview'>;
        return (await imagePreview(q.path, q.maxSide)) as MethodResult<M>;
      }
      case 'job.start': {
        const start = p as MethodParams<'job.start'>;
        const jobId = this.jobs.start(start.type as never, start.params as never);
        return { jobId, type: start.type } as MethodResult<M>;
      }
      case 'job.cancel':
        this.jobs.cancel((p as MethodParams<'job.cancel'>).jobId);
        return { ok: true } as MethodResult<M>;
      case 'job.pause':
        this.jobs.pause((p as MethodParams<'job.pause'>).jobId);
        return { ok: true } as MethodResult<M>;
      case 'job.resume':
        this.jobs.resume((p as MethodParams<'job.resume'>).jobId);
        return { ok: true } as MethodResult<M>;
      case 'jobs.active':
        return { jobs: this.jobs.list() } as MethodResult<M>;
      default:
        throw new ContractError('unavailable', `method "${method}" is not answered by the engine`);
    }
  }
}
