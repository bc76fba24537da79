import { ContractError, type EngineMethodName, type MethodName, type MethodParams, type MethodResult } from '../shared/contract';
import { JobRunner, type EventSink } from './jobs/runner';
import { jobHandlers } from './jobs/handlers';
import { selectRuntime } from './runtime/select';
import { imagePreview } from './image/preview';
import { listModels, MAX_PARAMS } from './models/registry';

/** One engine method: its validated params in, its contract result out (a wrong result shape does not compile). */
type EngineMethod<M extends EngineMethodName> = (params: MethodParams<M>) => Promise<MethodResult<M>> | MethodResult<M>;
/** The engine's method table: every engine method of the contract, and only those (like the job table in jobs/handlers.ts). */
export type EngineMethods = { [M in EngineMethodName]: EngineMethod<M> };

/**
 * The engine's request handlers, one per engine method of the contract. Transport-free: the process
 * entry (process/entry.ts) feeds it validated requests; tests can call it directly.
 */
export class EngineService {
  readonly jobs: JobRunner;
  private readonly methods: EngineMethods;

  constructor(emit: EventSink) {
    this.jobs = new JobRunner(jobHandlers, emit);
    this.methods = engineMethods(this.jobs);
  }

  async handle<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    // The one place a generic method name meets the table: the table's own type checks each entry.
    const answer = (this.methods as Partial<Record<MethodName, EngineMethod<EngineMethodName>>>)[method] as EngineMethod<EngineMethodName> | undefined;
    if (!answer) throw new ContractError('unavailable', `method "${method}" is not answered by the engine`);
    return (await answer(params as MethodParams<EngineMethodName>)) as MethodResult<M>;
  }
}

function engineMethods(jobs: JobRunner): EngineMethods {
  return {
    'runtime.info': async () => ({ ...(await selectRuntime()), infer: await (await import('./infer/ort-runtime')).describeInferRuntime() }),
    'models.list': () => ({
      maxParams: MAX_PARAMS,
      models: listModels().map((m) => ({
        name: m.name,
        description: m.description,
        restoration: m.restoration,
        defaultPreset: m.defaultPreset,
        presets: m.presets.map((p) => ({ name: p.name, params: p.params, description: p.description })),
        input: { fixed: m.inputConstraint.fixed ?? null, multipleOf: m.inputConstraint.multipleOf ?? 1 },
      })),
    }),
    'models.builtin': async () => (await import('./infer/builtin-model')).describeBuiltinModel(),
    'runs.list': async ({ runsDir }) => ({ runs: await (await import('./train/runs')).listRuns(runsDir) }),
    'runs.history': async ({ runDir }) => ({ entries: await (await import('./train/runs')).readHistory(runDir) }),
    'evaluation.read': async ({ path }) => (await import('./evaluate/read-evaluation')).readStoredEvaluation(path),
    'image.preview': ({ path, maxSide }) => imagePreview(path, maxSide),
    'job.start': (start) => ({ jobId: jobs.start(start.type, start.params), type: start.type }),
    'job.cancel': ({ jobId }) => {
      jobs.cancel(jobId);
      return { ok: true };
    },
    'job.pause': ({ jobId }) => {
      jobs.pause(jobId);
      return { ok: true };
    },
    'job.resume': ({ jobId }) => {
      jobs.resume(jobId);
      return { ok: true };
    },
    'jobs.active': () => ({ jobs: jobs.list() }),
  };
}
