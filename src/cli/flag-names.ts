import { ContractError, type JobType } from '../shared/contract';

/**
 * The one place that knows which CLI argument fills which contract field, so a validation error names what
 * the user typed (`--fraction`) instead of the internal path (`params.params.fraction`).
 * Fields not listed are options of the same name in kebab case (stepsPerEpoch → --steps-per-epoch).
 */
const RENAMED: { [T in JobType]: Record<string, string> } = {
  selftest: {},
  scan: { folder: '<folder>' },
  prepare: { source: '<sharp-folder>', output: '<out-folder>', width: '--size', height: '--size' },
  train: { dataset: '<prepared-set>' },
  resume: { runDir: '--resume' },
  deblur: { inputs: '<inputs...>', outDir: '--out' },
  evaluate: { testSet: '<test-set>' },
  report: { evalJson: '<eval-json>' },
  export: { model: '<model>', overwrite: '--force' },
  'export-pytorch': { model: '<model>' },
  'import-pytorch': { source: '<checkpoint>' },
};

/** Path of a job's params inside a `job.start` request, as the router and engine report it. */
const JOB_PARAMS_PREFIX = 'params.params.';

const kebab = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The CLI argument for a contract field path of a job's params (`levels.1` → `--levels`), or null when it is not one. */
export function flagForField(type: JobType, field: string): string | null {
  if (!field.startsWith(JOB_PARAMS_PREFIX)) return null;
  const name = field.slice(JOB_PARAMS_PREFIX.length).split('.')[0];
  if (!name) return null;
  return RENAMED[type][name] ?? kebab(name);
}

/** The same error with its field path replaced by the CLI argument; anything else comes back unchanged. */
export function withFlagNames(type: JobType, err: unknown): unknown {
  if (!(err instanceof ContractError) || err.field === undefined) return err;
  const flag = flagForField(type, err.field);
  if (flag === null || !err.message.startsWith(`${err.field}: `)) return err;
  return new ContractError(err.code, `${flag}: ${err.message.slice(err.field.length + 2)}`, err.field);
}
